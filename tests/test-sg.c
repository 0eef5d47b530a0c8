/* SPDX-License-Identifier: MIT */
/*
 * test-sg.c - scatterlist-to-scatterlist copies (udma_prep_dma_memcpy_sg) and
 * MEM_TO_MEM interleaved templates (dmaengine_prep_interleaved_dma) on the
 * real sw-memcpy provider.
 *
 *  memcpy_sg: batches of copies between randomly and differently cut lists
 *  whose entries lie in random order with guard bytes between them; the
 *  whole source arena (untouched) and destination arena (copied bytes in
 *  list order, guards untouched) are verified, with callbacks,
 *  callback_result and tx_status DMA_COMPLETE. Entries that continue each
 *  other merge into one copy run, so long contiguous lists are accepted.
 *  Refused (NULL, logged, no descriptor taken): totals that differ, an
 *  unmapped entry, an empty or short list, more copy runs than the
 *  provider's cap (exactly the cap is accepted). Reuse.
 *
 *  interleaved: a 2-D block copy between images of different strides,
 *  multi-chunk frames with per-side gaps, src_inc false (the same source
 *  bytes read again and again), dst_inc false, *_sgl false (gaps ignored on
 *  that side, the kernel's dmaengine_get_{src,dst}_icg rules), a gapless
 *  template, random templates against a reference walker, a batch mixing
 *  every operation. Refused: other directions, too many chunks per frame,
 *  an unmapped start.
 *
 *  terminate: a long memcpy_sg / interleaved transfer terminated while it
 *  runs stops early (DMA_ERROR, no callback; its last run is never written)
 *  and the channel works afterwards.
 *
 * Callbacks never assert: they count (struct counter, atomics) and the test
 * thread checks after a deadline wait.
 */
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

#include <udmaengine/dmaengine.h>

#include "test-util.h"
#include "log-capture.h"

#define POOL 1024      /* sw-memcpy's default descriptor pool per channel */
#define MAX_RUNS 32    /* sw-memcpy: copy runs of one memcpy_sg */
#define MAX_CHUNKS 8   /* sw-memcpy: chunks per interleaved frame */
#define NO_EVENT_MS 50u /* a bounded wait that must NOT see an event */

#if defined(__SANITIZE_THREAD__)
#define ROUNDS 40 /* ThreadSanitizer checks every byte copied and compared */
#else
#define ROUNDS 200
#endif

/* ------------------------------------------------------------- helpers */

static struct dma_chan *chan;
static struct device *dev;
static uint64_t rng_state;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void spin_us(unsigned int us)
{
	uint64_t end = now_ns() + (uint64_t)us * 1000u;

	while (now_ns() < end)
		;
}

/* xorshift64*: reproducible from the seed printed by group_setup */
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* uniform-ish in [lo, hi] */
static size_t rnd_range(size_t lo, size_t hi)
{
	return lo + (size_t)(((uint64_t)rnd() << 32 | rnd()) % (hi - lo + 1));
}

/* A byte pattern that differs from position to position and per @salt. */
static uint8_t pat(size_t i, uint32_t salt)
{
	uint32_t x = (uint32_t)i * 2654435761u ^ salt * 0x9e3779b9u ^ (uint32_t)(i >> 32);

	x ^= x >> 15;
	x *= 2246822519u;
	x ^= x >> 13;
	return (uint8_t)x;
}

static void fill_pat(uint8_t *p, size_t len, uint32_t salt)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pat(i, salt);
}

/* Fail with the first differing byte of @got against @want. */
static void compare(const uint8_t *got, const uint8_t *want, size_t len, const char *what)
{
	if (!memcmp(got, want, len))
		return;
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i])
			fail_msg("%s: byte %zu is 0x%02x, want 0x%02x", what, i, got[i], want[i]);
}

static dma_addr_t map(const void *p, size_t len)
{
	dma_addr_t a = dma_map_single(dev, (void *)p, len, DMA_BIDIRECTIONAL);

	assert_int_equal(dma_mapping_error(dev, a), 0);
	return a;
}

/* log capture: tests/log-capture.h */

/* Nothing was logged since the last log_reset(). */
static void assert_no_log(void)
{
	if (log_count())
		log_dump();
	assert_int_equal(log_count(), 0);
}

/* A refusal was logged, by a line containing @needle. */
static void assert_logged(const char *needle)
{
	if (!log_has(needle)) {
		log_dump();
		fail_msg("no log line contains \"%s\"", needle);
	}
	log_reset();
}

/* ------------------------------------------------------------- callbacks */

#define MAXJ 8 /* descriptors per batch */

static struct counter done;           /* callbacks and callback_results run */
static atomic_int cb_calls[MAXJ];
static atomic_int res_result[MAXJ];
static atomic_long res_residue[MAXJ];

static void cb_reset(void)
{
	for (int i = 0; i < MAXJ; i++) {
		atomic_store(&cb_calls[i], 0);
		atomic_store(&res_result[i], -1);
		atomic_store(&res_residue[i], -1);
	}
}

static void cb_job(void *param)
{
	atomic_fetch_add(&cb_calls[(intptr_t)param], 1);
	counter_add(&done, 1);
}

static void cb_job_result(void *param, const struct dmaengine_result *r)
{
	intptr_t i = (intptr_t)param;

	atomic_store(&res_result[i], (int)r->result);
	atomic_store(&res_residue[i], (long)r->residue);
	atomic_fetch_add(&cb_calls[i], 1);
	counter_add(&done, 1);
}

/* Submit @tx with callback #@i (callback_result when @result). */
static dma_cookie_t submit_cb(struct dma_async_tx_descriptor *tx, int i, bool result)
{
	dma_cookie_t c;

	assert_non_null(tx);
	if (result)
		tx->callback_result = cb_job_result;
	else
		tx->callback = cb_job;
	tx->callback_param = (void *)(intptr_t)i;
	c = dmaengine_submit(tx);
	assert_true(c >= DMA_MIN_COOKIE);
	return c;
}

/* Run one descriptor to completion: callback #0, status DMA_COMPLETE. */
static void run_one(struct dma_async_tx_descriptor *tx)
{
	long before = counter_get(&done);
	struct dma_tx_state st;
	dma_cookie_t c;

	cb_reset();
	c = submit_cb(tx, 0, false);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&done, before + 1, TEST_DEADLINE_MS));
	assert_int_equal(dmaengine_tx_status(chan, c, &st), DMA_COMPLETE);
	assert_int_equal(st.residue, 0);
	assert_int_equal(atomic_load(&cb_calls[0]), 1);
}

/* How many 1-byte memcpys can be prepared: the free descriptors. Reclaims them. */
static int free_descriptors(void)
{
	static uint8_t a[1], b[1];
	int n = 0;

	/* a descriptor returns to the pool when its callback has returned */
	dmaengine_synchronize(chan);

	while (n < POOL + 8 && dmaengine_prep_dma_memcpy(chan, map(a, 1), map(b, 1), 1,
							  DMA_CTRL_ACK))
		n++;
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	return n;
}

/* --------------------------------------------------------------- fixture */

static bool is_sw_memcpy(struct dma_chan *c, void *param)
{
	(void)param;
	return c->device->udma_name && !strcmp(c->device->udma_name, "sw-memcpy");
}

static int setup(void **state)
{
	dma_cap_mask_t mask;

	(void)state;
	log_reset();
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	dma_cap_set(DMA_INTERLEAVE, mask);
	chan = dma_request_channel(mask, is_sw_memcpy, NULL);
	if (!chan)
		return -1;
	dev = dmaengine_get_dma_device(chan);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (chan)
		dma_release_channel(chan); /* terminate + synchronize + free */
	chan = NULL;
	return 0;
}

static int group_setup(void **state)
{
	const char *env = getenv("UDMA_SG_SEED");

	(void)state;
	rng_state = env ? strtoull(env, NULL, 0) : 0x5eed5eedull;
	if (!rng_state)
		rng_state = 1;
	print_message("  seed 0x%llx (UDMA_SG_SEED)\n", (unsigned long long)rng_state);
	udma_set_log_fn(log_sink, NULL);
	counter_init(&done);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	udma_set_log_fn(NULL, NULL);
	counter_destroy(&done);
	return 0;
}

/* ====================================================== memcpy_sg jobs */

#define MAXE 64            /* entries per list */
#define GUARD_MAX 64       /* guard bytes between entries: 1..GUARD_MAX */
#define SMALL_MAX (64u << 10)
#define BIG_MAX (3u << 20) /* crosses the engine's 1 MiB pieces */
#define ARENA ((size_t)BIG_MAX + (MAXE + 2) * GUARD_MAX)

/* One copy between two cut-up lists, each in its own arena. */
struct sgjob {
	uint8_t *src, *dst;    /* arenas of ARENA bytes */
	size_t used;           /* arena bytes in play (both arenas) */
	uint32_t salt;
	size_t total;
	unsigned int ns, nd;
	size_t soff[MAXE], slen[MAXE], doff[MAXE], dlen[MAXE];
	struct scatterlist ssg[MAXE], dsg[MAXE];
};

/* Cut @total (>= @n) into @n pieces of random non-zero lengths. */
static void cut(size_t total, unsigned int n, size_t *len)
{
	size_t pts[MAXE + 1];
	unsigned int have = 1;

	pts[0] = 0;
	while (have < n) {
		size_t p = rnd_range(1, total - 1);
		unsigned int k = have;
		bool dup = false;

		for (unsigned int i = 0; i < have; i++)
			dup |= pts[i] == p;
		if (dup)
			continue;
		while (k > 0 && pts[k - 1] > p) { /* insertion sort */
			pts[k] = pts[k - 1];
			k--;
		}
		pts[k] = p;
		have++;
	}
	pts[n] = total;
	for (unsigned int i = 0; i < n; i++)
		len[i] = pts[i + 1] - pts[i];
}

/*
 * Lay out @n pieces of @len in @arena: in random order with 1..GUARD_MAX
 * guard bytes around each (@adjacent: back to back, in list order).
 * Return: the bytes of the arena used.
 */
static size_t place(uint8_t *arena, struct scatterlist *sg, const size_t *len,
		    unsigned int n, size_t *off, bool adjacent)
{
	unsigned int order[MAXE];
	size_t cur = rnd_range(1, GUARD_MAX);

	for (unsigned int i = 0; i < n; i++)
		order[i] = i;
	for (unsigned int i = n - 1; !adjacent && i > 0; i--) {
		unsigned int k = rnd() % (i + 1), t = order[i];

		order[i] = order[k];
		order[k] = t;
	}
	for (unsigned int i = 0; i < n; i++) {
		off[order[i]] = cur;
		cur += len[order[i]] + (adjacent ? 0 : rnd_range(1, GUARD_MAX));
	}
	sg_init_table(sg, n);
	for (unsigned int i = 0; i < n; i++)
		sg_set_buf(&sg[i], arena + off[i], (unsigned int)len[i]);
	return cur + GUARD_MAX;
}

/* Lay out @j's pieces (ns/slen, nd/dlen set), fill both arenas, map both lists. */
static void job_place(struct sgjob *j, bool src_adjacent, bool dst_adjacent)
{
	size_t us = place(j->src, j->ssg, j->slen, j->ns, j->soff, src_adjacent);
	size_t ud = place(j->dst, j->dsg, j->dlen, j->nd, j->doff, dst_adjacent);

	j->total = 0;
	for (unsigned int i = 0; i < j->ns; i++)
		j->total += j->slen[i];
	j->used = us > ud ? us : ud;
	assert_true(j->used <= ARENA);
	j->salt = rnd();
	fill_pat(j->src, j->used, j->salt);
	fill_pat(j->dst, j->used, ~j->salt);
	assert_int_equal(dma_map_sg(dev, j->ssg, (int)j->ns, DMA_TO_DEVICE), (int)j->ns);
	assert_int_equal(dma_map_sg(dev, j->dsg, (int)j->nd, DMA_FROM_DEVICE), (int)j->nd);
}

/* Lay out @j: @total bytes cut at random into @ns source and @nd destination
 * entries, scattered (or back to back when *_adjacent). */
static void job_layout(struct sgjob *j, size_t total, unsigned int ns, unsigned int nd,
		       bool src_adjacent, bool dst_adjacent)
{
	j->ns = ns;
	j->nd = nd;
	cut(total, ns, j->slen);
	cut(total, nd, j->dlen);
	job_place(j, src_adjacent, dst_adjacent);
}

static struct dma_async_tx_descriptor *job_prep(struct sgjob *j, unsigned long flags)
{
	return udma_prep_dma_memcpy_sg(chan, j->dsg, j->nd, j->ssg, j->ns, flags);
}

/* The source arena is untouched; the destination holds the source bytes in
 * list order inside its entries and its own pattern everywhere else. */
static void job_verify(struct sgjob *j, const char *what)
{
	uint8_t *want = malloc(j->used);
	unsigned int si = 0;
	size_t spos = 0;
	char msg[96];

	assert_non_null(want);
	fill_pat(want, j->used, j->salt);
	snprintf(msg, sizeof(msg), "%s: source arena", what);
	compare(j->src, want, j->used, msg);

	fill_pat(want, j->used, ~j->salt);
	for (unsigned int di = 0; di < j->nd; di++) {
		for (size_t b = 0; b < j->dlen[di]; b++) {
			if (spos == j->slen[si]) {
				si++;
				spos = 0;
			}
			want[j->doff[di] + b] = pat(j->soff[si] + spos++, j->salt);
		}
	}
	snprintf(msg, sizeof(msg), "%s: destination arena (%u <- %u entries, %zu bytes)",
		 what, j->nd, j->ns, j->total);
	compare(j->dst, want, j->used, msg);
	free(want);
	dma_unmap_sg(dev, j->ssg, (int)j->ns, DMA_TO_DEVICE);
	dma_unmap_sg(dev, j->dsg, (int)j->nd, DMA_FROM_DEVICE);
}

static struct sgjob *jobs_alloc(int n)
{
	struct sgjob *j = calloc((size_t)n, sizeof(*j));

	assert_non_null(j);
	for (int i = 0; i < n; i++) {
		j[i].src = malloc(ARENA);
		j[i].dst = malloc(ARENA);
		assert_non_null(j[i].src);
		assert_non_null(j[i].dst);
	}
	return j;
}

static void jobs_free(struct sgjob *j, int n)
{
	for (int i = 0; i < n; i++) {
		free(j[i].src);
		free(j[i].dst);
	}
	free(j);
}

/* ======================================================= memcpy_sg tests */

static void test_caps(void **state)
{
	(void)state;
	assert_true(dma_has_cap(DMA_MEMCPY, chan->device->cap_mask));
	assert_true(dma_has_cap(DMA_INTERLEAVE, chan->device->cap_mask));
	assert_non_null(chan->device->udma_device_prep_dma_memcpy_sg);
	assert_non_null(chan->device->device_prep_interleaved_dma);
}

/*
 * Batches of 1..MAXJ copies, each between a 1..16-entry and a 1..16-entry
 * list cut at random (always within the run cap), entries scattered; some
 * copies of several MiB. Callbacks and callback_results, then verify.
 */
static void test_sg_random_cuts(void **state)
{
	struct sgjob *jobs = jobs_alloc(MAXJ);
	long copies = 0, bytes = 0;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		int n = (int)rnd_range(1, MAXJ);
		long before = counter_get(&done);
		dma_cookie_t cookies[MAXJ];

		cb_reset();
		for (int i = 0; i < n; i++) {
			struct sgjob *j = &jobs[i];
			bool big = i == 0 && round % 16 == 0;
			unsigned int ns = (unsigned int)rnd_range(1, 16);
			unsigned int nd = (unsigned int)rnd_range(1, 16);
			size_t total = rnd_range(2 * 16, big ? BIG_MAX : SMALL_MAX);

			if (round % 8 == 1) /* tiny: entries of a byte or two */
				total = rnd_range(16, 2 * 16);
			job_layout(j, total, ns, nd, false, false);
			cookies[i] = submit_cb(job_prep(j, DMA_PREP_INTERRUPT | DMA_CTRL_ACK), i,
					       i % 2 == 1);
			bytes += (long)total;
		}
		dma_async_issue_pending(chan);
		if (!counter_wait_ge(&done, before + n, TEST_DEADLINE_MS))
			fail_msg("round %d: %ld of %d callbacks", round,
				 counter_get(&done) - before, n);
		for (int i = 0; i < n; i++) {
			struct dma_tx_state st;
			char what[48];

			assert_int_equal(dmaengine_tx_status(chan, cookies[i], &st), DMA_COMPLETE);
			assert_int_equal(st.residue, 0);
			assert_int_equal(atomic_load(&cb_calls[i]), 1);
			if (i % 2 == 1) {
				assert_int_equal(atomic_load(&res_result[i]), DMA_TRANS_NOERROR);
				assert_int_equal(atomic_load(&res_residue[i]), 0);
			}
			snprintf(what, sizeof(what), "round %d copy %d", round, i);
			job_verify(&jobs[i], what);
			copies++;
		}
	}
	assert_no_log();
	print_message("  %ld scatterlist copies verified (%ld bytes)\n", copies, bytes);
	jobs_free(jobs, MAXJ);
}

/*
 * Entries that continue each other (back to back in memory, in list order)
 * merge into one copy run: 64 against 48 such entries is one run, 64
 * contiguous against 20 scattered is 20 runs - both within the cap.
 */
static void test_sg_contiguous_entries_merge(void **state)
{
	struct sgjob *j = jobs_alloc(1);

	(void)state;
	job_layout(j, 40000, 64, 48, true, true);
	run_one(job_prep(j, DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
	job_verify(j, "64 <- 48 contiguous");

	/* the source contiguous, the destination scattered */
	job_layout(j, 40000, 64, 20, true, false);
	run_one(job_prep(j, DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
	job_verify(j, "64 contiguous -> 20 scattered");
	assert_no_log();
	jobs_free(j, 1);
}

/*
 * Runs are counted after cutting: S scattered source entries against D
 * scattered destination entries cut at different places need S + D - 1
 * runs. 17 against 16 is exactly the cap (accepted, copied right); 17
 * against 17 is one too many: NULL, logged, and no descriptor is used up.
 */
static void test_sg_too_many_runs(void **state)
{
	struct sgjob *j = jobs_alloc(1);
	unsigned int nd;

	(void)state;
	for (nd = 16; nd <= 17; nd++) {
		/* source: 17 x 10 bytes; destination: 5, 10 x (nd - 2), rest */
		j->ns = 17;
		j->nd = nd;
		for (unsigned int i = 0; i < 17; i++)
			j->slen[i] = 10;
		j->dlen[0] = 5;
		for (unsigned int i = 1; i < nd - 1; i++)
			j->dlen[i] = 10;
		j->dlen[nd - 1] = 170 - 5 - 10 * (nd - 2);
		job_place(j, false, false);
		if (17 + nd - 1 <= MAX_RUNS) {
			run_one(job_prep(j, DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
			job_verify(j, "17 <- 16 entries, 32 runs");
			assert_no_log();
		} else {
			assert_null(job_prep(j, DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
			assert_logged("copy runs");
			dma_unmap_sg(dev, j->ssg, 17, DMA_TO_DEVICE);
			dma_unmap_sg(dev, j->dsg, (int)nd, DMA_FROM_DEVICE);
		}
	}
	/* 64 scattered entries on each side: at least 64 runs */
	job_layout(j, 64 * 8, 64, 64, false, false);
	assert_null(job_prep(j, DMA_CTRL_ACK));
	assert_logged("copy runs");
	dma_unmap_sg(dev, j->ssg, 64, DMA_TO_DEVICE);
	dma_unmap_sg(dev, j->dsg, 64, DMA_FROM_DEVICE);
	assert_int_equal(free_descriptors(), POOL);
	jobs_free(j, 1);
}

/* Lists the core refuses before the provider sees them; no descriptor used. */
static void test_sg_bad_lists(void **state)
{
	static uint8_t a[256], b[256];
	struct scatterlist s[3], d[3];

	(void)state;
	/* totals differ: 150 against 149 */
	sg_init_table(s, 2);
	sg_set_buf(&s[0], a, 100);
	sg_set_buf(&s[1], a + 128, 50);
	sg_init_table(d, 2);
	sg_set_buf(&d[0], b, 100);
	sg_set_buf(&d[1], b + 128, 49);
	assert_int_equal(dma_map_sg(dev, s, 2, DMA_TO_DEVICE), 2);
	assert_int_equal(dma_map_sg(dev, d, 2, DMA_FROM_DEVICE), 2);
	assert_null(udma_prep_dma_memcpy_sg(chan, d, 2, s, 2, DMA_CTRL_ACK));
	assert_logged("150");
	/* the same lists with equal totals are fine (control) */
	d[1].dma_length = 50;
	run_one(udma_prep_dma_memcpy_sg(chan, d, 2, s, 2, DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
	assert_memory_equal(b, a, 100);
	assert_memory_equal(b + 128, a + 128, 50);

	/* an unmapped entry, on either side */
	d[1].dma_address = 0;
	assert_null(udma_prep_dma_memcpy_sg(chan, d, 2, s, 2, DMA_CTRL_ACK));
	assert_logged("unmapped");
	d[1].dma_address = (dma_addr_t)(uintptr_t)(b + 128);
	s[0].dma_address = DMA_MAPPING_ERROR;
	assert_null(udma_prep_dma_memcpy_sg(chan, d, 2, s, 2, DMA_CTRL_ACK));
	assert_logged("unmapped");
	s[0].dma_address = (dma_addr_t)(uintptr_t)a;
	/* an entry of length 0 */
	s[1].dma_length = 0;
	d[1].dma_length = 0;
	assert_null(udma_prep_dma_memcpy_sg(chan, d, 2, s, 2, DMA_CTRL_ACK));
	assert_logged("scatterlist");
	s[1].dma_length = 50;
	d[1].dma_length = 50;

	/* empty, NULL, or shorter than its count (last entry marked early) */
	assert_null(udma_prep_dma_memcpy_sg(chan, d, 0, s, 2, DMA_CTRL_ACK));
	assert_logged("scatterlist");
	assert_null(udma_prep_dma_memcpy_sg(chan, d, 2, NULL, 2, DMA_CTRL_ACK));
	assert_logged("scatterlist");
	assert_null(udma_prep_dma_memcpy_sg(chan, d, 2, s, 3, DMA_CTRL_ACK));
	assert_logged("scatterlist");
	/* NULL channel */
	assert_null(udma_prep_dma_memcpy_sg(NULL, d, 2, s, 2, DMA_CTRL_ACK));
	assert_logged("NULL channel");

	assert_int_equal(free_descriptors(), POOL);
	dma_unmap_sg(dev, s, 2, DMA_TO_DEVICE);
	dma_unmap_sg(dev, d, 2, DMA_FROM_DEVICE);
	assert_no_log();
}

/* The pool bounds memcpy_sg descriptors like any other: POOL, then NULL. */
static void test_sg_pool(void **state)
{
	static uint8_t a[64], b[64];
	struct scatterlist s[2], d[3];
	int n = 0;

	(void)state;
	sg_init_table(s, 2);
	sg_set_buf(&s[0], a, 30);
	sg_set_buf(&s[1], a + 32, 30);
	sg_init_table(d, 3);
	sg_set_buf(&d[0], b, 20);
	sg_set_buf(&d[1], b + 21, 20);
	sg_set_buf(&d[2], b + 42, 20);
	assert_int_equal(dma_map_sg(dev, s, 2, DMA_TO_DEVICE), 2);
	assert_int_equal(dma_map_sg(dev, d, 3, DMA_FROM_DEVICE), 3);
	while (n < POOL + 8 && udma_prep_dma_memcpy_sg(chan, d, 3, s, 2, DMA_CTRL_ACK))
		n++;
	assert_int_equal(n, POOL);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	assert_int_equal(free_descriptors(), POOL);
	assert_no_log(); /* pool exhaustion is logged at debug level only */
}

/* A reusable memcpy_sg descriptor copies again when resubmitted. */
static void test_sg_reuse(void **state)
{
	struct sgjob *j = jobs_alloc(1);
	struct dma_async_tx_descriptor *tx;

	(void)state;
	job_layout(j, 5000, 5, 7, false, false);
	tx = job_prep(j, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	assert_int_equal(dmaengine_desc_set_reuse(tx), 0);
	for (int r = 0; r < 3; r++) {
		j->salt = rnd();
		fill_pat(j->src, j->used, j->salt);
		fill_pat(j->dst, j->used, ~j->salt);
		run_one(tx);
		/* job_verify unmaps; map again for the next round */
		job_verify(j, "reused descriptor");
		assert_int_equal(dma_map_sg(dev, j->ssg, (int)j->ns, DMA_TO_DEVICE), (int)j->ns);
		assert_int_equal(dma_map_sg(dev, j->dsg, (int)j->nd, DMA_FROM_DEVICE),
				 (int)j->nd);
	}
	assert_int_equal(dmaengine_desc_free(tx), 0);
	dma_unmap_sg(dev, j->ssg, (int)j->ns, DMA_TO_DEVICE);
	dma_unmap_sg(dev, j->dsg, (int)j->nd, DMA_FROM_DEVICE);
	assert_no_log();
	jobs_free(j, 1);
}

/* ==================================================== interleaved tests */

static struct dma_interleaved_template *xt_alloc(size_t frame_size)
{
	struct dma_interleaved_template *xt =
		calloc(1, sizeof(*xt) + frame_size * sizeof(struct data_chunk));

	assert_non_null(xt);
	xt->dir = DMA_MEM_TO_MEM;
	xt->src_inc = xt->dst_inc = true;
	xt->src_sgl = xt->dst_sgl = true;
	xt->frame_size = frame_size;
	return xt;
}

static struct dma_async_tx_descriptor *xt_prep(struct dma_interleaved_template *xt,
					       const void *dst, const void *src)
{
	/* identity mapping: the bus address of a pointer is the pointer */
	xt->dst_start = dst ? map(dst, 1) : 0;
	xt->src_start = src ? map(src, 1) : 0;
	return dmaengine_prep_interleaved_dma(chan, xt, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
}

/* The kernel's dmaengine_get_icg(), written from its definition. */
static size_t ref_icg(bool inc, bool sgl, size_t icg, size_t side_icg)
{
	if (inc) {
		if (side_icg)
			return side_icg;
		if (sgl)
			return icg;
	}
	return 0;
}

/* What the template does, one chunk after the other. */
static void ref_interleaved(uint8_t *dst, const uint8_t *src,
			    const struct dma_interleaved_template *xt)
{
	size_t d = 0, s = 0;

	for (size_t f = 0; f < xt->numf; f++) {
		for (size_t k = 0; k < xt->frame_size; k++) {
			const struct data_chunk *ch = &xt->sgl[k];

			memcpy(dst + d, src + s, ch->size);
			if (xt->dst_inc)
				d += ch->size + ref_icg(true, xt->dst_sgl, ch->icg, ch->dst_icg);
			if (xt->src_inc)
				s += ch->size + ref_icg(true, xt->src_sgl, ch->icg, ch->src_icg);
		}
	}
}

/*
 * 2-D block copy: a w x h block at (sx, sy) of a 64-byte-stride source image
 * to (dx, dy) of a 100-byte-stride destination image: numf = h rows of one
 * chunk of w bytes, src_icg / dst_icg = stride - w. Then the same with equal
 * strides and the shared icg.
 */
static void test_xt_2d_block(void **state)
{
	enum { SW = 64, SH = 40, DW = 100, DH = 30, W = 23, H = 17, SX = 5, SY = 3,
	       DX = 40, DY = 10 };
	static uint8_t src[SW * SH], src2[DW * DH], dst[DW * DH], want[DW * DH];
	struct dma_interleaved_template *xt = xt_alloc(1);

	(void)state;
	fill_pat(src, sizeof(src), 1);
	fill_pat(dst, sizeof(dst), 2);
	fill_pat(want, sizeof(want), 2);
	for (int r = 0; r < H; r++)
		for (int c = 0; c < W; c++)
			want[(DY + r) * DW + DX + c] = src[(SY + r) * SW + SX + c];
	xt->numf = H;
	xt->sgl[0].size = W;
	xt->sgl[0].src_icg = SW - W;
	xt->sgl[0].dst_icg = DW - W;
	xt->sgl[0].icg = 7; /* overridden by both per-side gaps */
	run_one(xt_prep(xt, dst + DY * DW + DX, src + SY * SW + SX));
	compare(dst, want, sizeof(dst), "2-D block, per-side strides");
	fill_pat(want, sizeof(want), 1);
	compare(src, want, sizeof(src), "2-D block: source image");

	/* two images of the same stride: the shared icg serves both sides */
	fill_pat(src2, sizeof(src2), 3);
	fill_pat(dst, sizeof(dst), 2);
	fill_pat(want, sizeof(want), 2);
	for (int r = 0; r < H; r++)
		for (int c = 0; c < W; c++)
			want[(DY + r) * DW + DX + c] = src2[(SY + r) * DW + SX + c];
	xt->sgl[0].src_icg = 0;
	xt->sgl[0].dst_icg = 0;
	xt->sgl[0].icg = DW - W;
	run_one(xt_prep(xt, dst + DY * DW + DX, src2 + SY * DW + SX));
	compare(dst, want, sizeof(dst), "2-D block, shared icg");
	assert_no_log();
	free(xt);
}

/*
 * Frames of three chunks with different gaps per side:
 *   chunk A: 3 bytes, src gap 1 (src_icg), dst gap 0 (icg 0)
 *   chunk B: 5 bytes, src gap 6 (icg), dst gap 2 (dst_icg)
 *   chunk C: 2 bytes, src gap 4 and dst gap 4 (icg)
 * so a source frame spans 21 bytes (A at 0, B at 4, C at 15) and a
 * destination frame 16 (A at 0, B at 3, C at 10).
 */
static void test_xt_multi_chunk(void **state)
{
	static const size_t soff[3] = { 0, 4, 15 }, doff[3] = { 0, 3, 10 };
	static const size_t size[3] = { 3, 5, 2 };
	static uint8_t src[256], dst[256], want[256];
	struct dma_interleaved_template *xt = xt_alloc(3);
	const size_t numf = 5;

	(void)state;
	xt->numf = numf;
	xt->sgl[0] = (struct data_chunk){ .size = 3, .icg = 0, .src_icg = 1 };
	xt->sgl[1] = (struct data_chunk){ .size = 5, .icg = 6, .dst_icg = 2 };
	xt->sgl[2] = (struct data_chunk){ .size = 2, .icg = 4 };
	fill_pat(src, sizeof(src), 3);
	fill_pat(dst, sizeof(dst), 4);
	fill_pat(want, sizeof(want), 4);
	for (size_t f = 0; f < numf; f++)
		for (int k = 0; k < 3; k++)
			memcpy(want + 16 * f + doff[k], src + 21 * f + soff[k], size[k]);
	run_one(xt_prep(xt, dst, src));
	compare(dst, want, sizeof(dst), "three-chunk frames");

	/* MAX_CHUNKS chunks per frame is accepted too */
	free(xt);
	xt = xt_alloc(MAX_CHUNKS);
	xt->numf = 3;
	for (int k = 0; k < MAX_CHUNKS; k++)
		xt->sgl[k] = (struct data_chunk){ .size = (size_t)k + 1, .icg = (size_t)k % 3,
						   .dst_icg = (size_t)k % 2 * 5 };
	fill_pat(dst, sizeof(dst), 4);
	fill_pat(want, sizeof(want), 4);
	ref_interleaved(want, src, xt);
	run_one(xt_prep(xt, dst, src));
	compare(dst, want, sizeof(dst), "frames of MAX_CHUNKS chunks");
	assert_no_log();
	free(xt);
}

/*
 * src_inc false: the source address never moves, so every chunk of every
 * frame reads the same bytes from src_start (its gaps, even src_icg, are
 * ignored). Here 4 frames of [6 bytes, gap 2][4 bytes, gap 3] repeat
 * src[0..6) and src[0..4) along the destination.
 */
static void test_xt_src_fixed(void **state)
{
	static uint8_t src[64], dst[128], want[128];
	struct dma_interleaved_template *xt = xt_alloc(2);

	(void)state;
	xt->src_inc = false;
	xt->numf = 4;
	xt->sgl[0] = (struct data_chunk){ .size = 6, .dst_icg = 2, .src_icg = 5 };
	xt->sgl[1] = (struct data_chunk){ .size = 4, .icg = 3, .src_icg = 9 };
	fill_pat(src, sizeof(src), 5);
	fill_pat(dst, sizeof(dst), 6);
	fill_pat(want, sizeof(want), 6);
	for (int f = 0; f < 4; f++) {
		memcpy(want + 15 * f, src, 6);
		memcpy(want + 15 * f + 8, src, 4);
	}
	run_one(xt_prep(xt, dst, src));
	compare(dst, want, sizeof(dst), "src_inc false");
	fill_pat(want, sizeof(want), 5);
	compare(src, want, sizeof(src), "src_inc false: source");
	assert_no_log();
	free(xt);
}

/*
 * dst_inc false: every chunk lands at dst_start, the last one wins; no byte
 * beyond the largest chunk is written.
 */
static void test_xt_dst_fixed(void **state)
{
	static uint8_t src[256], dst[64], want[64];
	struct dma_interleaved_template *xt = xt_alloc(1);

	(void)state;
	xt->dst_inc = false;
	xt->numf = 5;
	xt->sgl[0] = (struct data_chunk){ .size = 8, .icg = 24, .dst_icg = 3 };
	fill_pat(src, sizeof(src), 7);
	fill_pat(dst, sizeof(dst), 8);
	fill_pat(want, sizeof(want), 8);
	memcpy(want, src + 4 * 32, 8); /* frame 4 of a 32-byte source stride */
	run_one(xt_prep(xt, dst, src));
	compare(dst, want, sizeof(dst), "dst_inc false");
	assert_no_log();
	free(xt);
}

/*
 * *_sgl false: the shared icg does not apply to that side. With src_sgl and
 * !dst_sgl, rows spaced 8 + 4 apart in the source are packed in the
 * destination. A per-side dst_icg still applies with dst_sgl false (the
 * kernel's dmaengine_get_dst_icg()), and src_sgl false ignores icg on the
 * source side while dst_sgl spaces the destination.
 */
static void test_xt_sgl_false(void **state)
{
	static uint8_t src[256], dst[256], want[256];
	struct dma_interleaved_template *xt = xt_alloc(1);

	(void)state;
	fill_pat(src, sizeof(src), 9);
	xt->numf = 5;

	/* icg 4 applies to the source only */
	xt->dst_sgl = false;
	xt->sgl[0] = (struct data_chunk){ .size = 8, .icg = 4 };
	fill_pat(dst, sizeof(dst), 10);
	fill_pat(want, sizeof(want), 10);
	for (int f = 0; f < 5; f++)
		memcpy(want + 8 * f, src + 12 * f, 8);
	run_one(xt_prep(xt, dst, src));
	compare(dst, want, sizeof(dst), "dst_sgl false: destination packed");

	/* dst_icg is honoured even with dst_sgl false */
	xt->sgl[0].dst_icg = 3;
	fill_pat(dst, sizeof(dst), 10);
	fill_pat(want, sizeof(want), 10);
	for (int f = 0; f < 5; f++)
		memcpy(want + 11 * f, src + 12 * f, 8);
	run_one(xt_prep(xt, dst, src));
	compare(dst, want, sizeof(dst), "dst_sgl false, dst_icg 3");

	/* the mirror image: source packed, destination spaced by icg */
	xt->dst_sgl = true;
	xt->src_sgl = false;
	xt->sgl[0] = (struct data_chunk){ .size = 8, .icg = 4 };
	fill_pat(dst, sizeof(dst), 10);
	fill_pat(want, sizeof(want), 10);
	for (int f = 0; f < 5; f++)
		memcpy(want + 12 * f, src + 8 * f, 8);
	run_one(xt_prep(xt, dst, src));
	compare(dst, want, sizeof(dst), "src_sgl false: source packed");
	assert_no_log();
	free(xt);
}

/* No gap anywhere and both sides advance: one contiguous copy. */
static void test_xt_gapless(void **state)
{
	static uint8_t src[4096], dst[4096 + 64], want[4096 + 64];
	struct dma_interleaved_template *xt = xt_alloc(3);

	(void)state;
	xt->numf = 100;
	xt->sgl[0].size = 10;
	xt->sgl[1].size = 0; /* an empty chunk is allowed */
	xt->sgl[2].size = 30;
	fill_pat(src, sizeof(src), 11);
	fill_pat(dst, sizeof(dst), 12);
	fill_pat(want, sizeof(want), 12);
	memcpy(want, src, 4000);
	run_one(xt_prep(xt, dst, src));
	compare(dst, want, sizeof(dst), "gapless template");
	assert_no_log();
	free(xt);
}

/* Random templates (flags, chunk sizes, every kind of gap) against ref_interleaved. */
static void test_xt_random(void **state)
{
	enum { AR = 32 << 10 };
	uint8_t *src = malloc(AR), *dst = malloc(AR), *want = malloc(AR);
	struct dma_interleaved_template *xt = xt_alloc(MAX_CHUNKS);

	(void)state;
	assert_non_null(src);
	assert_non_null(dst);
	assert_non_null(want);
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t salt = rnd();
		char what[64];

		xt->frame_size = rnd_range(1, MAX_CHUNKS);
		xt->numf = rnd_range(1, 32);
		xt->src_inc = rnd() % 4 != 0;
		xt->dst_inc = rnd() % 4 != 0;
		xt->src_sgl = rnd() % 2;
		xt->dst_sgl = rnd() % 2;
		for (size_t k = 0; k < xt->frame_size; k++) {
			struct data_chunk *ch = &xt->sgl[k];

			ch->size = rnd_range(k ? 0 : 1, 48);
			ch->icg = rnd() % 2 ? rnd_range(0, 40) : 0;
			ch->src_icg = rnd() % 2 ? rnd_range(0, 40) : 0;
			ch->dst_icg = rnd() % 2 ? rnd_range(0, 40) : 0;
		}
		fill_pat(src, AR, salt);
		fill_pat(dst, AR, ~salt);
		fill_pat(want, AR, ~salt);
		ref_interleaved(want, src, xt);
		run_one(xt_prep(xt, dst, src));
		snprintf(what, sizeof(what), "random template %d", round);
		compare(dst, want, AR, what);
		fill_pat(want, AR, salt);
		compare(src, want, AR, what);
	}
	assert_no_log();
	free(xt);
	free(src);
	free(dst);
	free(want);
}

/* Refused templates: NULL, a log line, no descriptor taken. */
static void test_xt_refused(void **state)
{
	static const enum dma_transfer_direction dirs[] = { DMA_MEM_TO_DEV, DMA_DEV_TO_MEM,
							    DMA_DEV_TO_DEV };
	static const char *const names[] = { "MEM_TO_DEV", "DEV_TO_MEM", "DEV_TO_DEV" };
	static uint8_t src[1024], dst[1024];
	struct dma_interleaved_template *xt = xt_alloc(MAX_CHUNKS + 1);

	(void)state;
	xt->numf = 2;
	xt->frame_size = 1;
	xt->sgl[0].size = 16;
	for (int i = 0; i < 3; i++) {
		xt->dir = dirs[i];
		assert_null(xt_prep(xt, dst, src));
		assert_logged(names[i]);
	}
	xt->dir = DMA_MEM_TO_MEM;
	/* a frame of more chunks than the provider keeps */
	xt->frame_size = MAX_CHUNKS + 1;
	for (int k = 0; k < MAX_CHUNKS + 1; k++)
		xt->sgl[k].size = 4;
	assert_null(xt_prep(xt, dst, src));
	assert_logged("chunks");
	xt->frame_size = 1;
	/* unmapped start on either side */
	assert_null(xt_prep(xt, dst, NULL));
	assert_logged("not mapped");
	assert_null(xt_prep(xt, NULL, src));
	assert_logged("not mapped");
	/* nothing to move */
	xt->sgl[0].size = 0;
	assert_null(xt_prep(xt, dst, src));
	assert_logged("no bytes");
	xt->sgl[0].size = 16;
	/* gaps that overflow the address space */
	xt->sgl[0].src_icg = SIZE_MAX - 8;
	assert_null(xt_prep(xt, dst, src));
	assert_logged("overflow");
	xt->sgl[0].src_icg = SIZE_MAX / 4;
	xt->numf = 8;
	assert_null(xt_prep(xt, dst, src));
	assert_logged("overflow");
	xt->sgl[0].src_icg = 0;
	/* empty templates and NULL (the core) */
	xt->numf = 0;
	assert_null(xt_prep(xt, dst, src));
	assert_logged("empty");
	xt->numf = 2;
	assert_null(dmaengine_prep_interleaved_dma(chan, NULL, DMA_CTRL_ACK));
	assert_logged("empty");

	assert_int_equal(free_descriptors(), POOL);
	/* the template still works once valid */
	run_one(xt_prep(xt, dst, src));
	assert_memory_equal(dst, src, 16);
	assert_no_log();
	free(xt);
}

/* One issue_pending batch of every operation, completed in order. */
static void test_mixed_batch(void **state)
{
	static uint8_t src[3][512], dst[3][512], want[3][512];
	struct sgjob *j = jobs_alloc(2);
	struct dma_interleaved_template *xt = xt_alloc(1);
	struct dma_async_tx_descriptor *tx[8];
	dma_cookie_t c[8];
	long before = counter_get(&done);
	int n = 0;

	(void)state;
	for (int i = 0; i < 3; i++) {
		fill_pat(src[i], 512, 20u + (unsigned int)i);
		fill_pat(dst[i], 512, 40u + (unsigned int)i);
		fill_pat(want[i], 512, 40u + (unsigned int)i);
	}
	cb_reset();
	tx[n++] = dmaengine_prep_dma_memcpy(chan, map(dst[0], 300), map(src[0], 300), 300,
					    DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	memcpy(want[0], src[0], 300);
	job_layout(&j[0], 3000, 9, 4, false, false);
	tx[n++] = job_prep(&j[0], DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	tx[n++] = dmaengine_prep_dma_memset(chan, map(dst[1], 200), 0x3c, 200,
					    DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	memset(want[1], 0x3c, 200);
	xt->numf = 10;
	xt->sgl[0] = (struct data_chunk){ .size = 16, .src_icg = 16, .dst_icg = 32 };
	xt->dst_start = map(dst[2], 1);
	xt->src_start = map(src[2], 1);
	tx[n++] = dmaengine_prep_interleaved_dma(chan, xt, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	ref_interleaved(want[2], src[2], xt);
	job_layout(&j[1], 100000, 16, 13, false, false);
	tx[n++] = job_prep(&j[1], DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	for (int i = 0; i < n; i++)
		c[i] = submit_cb(tx[i], i, i % 2);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&done, before + n, TEST_DEADLINE_MS));
	for (int i = 0; i < n; i++) {
		assert_int_equal(dmaengine_tx_status(chan, c[i], NULL), DMA_COMPLETE);
		assert_int_equal(atomic_load(&cb_calls[i]), 1);
	}
	for (int i = 0; i < 3; i++)
		compare(dst[i], want[i], 512, "mixed batch: memcpy/memset/interleaved");
	job_verify(&j[0], "mixed batch: sg 1");
	job_verify(&j[1], "mixed batch: sg 2");
	assert_no_log();
	free(xt);
	jobs_free(j, 2);
}

/* ============================================================ terminate */

/*
 * A memcpy_sg of 31 x 32 MiB (the same buffers over and over: 992 MiB to
 * copy) followed by a last run into a small marker buffer, terminated 2 ms
 * after issue: DMA_ERROR, no callback, and - because the engine stops
 * between runs - the marker is never written. Then the channel still works.
 * (If the whole copy beat the terminate, which needs ~1 GiB in 2 ms, the
 * attempt is repeated.)
 */
static void test_sg_terminate_long_copy(void **state)
{
	const size_t big = (size_t)32 << 20;
	const unsigned int n = MAX_RUNS;
	uint8_t *s = malloc(big), *d = malloc(big);
	static uint8_t mark_src[4096], mark_dst[4096];
	static const uint8_t zero[4096];
	struct scatterlist ssg[MAX_RUNS], dsg[MAX_RUNS];
	struct sgjob *j;
	bool aborted = false;

	(void)state;
	assert_non_null(s);
	assert_non_null(d);
	memset(s, 0x5a, big);
	memset(d, 0, big);
	memset(mark_src, 0xa5, sizeof(mark_src));
	sg_init_table(ssg, n);
	sg_init_table(dsg, n);
	for (unsigned int i = 0; i < n - 1; i++) {
		sg_set_buf(&ssg[i], s, (unsigned int)big);
		sg_set_buf(&dsg[i], d, (unsigned int)big);
	}
	sg_set_buf(&ssg[n - 1], mark_src, sizeof(mark_src));
	sg_set_buf(&dsg[n - 1], mark_dst, sizeof(mark_dst));
	assert_int_equal(dma_map_sg(dev, ssg, (int)n, DMA_TO_DEVICE), (int)n);
	assert_int_equal(dma_map_sg(dev, dsg, (int)n, DMA_FROM_DEVICE), (int)n);

	for (int attempt = 0; attempt < 3 && !aborted; attempt++) {
		long before = counter_get(&done);
		uint64_t t0, t1, t2;
		enum dma_status st;
		dma_cookie_t c;

		memset(mark_dst, 0, sizeof(mark_dst));
		cb_reset();
		c = submit_cb(udma_prep_dma_memcpy_sg(chan, dsg, n, ssg, n,
						      DMA_PREP_INTERRUPT | DMA_CTRL_ACK), 0, false);
		t0 = now_ns();
		dma_async_issue_pending(chan);
		spin_us(2000);
		t1 = now_ns();
		assert_int_equal(dmaengine_terminate_async(chan), 0);
		dmaengine_synchronize(chan);
		t2 = now_ns();
		st = dmaengine_tx_status(chan, c, NULL);
		if (st == DMA_COMPLETE) {
			print_message("  attempt %d: the copy finished before the terminate "
				      "(%.1f ms)\n", attempt, (double)(t1 - t0) / 1e6);
			continue;
		}
		assert_int_equal(st, DMA_ERROR);
		/* no callback now, nor a little later */
		assert_false(counter_wait_ge(&done, before + 1, NO_EVENT_MS));
		assert_int_equal(atomic_load(&cb_calls[0]), 0);
		assert_memory_equal(mark_dst, zero, sizeof(mark_dst));
		print_message("  terminated after %.1f ms; synchronize returned %.2f ms later\n",
			      (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
		aborted = true;
	}
	assert_true(aborted);
	dma_unmap_sg(dev, ssg, (int)n, DMA_TO_DEVICE);
	dma_unmap_sg(dev, dsg, (int)n, DMA_FROM_DEVICE);
	free(s);
	free(d);

	/* the channel still works */
	j = jobs_alloc(1);
	job_layout(j, 20000, 7, 11, false, false);
	run_one(job_prep(j, DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
	job_verify(j, "after terminate");
	assert_no_log();
	jobs_free(j, 1);
}

/*
 * An interleaved transfer of 4096 frames of one 1 MiB chunk, neither side
 * advancing (4 GiB to move through 2 MiB of memory), terminated 2 ms after
 * issue: DMA_ERROR, no callback, and synchronize returns long before the
 * copy could have finished (measured against 64 frames run to completion).
 */
static void test_xt_terminate_long_copy(void **state)
{
	const size_t mib = (size_t)1 << 20;
	uint8_t *s = malloc(mib), *d = malloc(mib);
	struct dma_interleaved_template *xt = xt_alloc(1);
	uint64_t t64, t0;
	bool aborted = false;

	(void)state;
	assert_non_null(s);
	assert_non_null(d);
	memset(s, 0x77, mib);
	memset(d, 0, mib);
	xt->src_inc = false;
	xt->dst_inc = false;
	xt->sgl[0].size = mib;

	/* how long 64 frames take */
	xt->numf = 64;
	t0 = now_ns();
	run_one(xt_prep(xt, d, s));
	t64 = now_ns() - t0;
	assert_memory_equal(d, s, mib);

	xt->numf = 4096;
	for (int attempt = 0; attempt < 3 && !aborted; attempt++) {
		long before = counter_get(&done);
		uint64_t t1, t2;
		enum dma_status st;
		dma_cookie_t c;

		cb_reset();
		c = submit_cb(xt_prep(xt, d, s), 0, false);
		dma_async_issue_pending(chan);
		spin_us(2000);
		t1 = now_ns();
		assert_int_equal(dmaengine_terminate_async(chan), 0);
		dmaengine_synchronize(chan);
		t2 = now_ns();
		st = dmaengine_tx_status(chan, c, NULL);
		if (st == DMA_COMPLETE)
			continue;
		assert_int_equal(st, DMA_ERROR);
		assert_false(counter_wait_ge(&done, before + 1, NO_EVENT_MS));
		assert_int_equal(atomic_load(&cb_calls[0]), 0);
		print_message("  64 frames: %.2f ms; 4096 frames terminated, synchronize "
			      "returned after %.2f ms\n", (double)t64 / 1e6,
			      (double)(t2 - t1) / 1e6);
		/* the whole copy takes ~64 x t64: it must have stopped early */
		assert_true(t2 - t1 < 32 * t64);
		aborted = true;
	}
	assert_true(aborted);

	/* the channel still works */
	xt->numf = 3;
	xt->src_inc = xt->dst_inc = true;
	xt->sgl[0].size = 1000;
	xt->sgl[0].icg = 100;
	memset(d, 0, mib);
	fill_pat(s, mib, 99);
	run_one(xt_prep(xt, d, s));
	for (int f = 0; f < 3; f++)
		assert_memory_equal(d + 1100 * f, s + 1100 * f, 1000);
	assert_no_log();
	free(xt);
	free(s);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sg_random_cuts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sg_contiguous_entries_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sg_too_many_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sg_bad_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sg_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sg_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_2d_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_multi_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_src_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_dst_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_sgl_false, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_gapless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sg_terminate_long_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xt_terminate_long_copy, setup, teardown),
	};

	return cmocka_run_group_tests_name("sg", tests, group_setup, group_teardown);
}
