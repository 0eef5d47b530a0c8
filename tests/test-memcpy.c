/* SPDX-License-Identifier: MIT */
/*
 * test-memcpy.c - dmatest-style data verification on every sw-memcpy channel
 * at once, one thread per channel.
 *
 * Each thread runs batches of 1..32 descriptors per dma_async_issue_pending()
 * with random lengths and source/destination offsets, in three modes:
 * callback (DMA_PREP_INTERRUPT, wait for the callbacks), polled (no
 * DMA_PREP_INTERRUPT, poll dmaengine_tx_status) and dma_sync_wait. Buffers
 * use the kernel dmatest's PATTERN scheme so that corrupted bytes, bytes
 * copied from the wrong place and writes outside the requested region are
 * all told apart; the whole source and destination buffers are verified
 * (the source must be untouched, the destination outside the region too).
 * Some descriptors are memsets, verified the same way.
 *
 * Worker threads never assert: they count mismatches and keep the first few
 * messages; the main thread asserts after joining them.
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

/* dmatest's patterns */
#define PATTERN_SRC 0x80
#define PATTERN_DST 0x00
#define PATTERN_COPY 0x40
#define PATTERN_OVERWRITE 0x20
#define PATTERN_COUNT_MASK 0x1f
#define PATTERN_MEMSET_IDX 0x01

#define NCHANS 4
#define MAX_BATCH 32
#define BUF_SIZE 4096
/* batches per mode and thread (UDMA_MEMCPY_BATCHES overrides) */
#if defined(__SANITIZE_THREAD__)
#define DEFAULT_BATCHES 50 /* ThreadSanitizer checks every byte compared */
#else
#define DEFAULT_BATCHES 150
#endif

enum mode { MODE_CALLBACK, MODE_POLL, MODE_SYNC_WAIT, NR_MODES };

struct job {
	bool memset;
	uint8_t value;
	size_t src_off, dst_off, len;
	dma_cookie_t cookie;
	atomic_int callbacks;
	struct counter *done;
	uint8_t *src, *dst;
};

struct worker {
	struct dma_chan *chan;
	unsigned int seed;
	int batches;
	pthread_t thread;
	struct counter done;
	struct job jobs[MAX_BATCH];
	/* results, read by the main thread after join */
	long errors;
	long verified;
	long memsets;
	char msg[4][200];
	int nmsg;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void vnote(struct worker *w, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void vnote(struct worker *w, const char *fmt, va_list ap)
{
	if (w->nmsg < 4)
		vsnprintf(w->msg[w->nmsg++], sizeof(w->msg[0]), fmt, ap);
}

/* keep a message, do not count an error */
static void note(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(w, fmt, ap);
	va_end(ap);
}

/* count an error and keep its message */
static void report(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void report(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	w->errors++;
	va_start(ap, fmt);
	vnote(w, fmt, ap);
	va_end(ap);
}

static uint8_t inv(size_t i)
{
	return (uint8_t)(~i & PATTERN_COUNT_MASK);
}

/* dmatest_init_srcs / dmatest_init_dsts for one buffer pair */
static void init_bufs(struct job *j)
{
	for (size_t i = 0; i < BUF_SIZE; i++) {
		bool in_src = !j->memset && i >= j->src_off && i < j->src_off + j->len;
		bool in_dst = i >= j->dst_off && i < j->dst_off + j->len;

		j->src[i] = (uint8_t)(PATTERN_SRC | inv(i) | (in_src ? PATTERN_COPY : 0));
		j->dst[i] = (uint8_t)(PATTERN_DST | inv(i) | (in_dst ? PATTERN_OVERWRITE : 0));
	}
}

/* dmatest_verify for the whole source and destination of one job */
static void verify(struct worker *w, const struct job *j, int batch, int idx)
{
	long bad = 0;

	for (size_t i = 0; i < BUF_SIZE; i++) {
		bool in_src = !j->memset && i >= j->src_off && i < j->src_off + j->len;
		uint8_t want = (uint8_t)(PATTERN_SRC | inv(i) | (in_src ? PATTERN_COPY : 0));

		if (j->src[i] != want && bad++ < 1)
			note(w, "%s batch %d desc %d: src[%zu] = 0x%02x, want 0x%02x (untouched "
			       "source)", dma_chan_name(w->chan), batch, idx, i, j->src[i], want);
	}
	for (size_t i = 0; i < BUF_SIZE; i++) {
		bool in_dst = i >= j->dst_off && i < j->dst_off + j->len;
		uint8_t want;
		const char *what;

		if (!in_dst) {
			want = (uint8_t)(PATTERN_DST | inv(i));
			what = "outside the region";
		} else if (j->memset) {
			want = j->value;
			what = "memset";
		} else {
			size_t s = i - j->dst_off + j->src_off;

			want = (uint8_t)(PATTERN_SRC | PATTERN_COPY | inv(s));
			what = "copied";
		}
		if (j->dst[i] != want && bad++ < 2)
			note(w, "%s batch %d desc %d (%s src_off %zu dst_off %zu len %zu): "
			       "dst[%zu] = 0x%02x, want 0x%02x (%s)", dma_chan_name(w->chan),
			       batch, idx, j->memset ? "memset" : "memcpy", j->src_off,
			       j->dst_off, j->len, i, j->dst[i], want, what);
	}
	w->errors += bad; /* bad bytes */
	w->verified++;
}

static void job_callback(void *param)
{
	struct job *j = param;

	atomic_fetch_add(&j->callbacks, 1);
	counter_add(j->done, 1); /* last access to @j */
}

static void run_batch(struct worker *w, enum mode mode, int batch)
{
	struct device *dev = dmaengine_get_dma_device(w->chan);
	int n = 1 + (int)(rand_r(&w->seed) % MAX_BATCH);
	long done_before = counter_get(&w->done);
	int submitted = 0;

	for (int k = 0; k < n; k++) {
		struct job *j = &w->jobs[k];
		struct dma_async_tx_descriptor *tx;
		unsigned long flags = DMA_CTRL_ACK;
		dma_addr_t dst, src;

		j->memset = rand_r(&w->seed) % 5 == 0;
		j->len = 1 + rand_r(&w->seed) % BUF_SIZE;
		j->src_off = rand_r(&w->seed) % (BUF_SIZE - j->len + 1);
		j->dst_off = rand_r(&w->seed) % (BUF_SIZE - j->len + 1);
		/* memset value: the dmatest memset pattern, never a dst pattern */
		j->value = (uint8_t)(PATTERN_MEMSET_IDX | PATTERN_COPY | PATTERN_SRC |
				     (rand_r(&w->seed) & 0x1e));
		atomic_store(&j->callbacks, 0);
		j->done = &w->done;
		init_bufs(j);

		if (mode == MODE_CALLBACK)
			flags |= DMA_PREP_INTERRUPT;
		dst = dma_map_single(dev, j->dst + j->dst_off, j->len, DMA_FROM_DEVICE);
		if (j->memset) {
			tx = dmaengine_prep_dma_memset(w->chan, dst, j->value, j->len, flags);
		} else {
			src = dma_map_single(dev, j->src + j->src_off, j->len, DMA_TO_DEVICE);
			tx = dmaengine_prep_dma_memcpy(w->chan, dst, src, j->len, flags);
		}
		if (!tx) {
			report(w, "%s batch %d: prep %d failed", dma_chan_name(w->chan), batch, k);
			break;
		}
		if (mode == MODE_CALLBACK) {
			tx->callback = job_callback;
			tx->callback_param = j;
		}
		j->cookie = dmaengine_submit(tx);
		if (dma_submit_error(j->cookie)) {
			report(w, "%s batch %d: submit %d failed: %d", dma_chan_name(w->chan),
			       batch, k, j->cookie);
			break;
		}
		submitted++;
	}
	if (!submitted)
		return;

	switch (mode) {
	case MODE_CALLBACK:
		dma_async_issue_pending(w->chan);
		if (!counter_wait_ge(&w->done, done_before + submitted, TEST_DEADLINE_MS)) {
			report(w, "%s batch %d: %ld of %d callbacks within %u ms",
			       dma_chan_name(w->chan), batch, counter_get(&w->done) - done_before,
			       submitted, TEST_DEADLINE_MS);
			dmaengine_terminate_sync(w->chan);
			return;
		}
		break;
	case MODE_POLL: {
		uint64_t end = now_ns() + TEST_DEADLINE_MS * 1000000ull;

		dma_async_issue_pending(w->chan);
		for (int k = 0; k < submitted; k++) {
			while (dmaengine_tx_status(w->chan, w->jobs[k].cookie, NULL) ==
			       DMA_IN_PROGRESS && now_ns() < end)
				sched_yield();
		}
		break;
	}
	case MODE_SYNC_WAIT:
		/* issues and waits for the last; in-order completion covers the rest */
		if (dma_sync_wait(w->chan, w->jobs[submitted - 1].cookie) != DMA_COMPLETE)
			report(w, "%s batch %d: dma_sync_wait did not return DMA_COMPLETE",
			       dma_chan_name(w->chan), batch);
		break;
	default:
		break;
	}

	for (int k = 0; k < submitted; k++) {
		struct job *j = &w->jobs[k];
		struct dma_tx_state st;
		enum dma_status s = dmaengine_tx_status(w->chan, j->cookie, &st);
		int cbs = atomic_load(&j->callbacks);

		if (s != DMA_COMPLETE)
			report(w, "%s batch %d desc %d: status %d, want DMA_COMPLETE",
			       dma_chan_name(w->chan), batch, k, s);
		if (s == DMA_COMPLETE && st.residue != 0)
			report(w, "%s batch %d desc %d: residue %u after completion",
			       dma_chan_name(w->chan), batch, k, st.residue);
		if (cbs != (mode == MODE_CALLBACK ? 1 : 0))
			report(w, "%s batch %d desc %d: %d callbacks", dma_chan_name(w->chan),
			       batch, k, cbs);
		verify(w, j, batch, k);
		if (j->memset)
			w->memsets++;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int b = 0; b < w->batches * NR_MODES; b++)
		run_batch(w, (enum mode)(b % NR_MODES), b);
	/* nothing may be left running when the buffers are reused or freed */
	dmaengine_synchronize(w->chan);
	return NULL;
}

static struct worker workers[NCHANS];
static uint8_t *arena;

static void test_all_channels_concurrently(void **state)
{
	const char *env = getenv("UDMA_MEMCPY_BATCHES");
	int batches = env ? atoi(env) : DEFAULT_BATCHES;
	dma_cap_mask_t mask;
	long total = 0, memsets = 0;

	(void)state;
	if (batches <= 0)
		batches = DEFAULT_BATCHES;
	arena = malloc((size_t)NCHANS * MAX_BATCH * 2 * BUF_SIZE);
	assert_non_null(arena);
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	dma_cap_set(DMA_MEMSET, mask);
	for (int i = 0; i < NCHANS; i++) {
		struct worker *w = &workers[i];

		memset(w, 0, sizeof(*w));
		w->chan = dma_request_channel(mask, NULL, NULL);
		assert_non_null(w->chan);
		for (int k = 0; k < i; k++)
			assert_ptr_not_equal(w->chan, workers[k].chan);
		w->seed = 0x5eed0000u + (unsigned int)i;
		w->batches = batches;
		counter_init(&w->done);
		for (int k = 0; k < MAX_BATCH; k++) {
			uint8_t *base = arena + ((size_t)i * MAX_BATCH + (size_t)k) * 2 * BUF_SIZE;

			w->jobs[k].src = base;
			w->jobs[k].dst = base + BUF_SIZE;
		}
	}
	for (int i = 0; i < NCHANS; i++)
		assert_int_equal(pthread_create(&workers[i].thread, NULL, worker_main,
						&workers[i]), 0);
	for (int i = 0; i < NCHANS; i++)
		pthread_join(workers[i].thread, NULL);

	for (int i = 0; i < NCHANS; i++) {
		struct worker *w = &workers[i];

		for (int m = 0; m < w->nmsg; m++)
			print_message("  %s\n", w->msg[m]);
		total += w->verified;
		memsets += w->memsets;
	}
	print_message("  %d channels: %ld transfers verified (%ld memsets)\n", NCHANS, total,
		      memsets);
	for (int i = 0; i < NCHANS; i++) {
		assert_int_equal(workers[i].errors, 0);
		assert_true(workers[i].verified > 0);
		dma_release_channel(workers[i].chan);
		counter_destroy(&workers[i].done);
	}
	assert_true(memsets > 0);
	free(arena);
	arena = NULL;
}

/* The verifier itself must catch corruption: a tampered destination byte,
 * an untouched destination, a write outside the region. */
static void test_verifier_catches_errors(void **state)
{
	static uint8_t src[BUF_SIZE], dst[BUF_SIZE];
	struct worker w;
	struct job j;

	(void)state;
	memset(&w, 0, sizeof(w));
	memset(&j, 0, sizeof(j));
	j.src = src;
	j.dst = dst;
	j.src_off = 10;
	j.dst_off = 100;
	j.len = 50;
	init_bufs(&j);
	verify(&w, &j, 0, 0); /* nothing copied */
	assert_true(w.errors > 0);

	w.errors = 0;
	memcpy(dst + j.dst_off, src + j.src_off, j.len);
	verify(&w, &j, 0, 0);
	assert_int_equal(w.errors, 0);
	dst[j.dst_off + j.len] ^= 0x01; /* one byte past the end */
	verify(&w, &j, 0, 0);
	assert_int_equal(w.errors, 1);
	dst[j.dst_off + j.len] ^= 0x01;
	memcpy(dst + j.dst_off, src + j.src_off + 1, j.len); /* off by one source */
	verify(&w, &j, 0, 0);
	assert_true(w.errors > 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verifier_catches_errors),
		cmocka_unit_test(test_all_channels_concurrently),
	};

	setenv("UDMA_PROVIDER_OPTIONS", "sw-memcpy:pool=1024,channels=4", 1);
	return cmocka_run_group_tests_name("memcpy", tests, NULL, NULL);
}
