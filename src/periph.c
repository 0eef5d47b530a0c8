/* SPDX-License-Identifier: MIT */
/*
 * periph.c - simulated clocked peripherals (the device end of slave DMA).
 *
 * Model: the device position advances at rate bytes/s from the moment the
 * clock was (re)started: target = (now - anchor) * rate. Each call from the
 * provider's engine first brings the device up to now - consuming FIFO bytes
 * (MEM_TO_DEV) or producing them (DEV_TO_MEM) - counting an underrun /
 * overrun once per gap, then tells the engine how much it may move and, when
 * not enough, how long until it may. Positions are derived from absolute
 * time, so pacing has no drift whatever the engine's wake-up jitter.
 *
 * Ownership and locks:
 *  - The FIFO, clock and totals are touched only by the engine thread of the
 *    channel serving the peripheral (one channel at a time): no lock.
 *  - The capture ring (device -> program) and the write queue (program ->
 *    device) are shared with program threads: guarded by p->lock (spinlock,
 *    short copies only).
 *  - Counters are __atomic; sink/source pointers are read atomically per
 *    burst; callbacks run with no lock held.
 *  - All peripherals are on periph_list, an RCU list (liburcu-bp): lookups at
 *    prep time never block; create/destroy hold periph_lock and destroy waits
 *    for a grace period before freeing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <urcu-bp.h>
#include <urcu/rculist.h>
#include <udmaengine/periph.h>

#include "core-private.h"

/* Bus addresses of peripherals: far from any user-space CPU address. */
#define PERIPH_ADDR_BASE 0xfee0000000000000ull
#define PERIPH_ADDR_STRIDE 0x1000ull

struct ring {
	unsigned char *buf;
	size_t size, head, len; /* head: next byte to read */
};

struct udma_periph {
	struct cds_list_head node;
	char name[32];
	dma_addr_t addr;
	unsigned int width;
	size_t fifo_depth;
	uint64_t rate;

	/* engine-thread state */
	struct ring fifo;
	int running;
	uint64_t anchor_ns;
	uint64_t moved;   /* device bytes accounted since anchor */
	int in_gap;
	unsigned char *scratch; /* dropped bytes on overrun */

	/* shared with program threads */
	pthread_spinlock_t lock;
	struct ring capture;  /* MEM_TO_DEV without sink */
	struct ring queue;    /* DEV_TO_MEM without source */
	udma_periph_sink_fn sink;
	void *sink_ctx;
	udma_periph_source_fn source;
	void *source_ctx;
	struct udma_periph_stats st;
};

static pthread_mutex_t periph_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(periph_list);
static uint64_t periph_next_id;

/* ------------------------------------------------------------- rings */

static size_t ring_put(struct ring *r, const void *data, size_t len)
{
	const unsigned char *d = data;
	size_t n = len < r->size - r->len ? len : r->size - r->len;
	size_t tail = (r->head + r->len) % r->size;
	size_t first = n < r->size - tail ? n : r->size - tail;

	memcpy(r->buf + tail, d, first);
	memcpy(r->buf, d + first, n - first);
	r->len += n;
	return n;
}

static size_t ring_get(struct ring *r, void *data, size_t len)
{
	unsigned char *d = data;
	size_t n = len < r->len ? len : r->len;
	size_t first = n < r->size - r->head ? n : r->size - r->head;

	if (d) {
		memcpy(d, r->buf + r->head, first);
		memcpy(d + first, r->buf, n - first);
	}
	r->head = (r->head + n) % r->size;
	r->len -= n;
	return n;
}

static void ring_drop(struct ring *r, size_t n)
{
	ring_get(r, NULL, n);
}

/* ------------------------------------------------------- create/destroy */

UDMA_EXPORT struct udma_periph *udma_periph_create(const struct udma_periph_config *cfg)
{
	struct udma_periph *p;
	size_t cap;

	if (!cfg) {
		udma_err("NULL config");
		return NULL;
	}
	if (cfg->width != 1 && cfg->width != 2 && cfg->width != 4 && cfg->width != 8) {
		udma_err("%s: width %d is not 1, 2, 4 or 8 bytes",
			 cfg->name ? cfg->name : "periph", (int)cfg->width);
		return NULL;
	}
	if (cfg->fifo_depth < cfg->width || cfg->fifo_depth % cfg->width) {
		udma_err("%s: fifo_depth %zu is not a positive multiple of width %d",
			 cfg->name ? cfg->name : "periph", cfg->fifo_depth, (int)cfg->width);
		return NULL;
	}
	cap = cfg->capture_size ? cfg->capture_size : 65536;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->fifo.buf = malloc(cfg->fifo_depth);
	p->scratch = malloc(cfg->fifo_depth);
	p->capture.buf = malloc(cap);
	p->queue.buf = malloc(cap);
	if (!p->fifo.buf || !p->scratch || !p->capture.buf || !p->queue.buf) {
		free(p->fifo.buf);
		free(p->scratch);
		free(p->capture.buf);
		free(p->queue.buf);
		free(p);
		return NULL;
	}
	p->fifo.size = cfg->fifo_depth;
	p->capture.size = cap;
	p->queue.size = cap;
	snprintf(p->name, sizeof(p->name), "%s", cfg->name ? cfg->name : "periph");
	p->width = (unsigned int)cfg->width;
	p->fifo_depth = cfg->fifo_depth;
	p->rate = cfg->rate;
	pthread_spin_init(&p->lock, PTHREAD_PROCESS_PRIVATE);

	pthread_mutex_lock(&periph_lock);
	p->addr = PERIPH_ADDR_BASE + PERIPH_ADDR_STRIDE * periph_next_id++;
	cds_list_add_tail_rcu(&p->node, &periph_list);
	pthread_mutex_unlock(&periph_lock);
	return p;
}

UDMA_EXPORT void udma_periph_destroy(struct udma_periph *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&periph_lock);
	cds_list_del_rcu(&p->node);
	pthread_mutex_unlock(&periph_lock);
	urcu_bp_synchronize_rcu();
	pthread_spin_destroy(&p->lock);
	free(p->fifo.buf);
	free(p->scratch);
	free(p->capture.buf);
	free(p->queue.buf);
	free(p);
}

UDMA_EXPORT struct udma_periph *udma_periph_lookup(dma_addr_t addr)
{
	struct udma_periph *p, *found = NULL;

	urcu_bp_read_lock();
	cds_list_for_each_entry_rcu(p, &periph_list, node) {
		if (p->addr == addr) {
			found = p;
			break;
		}
	}
	urcu_bp_read_unlock();
	return found;
}

UDMA_EXPORT dma_addr_t udma_periph_addr(const struct udma_periph *p)
{
	return p ? p->addr : 0;
}

UDMA_EXPORT unsigned int udma_periph_width(const struct udma_periph *p) { return p->width; }
UDMA_EXPORT size_t udma_periph_fifo_depth(const struct udma_periph *p) { return p->fifo_depth; }
UDMA_EXPORT uint64_t udma_periph_rate(const struct udma_periph *p) { return p->rate; }

/* ------------------------------------------------------ program side */

UDMA_EXPORT void udma_periph_set_sink(struct udma_periph *p, udma_periph_sink_fn fn, void *ctx)
{
	pthread_spin_lock(&p->lock);
	p->sink = fn;
	p->sink_ctx = ctx;
	pthread_spin_unlock(&p->lock);
}

UDMA_EXPORT void udma_periph_set_source(struct udma_periph *p, udma_periph_source_fn fn, void *ctx)
{
	pthread_spin_lock(&p->lock);
	p->source = fn;
	p->source_ctx = ctx;
	pthread_spin_unlock(&p->lock);
}

UDMA_EXPORT size_t udma_periph_read(struct udma_periph *p, void *buf, size_t len)
{
	size_t n;

	pthread_spin_lock(&p->lock);
	n = ring_get(&p->capture, buf, len);
	pthread_spin_unlock(&p->lock);
	return n;
}

UDMA_EXPORT size_t udma_periph_write(struct udma_periph *p, const void *buf, size_t len)
{
	size_t n;

	pthread_spin_lock(&p->lock);
	n = ring_put(&p->queue, buf, len);
	pthread_spin_unlock(&p->lock);
	return n;
}

UDMA_EXPORT void udma_periph_get_stats(struct udma_periph *p, struct udma_periph_stats *st)
{
	pthread_spin_lock(&p->lock);
	*st = p->st;
	pthread_spin_unlock(&p->lock);
}

/* ------------------------------------------------------- engine side */

/* Hand @len consumed bytes at @data to the sink or the capture ring. */
static void deliver(struct udma_periph *p, const unsigned char *data, size_t len)
{
	udma_periph_sink_fn sink;
	void *ctx;

	pthread_spin_lock(&p->lock);
	sink = p->sink;
	ctx = p->sink_ctx;
	p->st.bytes_to_device += len;
	if (!sink) {
		size_t keep = len, free_space;

		if (keep > p->capture.size) { /* keep the newest bytes */
			p->st.capture_dropped += keep - p->capture.size;
			data += keep - p->capture.size;
			keep = p->capture.size;
		}
		free_space = p->capture.size - p->capture.len;
		if (keep > free_space) {
			ring_drop(&p->capture, keep - free_space);
			p->st.capture_dropped += keep - free_space;
		}
		ring_put(&p->capture, data, keep);
	}
	pthread_spin_unlock(&p->lock);
	if (sink)
		sink(ctx, data, len);
}

/* Let the device consume @n bytes from the FIFO (n <= fifo.len). */
static void consume(struct udma_periph *p, size_t n)
{
	while (n) {
		size_t first = p->fifo.size - p->fifo.head;

		if (first > n)
			first = n;
		deliver(p, p->fifo.buf + p->fifo.head, first);
		ring_drop(&p->fifo, first);
		n -= first;
	}
}

/*
 * Fill @len bytes of @dst with what the device produces. Bytes the device
 * drops (@dropped: the FIFO was full) count as overrun bytes, never as
 * bytes_from_device, in the same lock section that takes them, so a
 * reader of the stats never sees a dropped byte as handed to the DMA.
 */
static void produce(struct udma_periph *p, unsigned char *dst, size_t len, bool dropped)
{
	udma_periph_source_fn source;
	void *ctx;
	size_t got;

	pthread_spin_lock(&p->lock);
	source = p->source;
	ctx = p->source_ctx;
	got = source ? 0 : ring_get(&p->queue, dst, len);
	if (!dropped) {
		p->st.bytes_from_device += len;
	} else if (len) {
		if (!p->in_gap)
			p->st.overruns++;
		p->st.overrun_bytes += len;
	}
	pthread_spin_unlock(&p->lock);
	if (source) {
		got = source(ctx, dst, len);
		if (got > len)
			got = len;
	}
	memset(dst + got, 0, len - got);
}

static uint64_t device_target(struct udma_periph *p, uint64_t now_ns)
{
	uint64_t t;

	if (now_ns <= p->anchor_ns)
		return 0;
	t = (uint64_t)((unsigned __int128)(now_ns - p->anchor_ns) * p->rate / 1000000000u);
	return t - t % p->width; /* the device moves whole FIFO words */
}

/* Time from @now_ns until the device position reaches @pos. */
static uint64_t time_until(struct udma_periph *p, uint64_t pos, uint64_t now_ns)
{
	uint64_t at = p->anchor_ns +
		(uint64_t)(((unsigned __int128)pos * 1000000000u + p->rate - 1) / p->rate);

	return at > now_ns ? at - now_ns : 0;
}

UDMA_EXPORT void udma_periph_start(struct udma_periph *p, uint64_t now_ns)
{
	if (p->running)
		return;
	p->running = 1;
	p->anchor_ns = now_ns;
	p->moved = 0;
	p->in_gap = 0;
}

UDMA_EXPORT void udma_periph_pause(struct udma_periph *p)
{
	p->running = 0;
}

UDMA_EXPORT void udma_periph_stop(struct udma_periph *p, enum dma_transfer_direction dir,
				  bool flush)
{
	p->running = 0;
	p->in_gap = 0;
	if (flush)
		ring_drop(&p->fifo, p->fifo.len);
	else if (dir == DMA_MEM_TO_DEV)
		consume(p, p->fifo.len);
}

UDMA_EXPORT size_t udma_periph_space(struct udma_periph *p, uint64_t now_ns, size_t burst,
				     uint64_t *wait_ns)
{
	size_t space;

	*wait_ns = 0;
	if (!p->rate) {
		consume(p, p->fifo.len);
		return p->fifo.size;
	}
	if (p->running) {
		uint64_t need = device_target(p, now_ns) - p->moved;
		size_t take = need < p->fifo.len ? (size_t)need : p->fifo.len;

		consume(p, take);
		if (need > take) {
			pthread_spin_lock(&p->lock);
			if (!p->in_gap)
				p->st.underruns++;
			p->st.underrun_bytes += need - take;
			pthread_spin_unlock(&p->lock);
			p->in_gap = 1;
		}
		p->moved += need;
	}
	space = p->fifo.size - p->fifo.len;
	if (space < burst && p->running)
		*wait_ns = time_until(p, p->moved + (burst - space), now_ns);
	return space;
}

UDMA_EXPORT void udma_periph_push(struct udma_periph *p, const void *data, size_t len)
{
	ring_put(&p->fifo, data, len);
	if (len)
		p->in_gap = 0;
}

UDMA_EXPORT size_t udma_periph_avail(struct udma_periph *p, uint64_t now_ns, size_t burst,
				     uint64_t *wait_ns)
{
	uint64_t n;

	*wait_ns = 0;
	if (!p->rate) {
		n = p->fifo.size - p->fifo.len;
	} else if (p->running) {
		n = device_target(p, now_ns) - p->moved;
		p->moved += n;
	} else {
		n = 0;
	}
	while (n) {
		size_t space = p->fifo.size - p->fifo.len;
		size_t chunk = n < p->fifo.size ? (size_t)n : p->fifo.size;

		if (chunk <= space) {
			size_t tail = (p->fifo.head + p->fifo.len) % p->fifo.size;
			size_t first = chunk < p->fifo.size - tail ? chunk : p->fifo.size - tail;

			produce(p, p->fifo.buf + tail, first, false);
			produce(p, p->fifo.buf, chunk - first, false);
			p->fifo.len += chunk;
			p->in_gap = 0;
		} else {
			/* FIFO full: the device drops what does not fit */
			size_t fit = space;

			if (fit) {
				size_t tail = (p->fifo.head + p->fifo.len) % p->fifo.size;
				size_t first = fit < p->fifo.size - tail ? fit : p->fifo.size - tail;

				produce(p, p->fifo.buf + tail, first, false);
				produce(p, p->fifo.buf, fit - first, false);
				p->fifo.len += fit;
			}
			produce(p, p->scratch, chunk - fit, true);
			p->in_gap = 1;
		}
		n -= chunk;
	}
	if (p->rate && p->running && p->fifo.len < burst)
		*wait_ns = time_until(p, p->moved + (burst - p->fifo.len), now_ns);
	return p->fifo.len;
}

UDMA_EXPORT void udma_periph_pull(struct udma_periph *p, void *data, size_t len)
{
	ring_get(&p->fifo, data, len);
}
