/* SPDX-License-Identifier: MIT */
/*
 * fault.c - fault injection per channel and the engine-side half of strict
 * mapping: the udma_xfer_* hooks a provider's engine calls around each
 * descriptor, the client configuration calls, UDMA_FAULT and the provider
 * option keys, and the residue of failed cookies for dmaengine_tx_status().
 *
 * State lives in struct udma_chan_priv (core-private.h):
 *  - fault_on / fault (configuration): written by udma_chan_set_fault() with
 *    atomic stores, field by field, fault_on last (release); read by the
 *    engine with atomic loads. A descriptor started during a change may see
 *    a mix of old and new fields: harmless, and the next one sees the new.
 *  - fault_rng / fault_count: the engine's own (one engine thread per
 *    channel at a time, the contract of the hooks).
 *  - fault_ring (cookie, residue of the last failures): written by
 *    udma__fault_note() when virt-dma commits a failed cookie (vc->lock held,
 *    which also guards fault_ring_pos); read lock-free by tx_status.
 *  - fault_stats: relaxed atomics, read by any thread.
 *  - strict_state / strict_cur: the engine publishes the piece it moves
 *    (seq_cst), strict_state's sequence number acting as a sequence lock
 *    around the four words; udma__strict_unmapped() (under strict_lock)
 *    reads them.
 * strict_lock (a mutex) guards strict_chans, the list of registered
 * channels; it is taken at registration, unregistration and by unmaps in
 * strict mode, never on the engine path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <udmaengine/virt-dma.h>

#include "core-private.h"

#define FAULT_DEFAULT_SEED 0x9e3779b97f4a7c15ull
#define FAULT_MAX_DELAY_NS 1000000000ull
#define FAULT_RING 64u

/* strict_state: seq << 2 | STRICT_ACTIVE (inside a transfer) | STRICT_KILLED */
#define STRICT_ACTIVE 1ull
#define STRICT_KILLED 2ull

static pthread_mutex_t strict_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(strict_chans);

/* ---------------------------------------------------------- config */

static bool fault_cfg_valid(const struct udma_fault_config *cfg, const char *who)
{
	if (cfg->fail_ppm > 1000000u || cfg->delay_ppm > 1000000u) {
		udma_err("%s: probabilities are in parts per million (0..1000000), got "
			 "fail %u, delay %u", who, cfg->fail_ppm, cfg->delay_ppm);
		return false;
	}
	if (cfg->results & ~UDMA_FAULT_ALL) {
		udma_err("%s: results 0x%x has unknown bits (READ 1, WRITE 2, ABORT 4)",
			 who, cfg->results);
		return false;
	}
	if (cfg->delay_ns > FAULT_MAX_DELAY_NS) {
		udma_err("%s: delay %llu ns is above 1 s", who,
			 (unsigned long long)cfg->delay_ns);
		return false;
	}
	return true;
}

static bool fault_cfg_any(const struct udma_fault_config *cfg)
{
	return cfg->fail_every_nth || cfg->fail_ppm ||
	       (cfg->delay_ns && (cfg->delay_every_nth || cfg->delay_ppm));
}

static void fault_store(struct udma_chan_priv *p, const struct udma_fault_config *cfg)
{
	struct udma_fault_config *f = &p->fault;

	__atomic_store_n(&p->fault_on, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->fail_every_nth, cfg->fail_every_nth, __ATOMIC_RELAXED);
	__atomic_store_n(&f->fail_ppm, cfg->fail_ppm, __ATOMIC_RELAXED);
	__atomic_store_n(&f->results, cfg->results, __ATOMIC_RELAXED);
	__atomic_store_n(&f->delay_ns, cfg->delay_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&f->delay_every_nth, cfg->delay_every_nth, __ATOMIC_RELAXED);
	__atomic_store_n(&f->delay_ppm, cfg->delay_ppm, __ATOMIC_RELAXED);
	__atomic_store_n(&f->seed, cfg->seed, __ATOMIC_RELAXED);
	__atomic_store_n(&p->fault_reseed, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&p->fault_on, fault_cfg_any(cfg) ? 1 : 0, __ATOMIC_RELEASE);
}

static void fault_load(struct udma_chan_priv *p, struct udma_fault_config *cfg)
{
	const struct udma_fault_config *f = &p->fault;

	cfg->fail_every_nth = __atomic_load_n(&f->fail_every_nth, __ATOMIC_RELAXED);
	cfg->fail_ppm = __atomic_load_n(&f->fail_ppm, __ATOMIC_RELAXED);
	cfg->results = __atomic_load_n(&f->results, __ATOMIC_RELAXED);
	cfg->delay_ns = __atomic_load_n(&f->delay_ns, __ATOMIC_RELAXED);
	cfg->delay_every_nth = __atomic_load_n(&f->delay_every_nth, __ATOMIC_RELAXED);
	cfg->delay_ppm = __atomic_load_n(&f->delay_ppm, __ATOMIC_RELAXED);
	cfg->seed = __atomic_load_n(&f->seed, __ATOMIC_RELAXED);
}

static struct udma_chan_priv *chan_priv(struct dma_chan *chan, const char *func)
{
	if (udma__forked_child(func))
		return NULL;
	if (!chan || !chan->udma_priv) {
		udma_log(UDMA_LOG_ERR, func, "NULL or unregistered channel");
		return NULL;
	}
	return chan->udma_priv;
}

UDMA_EXPORT int udma_chan_set_fault(struct dma_chan *chan, const struct udma_fault_config *cfg)
{
	struct udma_chan_priv *p = chan_priv(chan, __func__);
	struct udma_fault_config off;

	if (!p)
		return -EINVAL;
	if (!cfg) {
		memset(&off, 0, sizeof(off));
		cfg = &off;
	}
	if (!fault_cfg_valid(cfg, dma_chan_name(chan)))
		return -EINVAL;
	fault_store(p, cfg);
	return 0;
}

UDMA_EXPORT int udma_chan_get_fault(struct dma_chan *chan, struct udma_fault_config *cfg)
{
	struct udma_chan_priv *p = chan_priv(chan, __func__);

	if (!p || !cfg) {
		if (p)
			udma_err("%s: NULL configuration", dma_chan_name(chan));
		return -EINVAL;
	}
	fault_load(p, cfg);
	return 0;
}

UDMA_EXPORT int udma_chan_get_fault_stats(struct dma_chan *chan, struct udma_fault_stats *st)
{
	struct udma_chan_priv *p = chan_priv(chan, __func__);

	if (!p || !st) {
		if (p)
			udma_err("%s: NULL stats", dma_chan_name(chan));
		return -EINVAL;
	}
	st->started = __atomic_load_n(&p->fault_stats.started, __ATOMIC_RELAXED);
	st->failed = __atomic_load_n(&p->fault_stats.failed, __ATOMIC_RELAXED);
	st->strict = __atomic_load_n(&p->fault_stats.strict, __ATOMIC_RELAXED);
	st->delayed = __atomic_load_n(&p->fault_stats.delayed, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Parse the fault keys of a "key=value,..." string into @cfg.
 * Return: 1 when at least one key is present, 0 when none, -EINVAL (logged).
 */
static int fault_parse(const char *opts, struct udma_fault_config *cfg, const char *who)
{
	static const char *const keys[] = {
		"fault_every", "fault_ppm", "fault_results", "fault_delay_ns",
		"fault_delay_every", "fault_delay_ppm", "fault_seed",
	};
	unsigned long v[7];
	int any = 0;

	memset(cfg, 0, sizeof(*cfg));
	for (unsigned int i = 0; i < 7; i++) {
		int r = udma_option_uint(opts, keys[i], &v[i]);

		if (r < 0)
			return -EINVAL;
		if (!r) {
			v[i] = 0;
			continue;
		}
		if (i < 6 && i != 3 && v[i] > UINT32_MAX) {
			udma_err("%s: %s=%lu is out of range", who, keys[i], v[i]);
			return -EINVAL;
		}
		any = 1;
	}
	cfg->fail_every_nth = (unsigned int)v[0];
	cfg->fail_ppm = (unsigned int)v[1];
	cfg->results = (unsigned int)v[2];
	cfg->delay_ns = v[3];
	cfg->delay_every_nth = (unsigned int)v[4];
	cfg->delay_ppm = (unsigned int)v[5];
	cfg->seed = v[6];
	if (!fault_cfg_valid(cfg, who))
		return -EINVAL;
	return any;
}

/*
 * UDMA_FAULT="target:key=value,...;target:..." where target is a device name
 * (sw-memcpy), a channel name (dma0chan1) or "*". Later entries win.
 */
static void fault_apply_env(struct dma_chan *chan)
{
	const char *env = getenv("UDMA_FAULT");
	char entry[256];

	if (!env || !*env)
		return;
	for (const char *s = env; *s;) {
		const char *end = strchr(s, ';');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		struct udma_fault_config cfg;
		char *colon;

		if (n && n < sizeof(entry)) {
			memcpy(entry, s, n);
			entry[n] = '\0';
			colon = strchr(entry, ':');
			if (!colon) {
				udma_err("UDMA_FAULT entry \"%s\" has no \"target:\"", entry);
			} else {
				*colon = '\0';
				if ((!strcmp(entry, "*") ||
				     !strcmp(entry, chan->device->udma_name ? chan->device->udma_name : "") ||
				     !strcmp(entry, chan->udma_name)) &&
				    fault_parse(colon + 1, &cfg, "UDMA_FAULT") > 0) {
					cfg.seed += (uint64_t)chan->chan_id;
					fault_store(chan->udma_priv, &cfg);
				}
			}
		} else if (n) {
			udma_err("UDMA_FAULT entry of %zu characters is too long", n);
		}
		s = end ? end + 1 : s + n;
	}
}

UDMA_EXPORT int udma_fault_device_options(struct dma_device *device, const char *options)
{
	struct udma_fault_config cfg;
	struct dma_chan *chan;
	int r;

	if (!device || !options) {
		udma_err("NULL device or options");
		return -EINVAL;
	}
	r = fault_parse(options, &cfg, device->udma_name ? device->udma_name : "provider");
	if (r < 0)
		return r;
	cds_list_for_each_entry(chan, &device->channels, device_node) {
		if (!chan->udma_priv)
			continue;
		if (r) {
			struct udma_fault_config c = cfg;

			c.seed += (uint64_t)chan->chan_id;
			fault_store(chan->udma_priv, &c);
		}
		fault_apply_env(chan); /* the environment wins */
	}
	return 0;
}

void udma__fault_chan_init(struct dma_chan *chan)
{
	struct udma_chan_priv *p = chan->udma_priv;

	fault_apply_env(chan);
	pthread_mutex_lock(&strict_lock);
	cds_list_add_tail(&p->strict_node, &strict_chans);
	pthread_mutex_unlock(&strict_lock);
}

void udma__fault_chan_fini(struct dma_chan *chan)
{
	struct udma_chan_priv *p = chan->udma_priv;

	pthread_mutex_lock(&strict_lock);
	if (p->strict_node.next)
		cds_list_del(&p->strict_node);
	pthread_mutex_unlock(&strict_lock);
}

bool udma__fault_residue(struct udma_chan_priv *p, dma_cookie_t cookie, uint32_t *residue)
{
	for (unsigned int i = 0; i < FAULT_RING; i++) {
		uint64_t e = __atomic_load_n(&p->fault_ring[i], __ATOMIC_RELAXED);

		if (e && (dma_cookie_t)(e >> 32) == cookie) {
			*residue = (uint32_t)e;
			return true;
		}
	}
	return false;
}

/* ---------------------------------------------------------- engine */

static uint64_t rng_next(struct udma_chan_priv *p)
{
	/* xorshift64* */
	uint64_t x = p->fault_rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->fault_rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static bool pick(struct udma_chan_priv *p, unsigned int every, unsigned int ppm)
{
	if (every && p->fault_count % every == 0)
		return true;
	return ppm && rng_next(p) % 1000000u < ppm;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

UDMA_EXPORT bool udma_xfer_active(struct dma_chan *chan)
{
	return __atomic_load_n(&chan->udma_priv->fault_on, __ATOMIC_RELAXED) |
	       __atomic_load_n(&udma__strict_on, __ATOMIC_RELAXED);
}

static void stat_inc(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

UDMA_EXPORT void udma_xfer_begin(struct udma_xfer *x, struct dma_chan *chan,
				 struct virt_dma_desc *vd, size_t len)
{
	struct udma_chan_priv *p = chan->udma_priv;
	struct udma_fault_config cfg;

	x->chan = chan;
	x->vd = vd;
	x->len = len;
	x->done = 0;
	x->limit = len;
	x->result = DMA_TRANS_NOERROR;
	x->inject = DMA_TRANS_NOERROR;
	x->killed = false;
	x->strict = __atomic_load_n(&udma__strict_on, __ATOMIC_RELAXED);
	stat_inc(&p->fault_stats.started);
	if (x->strict) {
		uint64_t seq = (__atomic_load_n(&p->strict_state, __ATOMIC_RELAXED) >> 2) + 1;

		for (unsigned int i = 0; i < 4; i++)
			__atomic_store_n(&p->strict_cur[i], 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&p->strict_state, seq << 2 | STRICT_ACTIVE, __ATOMIC_SEQ_CST);
	}
	if (!__atomic_load_n(&p->fault_on, __ATOMIC_ACQUIRE))
		return;
	fault_load(p, &cfg);
	if (__atomic_exchange_n(&p->fault_reseed, 0, __ATOMIC_RELAXED)) {
		p->fault_rng = cfg.seed ? cfg.seed : FAULT_DEFAULT_SEED;
		p->fault_count = 0;
	}
	p->fault_count++;
	if (cfg.delay_ns && pick(p, cfg.delay_every_nth, cfg.delay_ppm)) {
		stat_inc(&p->fault_stats.delayed);
		sleep_ns(cfg.delay_ns);
	}
	if (pick(p, cfg.fail_every_nth, cfg.fail_ppm)) {
		static const enum dmaengine_tx_result outcome[3] = {
			DMA_TRANS_READ_FAILED, DMA_TRANS_WRITE_FAILED, DMA_TRANS_ABORTED,
		};
		unsigned int mask = cfg.results ? cfg.results : UDMA_FAULT_ALL;
		unsigned int nr = (unsigned int)__builtin_popcount(mask);
		unsigned int k = (unsigned int)(rng_next(p) % nr);

		for (unsigned int i = 0; i < 3; i++)
			if ((mask & (1u << i)) && k-- == 0)
				x->inject = outcome[i];
		x->limit = len ? (size_t)(rng_next(p) % len) : 0;
	}
}

/* Whether [a, b) overlaps [c, d). */
static bool overlap(uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)
{
	return a < d && c < b;
}

/*
 * strict_state as a sequence lock for strict_cur: a new sequence number with
 * STRICT_ACTIVE off while the engine rewrites the words (an unmap then skips
 * the channel and the engine's own check after publishing sees the unmap),
 * and another with STRICT_ACTIVE on after. STRICT_KILLED, set by an unmap
 * during the previous piece, is kept.
 */
static void strict_publish_begin(struct udma_chan_priv *p)
{
	uint64_t st = __atomic_load_n(&p->strict_state, __ATOMIC_SEQ_CST), nx;

	do
		nx = (((st >> 2) + 1) << 2) | (st & STRICT_KILLED);
	while (!__atomic_compare_exchange_n(&p->strict_state, &st, nx, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
}

static void strict_publish_end(struct udma_chan_priv *p)
{
	uint64_t st = __atomic_load_n(&p->strict_state, __ATOMIC_SEQ_CST), nx;

	do
		nx = (((st >> 2) + 1) << 2) | (st & STRICT_KILLED) | STRICT_ACTIVE;
	while (!__atomic_compare_exchange_n(&p->strict_state, &st, nx, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
}

/*
 * The mapping check proper: @src (may be NULL) readable and @dst (may be
 * NULL) writable for @n bytes. On failure sets x->result and logs.
 */
static bool strict_ranges_ok(struct udma_xfer *x, void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src, bad;

	if (src && udma__strict_check(s, n, false, &bad)) {
		udma_err("%s: strict mapping: read of %zu bytes at 0x%lx: 0x%lx is not mapped "
			 "for reading (never mapped, unmapped, or mapped DMA_FROM_DEVICE)",
			 dma_chan_name(x->chan), n, (unsigned long)s, (unsigned long)bad);
		x->result = DMA_TRANS_READ_FAILED;
		return false;
	}
	if (dst && udma__strict_check(d, n, true, &bad)) {
		udma_err("%s: strict mapping: write of %zu bytes at 0x%lx: 0x%lx is not mapped "
			 "for writing (never mapped, unmapped, or mapped DMA_TO_DEVICE)",
			 dma_chan_name(x->chan), n, (unsigned long)d, (unsigned long)bad);
		x->result = DMA_TRANS_WRITE_FAILED;
		return false;
	}
	return true;
}

static bool strict_piece(struct udma_xfer *x, void *dst, const void *src, size_t n)
{
	struct udma_chan_priv *p = x->chan->udma_priv;
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	/*
	 * Publish first, check second: an unmap either sees the piece or we see
	 * the unmap (udma__strict_unmapped). The four words are written with
	 * STRICT_ACTIVE off and the sequence bumped before and after, so a
	 * reader never takes half of one piece and half of another (a start
	 * of 0 left by udma_xfer_begin with a new end made [0, end) look busy).
	 */
	strict_publish_begin(p);
	__atomic_store_n(&p->strict_cur[0], dst ? d : 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&p->strict_cur[1], dst ? d + n : 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&p->strict_cur[2], src ? s : 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&p->strict_cur[3], src ? s + n : 0, __ATOMIC_SEQ_CST);
	strict_publish_end(p);
	return strict_ranges_ok(x, dst, src, n);
}

UDMA_EXPORT bool udma_xfer_check(struct udma_xfer *x, void *dst, const void *src, size_t n)
{
	if (x->result != DMA_TRANS_NOERROR)
		return false;
	if (!x->strict || !n || strict_ranges_ok(x, dst, src, n))
		return true;
	stat_inc(&x->chan->udma_priv->fault_stats.strict);
	return false;
}

UDMA_EXPORT size_t udma_xfer_piece(struct udma_xfer *x, void *dst, const void *src, size_t n)
{
	size_t m;

	if (x->result != DMA_TRANS_NOERROR)
		return 0;
	if (x->strict && n && !strict_piece(x, dst, src, n)) {
		stat_inc(&x->chan->udma_priv->fault_stats.strict);
		return 0;
	}
	if (n <= x->limit - x->done) {
		x->done += n;
		return n;
	}
	m = x->limit - x->done;
	x->done = x->limit;
	x->result = x->inject;
	stat_inc(&x->chan->udma_priv->fault_stats.failed);
	return m;
}

/* Leave the transfer (strict mode). Return: the state it had, KILLED bit included. */
static uint64_t strict_leave(struct udma_chan_priv *p)
{
	uint64_t st = __atomic_load_n(&p->strict_state, __ATOMIC_SEQ_CST);

	/* the transfer ends here; an unmap that marked it first killed it */
	while (!__atomic_compare_exchange_n(&p->strict_state, &st,
					    st & ~(STRICT_ACTIVE | STRICT_KILLED), false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	return st;
}

UDMA_EXPORT void udma_xfer_cancel(struct udma_xfer *x)
{
	if (x->strict)
		strict_leave(x->chan->udma_priv);
	x->strict = false;
}

UDMA_EXPORT bool udma_xfer_end(struct udma_xfer *x)
{
	struct udma_chan_priv *p = x->chan->udma_priv;

	if (x->strict) {
		uint64_t st = strict_leave(p);

		if ((st & STRICT_KILLED) && x->result == DMA_TRANS_NOERROR) {
			x->killed = true;
			/* which side was unmapped is not known; the write is what is lost */
			x->result = DMA_TRANS_WRITE_FAILED;
			x->done = 0;
			stat_inc(&p->fault_stats.strict);
		}
	}
	/* an injected fault at the very end (limit == len) still fails */
	if (x->result == DMA_TRANS_NOERROR && x->inject != DMA_TRANS_NOERROR &&
	    x->done == x->limit) {
		x->result = x->inject;
		stat_inc(&p->fault_stats.failed);
	}
	if (x->result == DMA_TRANS_NOERROR)
		return false;
	/* the residue reaches tx_status when the cookie is committed (udma__fault_note) */
	x->vd->tx_result.result = x->result;
	x->vd->tx_result.residue = (uint32_t)(x->len - x->done);
	udma_dbg("%s: descriptor failed with result %d after %zu of %zu bytes",
		 dma_chan_name(x->chan), (int)x->result, x->done, x->len);
	return true;
}

void udma__fault_note(struct dma_chan *chan, dma_cookie_t cookie, uint32_t residue)
{
	struct udma_chan_priv *p = chan->udma_priv;

	__atomic_store_n(&p->fault_ring[p->fault_ring_pos++ % FAULT_RING],
			 (uint64_t)(uint32_t)cookie << 32 | residue, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------- strict unmap */

void udma__strict_unmapped(uintptr_t start, uintptr_t end)
{
	struct udma_chan_priv *p;

	/* the table update is visible before we read the engines' pieces, and
	 * their pieces before they check the table (both sides seq_cst) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pthread_mutex_lock(&strict_lock);
	cds_list_for_each_entry(p, &strict_chans, strict_node) {
		uint64_t st, again;
		uintptr_t cur[4];

		do {
			st = __atomic_load_n(&p->strict_state, __ATOMIC_SEQ_CST);
			for (unsigned int i = 0; i < 4; i++)
				cur[i] = __atomic_load_n(&p->strict_cur[i], __ATOMIC_SEQ_CST);
			again = __atomic_load_n(&p->strict_state, __ATOMIC_SEQ_CST);
		} while (st != again);
		if (!(st & STRICT_ACTIVE) || (st & STRICT_KILLED))
			continue;
		if (!overlap(start, end, cur[0], cur[1]) && !overlap(start, end, cur[2], cur[3]))
			continue;
		if (__atomic_compare_exchange_n(&p->strict_state, &st, st | STRICT_KILLED, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			udma_err("strict mapping: unmapping 0x%lx..0x%lx while %s is moving it; "
				 "that transfer fails", (unsigned long)start, (unsigned long)end,
				 dma_chan_name(p->chan));
	}
	pthread_mutex_unlock(&strict_lock);
}
