/* SPDX-License-Identifier: MIT */
/*
 * cyclic_ring.c - the "cyclic-ring" provider: DMA_SLAVE and DMA_CYCLIC
 * channels that move data between memory and simulated clocked peripherals
 * (<udmaengine/periph.h>), paced like real hardware.
 *
 * One device, N channels (option channels=, default 2), each a virt-dma
 * channel with a pool of CR_POOL descriptors and, while a client holds it, an
 * engine thread: the "hardware". The engine takes the first issued
 * descriptor as active, asks the peripheral how many bytes its FIFO can take
 * (MEM_TO_DEV) or has (DEV_TO_MEM) at this instant, moves whole bursts (never
 * past a period or segment end), and sleeps on a futex until one more burst
 * fits, or until woken by issue_pending, pause, resume or terminate. At each
 * period boundary of a cyclic transfer it calls vchan_cyclic_callback(); at
 * the end of a slave_sg transfer, vchan_cookie_complete().
 *
 * Exactness: a move (memcpy to/from the FIFO) and the position update happen
 * in one hold of vc->lock, after re-checking term_gen and paused. So once
 * dmaengine_pause() or dmaengine_terminate_async() returns, the engine moves
 * no further byte of that transfer: the residue is frozen exactly while
 * paused, and a terminated transfer's buffer is never touched again. Moves
 * are capped at CR_CHUNK bytes to keep the hold short.
 *
 * XRUN-safe restart: terminate parks exactly the active descriptor (and
 * aborts the queued ones) under the lock and bumps term_gen. The engine
 * notices the new generation at its next loop, stops the peripheral clock
 * (flushing the FIFO), frees the descriptors parked so far and publishes the
 * generation as acknowledged; only then does it look at desc_issued. A new
 * transfer issued right after the terminate - from the period callback or any
 * thread, with no synchronize - is therefore never affected by it.
 * device_synchronize waits for that acknowledgement, then for the completion
 * thread (vchan_synchronize).
 *
 * Fault injection and strict mapping (<udmaengine/fault.h>): a slave_sg
 * descriptor that becomes active while udma_xfer_active() is true runs
 * through the hooks: udma_xfer_begin() once (outside the lock: it may sleep
 * an injected delay), udma_xfer_piece() before every move (may cut it
 * short: the allowed bytes are moved and the descriptor completes with the
 * fault), udma_xfer_end() at completion. Cyclic transfers are not hooked.
 *
 * Touches the core only through the installed headers.
 *
 * LOCKING: vc->lock guards the vchan lists, cfg, active, paused, term_gen and
 * the position of the active descriptor. Engine-only (no lock): run_periph,
 * run_dir, the loop's locals. Atomics: wake (futex), gen_ack (futex), stop.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu/futex.h>
#include <udmaengine/fault.h>
#include <udmaengine/periph.h>
#include <udmaengine/virt-dma.h>

#define CR_DEFAULT_CHANNELS 2
#define CR_MAX_CHANNELS 32
#define CR_POOL 64
#define CR_MAX_SG 64
#define CR_CHUNK 16384
#define CR_MAX_BURST 256

struct cr_seg {
	unsigned char *buf;
	size_t len;
};

struct cr_desc {
	struct virt_dma_desc vd;
	enum dma_transfer_direction dir;
	bool cyclic;
	struct udma_periph *periph;
	size_t burst;  /* bytes */
	size_t period; /* cyclic: bytes per period */
	size_t total;  /* bytes in all segments (the ring for cyclic) */
	size_t pos;    /* bytes moved in this pass; vc->lock */
	unsigned int nsegs;
	struct cr_seg seg[CR_MAX_SG];
};

struct cr_chan {
	struct virt_dma_chan vc;
	struct dma_slave_config cfg;
	struct cr_desc *active;
	bool paused;
	unsigned long term_gen;
	/* engine thread */
	pthread_t engine;
	bool engine_started;
	int32_t wake;    /* futex: bumped by every waker */
	int32_t gen_ack; /* futex: low 31 bits of the last acknowledged term_gen */
	int stop;
	struct udma_periph *run_periph; /* engine: peripheral whose clock runs */
	enum dma_transfer_direction run_dir;
	/* engine: fault hooks of the active slave_sg descriptor (fault.h) */
	struct udma_xfer x;
	bool x_new; /* vc->lock: a descriptor became active, not begun yet */
	bool x_on;  /* the active descriptor runs through the hooks */
};

struct cr_dev {
	struct dma_device ddev;
	struct device dev;
	unsigned int nr_chans;
	struct cr_chan *chans;
};

static struct cr_dev *cr_device;

static struct cr_chan *to_cr_chan(struct dma_chan *chan)
{
	return caa_container_of(to_virt_chan(chan), struct cr_chan, vc);
}

static struct cr_desc *to_cr_desc(struct virt_dma_desc *vd)
{
	return caa_container_of(vd, struct cr_desc, vd);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void engine_kick(struct cr_chan *c)
{
	__atomic_fetch_add(&c->wake, 1, __ATOMIC_SEQ_CST);
	futex_noasync(&c->wake, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static int32_t gen_bits(unsigned long gen)
{
	return (int32_t)(gen & 0x7fffffff);
}

/* ------------------------------------------------------------- engine */

/* Stop the peripheral clock the engine runs, if any. Engine only. */
static void engine_stop_periph(struct cr_chan *c, bool flush)
{
	if (c->run_periph) {
		udma_periph_stop(c->run_periph, c->run_dir, flush);
		c->run_periph = NULL;
	}
}

/*
 * Acknowledge a terminate: stop and flush the peripheral, free what was
 * parked. Called with vc->lock held; returns with it released.
 */
static void engine_ack(struct cr_chan *c, unsigned long gen)
{
	CDS_LIST_HEAD(stale);
	struct virt_dma_desc *vd;

	cds_list_for_each_entry(vd, &c->vc.desc_terminated, node)
		__atomic_store_n(&vd->udma_state, UDMA_VD_OWNED, __ATOMIC_RELEASE);
	if (c->x_on && !c->active) {
		/* the hooked descriptor was terminated */
		udma_xfer_cancel(&c->x);
		c->x_on = false;
	}
	udma_list_splice_tail_init(&c->vc.desc_terminated, &stale);
	spin_unlock(&c->vc.lock);
	engine_stop_periph(c, true);
	vchan_dma_desc_free_list(&c->vc, &stale);
	__atomic_store_n(&c->gen_ack, gen_bits(gen), __ATOMIC_SEQ_CST);
	futex_noasync(&c->gen_ack, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static void engine_sleep(struct cr_chan *c, int32_t seen, uint64_t wait_ns)
{
	struct timespec ts, *tsp = NULL;

	if (wait_ns) {
		ts.tv_sec = (time_t)(wait_ns / 1000000000ull);
		ts.tv_nsec = (long)(wait_ns % 1000000000ull);
		tsp = &ts;
	}
	futex_noasync(&c->wake, FUTEX_WAIT, seen, tsp, NULL, 0);
}

/* Bytes the active descriptor may move next, ignoring the peripheral. */
static size_t next_limit(const struct cr_desc *d, size_t *seg_off, unsigned int *seg)
{
	size_t pos = d->pos, limit;
	unsigned int i = 0;

	while (i < d->nsegs && pos >= d->seg[i].len) {
		pos -= d->seg[i].len;
		i++;
	}
	*seg = i;
	*seg_off = pos;
	limit = d->seg[i].len - pos;
	if (d->cyclic) {
		size_t to_period = d->period - d->pos % d->period;

		if (to_period < limit)
			limit = to_period;
	}
	return limit < CR_CHUNK ? limit : CR_CHUNK;
}

static void *engine_main(void *arg)
{
	struct cr_chan *c = arg;
	unsigned long acked = 0;

	for (;;) {
		int32_t seen = __atomic_load_n(&c->wake, __ATOMIC_SEQ_CST);
		uint64_t wait_ns = 0;
		struct cr_desc *d;
		size_t limit, seg_off, avail, n;
		unsigned int seg;
		unsigned long gen;

		spin_lock(&c->vc.lock);
		if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
			spin_unlock(&c->vc.lock);
			break;
		}
		gen = c->term_gen;
		if (gen != acked) {
			engine_ack(c, gen);
			acked = gen;
			continue;
		}
		if (c->paused) {
			spin_unlock(&c->vc.lock);
			if (c->run_periph)
				udma_periph_pause(c->run_periph);
			c->run_periph = NULL; /* restarted (re-anchored) on resume */
			engine_sleep(c, seen, 0);
			continue;
		}
		d = c->active;
		if (!d) {
			struct virt_dma_desc *vd = vchan_next_desc(&c->vc);

			if (vd) {
				cds_list_del(&vd->node);
				d = c->active = to_cr_desc(vd);
				d->pos = 0;
				c->x_new = true;
			}
		}
		if (!d) {
			spin_unlock(&c->vc.lock);
			engine_stop_periph(c, false);
			engine_sleep(c, seen, 0);
			continue;
		}
		limit = next_limit(d, &seg_off, &seg);
		if (caa_unlikely(c->x_new)) {
			c->x_new = false;
			c->x_on = !d->cyclic && udma_xfer_active(&c->vc.chan);
			if (c->x_on) {
				spin_unlock(&c->vc.lock);
				/* may sleep an injected delay */
				udma_xfer_begin(&c->x, &c->vc.chan, &d->vd, d->total);
				continue;
			}
		}
		spin_unlock(&c->vc.lock);

		/* The descriptor cannot be freed while we run: only we free
		 * terminated ones, and synchronize waits for our ack. */
		if (c->run_periph != d->periph) {
			engine_stop_periph(c, false);
			c->run_periph = d->periph;
			c->run_dir = d->dir;
			udma_periph_start(d->periph, now_ns());
		}
		if (d->dir == DMA_MEM_TO_DEV)
			avail = udma_periph_space(d->periph, now_ns(), d->burst, &wait_ns);
		else
			avail = udma_periph_avail(d->periph, now_ns(), d->burst, &wait_ns);
		/* whole bursts, except the tail of a period or segment */
		n = limit <= avail ? limit : avail - avail % d->burst;
		if (!n) {
			engine_sleep(c, seen, wait_ns ? wait_ns : 1000);
			continue;
		}

		spin_lock(&c->vc.lock);
		if (c->term_gen != gen || c->paused || c->active != d) {
			spin_unlock(&c->vc.lock);
			continue;
		}
		if (caa_unlikely(c->x_on) && !d->cyclic) {
			unsigned char *mem = d->seg[seg].buf + seg_off;
			bool out = d->dir == DMA_MEM_TO_DEV;
			size_t m = udma_xfer_piece(&c->x, out ? NULL : mem, out ? mem : NULL, n);

			if (m < n) {
				/* injected fault or strict check: the part allowed (whole
				 * FIFO words), then stop */
				c->x.done -= m % udma_periph_width(d->periph);
				m -= m % udma_periph_width(d->periph);
				if (m && out)
					udma_periph_push(d->periph, mem, m);
				else if (m)
					udma_periph_pull(d->periph, mem, m);
				d->pos += m;
				if (m)
					udma_chan_stats_add_bytes(&c->vc.chan, m);
				c->active = NULL;
				udma_xfer_end(&c->x);
				vchan_cookie_complete(&d->vd);
				spin_unlock(&c->vc.lock);
				continue;
			}
		}
		if (d->dir == DMA_MEM_TO_DEV)
			udma_periph_push(d->periph, d->seg[seg].buf + seg_off, n);
		else
			udma_periph_pull(d->periph, d->seg[seg].buf + seg_off, n);
		udma_chan_stats_add_bytes(&c->vc.chan, n);
		d->pos += n;
		if (d->cyclic) {
			if (d->pos == d->total)
				d->pos = 0;
			if (d->pos % d->period == 0) {
				d->vd.tx_result.result = DMA_TRANS_NOERROR;
				d->vd.tx_result.residue = (uint32_t)(d->total - d->pos);
				vchan_cyclic_callback(&d->vd);
			}
		} else if (d->pos == d->total) {
			c->active = NULL;
			d->vd.tx_result.result = DMA_TRANS_NOERROR;
			d->vd.tx_result.residue = 0;
			if (caa_unlikely(c->x_on))
				udma_xfer_end(&c->x);
			vchan_cookie_complete(&d->vd);
			if (!vchan_next_desc(&c->vc)) {
				spin_unlock(&c->vc.lock);
				engine_stop_periph(c, false);
				continue;
			}
		}
		spin_unlock(&c->vc.lock);
	}
	engine_stop_periph(c, true);
	return NULL;
}

/* ---------------------------------------------------------------- prep */

/* The peripheral, burst and width for a transfer in @dir under the current config. */
static struct udma_periph *cr_target(struct cr_chan *c, enum dma_transfer_direction dir,
				     size_t *burst)
{
	struct dma_slave_config cfg;
	struct udma_periph *p;
	dma_addr_t addr;
	unsigned int width, cfg_width;
	uint32_t maxburst;

	if (dir != DMA_MEM_TO_DEV && dir != DMA_DEV_TO_MEM) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: direction %s not supported",
			 dma_chan_name(&c->vc.chan), dmaengine_get_direction_text(dir));
		return NULL;
	}
	spin_lock(&c->vc.lock);
	cfg = c->cfg;
	spin_unlock(&c->vc.lock);
	addr = dir == DMA_MEM_TO_DEV ? cfg.dst_addr : cfg.src_addr;
	cfg_width = dir == DMA_MEM_TO_DEV ? cfg.dst_addr_width : cfg.src_addr_width;
	maxburst = dir == DMA_MEM_TO_DEV ? cfg.dst_maxburst : cfg.src_maxburst;
	p = udma_periph_lookup(addr);
	if (!p) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: %s_addr 0x%llx is not a peripheral "
			 "(dmaengine_slave_config first)", dma_chan_name(&c->vc.chan),
			 dir == DMA_MEM_TO_DEV ? "dst" : "src", (unsigned long long)addr);
		return NULL;
	}
	width = udma_periph_width(p);
	if (cfg_width && cfg_width != width) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: %s_addr_width %u differs from the "
			 "peripheral's width %u", dma_chan_name(&c->vc.chan),
			 dir == DMA_MEM_TO_DEV ? "dst" : "src", cfg_width, width);
		return NULL;
	}
	*burst = (size_t)(maxburst ? maxburst : 1) * width;
	if (*burst > udma_periph_fifo_depth(p))
		*burst = udma_periph_fifo_depth(p);
	return p;
}

static struct cr_desc *cr_desc_get(struct cr_chan *c)
{
	struct virt_dma_desc *vd = udma_vchan_desc_get(&c->vc);

	if (!vd) {
		udma_log(UDMA_LOG_DEBUG, __func__, "%s: all %d descriptors in use",
			 dma_chan_name(&c->vc.chan), CR_POOL);
		return NULL;
	}
	return to_cr_desc(vd);
}

static struct dma_async_tx_descriptor *cr_prep_cyclic(struct dma_chan *chan, dma_addr_t buf,
						      size_t buf_len, size_t period_len,
						      enum dma_transfer_direction dir,
						      unsigned long flags)
{
	struct cr_chan *c = to_cr_chan(chan);
	struct udma_periph *p;
	struct cr_desc *d;
	size_t burst;
	void *ptr;

	p = cr_target(c, dir, &burst);
	if (!p)
		return NULL;
	if (buf_len % udma_periph_width(p) || period_len % udma_periph_width(p)) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: buffer %zu and period %zu must be "
			 "multiples of the width %u", dma_chan_name(chan), buf_len, period_len,
			 udma_periph_width(p));
		return NULL;
	}
	ptr = udma_dma_to_cpu(chan->device->dev, buf, buf_len);
	if (!ptr) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: buffer not mapped", dma_chan_name(chan));
		return NULL;
	}
	d = cr_desc_get(c);
	if (!d)
		return NULL;
	d->dir = dir;
	d->cyclic = true;
	d->periph = p;
	d->burst = burst;
	d->period = period_len;
	d->total = buf_len;
	d->pos = 0;
	d->nsegs = 1;
	d->seg[0].buf = ptr;
	d->seg[0].len = buf_len;
	return vchan_tx_prep(&c->vc, &d->vd, flags);
}

static struct dma_async_tx_descriptor *cr_prep_slave_sg(struct dma_chan *chan,
							struct scatterlist *sgl,
							unsigned int sg_len,
							enum dma_transfer_direction dir,
							unsigned long flags, void *context)
{
	struct cr_chan *c = to_cr_chan(chan);
	struct udma_periph *p;
	struct scatterlist *sg;
	struct cr_seg segs[CR_MAX_SG];
	struct cr_desc *d;
	size_t burst, total = 0;
	unsigned int i;

	if (sg_len > CR_MAX_SG) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: %u entries, at most %d",
			 dma_chan_name(chan), sg_len, CR_MAX_SG);
		return NULL;
	}
	p = cr_target(c, dir, &burst);
	if (!p)
		return NULL;
	for_each_sg(sgl, sg, sg_len, i) {
		size_t len = sg_dma_len(sg);

		segs[i].buf = udma_dma_to_cpu(chan->device->dev, sg_dma_address(sg), len);
		segs[i].len = len;
		if (!segs[i].buf || !len || len % udma_periph_width(p)) {
			udma_log(UDMA_LOG_ERR, __func__, "%s: entry %u (%zu bytes) is unmapped, "
				 "empty or not a multiple of the width %u", dma_chan_name(chan),
				 i, len, udma_periph_width(p));
			return NULL;
		}
		total += len;
	}
	d = cr_desc_get(c);
	if (!d)
		return NULL;
	d->dir = dir;
	d->cyclic = false;
	d->periph = p;
	d->burst = burst;
	d->period = 0;
	d->total = total;
	d->pos = 0;
	d->nsegs = sg_len;
	memcpy(d->seg, segs, sizeof(segs[0]) * sg_len);
	return vchan_tx_prep(&c->vc, &d->vd, flags);
}

/* ---------------------------------------------------------------- ops */

static int cr_config(struct dma_chan *chan, struct dma_slave_config *cfg)
{
	struct cr_chan *c = to_cr_chan(chan);

	spin_lock(&c->vc.lock);
	c->cfg = *cfg;
	spin_unlock(&c->vc.lock);
	return 0;
}

static void cr_issue_pending(struct dma_chan *chan)
{
	struct cr_chan *c = to_cr_chan(chan);
	bool kick;

	spin_lock(&c->vc.lock);
	kick = vchan_issue_pending(&c->vc) && !c->active;
	spin_unlock(&c->vc.lock);
	if (kick)
		engine_kick(c);
}

static enum dma_status cr_tx_status(struct dma_chan *chan, dma_cookie_t cookie,
				    struct dma_tx_state *state)
{
	struct cr_chan *c = to_cr_chan(chan);
	enum dma_status status = dma_cookie_status(chan, cookie, state);
	struct virt_dma_desc *vd;
	uint32_t residue = 0;
	bool paused = false;

	if (status != DMA_IN_PROGRESS)
		return status;
	spin_lock(&c->vc.lock);
	/* a paused channel moves nothing: the active cookie and every queued
	 * one read PAUSED, also one the engine has not taken yet (paused before
	 * it started); one already finished but not yet delivered does not */
	if (c->active && c->active->vd.tx.cookie == cookie) {
		residue = (uint32_t)(c->active->total - c->active->pos);
		paused = c->paused;
	} else {
		/* issued or only submitted: nothing moved yet */
		vd = vchan_find_desc(&c->vc, cookie);
		if (!vd) {
			struct virt_dma_desc *it;

			cds_list_for_each_entry(it, &c->vc.desc_submitted, node)
				if (it->tx.cookie == cookie) {
					vd = it;
					break;
				}
		}
		if (vd) {
			residue = (uint32_t)to_cr_desc(vd)->total;
			paused = c->paused;
		}
	}
	spin_unlock(&c->vc.lock);
	dma_set_residue(state, residue);
	return paused ? DMA_PAUSED : status;
}

static int cr_pause(struct dma_chan *chan)
{
	struct cr_chan *c = to_cr_chan(chan);

	spin_lock(&c->vc.lock);
	c->paused = true;
	spin_unlock(&c->vc.lock);
	engine_kick(c);
	return 0;
}

static int cr_resume(struct dma_chan *chan)
{
	struct cr_chan *c = to_cr_chan(chan);

	spin_lock(&c->vc.lock);
	c->paused = false;
	spin_unlock(&c->vc.lock);
	engine_kick(c);
	return 0;
}

static int cr_terminate_all(struct dma_chan *chan)
{
	struct cr_chan *c = to_cr_chan(chan);
	CDS_LIST_HEAD(head);

	spin_lock(&c->vc.lock);
	if (c->active) {
		vchan_terminate_vdesc(&c->active->vd);
		c->active = NULL;
	}
	c->paused = false;
	c->term_gen++;
	vchan_get_all_descriptors(&c->vc, &head);
	spin_unlock(&c->vc.lock);
	vchan_dma_desc_free_list(&c->vc, &head);
	engine_kick(c);
	return 0;
}

static void cr_synchronize(struct dma_chan *chan)
{
	struct cr_chan *c = to_cr_chan(chan);
	int32_t want;

	spin_lock(&c->vc.lock);
	want = gen_bits(c->term_gen);
	spin_unlock(&c->vc.lock);
	if (c->engine_started) {
		int32_t got;

		/* wait until the engine acknowledged @want or a later terminate
		 * (31-bit wrap-aware "at least") */
		while ((((got = __atomic_load_n(&c->gen_ack, __ATOMIC_SEQ_CST)) - want) &
			0x7fffffff) >= 0x40000000)
			futex_noasync(&c->gen_ack, FUTEX_WAIT, got, NULL, NULL, 0);
	}
	/*
	 * Wait for callbacks only: terminated descriptors are freed by the
	 * engine alone (it may still hold one parked by a later terminate);
	 * release frees whatever is left after stopping the engine.
	 */
	udma_chan_sync_completion(chan);
}

static void cr_caps(struct dma_chan *chan, struct dma_slave_caps *caps)
{
	(void)chan;
	caps->max_sg_burst = CR_MAX_SG;
}

static int cr_alloc_chan_resources(struct dma_chan *chan)
{
	struct cr_chan *c = to_cr_chan(chan);
	sigset_t all, old;
	int ret;

	ret = udma_vchan_pool_init(&c->vc, sizeof(struct cr_desc),
				   offsetof(struct cr_desc, vd), CR_POOL);
	if (ret)
		return ret;
	memset(&c->cfg, 0, sizeof(c->cfg));
	c->active = NULL;
	c->paused = false;
	c->stop = 0;
	c->run_periph = NULL;
	__atomic_store_n(&c->gen_ack, gen_bits(c->term_gen), __ATOMIC_SEQ_CST);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&c->engine, NULL, engine_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		udma_vchan_pool_fini(&c->vc);
		return -ret;
	}
	c->engine_started = true;
	return 0;
}

static void cr_free_chan_resources(struct dma_chan *chan)
{
	struct cr_chan *c = to_cr_chan(chan);

	if (c->engine_started) {
		__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
		engine_kick(c);
		pthread_join(c->engine, NULL);
		c->engine_started = false;
	}
	vchan_free_chan_resources(&c->vc);
	udma_vchan_pool_fini(&c->vc);
}

/* ------------------------------------------------------------ plugin */

static int cr_probe(const char *options)
{
	unsigned long nr = CR_DEFAULT_CHANNELS;
	struct dma_device *dd;
	struct cr_dev *cd;
	int ret;

	if (udma_option_uint(options, "channels", &nr) < 0)
		return -EINVAL;
	if (!nr || nr > CR_MAX_CHANNELS) {
		udma_log(UDMA_LOG_ERR, __func__, "channels must be 1..%d (got %lu)",
			 CR_MAX_CHANNELS, nr);
		return -EINVAL;
	}
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	/* channel structs have cache-line-aligned members */
	if (posix_memalign((void **)&cd->chans, 64, nr * sizeof(*cd->chans)))
		cd->chans = NULL;
	else
		memset(cd->chans, 0, nr * sizeof(*cd->chans));
	if (!cd->chans) {
		free(cd);
		return -ENOMEM;
	}
	cd->nr_chans = (unsigned int)nr;
	cd->dev.init_name = "cyclic-ring";
	dd = &cd->ddev;
	CDS_INIT_LIST_HEAD(&dd->channels);
	dd->dev = &cd->dev;
	dd->udma_name = "cyclic-ring";
	dma_cap_zero(dd->cap_mask);
	dma_cap_set(DMA_SLAVE, dd->cap_mask);
	dma_cap_set(DMA_CYCLIC, dd->cap_mask);
	dd->directions = (1u << DMA_MEM_TO_DEV) | (1u << DMA_DEV_TO_MEM);
	dd->src_addr_widths = dd->dst_addr_widths =
		(1u << DMA_SLAVE_BUSWIDTH_1_BYTE) | (1u << DMA_SLAVE_BUSWIDTH_2_BYTES) |
		(1u << DMA_SLAVE_BUSWIDTH_4_BYTES) | (1u << DMA_SLAVE_BUSWIDTH_8_BYTES);
	dd->min_burst = 1;
	dd->max_burst = CR_MAX_BURST;
	dd->residue_granularity = DMA_RESIDUE_GRANULARITY_BURST;
	dd->device_alloc_chan_resources = cr_alloc_chan_resources;
	dd->device_free_chan_resources = cr_free_chan_resources;
	dd->device_prep_slave_sg = cr_prep_slave_sg;
	dd->device_prep_dma_cyclic = cr_prep_cyclic;
	dd->device_config = cr_config;
	dd->device_caps = cr_caps;
	dd->device_pause = cr_pause;
	dd->device_resume = cr_resume;
	dd->device_terminate_all = cr_terminate_all;
	dd->device_synchronize = cr_synchronize;
	dd->device_tx_status = cr_tx_status;
	dd->device_issue_pending = cr_issue_pending;
	for (unsigned int i = 0; i < cd->nr_chans; i++)
		vchan_init(&cd->chans[i].vc, dd);
	ret = dma_async_device_register(dd);
	/* fault_* keys (doc/reliability.md) */
	if (!ret && udma_fault_device_options(dd, options)) {
		dma_async_device_unregister(dd);
		ret = -EINVAL;
	}
	if (ret) {
		for (unsigned int i = 0; i < cd->nr_chans; i++)
			spin_lock_destroy(&cd->chans[i].vc.lock);
		free(cd->chans);
		free(cd);
		return ret;
	}
	cr_device = cd;
	return 0;
}

static void cr_remove(void)
{
	if (!cr_device || dma_async_device_unregister(&cr_device->ddev))
		return;
	for (unsigned int i = 0; i < cr_device->nr_chans; i++)
		spin_lock_destroy(&cr_device->chans[i].vc.lock);
	free(cr_device->chans);
	free(cr_device);
	cr_device = NULL;
}

static const struct udma_provider cyclic_ring_provider = {
	.abi_version = UDMA_PROVIDER_ABI_VERSION,
	.name = "cyclic-ring",
	.probe = cr_probe,
	.remove = cr_remove,
};

UDMA_PROVIDER_DEFINE(cyclic_ring_provider)
