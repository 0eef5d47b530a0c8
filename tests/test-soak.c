/* SPDX-License-Identifier: MIT */
/*
 * test-soak.c - the soak test: T threads doing random sequences of channel
 * operations on three devices at once, with faults injected, for a set time.
 *
 * Devices: sw-memcpy (memcpy/memset, faults and delays injected through
 * udma_chan_set_fault() with configurations changed at random), cyclic-ring
 * (slave_sg transfers with faults, and cyclic captures that are paused,
 * resumed and terminated), and an in-process mock device ("soak-mock") that
 * one thread at a time unregisters and registers again while no client
 * holds it (-EBUSY otherwise: counted, nothing torn down).
 *
 * Each thread holds up to MAX_HELD channels. Operations, chosen at random:
 * request, release (terminate_sync first), prep+submit of 1..16 transfers,
 * issue_pending, waiting for every outstanding transfer, terminate_async +
 * synchronize, terminate_sync, a new fault configuration, cyclic start /
 * pause / resume (tx_status must read DMA_PAUSED) / terminate, and
 * unregister + register of the mock device.
 *
 * Invariant: every submitted cookie ends exactly once, as completed
 * (callback_result NOERROR, tx_status DMA_COMPLETE, data verified), error
 * (callback_result READ/WRITE_FAILED or ABORTED, tx_status DMA_ERROR, and for
 * memcpy the len - residue bytes before the fault really copied) or aborted
 * (no callback, tx_status DMA_ERROR). Outcomes are resolved only after a
 * synchronize, terminate_sync or a completed wait, so a late callback would
 * touch freed memory (ASan) or show as a second callback. Worker threads
 * never assert; the main thread does after joining them.
 *
 * Environment: UDMA_SOAK_SECONDS (default 3), UDMA_SOAK_THREADS (default 4),
 * UDMA_SOAK_SEED (default 1), UDMA_SOAK_ASYNC (default 0; 1: add the async_tx
 * client below, which still finds a problem in long runs: see
 * doc/reliability.md). With UDMA_STRICT_MAPPING=1 every buffer is
 * checked against its mapping; the soak maps everything correctly, so no
 * strict failure and no strict mapping log line may appear. Summary line on stdout:
 *   soak: <s> s, <T> threads: ops N, cookies C: completed A, errored B,
 *   aborted D; faults injected F, delays G; ...; lost 0
 * Ten minutes: UDMA_SOAK_SECONDS=600 meson test -C build soak -t 0 -v
 *
 * One more thread is an async_tx client (async_worker): it takes and drops
 * the public pool (dmaengine_get/put), so sw-memcpy and soak-mock channels
 * move between the pool and the workers' private requests, and runs XORs
 * and syndromes of up to 40 sources (chains past max_xor / max_pq), P+Q
 * accumulation and memcpy -> xor chains on whatever the pool has, faults left
 * by the workers included, while soak-mock is unregistered and registered.
 * Each operation must call back exactly once, and a successful one must
 * match its byte reference (counted as duplicate / stuck / bad data).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <isa-l/raid.h>
#include <udmaengine/async_tx.h>
#include <udmaengine/dmaengine.h>
#include <udmaengine/fault.h>
#include <udmaengine/periph.h>

#include "mock-provider.h"
#include "test-util.h"

#define MAX_THREADS 32
#define MAX_HELD 2
#define MAX_OUT 96
#define MAX_LEN (64u << 10)
#define WAIT_MS 20000u

enum ctype { T_SW, T_RING, T_MOCK, T_NR };
static const char *const dev_names[T_NR] = { "sw-memcpy", "cyclic-ring", "soak-mock" };

enum kind { K_MEMCPY, K_MEMSET, K_SLAVE };

struct xfer {
	struct xfer *next;
	enum kind kind;
	dma_cookie_t cookie;
	size_t len;
	uint8_t *src, *dst;
	dma_addr_t dsrc, ddst;
	int value;
	atomic_int cbs;
	atomic_int result;
	atomic_uint residue;
};

struct held {
	struct dma_chan *chan;
	enum ctype type;
	struct xfer *out;
	int nout;
	/* cyclic-ring */
	struct udma_periph *periph;
	uint8_t *ring;
	dma_addr_t dring;
	dma_cookie_t cyc;     /* running cyclic cookie, or 0 */
	bool paused;
	atomic_long periods;
};

/* totals (atomics: workers add, main reads after join) */
static atomic_long n_ops, n_cookies, n_completed, n_errored, n_aborted, n_lost, n_dup,
	n_baddata, n_badstatus, n_stuck, n_cyclic, n_periods, n_pauses, n_rereg, n_rereg_busy,
	n_req_fail, n_prep_fail, n_log_err,
	n_log_strict, n_async_ops, n_async_ok, n_async_err, n_async_cpu, n_pool_cycles;

static struct mock_dev *mock;
static struct udma_periph *periphs[MAX_THREADS][MAX_HELD];
static pthread_mutex_t admin = PTHREAD_MUTEX_INITIALIZER;
static uint64_t deadline_ns;
static char first_log[3][200];
static atomic_int nfirst;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

/* Error lines are counted (unregister of a busy device is expected); the
 * first few are kept for the summary. */
static void log_sink(int level, const char *func, const char *msg, void *ud)
{
	(void)ud;
	if (level > UDMA_LOG_ERR)
		return;
	atomic_fetch_add(&n_log_err, 1);
	if (strstr(msg, "strict mapping"))
		atomic_fetch_add(&n_log_strict, 1);
	if (!strstr(msg, "in use") && !strstr(msg, "held")) {
		int i = atomic_fetch_add(&nfirst, 1);

		if (i < 3)
			snprintf(first_log[i], sizeof(first_log[i]), "%s: %s", func, msg);
	}
}

static bool name_filter(struct dma_chan *c, void *param)
{
	return c->device->udma_name && !strcmp(c->device->udma_name, (const char *)param);
}

static void done_cb(void *param, const struct dmaengine_result *r)
{
	struct xfer *x = param;

	atomic_store(&x->result, (int)r->result);
	atomic_store(&x->residue, r->residue);
	atomic_fetch_add(&x->cbs, 1);
}

static void period_cb(void *param, const struct dmaengine_result *r)
{
	struct held *h = param;

	(void)r;
	atomic_fetch_add(&h->periods, 1);
}

/* ------------------------------------------------------------- outcomes */

static bool data_ok(const struct xfer *x, size_t upto)
{
	if (x->kind == K_SLAVE)
		return true;
	for (size_t i = 0; i < upto; i++)
		if (x->dst[i] != (x->kind == K_MEMCPY ? x->src[i] : (uint8_t)x->value))
			return false;
	return true;
}

static void xfer_free(struct held *h, struct xfer *x)
{
	struct device *dev = dmaengine_get_dma_device(h->chan);

	if (x->kind != K_SLAVE)
		dma_unmap_single(dev, x->ddst, x->len, DMA_FROM_DEVICE);
	if (x->src)
		dma_unmap_single(dev, x->dsrc, x->len, DMA_TO_DEVICE);
	free(x->src);
	free(x->dst);
	free(x);
}

/*
 * Account for every outstanding transfer of @h. Called after a synchronize,
 * a terminate_sync, or once every callback has run: nothing of @h can change
 * any more except by a bug.
 */
static void resolve(struct held *h)
{
	struct xfer *x = h->out, *next;

	for (; x; x = next) {
		struct dma_tx_state st = { 0, 0, 0, 0 };
		enum dma_status s = dmaengine_tx_status(h->chan, x->cookie, &st);
		int cbs = atomic_load(&x->cbs);

		next = x->next;
		if (cbs > 1) {
			atomic_fetch_add(&n_dup, 1);
		} else if (cbs == 1) {
			int r = atomic_load(&x->result);
			unsigned int res = atomic_load(&x->residue);

			if (r == DMA_TRANS_NOERROR) {
				atomic_fetch_add(&n_completed, 1);
				if (s != DMA_COMPLETE) {
					atomic_fetch_add(&n_badstatus, 1);
					fprintf(stderr, "soak: %s cookie %d: callback NOERROR, status %d\n", dev_names[h->type], x->cookie, s);
				}
				if (res || !data_ok(x, x->len))
					atomic_fetch_add(&n_baddata, 1);
			} else {
				atomic_fetch_add(&n_errored, 1);
				if (s != DMA_ERROR) {
					atomic_fetch_add(&n_badstatus, 1);
					fprintf(stderr, "soak: %s cookie %d: callback %d, status %d\n", dev_names[h->type], x->cookie, r, s);
				}
				if (res > x->len || !data_ok(x, x->len - res))
					atomic_fetch_add(&n_baddata, 1);
			}
		} else if (s == DMA_ERROR) {
			atomic_fetch_add(&n_aborted, 1);
		} else {
			/* in progress after a sync, or complete without a callback */
			atomic_fetch_add(&n_lost, 1);
		}
		xfer_free(h, x);
	}
	h->out = NULL;
	h->nout = 0;
}

/* The running cyclic transfer (if any) ended by a terminate: its cookie must
 * read DMA_ERROR (aborted); periods were delivered meanwhile. */
static void resolve_cyclic(struct held *h)
{
	if (!h->cyc)
		return;
	if (dmaengine_tx_status(h->chan, h->cyc, NULL) != DMA_ERROR)
		atomic_fetch_add(&n_lost, 1);
	else
		atomic_fetch_add(&n_aborted, 1);
	atomic_fetch_add(&n_periods, atomic_load(&h->periods));
	atomic_store(&h->periods, 0);
	h->cyc = 0;
	h->paused = false;
}

static void term_sync(struct held *h)
{
	dmaengine_terminate_sync(h->chan);
	resolve(h);
	resolve_cyclic(h);
}

static void term_async_sync(struct held *h)
{
	dmaengine_terminate_async(h->chan);
	dmaengine_synchronize(h->chan);
	resolve(h);
	resolve_cyclic(h);
}

/* Wait (deadline) for every outstanding transfer's callback, then resolve. */
static void wait_all(struct held *h)
{
	uint64_t dl = now_ns() + (uint64_t)WAIT_MS * 1000000ull;
	bool done;

	if (h->cyc)
		return; /* slave transfers queue behind a cyclic one forever */
	dma_async_issue_pending(h->chan);
	for (;;) {
		done = true;
		for (struct xfer *x = h->out; x && done; x = x->next)
			done = atomic_load(&x->cbs) > 0;
		if (done || now_ns() > dl)
			break;
		sched_yield();
	}
	if (!done) {
		atomic_fetch_add(&n_stuck, 1);
		term_sync(h);
		return;
	}
	/* the last callback may still be running: synchronize before freeing */
	dmaengine_synchronize(h->chan);
	resolve(h);
}

/* ------------------------------------------------------------- operations */

static void random_fault(struct held *h, uint64_t *rs)
{
	struct udma_fault_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	switch (rnd(rs) % 4) {
	case 0:
		break; /* off */
	case 1:
		cfg.fail_every_nth = 2 + (unsigned int)(rnd(rs) % 30);
		break;
	case 2:
		cfg.fail_ppm = (unsigned int)(rnd(rs) % 200000);
		cfg.results = (unsigned int)(rnd(rs) % 8);
		break;
	default:
		cfg.fail_ppm = 50000;
		cfg.delay_ns = 1000 + rnd(rs) % 200000;
		cfg.delay_ppm = 100000;
		break;
	}
	cfg.seed = rnd(rs);
	udma_chan_set_fault(h->chan, &cfg);
}

static void submit_some(struct held *h, uint64_t *rs)
{
	struct device *dev = dmaengine_get_dma_device(h->chan);
	unsigned int n = 1 + (unsigned int)(rnd(rs) % 16);

	if (h->cyc)
		return;
	for (unsigned int i = 0; i < n && h->nout < MAX_OUT; i++) {
		struct dma_async_tx_descriptor *tx;
		struct xfer *x = calloc(1, sizeof(*x));
		size_t len = 1 + rnd(rs) % MAX_LEN;

		if (!x)
			return;
		if (h->type == T_RING) {
			x->kind = K_SLAVE;
			len = 4 * (1 + rnd(rs) % 1024);
		} else {
			x->kind = rnd(rs) % 4 ? K_MEMCPY : K_MEMSET;
		}
		x->len = len;
		if (x->kind != K_MEMSET) {
			x->src = malloc(len);
			for (size_t k = 0; k < len; k++)
				x->src[k] = (uint8_t)(rnd(rs) >> 7);
			x->dsrc = dma_map_single(dev, x->src, len, DMA_TO_DEVICE);
		}
		if (x->kind != K_SLAVE) {
			x->dst = malloc(len);
			memset(x->dst, 0xa5, len);
			x->ddst = dma_map_single(dev, x->dst, len, DMA_FROM_DEVICE);
		}
		x->value = (int)(rnd(rs) & 0xff);
		if (x->kind == K_MEMCPY)
			tx = dmaengine_prep_dma_memcpy(h->chan, x->ddst, x->dsrc, len,
						       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		else if (x->kind == K_MEMSET)
			tx = dmaengine_prep_dma_memset(h->chan, x->ddst, x->value, len,
						       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		else
			tx = dmaengine_prep_slave_single(h->chan, x->dsrc, len, DMA_MEM_TO_DEV,
							 DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		if (!tx) {
			atomic_fetch_add(&n_prep_fail, 1);
			xfer_free(h, x);
			return;
		}
		tx->callback_result = done_cb;
		tx->callback_param = x;
		x->cookie = dmaengine_submit(tx);
		if (x->cookie < 0) {
			atomic_fetch_add(&n_lost, 1);
			xfer_free(h, x);
			return;
		}
		atomic_fetch_add(&n_cookies, 1);
		x->next = h->out;
		h->out = x;
		h->nout++;
	}
}

static void cyclic_op(struct held *h, uint64_t *rs)
{
	struct dma_async_tx_descriptor *tx;

	if (!h->cyc) {
		if (h->out)
			return;
		tx = dmaengine_prep_dma_cyclic(h->chan, h->dring, 4096, 1024, DMA_DEV_TO_MEM,
					       DMA_PREP_INTERRUPT);
		if (!tx) {
			atomic_fetch_add(&n_prep_fail, 1);
			return;
		}
		tx->callback_result = period_cb;
		tx->callback_param = h;
		h->cyc = dmaengine_submit(tx);
		if (h->cyc < 0) {
			atomic_fetch_add(&n_lost, 1);
			h->cyc = 0;
			return;
		}
		atomic_fetch_add(&n_cookies, 1);
		atomic_fetch_add(&n_cyclic, 1);
		dma_async_issue_pending(h->chan);
		return;
	}
	switch (rnd(rs) % 3) {
	case 0:
		if (!h->paused && !dmaengine_pause(h->chan)) {
			h->paused = true;
			atomic_fetch_add(&n_pauses, 1);
			/* PAUSED also when paused before the engine took it */
			if (dmaengine_tx_status(h->chan, h->cyc, NULL) != DMA_PAUSED)
				atomic_fetch_add(&n_badstatus, 1);
		}
		break;
	case 1:
		if (h->paused && !dmaengine_resume(h->chan))
			h->paused = false;
		break;
	default:
		if (rnd(rs) % 2)
			term_sync(h);
		else
			term_async_sync(h);
		break;
	}
}

static bool request(struct held *h, enum ctype type, int tid, int slot)
{
	dma_cap_mask_t mask;
	struct dma_slave_config cfg;

	dma_cap_zero(mask);
	dma_cap_set(type == T_RING ? DMA_SLAVE : DMA_MEMCPY, mask);
	h->chan = dma_request_channel(mask, name_filter, (void *)dev_names[type]);
	if (!h->chan) {
		atomic_fetch_add(&n_req_fail, 1);
		return false;
	}
	h->type = type;
	h->out = NULL;
	h->nout = 0;
	h->cyc = 0;
	h->paused = false;
	atomic_store(&h->periods, 0);
	if (type == T_RING) {
		/* peripherals are created up front: created and destroyed while
		 * other threads look theirs up, the RCU list they are on makes
		 * ThreadSanitizer report races it cannot see are ordered */
		h->periph = periphs[tid][slot];
		h->ring = calloc(1, 4096);
		h->dring = dma_map_single(dmaengine_get_dma_device(h->chan), h->ring, 4096,
					  DMA_FROM_DEVICE);
		memset(&cfg, 0, sizeof(cfg));
		cfg.dst_addr = udma_periph_addr(h->periph);
		cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES;
		cfg.dst_maxburst = 8;
		cfg.src_addr = udma_periph_addr(h->periph);
		cfg.src_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES;
		cfg.src_maxburst = 8;
		if (dmaengine_slave_config(h->chan, &cfg))
			atomic_fetch_add(&n_badstatus, 1);
	}
	return true;
}

static void release(struct held *h)
{
	term_sync(h);
	if (h->type == T_RING) {
		dma_unmap_single(dmaengine_get_dma_device(h->chan), h->dring, 4096,
				 DMA_FROM_DEVICE);
		free(h->ring);
		h->ring = NULL;
	}
	dma_release_channel(h->chan);
	h->periph = NULL;
	h->chan = NULL;
}

static void rereg(void)
{
	if (pthread_mutex_trylock(&admin))
		return;
	if (mock_dev_unregister(mock) == 0) {
		if (mock_dev_register(mock) == 0)
			atomic_fetch_add(&n_rereg, 1);
		else
			atomic_fetch_add(&n_lost, 1); /* cannot happen: counted as a failure */
	} else {
		atomic_fetch_add(&n_rereg_busy, 1);
	}
	pthread_mutex_unlock(&admin);
}

/* ------------------------------------------------------------ async_tx */

#define A_BLK 4096
#define A_MAXSRC 40

/* One async_tx operation (or chain) in flight: its callback records here. */
struct aop {
	atomic_int cbs;
	atomic_int result;
};

static void aop_cb(void *param, const struct dmaengine_result *r)
{
	struct aop *a = param;

	atomic_store(&a->result, (int)r->result);
	atomic_fetch_add(&a->cbs, 1);
}

static void fill_rand(uint8_t *b, size_t len, uint64_t *rs)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = rnd(rs);

		memcpy(b + i, &v, 8);
	}
}

/*
 * Wait for @a's callback (the only end an async_tx operation has), then check
 * @out against @ref when it succeeded. @tx: what the operation returned
 * (NULL: it ran on the CPU, the callback has already run). Return: false
 * when it never called back (counted as stuck): its descriptors may still
 * be queued, so the caller keeps the pool and stops.
 */
static bool aop_finish(struct aop *a, struct dma_async_tx_descriptor *tx, const uint8_t *out,
		       const uint8_t *ref, size_t len)
{
	uint64_t end = now_ns() + (uint64_t)WAIT_MS * 1000000u;

	atomic_fetch_add(&n_async_ops, 1);
	if (!tx)
		atomic_fetch_add(&n_async_cpu, 1);
	async_tx_issue_pending_all();
	while (atomic_load(&a->cbs) == 0 && now_ns() < end)
		sched_yield();
	if (atomic_load(&a->cbs) == 0) {
		atomic_fetch_add(&n_stuck, 1);
		return false;
	}
	if (atomic_load(&a->cbs) != 1)
		atomic_fetch_add(&n_dup, 1);
	if (atomic_load(&a->result) != DMA_TRANS_NOERROR) {
		atomic_fetch_add(&n_async_err, 1); /* a fault left on a pool channel */
		return true;
	}
	atomic_fetch_add(&n_async_ok, 1);
	if (memcmp(out, ref, len))
		atomic_fetch_add(&n_baddata, 1);
	return true;
}

/*
 * The async_tx client: holds the public pool (dmaengine_get) for a while,
 * drops it and takes it again, so channels move between the pool and the
 * private requests of the other threads; runs XORs and syndromes of up to
 * A_MAXSRC sources (split into chains past max_xor / max_pq), P+Q
 * accumulation, and memcpy -> xor chains, on whatever channels the pool has
 * (sw-memcpy with faults left configured by other threads, soak-mock, or
 * none: the CPU). Every operation must call back exactly once, and a
 * successful one must match the byte reference.
 */
static void *async_worker(void *arg)
{
	uint64_t rs = env_ul("UDMA_SOAK_SEED", 1) * 0x51afd7ed558ccd1dull + 7;
	uint8_t *blk[A_MAXSRC + 3], *ref = aligned_alloc(64, A_BLK), *ref2 = aligned_alloc(64, A_BLK);
	struct page *pg[A_MAXSRC + 3];
	struct async_submit_ctl s;
	bool held = false;

	(void)arg;
	for (int i = 0; i < A_MAXSRC + 3; i++) {
		blk[i] = aligned_alloc(PAGE_SIZE, A_BLK);
		pg[i] = virt_to_page(blk[i]);
	}
	while (now_ns() < deadline_ns) {
		unsigned int op = (unsigned int)(rnd(&rs) % 100);
		int n = 2 + (int)(rnd(&rs) % (A_MAXSRC - 1));
		struct dma_async_tx_descriptor *tx;
		struct aop a;

		atomic_init(&a.cbs, 0);
		atomic_init(&a.result, -1);
		/* the pool changes hands: about ten operations per hold, then a
		 * few ms without it, so the workers' private requests mostly find
		 * channels and this thread leaves them the CPU */
		if (!held && op >= 5) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (!held || op < 10) {
			if (held)
				dmaengine_put();
			else
				dmaengine_get();
			held = !held;
			atomic_fetch_add(&n_pool_cycles, 1);
			continue;
		}
		for (int i = 0; i < n + 2; i++)
			fill_rand(blk[i], A_BLK, &rs);
		if (op < 45) { /* XOR into blk[n], zeroed first or summed */
			bool sum = op & 1;

			for (size_t k = 0; k < A_BLK; k++) {
				uint8_t v = sum ? blk[n][k] : 0;

				for (int i = 0; i < n; i++)
					v ^= blk[i][k];
				ref[k] = v;
			}
			init_async_submit(&s, ASYNC_TX_ACK | (sum ? 0 : ASYNC_TX_XOR_ZERO_DST), NULL,
					  NULL, NULL, NULL);
			s.udma_cb_result = aop_cb;
			s.cb_param = &a;
			tx = async_xor(pg[n], pg, 0, n, A_BLK, &s);
			if (!aop_finish(&a, tx, blk[n], ref, A_BLK))
				break;
		} else if (op < 80) { /* P+Q of n data blocks, or accumulated */
			bool acc = op & 1;
			void *arr[A_MAXSRC + 2];
			uint8_t *p = blk[n], *q = blk[n + 1];

			for (int i = 0; i < n; i++)
				arr[i] = blk[i];
			arr[n] = ref;
			arr[n + 1] = ref2;
			if (n < 2 || pq_gen(n + 2, A_BLK, arr))
				continue;
			if (acc)
				for (size_t k = 0; k < A_BLK; k++) {
					ref[k] ^= p[k];
					ref2[k] ^= q[k];
				}
			init_async_submit(&s, ASYNC_TX_ACK | (acc ? ASYNC_TX_PQ_XOR_DST : 0), NULL,
					  NULL, NULL, NULL);
			s.udma_cb_result = aop_cb;
			s.cb_param = &a;
			tx = async_gen_syndrome(pg, NULL, n + 2, A_BLK, &s);
			if (!aop_finish(&a, tx, p, ref, A_BLK))
				break;
			if (atomic_load(&a.cbs) == 1 && atomic_load(&a.result) == DMA_TRANS_NOERROR &&
			    memcmp(q, ref2, A_BLK))
				atomic_fetch_add(&n_baddata, 1);
		} else { /* memcpy blk[0] -> blk[1], then blk[2] = blk[1] ^ blk[3] */
			struct dma_async_tx_descriptor *t1;
			struct page *xs[2] = { pg[1], pg[3] };

			for (size_t k = 0; k < A_BLK; k++)
				ref[k] = blk[0][k] ^ blk[3][k];
			init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
			t1 = async_memcpy(pg[1], pg[0], 0, 0, A_BLK, &s);
			init_async_submit(&s, ASYNC_TX_ACK | ASYNC_TX_XOR_ZERO_DST, t1, NULL, NULL,
					  NULL);
			s.udma_cb_result = aop_cb;
			s.cb_param = &a;
			tx = async_xor(pg[2], xs, 0, 2, A_BLK, &s);
			if (!aop_finish(&a, tx, blk[2], ref, A_BLK))
				break;
		}
	}
	if (atomic_load(&n_stuck)) {
		/* descriptors may still be queued on the pool's channels: keep the
		 * pool and the buffers (the soak fails on stuck) */
		return NULL;
	}
	if (held)
		dmaengine_put();
	for (int i = 0; i < A_MAXSRC + 3; i++)
		free(blk[i]);
	free(ref);
	free(ref2);
	return NULL;
}

static void *worker(void *arg)
{
	int tid = (int)(intptr_t)arg;
	uint64_t rs = env_ul("UDMA_SOAK_SEED", 1) * 0x9e3779b97f4a7c15ull + (uint64_t)tid + 1;
	struct held held[MAX_HELD];

	memset(held, 0, sizeof(held));
	while (now_ns() < deadline_ns) {
		unsigned int i = (unsigned int)(rnd(&rs) % MAX_HELD);
		struct held *h = &held[i];
		unsigned int op = (unsigned int)(rnd(&rs) % 100);

		atomic_fetch_add(&n_ops, 1);
		if (!h->chan) {
			if (op < 3)
				rereg();
			else if (!request(h, (enum ctype)(rnd(&rs) % T_NR), tid, (int)i))
				sched_yield(); /* all taken (by the pool, maybe): let others run */
			continue;
		}
		if (op < 30) {
			submit_some(h, &rs);
		} else if (op < 45) {
			dma_async_issue_pending(h->chan);
		} else if (op < 60) {
			wait_all(h);
		} else if (op < 66) {
			term_async_sync(h);
		} else if (op < 72) {
			term_sync(h);
		} else if (op < 78) {
			if (h->type == T_SW)
				random_fault(h, &rs);
			else if (h->type == T_RING)
				cyclic_op(h, &rs);
		} else if (op < 88) {
			if (h->type == T_RING)
				cyclic_op(h, &rs);
			else
				submit_some(h, &rs);
		} else if (op < 94) {
			release(h);
		} else {
			wait_all(h);
		}
	}
	for (int k = 0; k < MAX_HELD; k++)
		if (held[k].chan) {
			wait_all(&held[k]);
			release(&held[k]);
		}
	return NULL;
}

/* Sum the injected-fault counters over every sw-memcpy and cyclic-ring channel. */
static void fault_totals(struct udma_fault_stats *sum)
{
	struct dma_chan *got[64];
	int n = 0;
	dma_cap_mask_t mask;

	memset(sum, 0, sizeof(*sum));
	for (int t = 0; t < 2; t++) {
		dma_cap_zero(mask);
		dma_cap_set(t ? DMA_SLAVE : DMA_MEMCPY, mask);
		while (n < 64) {
			struct udma_fault_stats st;
			struct dma_chan *c = dma_request_channel(mask, name_filter,
								 (void *)dev_names[t]);

			if (!c)
				break;
			got[n++] = c;
			udma_chan_get_fault_stats(c, &st);
			sum->started += st.started;
			sum->failed += st.failed;
			sum->strict += st.strict;
			sum->delayed += st.delayed;
			udma_chan_set_fault(c, NULL);
		}
	}
	while (n)
		dma_release_channel(got[--n]);
}

static void soak(void **state)
{
	unsigned long secs = env_ul("UDMA_SOAK_SECONDS", 3);
	unsigned long nthreads = env_ul("UDMA_SOAK_THREADS", 4);
	/* off by default until what it found is fixed (doc/reliability.md) */
	bool async_on = env_ul("UDMA_SOAK_ASYNC", 0) != 0;
	struct mock_opts mo = { .name = "soak-mock", .nr_chans = 2, .pool_size = 256,
				.memcpy = true, .memset = true };
	pthread_t th[MAX_THREADS], ath;
	struct udma_fault_stats fs;
	uint64_t t0 = now_ns();
	double took;

	(void)state;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	udma_set_log_fn(log_sink, NULL);
	mock = mock_dev_create(&mo);
	assert_non_null(mock);
	assert_int_equal(mock_dev_register(mock), 0);
	for (unsigned long i = 0; i < nthreads; i++)
		for (int k = 0; k < MAX_HELD; k++) {
			struct udma_periph_config pc = { .fifo_depth = 256, .width = 4,
							 .rate = 4u << 20 };
			char name[32];

			snprintf(name, sizeof(name), "soak%lu.%d", i, k);
			pc.name = name;
			periphs[i][k] = udma_periph_create(&pc);
			assert_non_null(periphs[i][k]);
		}
	deadline_ns = t0 + (uint64_t)secs * 1000000000ull;
	for (unsigned long i = 0; i < nthreads; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i), 0);
	if (async_on)
		assert_int_equal(pthread_create(&ath, NULL, async_worker, NULL), 0);
	for (unsigned long i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	if (async_on)
		pthread_join(ath, NULL);
	took = (double)(now_ns() - t0) / 1e9;
	fault_totals(&fs);
	for (unsigned long i = 0; i < nthreads; i++)
		for (int k = 0; k < MAX_HELD; k++)
			udma_periph_destroy(periphs[i][k]);
	mock_dev_destroy(mock);
	udma_set_log_fn(NULL, NULL);

	printf("soak: %.0f s, %lu threads: ops %ld, cookies %ld: completed %ld, errored %ld, "
	       "aborted %ld; faults injected %llu, strict mapping faults %llu, delays %llu; cyclic %ld "
	       "(%ld periods, %ld pauses); unregister/register %ld (busy %ld); request "
	       "misses %ld, prep misses %ld; error log lines %ld; lost %ld, duplicate %ld, "
	       "bad data %ld, bad status %ld, stuck %ld; async_tx: ops %ld (ok %ld, failed %ld, "
	       "on the CPU %ld), pool get/put %ld\n",
	       took, nthreads, atomic_load(&n_ops), atomic_load(&n_cookies),
	       atomic_load(&n_completed), atomic_load(&n_errored), atomic_load(&n_aborted),
	       (unsigned long long)fs.failed, (unsigned long long)fs.strict,
	       (unsigned long long)fs.delayed, atomic_load(&n_cyclic), atomic_load(&n_periods),
	       atomic_load(&n_pauses), atomic_load(&n_rereg), atomic_load(&n_rereg_busy),
	       atomic_load(&n_req_fail), atomic_load(&n_prep_fail), atomic_load(&n_log_err),
	       atomic_load(&n_lost), atomic_load(&n_dup), atomic_load(&n_baddata),
	       atomic_load(&n_badstatus), atomic_load(&n_stuck), atomic_load(&n_async_ops),
	       atomic_load(&n_async_ok), atomic_load(&n_async_err), atomic_load(&n_async_cpu),
	       atomic_load(&n_pool_cycles));
	for (int i = 0; i < 3 && i < atomic_load(&nfirst); i++)
		printf("soak: log sample: %s\n", first_log[i]);
	fflush(stdout);

	assert_int_equal(atomic_load(&n_lost), 0);
	assert_int_equal(atomic_load(&n_dup), 0);
	assert_int_equal(atomic_load(&n_baddata), 0);
	assert_int_equal(atomic_load(&n_badstatus), 0);
	assert_int_equal(atomic_load(&n_stuck), 0);
	assert_int_equal(atomic_load(&n_completed) + atomic_load(&n_errored) +
			 atomic_load(&n_aborted), atomic_load(&n_cookies));
	assert_true(atomic_load(&n_completed) > 0);
	assert_true(!async_on || atomic_load(&n_async_ok) > 0);
	/* every buffer is mapped right: strict mapping (UDMA_STRICT_MAPPING=1)
	 * must find nothing */
	assert_int_equal(fs.strict, 0);
	assert_int_equal(atomic_load(&n_log_strict), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(soak),
	};

	return cmocka_run_group_tests_name("soak", tests, NULL, NULL);
}
