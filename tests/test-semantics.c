/* SPDX-License-Identifier: MIT */
/*
 * test-semantics.c - the behaviour libudmaengine defines where the kernel
 * leaves it open, checked against the real sw-memcpy provider:
 *  a. dmaengine_submit() only queues; dma_async_issue_pending() starts work.
 *  b. prep/submit/issue/tx_status/terminate_async work from a completion
 *     callback; descriptor pool exhaustion and reclaim (by completion,
 *     terminate and release).
 *  c. once dmaengine_terminate_async() returns no callback of an earlier
 *     descriptor starts (at most the one already running finishes); after
 *     dmaengine_synchronize() no callback runs; terminate in callback #k
 *     gives exactly k callbacks.
 *  d. blocking calls from a callback refuse instead of deadlocking.
 *  e. work issued after terminate_async (no synchronize) runs normally.
 *  f. aborted descriptors: no callback, DMA_ERROR; unknown cookies DMA_ERROR.
 *  g. every cookie ends exactly once, completed or aborted (random mix).
 * Also DMA_CTRL_REUSE, DMA_CTRL_ACK recycling, callback vs callback_result,
 * and memset.
 *
 * Callbacks never assert: they record into atomics/counters and the test
 * thread checks after a deadline wait. Everything a callback touches is
 * static, so a failed test's teardown (release = terminate + synchronize)
 * can run safely.
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

#include <udmaengine/dmaengine.h>

#include "test-util.h"
#include "log-capture.h"

/* Every channel of the test's sw-memcpy device has exactly this many. */
#define POOL 1024
#define NCHANS 4
#define NO_EVENT_MS 50u /* a bounded wait that must NOT see an event */

/* ------------------------------------------------------------ helpers */

static struct dma_chan *chan; /* the channel of the running test */

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

static dma_addr_t map(void *p, size_t len)
{
	return dma_map_single(dmaengine_get_dma_device(chan), p, len, DMA_BIDIRECTIONAL);
}

static struct dma_async_tx_descriptor *prep_copy(void *dst, const void *src, size_t len,
						 unsigned long flags)
{
	return dmaengine_prep_dma_memcpy(chan, map(dst, len), map((void *)src, len), len,
					 flags);
}

/* Poll @cookie until it is no longer in progress or @ms pass. */
static enum dma_status wait_status(struct dma_chan *c, dma_cookie_t cookie, unsigned int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000u;
	enum dma_status st;

	for (;;) {
		st = dmaengine_tx_status(c, cookie, NULL);
		if (st != DMA_IN_PROGRESS || now_ns() > end)
			return st;
		sched_yield();
	}
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

/* log capture: tests/log-capture.h */

/* --------------------------------------------------------------- fixture */

static struct dma_chan *request_memcpy(void)
{
	dma_cap_mask_t mask;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	return dma_request_channel(mask, NULL, NULL);
}

static int setup(void **state)
{
	(void)state;
	log_reset();
	chan = request_memcpy();
	return chan ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (chan)
		dma_release_channel(chan); /* terminate + synchronize + free */
	chan = NULL;
	return 0;
}

/* Release the test's channel and check the library had nothing to complain
 * about (e.g. "descriptors still in use when the pool is freed"). */
static void release_clean(void)
{
	dma_release_channel(chan);
	chan = NULL;
	if (log_count())
		log_dump();
	assert_int_equal(log_count(), 0);
}

/* ------------------------------------------------- shared callback state */

#define MAXD 1100

static struct counter cb_count;      /* callbacks finished */
static struct counter e_new_count;   /* test e: callbacks of the new work */
static struct counter res_count;     /* callback_result calls */
static atomic_int cb_inside;          /* a callback is running */
static atomic_int cb_seen[MAXD];      /* per descriptor: callbacks run */
static atomic_int cb_order_bad;       /* callbacks out of submission order */
static atomic_int cb_last_idx;
static atomic_int cb_err;             /* first error seen in a callback */
static atomic_uint cb_spin_us;        /* callbacks busy-wait this long */

static uint8_t *src_buf, *dst_buf;    /* MAXD slots of SLOT bytes */
#define SLOT 256

static void counter_zero(struct counter *c)
{
	pthread_mutex_lock(&c->lock);
	c->value = 0;
	pthread_mutex_unlock(&c->lock);
}

static void cb_state_reset(void)
{
	counter_zero(&cb_count);
	atomic_store(&cb_inside, 0);
	for (int i = 0; i < MAXD; i++)
		atomic_store(&cb_seen[i], 0);
	atomic_store(&cb_order_bad, 0);
	atomic_store(&cb_last_idx, -1);
	atomic_store(&cb_err, 0);
	atomic_store(&cb_spin_us, 0);
	memset(dst_buf, 0, (size_t)MAXD * SLOT);
	for (int i = 0; i < MAXD; i++)
		fill(src_buf + (size_t)i * SLOT, SLOT, (unsigned int)i + 1);
}

static void cb_record_err(int e)
{
	int zero = 0;

	atomic_compare_exchange_strong(&cb_err, &zero, e);
}

/* Common bookkeeping: entry, order check, optional slow body, exit. */
static void cb_enter(int idx)
{
	if (atomic_exchange(&cb_inside, 1))
		cb_record_err(-1000); /* two callbacks of one channel at once */
	if (idx > 0 && atomic_load(&cb_last_idx) >= idx)
		atomic_store(&cb_order_bad, 1);
	atomic_store(&cb_last_idx, idx);
	atomic_fetch_add(&cb_seen[idx], 1);
}

static void cb_leave(void)
{
	unsigned int us = atomic_load(&cb_spin_us);

	if (us)
		spin_us(us);
	atomic_store(&cb_inside, 0);
	counter_add(&cb_count, 1);
}

static void cb_plain(void *param)
{
	cb_enter((int)(intptr_t)param);
	cb_leave();
}

/* Submit copies 0..n-1 (slot i) with cb_plain; cookies into @cookies. */
static void submit_copies(int first, int n, dma_async_tx_callback cb, dma_cookie_t *cookies)
{
	for (int i = first; i < first + n; i++) {
		struct dma_async_tx_descriptor *tx;

		tx = prep_copy(dst_buf + (size_t)i * SLOT, src_buf + (size_t)i * SLOT, SLOT,
			       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		assert_non_null(tx);
		tx->callback = cb;
		tx->callback_param = (void *)(intptr_t)i;
		cookies[i] = dmaengine_submit(tx);
		assert_true(cookies[i] >= DMA_MIN_COOKIE);
	}
}

static bool slot_copied(int i)
{
	return !memcmp(dst_buf + (size_t)i * SLOT, src_buf + (size_t)i * SLOT, SLOT);
}

static bool slot_untouched(int i)
{
	static const uint8_t zero[SLOT];

	return !memcmp(dst_buf + (size_t)i * SLOT, zero, SLOT);
}

static dma_cookie_t cookies[MAXD];

static int group_setup(void **state)
{
	(void)state;
	src_buf = malloc((size_t)MAXD * SLOT);
	dst_buf = malloc((size_t)MAXD * SLOT);
	udma_set_log_fn(log_sink, NULL);
	counter_init(&cb_count);
	counter_init(&e_new_count);
	counter_init(&res_count);
	return src_buf && dst_buf ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	udma_set_log_fn(NULL, NULL);
	counter_destroy(&cb_count);
	counter_destroy(&e_new_count);
	counter_destroy(&res_count);
	free(src_buf);
	free(dst_buf);
	return 0;
}

/* ============================================================ a. submit */

/* Submitted work does not run before issue_pending; then all of it does. */
static void test_submit_only_queues(void **state)
{
	struct dma_tx_state ts;
	const int n = 16;

	(void)state;
	cb_state_reset();
	submit_copies(0, n, cb_plain, cookies);

	/* legitimately bounded: nothing may happen during this wait */
	assert_false(counter_wait_ge(&cb_count, 1, NO_EVENT_MS));
	for (int i = 0; i < n; i++) {
		assert_true(slot_untouched(i));
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], &ts), DMA_IN_PROGRESS);
		assert_int_equal(ts.used, cookies[n - 1]);
		assert_true(ts.last < cookies[0]);
	}

	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cb_count, n, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	for (int i = 0; i < n; i++) {
		assert_true(slot_copied(i));
		assert_int_equal(atomic_load(&cb_seen[i]), 1);
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], &ts), DMA_COMPLETE);
		assert_int_equal(ts.residue, 0);
	}
	assert_int_equal(atomic_load(&cb_order_bad), 0);
	assert_int_equal(atomic_load(&cb_err), 0);
	release_clean();
}

/* issue_pending starts what was submitted so far; later submits wait for
 * the next issue_pending. */
static void test_issue_takes_only_submitted(void **state)
{
	(void)state;
	cb_state_reset();
	submit_copies(0, 8, cb_plain, cookies);
	dma_async_issue_pending(chan);
	submit_copies(8, 8, cb_plain, cookies);
	assert_true(counter_wait_ge(&cb_count, 8, TEST_DEADLINE_MS));
	assert_false(counter_wait_ge(&cb_count, 9, NO_EVENT_MS));
	for (int i = 8; i < 16; i++) {
		assert_true(slot_untouched(i));
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_IN_PROGRESS);
	}
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cb_count, 16, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	for (int i = 0; i < 16; i++) {
		assert_true(slot_copied(i));
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_COMPLETE);
	}
	release_clean();
}

/* ======================================================= b. from callback */

#define CHAIN_N 300
static atomic_int chain_status_bad;

/* Copy i+1 is prepared, submitted and issued from copy i's callback. */
static void cb_chain(void *param)
{
	int i = (int)(intptr_t)param;
	struct dma_async_tx_descriptor *tx;
	struct dma_tx_state ts;

	cb_enter(i);
	/* our own cookie reads complete ("its callback has been started") */
	if (dmaengine_tx_status(chan, cookies[i], &ts) != DMA_COMPLETE)
		atomic_fetch_add(&chain_status_bad, 1);
	if (i + 1 < CHAIN_N) {
		tx = prep_copy(dst_buf + (size_t)(i + 1) * SLOT,
			       src_buf + (size_t)(i + 1) * SLOT, SLOT,
			       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		if (!tx) {
			cb_record_err(-ENOMEM);
		} else {
			tx->callback = cb_chain;
			tx->callback_param = (void *)(intptr_t)(i + 1);
			cookies[i + 1] = dmaengine_submit(tx);
			if (cookies[i + 1] < DMA_MIN_COOKIE)
				cb_record_err(cookies[i + 1]);
			dma_async_issue_pending(chan);
		}
	}
	cb_leave();
}

static void test_chain_from_callback(void **state)
{
	struct dma_async_tx_descriptor *tx;

	(void)state;
	cb_state_reset();
	atomic_store(&chain_status_bad, 0);
	tx = prep_copy(dst_buf, src_buf, SLOT, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	tx->callback = cb_chain;
	tx->callback_param = (void *)(intptr_t)0;
	cookies[0] = dmaengine_submit(tx);
	assert_true(cookies[0] >= DMA_MIN_COOKIE);
	dma_async_issue_pending(chan);

	assert_true(counter_wait_ge(&cb_count, CHAIN_N, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(atomic_load(&cb_err), 0);
	assert_int_equal(atomic_load(&chain_status_bad), 0);
	assert_int_equal(atomic_load(&cb_order_bad), 0);
	for (int i = 0; i < CHAIN_N; i++) {
		assert_int_equal(atomic_load(&cb_seen[i]), 1);
		assert_true(slot_copied(i));
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_COMPLETE);
	}
	/* cookies strictly increase */
	for (int i = 1; i < CHAIN_N; i++)
		assert_true(cookies[i] > cookies[i - 1]);
	release_clean();
}

/* Prep until NULL; return how many were prepared (bounded). */
static int prep_until_null(struct dma_async_tx_descriptor **out, int max, unsigned long flags)
{
	int n = 0;

	while (n < max) {
		struct dma_async_tx_descriptor *tx;

		tx = prep_copy(dst_buf, src_buf, 64, flags);
		if (!tx)
			break;
		if (out)
			out[n] = tx;
		n++;
	}
	return n;
}

static struct dma_async_tx_descriptor *descs[POOL + 8];

/* All descriptors prepared-but-not-submitted: prep fails at once; terminate
 * reclaims them; release reclaims them without complaint. */
static void test_pool_prepared_reclaimed(void **state)
{
	(void)state;
	cb_state_reset();
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	assert_null(prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK));

	assert_int_equal(dmaengine_terminate_async(chan), 0);
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);

	/* release with the whole pool prepared: reclaimed, nothing logged */
	release_clean();
	chan = request_memcpy();
	assert_non_null(chan);
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	release_clean();
}

/* All descriptors submitted / in flight: prep fails; after completion (no
 * callback: the cookie commit and the recycling are one step) they are all
 * back; likewise after terminate_sync of in-flight work. */
static void test_pool_inflight_reclaimed(void **state)
{
	dma_cookie_t last = 0;

	(void)state;
	cb_state_reset();
	for (int i = 0; i < POOL; i++) {
		struct dma_async_tx_descriptor *tx = prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK);

		assert_non_null(tx);
		last = dmaengine_submit(tx);
		assert_true(last >= DMA_MIN_COOKIE);
	}
	assert_null(prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK)); /* all queued */
	dma_async_issue_pending(chan);
	assert_int_equal(wait_status(chan, last, TEST_DEADLINE_MS), DMA_COMPLETE);
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);

	/* in flight then terminated */
	for (int i = 0; i < POOL; i++) {
		struct dma_async_tx_descriptor *tx = prep_copy(dst_buf, src_buf, SLOT, DMA_CTRL_ACK);

		assert_non_null(tx);
		assert_true(dmaengine_submit(tx) >= DMA_MIN_COOKIE);
		if (i % 100 == 99)
			dma_async_issue_pending(chan);
	}
	dma_async_issue_pending(chan);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	release_clean();
}

/* With callbacks: after the callbacks and a synchronize the pool is full. */
static void test_pool_after_callbacks(void **state)
{
	(void)state;
	cb_state_reset();
	submit_copies(0, MAXD < POOL ? MAXD : POOL, cb_plain, cookies);
	assert_null(prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK));
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cb_count, POOL, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	release_clean();
}

/* ===================================================== c. terminate bound */

/* From the main thread: after terminate_async returns at most one more
 * callback (the one running) completes; after synchronize none runs. */
static void test_terminate_async_bound(void **state)
{
	const int n = 500;
	bool stopped = false;

	(void)state;
	/* a loaded machine may finish all 500 before the terminate: retry */
	for (int attempt = 0; attempt < 5 && !stopped; attempt++) {
		long before, after_sync, entered = 0;

		cb_state_reset();
		atomic_store(&cb_spin_us, 20);
		submit_copies(0, n, cb_plain, cookies);
		dma_async_issue_pending(chan);
		assert_true(counter_wait_ge(&cb_count, 20, TEST_DEADLINE_MS));

		assert_int_equal(dmaengine_terminate_async(chan), 0);
		before = counter_get(&cb_count);
		for (int i = 0; i < n; i++)
			entered += atomic_load(&cb_seen[i]);
		/* already final, before any synchronize */
		for (int i = 0; i < n; i++)
			assert_int_not_equal(dmaengine_tx_status(chan, cookies[i], NULL),
					     DMA_IN_PROGRESS);
		dmaengine_synchronize(chan);
		assert_int_equal(atomic_load(&cb_inside), 0);
		after_sync = counter_get(&cb_count);
		print_message("  terminated after %ld callbacks (%ld entered), %ld after "
			      "synchronize\n", before, entered, after_sync);
		/* at most the one running (or committed) when terminate returned */
		assert_true(after_sync - before <= 1);
		stopped = after_sync < n;

		/* nothing more, ever */
		assert_false(counter_wait_ge(&cb_count, after_sync + 1, NO_EVENT_MS));
		assert_int_equal(atomic_load(&cb_inside), 0);
		assert_int_equal(atomic_load(&cb_err), 0);

		/* the called back ones are exactly the first after_sync, all
		 * complete; the others read DMA_ERROR and got no callback */
		for (int i = 0; i < n; i++) {
			enum dma_status st = dmaengine_tx_status(chan, cookies[i], NULL);

			if (i < after_sync) {
				assert_int_equal(atomic_load(&cb_seen[i]), 1);
				assert_int_equal(st, DMA_COMPLETE);
				assert_true(slot_copied(i));
			} else {
				assert_int_equal(atomic_load(&cb_seen[i]), 0);
				assert_int_equal(st, DMA_ERROR);
			}
		}
	}
	assert_true(stopped); /* the terminate did stop something */
	release_clean();
}

/* Many rounds, terminating at varying points: synchronize always leaves no
 * callback running and the count frozen. */
static void test_synchronize_quiesces(void **state)
{
	(void)state;
	for (int round = 0; round < 20; round++) {
		long before, after;
		const int n = 64;

		cb_state_reset();
		atomic_store(&cb_spin_us, 10);
		submit_copies(0, n, cb_plain, cookies);
		dma_async_issue_pending(chan);
		if (round % 4)
			assert_true(counter_wait_ge(&cb_count, round % 17, TEST_DEADLINE_MS));
		assert_int_equal(dmaengine_terminate_async(chan), 0);
		before = counter_get(&cb_count);
		dmaengine_synchronize(chan);
		assert_int_equal(atomic_load(&cb_inside), 0);
		after = counter_get(&cb_count);
		assert_true(after - before <= 1);
		for (int i = 0; i < n; i++) {
			enum dma_status st = dmaengine_tx_status(chan, cookies[i], NULL);

			assert_int_equal(atomic_load(&cb_seen[i]), i < after ? 1 : 0);
			assert_int_equal(st, i < after ? DMA_COMPLETE : DMA_ERROR);
		}
		assert_int_equal(counter_get(&cb_count), after);
	}
	release_clean();
}

static atomic_int term_at;   /* callback index that terminates */
static atomic_int term_ret;

static void cb_terminate_at(void *param)
{
	int i = (int)(intptr_t)param;

	cb_enter(i);
	if (i == atomic_load(&term_at))
		atomic_store(&term_ret, dmaengine_terminate_async(chan));
	cb_leave();
}

/* terminate_async in callback #k (1-based) -> exactly k callbacks. */
static void test_terminate_in_callback_exact(void **state)
{
	static const int ks[] = { 1, 2, 31, 32, 33, 63, 64, 65, 100, 150 };
	const int n = 160;

	(void)state;
	for (size_t r = 0; r < sizeof(ks) / sizeof(ks[0]); r++) {
		int k = ks[r];

		cb_state_reset();
		atomic_store(&term_at, k - 1);
		atomic_store(&term_ret, 1);
		submit_copies(0, n, cb_terminate_at, cookies);
		dma_async_issue_pending(chan);
		assert_true(counter_wait_ge(&cb_count, k, TEST_DEADLINE_MS));
		assert_false(counter_wait_ge(&cb_count, k + 1, NO_EVENT_MS));
		dmaengine_synchronize(chan);
		assert_int_equal(atomic_load(&term_ret), 0);
		assert_int_equal(counter_get(&cb_count), k);
		for (int i = 0; i < n; i++) {
			enum dma_status st = dmaengine_tx_status(chan, cookies[i], NULL);

			if (atomic_load(&cb_seen[i]) != (i < k) || st != (i < k ? DMA_COMPLETE : DMA_ERROR))
				print_message("  k=%d: descriptor %d: %d callbacks, status %d\n", k,
					      i, atomic_load(&cb_seen[i]), st);
			assert_int_equal(atomic_load(&cb_seen[i]), i < k ? 1 : 0);
			assert_int_equal(st, i < k ? DMA_COMPLETE : DMA_ERROR);
			if (i < k)
				assert_true(slot_copied(i));
		}
		assert_int_equal(atomic_load(&cb_err), 0);
	}
	release_clean();
}

/* ================================================ d. blocking in callback */

static atomic_int d_terminate_sync_ret;
static atomic_int d_sync_wait_ret;
static atomic_int d_request_ret;
static atomic_int d_in_ctx;
static atomic_int d_after_release_held;

static void cb_blocking_calls(void *param)
{
	struct dma_chan *other;

	cb_enter((int)(intptr_t)param);
	atomic_store(&d_in_ctx, udma_in_completion_context());
	atomic_store(&d_terminate_sync_ret, dmaengine_terminate_sync(chan));
	dmaengine_synchronize(chan); /* must return without waiting for itself */
	dma_release_channel(chan);   /* refused */
	atomic_store(&d_after_release_held, chan->client_count);
	atomic_store(&d_sync_wait_ret, (int)dma_sync_wait(chan, cookies[0]));
	other = request_memcpy();
	atomic_store(&d_request_ret, other ? 1 : 0);
	if (other)
		cb_record_err(-EEXIST); /* cannot release it here; leaks a channel */
	cb_leave();
}

static void test_blocking_calls_from_callback(void **state)
{
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t c;

	(void)state;
	cb_state_reset();
	atomic_store(&d_terminate_sync_ret, 1);
	atomic_store(&d_sync_wait_ret, -1);
	atomic_store(&d_request_ret, -1);
	/* #0 makes the blocking calls; #1..#9 must be aborted by its terminate */
	submit_copies(0, 1, cb_blocking_calls, cookies);
	submit_copies(1, 9, cb_plain, cookies);
	dma_async_issue_pending(chan);

	assert_true(counter_wait_ge(&cb_count, 1, TEST_DEADLINE_MS));
	assert_false(counter_wait_ge(&cb_count, 2, NO_EVENT_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(atomic_load(&d_in_ctx), 1);
	assert_int_equal(atomic_load(&d_terminate_sync_ret), -EDEADLK);
	assert_int_equal(atomic_load(&d_sync_wait_ret), DMA_ERROR);
	assert_int_equal(atomic_load(&d_request_ret), 0);
	assert_int_equal(atomic_load(&d_after_release_held), 1);
	assert_int_equal(atomic_load(&cb_err), 0);
	/* the terminate in the callback did terminate */
	assert_int_equal(dmaengine_tx_status(chan, cookies[0], NULL), DMA_COMPLETE);
	for (int i = 1; i < 10; i++) {
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_ERROR);
		assert_int_equal(atomic_load(&cb_seen[i]), 0);
	}
	/* each refusal was logged, by the function refusing */
	assert_true(log_count_func("dmaengine_terminate_sync") >= 1);
	assert_true(log_count_func("dmaengine_synchronize") >= 1);
	assert_true(log_count_func("dma_release_channel") >= 1);
	assert_true(log_count_func("dma_sync_wait") >= 1);

	/* the channel is still ours and works */
	assert_int_equal(chan->client_count, 1);
	tx = prep_copy(dst_buf + 20 * SLOT, src_buf + 20 * SLOT, SLOT, DMA_CTRL_ACK);
	assert_non_null(tx);
	c = dmaengine_submit(tx);
	assert_true(c >= DMA_MIN_COOKIE);
	assert_int_equal(dma_sync_wait(chan, c), DMA_COMPLETE);
	assert_true(slot_copied(20));
	log_reset();
	release_clean();
}

/* ================================================ e. issue after terminate */

static void cb_new(void *param)
{
	(void)param;
	counter_add(&e_new_count, 1);
}

/* submit a second batch (slots first..first+n-1) counted in e_new_count */
static void submit_new_batch(int first, int n, bool from_cb)
{
	for (int i = first; i < first + n; i++) {
		struct dma_async_tx_descriptor *tx;

		tx = prep_copy(dst_buf + (size_t)i * SLOT, src_buf + (size_t)i * SLOT, SLOT,
			       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		if (!tx) {
			if (from_cb)
				cb_record_err(-ENOMEM);
			else
				fail_msg("prep failed");
			return;
		}
		tx->callback = cb_new;
		cookies[i] = dmaengine_submit(tx);
		if (cookies[i] < DMA_MIN_COOKIE) {
			if (from_cb)
				cb_record_err(cookies[i]);
			else
				fail_msg("submit failed");
		}
	}
	dma_async_issue_pending(chan);
}

static void check_old_batch(int n)
{
	for (int i = 0; i < n; i++) {
		enum dma_status st = dmaengine_tx_status(chan, cookies[i], NULL);

		assert_true(st == DMA_COMPLETE || st == DMA_ERROR);
		assert_int_equal(atomic_load(&cb_seen[i]), st == DMA_COMPLETE ? 1 : 0);
		if (st == DMA_COMPLETE)
			assert_true(slot_copied(i));
	}
}

static void check_new_batch(int first, int n)
{
	for (int i = first; i < first + n; i++) {
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_COMPLETE);
		assert_true(slot_copied(i));
	}
}

static void test_issue_after_terminate_async(void **state)
{
	(void)state;
	for (int round = 0; round < 200; round++) {
		int old = 1 + round % 40, fresh = 1 + (round * 7) % 33;

		cb_state_reset();
		counter_zero(&e_new_count);
		submit_copies(0, old, cb_plain, cookies);
		if (round & 1)
			dma_async_issue_pending(chan);
		if ((round & 1) && round % 5 == 0)
			counter_wait_ge(&cb_count, round % 3, TEST_DEADLINE_MS);
		assert_int_equal(dmaengine_terminate_async(chan), 0);
		/* no synchronize: the new work must run */
		submit_new_batch(100, fresh, false);
		if (!counter_wait_ge(&e_new_count, fresh, TEST_DEADLINE_MS))
			fail_msg("round %d: only %ld of %d new transfers called back", round,
				 counter_get(&e_new_count), fresh);
		for (int i = 100; i < 100 + fresh; i++)
			assert_int_equal(wait_status(chan, cookies[i], TEST_DEADLINE_MS),
					 DMA_COMPLETE);
		dmaengine_synchronize(chan);
		check_old_batch(old);
		check_new_batch(100, fresh);
		assert_int_equal(counter_get(&e_new_count), fresh);
	}
	release_clean();
}

static atomic_int e_fresh;

/* callback #term_at terminates and issues a new batch from the callback */
static void cb_terminate_and_reissue(void *param)
{
	int i = (int)(intptr_t)param;

	cb_enter(i);
	if (i == atomic_load(&term_at)) {
		if (dmaengine_terminate_async(chan))
			cb_record_err(-EINVAL);
		submit_new_batch(100, atomic_load(&e_fresh), true);
	}
	cb_leave();
}

static void test_issue_after_terminate_in_callback(void **state)
{
	(void)state;
	for (int round = 0; round < 100; round++) {
		int old = 2 + round % 50, fresh = 1 + (round * 5) % 32;
		int k = round % old;

		cb_state_reset();
		counter_zero(&e_new_count);
		atomic_store(&term_at, k);
		atomic_store(&e_fresh, fresh);
		submit_copies(0, old, cb_terminate_and_reissue, cookies);
		dma_async_issue_pending(chan);
		if (!counter_wait_ge(&e_new_count, fresh, TEST_DEADLINE_MS))
			fail_msg("round %d: only %ld of %d new transfers called back (err %d)",
				 round, counter_get(&e_new_count), fresh, atomic_load(&cb_err));
		dmaengine_synchronize(chan);
		assert_int_equal(atomic_load(&cb_err), 0);
		assert_int_equal(counter_get(&cb_count), k + 1);
		check_old_batch(old);
		for (int i = 0; i < old; i++)
			assert_int_equal(atomic_load(&cb_seen[i]), i <= k ? 1 : 0);
		check_new_batch(100, fresh);
	}
	release_clean();
}

/* ============================================================ f. aborted */

static void test_aborted_and_unknown_cookies(void **state)
{
	enum dma_status last;
	dma_cookie_t used;

	(void)state;
	cb_state_reset();
	submit_copies(0, 32, cb_plain, cookies);
	assert_int_equal(dmaengine_terminate_async(chan), 0);
	for (int i = 0; i < 32; i++)
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_ERROR);
	dma_async_issue_pending(chan); /* nothing left to start */
	assert_false(counter_wait_ge(&cb_count, 1, NO_EVENT_MS));
	dmaengine_synchronize(chan);
	for (int i = 0; i < 32; i++) {
		assert_true(slot_untouched(i));
		assert_int_equal(atomic_load(&cb_seen[i]), 0);
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_ERROR);
	}

	/* issued and running, then aborted: the aborted ones have no callback */
	cb_state_reset();
	atomic_store(&cb_spin_us, 50);
	submit_copies(0, 200, cb_plain, cookies);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cb_count, 1, TEST_DEADLINE_MS));
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	/* each ended once: completed with its callback, or aborted without.
	 * How many were aborted depends on the machine (under valgrind the
	 * engine may finish all 200 before the terminate). */
	check_old_batch(200);
	last = dmaengine_tx_status(chan, cookies[199], NULL);
	assert_int_equal(dma_async_is_tx_complete(chan, cookies[199], NULL, &used), last);
	assert_int_equal(used, cookies[199]);

	/* never handed out by this channel */
	assert_int_equal(dmaengine_tx_status(chan, used + 1, NULL), DMA_ERROR);
	assert_int_equal(dmaengine_tx_status(chan, used + 1000, NULL), DMA_ERROR);
	assert_int_equal(dmaengine_tx_status(chan, INT32_MAX, NULL), DMA_ERROR);
	assert_int_equal(dmaengine_tx_status(chan, DMA_MIN_COOKIE, NULL), DMA_ERROR);
	assert_int_equal(dmaengine_tx_status(chan, 0, NULL), DMA_ERROR);
	assert_int_equal(dmaengine_tx_status(chan, -EINVAL, NULL), DMA_ERROR);
	assert_int_equal(dmaengine_tx_status(NULL, cookies[0], NULL), DMA_ERROR);
	/* dma_sync_wait does not wait 5 s for what can never complete */
	uint64_t t0 = now_ns();
	assert_int_equal(dma_sync_wait(chan, cookies[199]), last);
	assert_int_equal(dma_sync_wait(chan, used + 1), DMA_ERROR);
	assert_true(now_ns() - t0 < 2500ull * 1000000ull); /* 5 s would be the timeout */
	log_reset(); /* the NULL channel was logged */
	release_clean();
}

/* A fresh channel has handed out nothing: every cookie is unknown. */
static void test_unknown_cookie_fresh_channel(void **state)
{
	struct dma_chan *c2;
	dma_cookie_t used;

	(void)state;
	c2 = request_memcpy();
	assert_non_null(c2);
	dma_async_is_tx_complete(c2, 0, NULL, &used);
	for (int d = 1; d < 5; d++)
		assert_int_equal(dmaengine_tx_status(c2, used + d, NULL), DMA_ERROR);
	dma_release_channel(c2);
	release_clean();
}

/* ====================================================== g. random mix */

#define G_MAX MAXD

static void test_random_mix_every_cookie_once(void **state)
{
	int n = 0, ops = 0;
	bool has_cb[G_MAX];
	unsigned int seed = 12345;

	(void)state;
	cb_state_reset();
	while (n < G_MAX - 40 && ops < 3000) {
		int r = rand_r(&seed) % 100;

		ops++;
		if (r < 45) {
			int k = 1 + rand_r(&seed) % 8;

			for (int j = 0; j < k && n < G_MAX - 40; j++) {
				struct dma_async_tx_descriptor *tx;
				unsigned long fl = DMA_CTRL_ACK;

				has_cb[n] = rand_r(&seed) % 4 != 0;
				if (has_cb[n])
					fl |= DMA_PREP_INTERRUPT;
				tx = prep_copy(dst_buf + (size_t)n * SLOT,
					       src_buf + (size_t)n * SLOT, SLOT, fl);
				if (!tx) { /* pool busy: let it drain */
					dmaengine_synchronize(chan);
					break;
				}
				if (has_cb[n]) {
					tx->callback = cb_plain;
					tx->callback_param = (void *)(intptr_t)n;
				}
				cookies[n] = dmaengine_submit(tx);
				assert_true(cookies[n] >= DMA_MIN_COOKIE);
				if (n)
					assert_true(cookies[n] > cookies[n - 1]);
				n++;
			}
		} else if (r < 65) {
			dma_async_issue_pending(chan);
		} else if (r < 72) {
			assert_int_equal(dmaengine_terminate_async(chan), 0);
		} else if (r < 75) {
			assert_int_equal(dmaengine_terminate_sync(chan), 0);
		} else if (r < 80) {
			dmaengine_synchronize(chan);
		} else if (r < 92) {
			/* issue and let the last one finish (or be aborted) */
			dma_async_issue_pending(chan);
			if (n)
				assert_int_not_equal(wait_status(chan, cookies[n - 1],
								 TEST_DEADLINE_MS),
						     DMA_IN_PROGRESS);
		} else {
			spin_us(50);
		}
	}
	/* let whatever is not aborted finish */
	dma_async_issue_pending(chan);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(wait_status(chan, cookies[i], TEST_DEADLINE_MS),
				     DMA_IN_PROGRESS);
	dmaengine_synchronize(chan);

	int completed = 0, aborted = 0;
	for (int i = 0; i < n; i++) {
		enum dma_status st = dmaengine_tx_status(chan, cookies[i], NULL);

		if (st == DMA_COMPLETE) {
			completed++;
			assert_true(slot_copied(i));
			assert_int_equal(atomic_load(&cb_seen[i]), has_cb[i] ? 1 : 0);
		} else {
			assert_int_equal(st, DMA_ERROR);
			aborted++;
			assert_int_equal(atomic_load(&cb_seen[i]), 0);
		}
	}
	print_message("  %d ops, %d cookies: %d completed, %d aborted\n", ops, n, completed,
		      aborted);
	assert_int_equal(completed + aborted, n);
	assert_true(completed > 0 && aborted > 0);
	assert_int_equal(atomic_load(&cb_order_bad), 0);
	assert_int_equal(atomic_load(&cb_err), 0);
	/* no callback after the fact */
	long cbs = counter_get(&cb_count);
	assert_false(counter_wait_ge(&cb_count, cbs + 1, NO_EVENT_MS));
	release_clean();
}

/* ================================================================ reuse */

/* Reusable descriptor without callback: resubmitted after each completion;
 * -EBUSY from desc_free and -EINVAL from a second submit while queued. */
static void test_reuse_resubmit(void **state)
{
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t c, prev = 0;

	(void)state;
	cb_state_reset();
	tx = prep_copy(dst_buf, src_buf, SLOT, DMA_CTRL_ACK);
	assert_non_null(tx);
	assert_int_equal(dmaengine_desc_set_reuse(tx), 0);
	assert_true(dmaengine_desc_test_reuse(tx));
	for (int r = 0; r < 10; r++) {
		fill(src_buf, SLOT, 1000u + (unsigned int)r);
		c = dmaengine_submit(tx);
		assert_true(c >= DMA_MIN_COOKIE);
		assert_true(c > prev);
		prev = c;
		assert_int_equal(dmaengine_submit(tx), -EINVAL); /* already queued */
		assert_int_equal(dmaengine_desc_free(tx), -EBUSY);
		dma_async_issue_pending(chan);
		assert_int_equal(wait_status(chan, c, TEST_DEADLINE_MS), DMA_COMPLETE);
		assert_true(slot_copied(0));
	}
	assert_int_equal(dmaengine_desc_free(tx), 0);
	log_reset(); /* the refusals above were logged */
	/* freeing returned it: the whole pool is available */
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	release_clean();
}

/* Reusable descriptor with a callback: after the callback and synchronize it
 * is resubmittable; an aborted reusable descriptor is resubmittable too. */
static void test_reuse_with_callback_and_abort(void **state)
{
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t c;

	(void)state;
	cb_state_reset();
	tx = prep_copy(dst_buf, src_buf, SLOT, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	assert_int_equal(dmaengine_desc_set_reuse(tx), 0);
	tx->callback = cb_plain;
	tx->callback_param = (void *)(intptr_t)0;
	for (int r = 0; r < 10; r++) {
		fill(src_buf, SLOT, 2000u + (unsigned int)r);
		c = dmaengine_submit(tx);
		assert_true(c >= DMA_MIN_COOKIE);
		dma_async_issue_pending(chan);
		assert_true(counter_wait_ge(&cb_count, r + 1, TEST_DEADLINE_MS));
		dmaengine_synchronize(chan);
		assert_int_equal(dmaengine_tx_status(chan, c, NULL), DMA_COMPLETE);
		assert_true(slot_copied(0));
	}
	assert_int_equal(atomic_load(&cb_seen[0]), 10);

	/* aborted before issue: DMA_ERROR, no callback, then reusable again */
	c = dmaengine_submit(tx);
	assert_true(c >= DMA_MIN_COOKIE);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	assert_int_equal(dmaengine_tx_status(chan, c, NULL), DMA_ERROR);
	c = dmaengine_submit(tx);
	assert_true(c >= DMA_MIN_COOKIE);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cb_count, 11, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(dmaengine_tx_status(chan, c, NULL), DMA_COMPLETE);
	assert_int_equal(atomic_load(&cb_seen[0]), 11);
	assert_int_equal(dmaengine_desc_free(tx), 0);

	/* not reusable: the client may not free it */
	tx = prep_copy(dst_buf, src_buf, SLOT, DMA_CTRL_ACK);
	assert_non_null(tx);
	assert_int_equal(dmaengine_desc_free(tx), -EPERM);
	assert_int_equal(dmaengine_desc_free(NULL), -EINVAL);
	assert_int_equal(dmaengine_desc_set_reuse(NULL), -EINVAL);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	log_reset();
	release_clean();
}

static atomic_int gate_open;

static void cb_gated(void *param)
{
	uint64_t end = now_ns() + 5ull * 1000000000ull;

	cb_enter((int)(intptr_t)param);
	counter_add(&cb_count, 1); /* "entered" */
	while (!atomic_load(&gate_open) && now_ns() < end)
		sched_yield();
	atomic_store(&cb_inside, 0);
}

/*
 * Contract: a reusable descriptor "after it completes ... returns to the
 * prepared state and may be submitted again", and tx_status() reading
 * DMA_COMPLETE means completed. So once its cookie reads DMA_COMPLETE the
 * descriptor must be submittable, even while its callback is still running.
 */
static void test_reuse_resubmit_once_status_complete(void **state)
{
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t c, c2;

	(void)state;
	cb_state_reset();
	atomic_store(&gate_open, 0);
	tx = prep_copy(dst_buf, src_buf, SLOT, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	assert_int_equal(dmaengine_desc_set_reuse(tx), 0);
	tx->callback = cb_gated;
	tx->callback_param = (void *)(intptr_t)0;
	c = dmaengine_submit(tx);
	assert_true(c >= DMA_MIN_COOKIE);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cb_count, 1, TEST_DEADLINE_MS));
	assert_int_equal(dmaengine_tx_status(chan, c, NULL), DMA_COMPLETE);
	c2 = dmaengine_submit(tx); /* the callback is still running */
	atomic_store(&gate_open, 1);
	dmaengine_synchronize(chan);
	if (c2 >= DMA_MIN_COOKIE) {
		dma_async_issue_pending(chan);
		assert_true(counter_wait_ge(&cb_count, 2, TEST_DEADLINE_MS));
		dmaengine_synchronize(chan);
	}
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	assert_int_equal(dmaengine_desc_free(tx), 0);
	log_reset();
	assert_true(c2 >= DMA_MIN_COOKIE);
	release_clean();
}

/* ================================================================== ack */

/* Without DMA_CTRL_ACK completed descriptors are not recycled; once acked
 * they come back on the next completion pass. */
static void test_ack_required_for_recycling(void **state)
{
	struct dma_async_tx_descriptor *x;
	dma_cookie_t c = 0;

	(void)state;
	cb_state_reset();
	for (int i = 0; i < POOL - 1; i++) {
		descs[i] = prep_copy(dst_buf, src_buf, 64, 0); /* no ACK */
		assert_non_null(descs[i]);
		c = dmaengine_submit(descs[i]);
		assert_true(c >= DMA_MIN_COOKIE);
	}
	dma_async_issue_pending(chan);
	assert_int_equal(wait_status(chan, c, TEST_DEADLINE_MS), DMA_COMPLETE);
	/* still held for the client: only one descriptor is free */
	x = prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK);
	assert_non_null(x);
	assert_null(prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK));
	for (int i = 0; i < POOL - 1; i++) {
		assert_false(async_tx_test_ack(descs[i]));
		async_tx_ack(descs[i]);
	}
	/* the next completion pass recycles the acked ones */
	c = dmaengine_submit(x);
	assert_true(c >= DMA_MIN_COOKIE);
	dma_async_issue_pending(chan);
	assert_int_equal(wait_status(chan, c, TEST_DEADLINE_MS), DMA_COMPLETE);
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	release_clean();
}

/*
 * The whole pool completed without ACK, then the client acks everything
 * (the kernel's async_tx pattern). The client did its part; prep must work
 * again. (There is no descriptor left to trigger "the next completion pass".)
 */
static void test_ack_after_full_drain_recovers(void **state)
{
	dma_cookie_t c = 0;
	struct dma_async_tx_descriptor *tx = NULL;
	uint64_t end;

	(void)state;
	cb_state_reset();
	for (int i = 0; i < POOL; i++) {
		descs[i] = prep_copy(dst_buf, src_buf, 64, 0);
		assert_non_null(descs[i]);
		c = dmaengine_submit(descs[i]);
		assert_true(c >= DMA_MIN_COOKIE);
	}
	dma_async_issue_pending(chan);
	assert_int_equal(wait_status(chan, c, TEST_DEADLINE_MS), DMA_COMPLETE);
	assert_null(prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK));
	for (int i = 0; i < POOL; i++)
		async_tx_ack(descs[i]);
	dma_async_issue_pending(chan); /* in case it helps: nothing to issue */
	end = now_ns() + 1000ull * 1000000ull;
	while (!tx && now_ns() < end) {
		tx = prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK);
		if (!tx)
			sched_yield();
	}
	assert_non_null(tx);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	release_clean();
}

/* ======================================== callback kinds, memset, status */

static atomic_int res_result, res_residue, res_param_ok, res_plain_called;

static void cb_result(void *param, const struct dmaengine_result *r)
{
	atomic_store(&res_result, (int)r->result);
	atomic_store(&res_residue, (int)r->residue);
	atomic_store(&res_param_ok, param == (void *)&res_count);
	counter_add(&res_count, 1);
}

static void cb_not_expected(void *param)
{
	(void)param;
	atomic_store(&res_plain_called, 1);
}

static void test_callback_result(void **state)
{
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t c;

	(void)state;
	cb_state_reset();
	counter_zero(&res_count);
	atomic_store(&res_result, -1);
	atomic_store(&res_residue, -1);
	atomic_store(&res_param_ok, 0);
	atomic_store(&res_plain_called, 0);

	/* callback_result only */
	tx = prep_copy(dst_buf, src_buf, SLOT, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	tx->callback_result = cb_result;
	tx->callback_param = &res_count;
	c = dmaengine_submit(tx);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&res_count, 1, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(atomic_load(&res_result), DMA_TRANS_NOERROR);
	assert_int_equal(atomic_load(&res_residue), 0);
	assert_int_equal(atomic_load(&res_param_ok), 1);
	assert_int_equal(dmaengine_tx_status(chan, c, NULL), DMA_COMPLETE);
	assert_true(slot_copied(0));

	/* both set: callback_result wins, callback is not called */
	atomic_store(&res_result, -1);
	atomic_store(&res_residue, -1);
	tx = prep_copy(dst_buf + SLOT, src_buf + SLOT, SLOT, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	tx->callback_result = cb_result;
	tx->callback = cb_not_expected;
	tx->callback_param = &res_count;
	c = dmaengine_submit(tx);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&res_count, 2, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(atomic_load(&res_plain_called), 0);
	assert_int_equal(atomic_load(&res_result), DMA_TRANS_NOERROR);
	assert_int_equal(atomic_load(&res_residue), 0);
	assert_true(slot_copied(1));

	/* plain callback with its param */
	submit_copies(5, 1, cb_plain, cookies);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cb_count, 1, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(atomic_load(&cb_seen[5]), 1);
	assert_true(slot_copied(5));
	release_clean();
}

static void test_memset(void **state)
{
	static const struct { size_t off, len; int value; } cases[] = {
		{ 0, 1, 0x00 }, { 1, 7, 0xff }, { 13, 100, 0x5a }, { 0, 4096, 0x1a5 },
		{ 4095, 1, 0x80 }, { 100, 3000, -1 },
	};
	uint8_t *buf = dst_buf;
	const size_t total = 8192;
	dma_cookie_t c;

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct dma_async_tx_descriptor *tx;
		size_t guard = 64;

		memset(buf, 0x33, total);
		tx = dmaengine_prep_dma_memset(chan, map(buf + guard + cases[k].off, cases[k].len),
					       cases[k].value, cases[k].len, DMA_CTRL_ACK);
		assert_non_null(tx);
		c = dmaengine_submit(tx);
		assert_true(c >= DMA_MIN_COOKIE);
		assert_int_equal(dma_sync_wait(chan, c), DMA_COMPLETE);
		for (size_t i = 0; i < total; i++) {
			size_t a = guard + cases[k].off, b = a + cases[k].len;
			uint8_t want = (i >= a && i < b) ? (uint8_t)(cases[k].value & 0xff) : 0x33;

			if (buf[i] != want)
				fail_msg("case %zu: byte %zu is 0x%02x, want 0x%02x", k, i, buf[i],
					 want);
		}
	}
	release_clean();
}


/* ====================================== synchronize and engine memory use */

/*
 * "dmaengine_synchronize - wait until ... the engine no longer touches
 * memory of descriptors terminated before the call": terminate a large copy
 * while it runs; after synchronize the destination is never written again.
 */
static void test_synchronize_stops_memory_access(void **state)
{
	const size_t big = (size_t)32 << 20;
	uint8_t *s, *d;
	dma_cookie_t c;
	struct dma_async_tx_descriptor *tx;
	uint64_t end;
	size_t dirty = 0;
	int aborted = 0;

	(void)state;
	s = malloc(big);
	d = calloc(1, big);
	assert_non_null(s);
	assert_non_null(d);
	memset(s, 0xa5, big);
	for (int round = 0; round < 3; round++) {
		tx = dmaengine_prep_dma_memcpy(chan, map(d, big), map(s, big), big, DMA_CTRL_ACK);
		assert_non_null(tx);
		c = dmaengine_submit(tx);
		assert_true(c >= DMA_MIN_COOKIE);
		dma_async_issue_pending(chan);
		/* let the copy get going (reading d now would race with it) */
		spin_us(200u << (2 * round)); /* 0.2, 0.8, 3.2 ms */
		assert_int_equal(dmaengine_terminate_async(chan), 0);
		dmaengine_synchronize(chan);
		/* DMA_COMPLETE if the copy beat the terminate, else aborted */
		enum dma_status st = dmaengine_tx_status(chan, c, NULL);
		assert_true(st == DMA_COMPLETE || st == DMA_ERROR);
		aborted += st == DMA_ERROR;
		memset(d, 0, big);
		/* bounded wait that must see nothing: the engine is done with d */
		end = now_ns() + NO_EVENT_MS * 1000000ull;
		while (now_ns() < end)
			sched_yield();
		for (size_t i = 0; i < big; i += 4096)
			if (d[i])
				dirty++;
		assert_int_equal(dirty, 0);
	}
	print_message("  %d of 3 large copies aborted while running\n", aborted);
	free(s);
	free(d);
	release_clean();
}

/* =================================================== cookie outcome window */

/*
 * "The outcome of the last 65536 cookies of a channel is remembered exactly;
 * older aborted cookies read DMA_COMPLETE."
 */
static void test_cookie_outcome_window(void **state)
{
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t aborted, done_c, c = 0;
	const int window = 65536;

	(void)state;
	tx = prep_copy(dst_buf, src_buf, 1, DMA_CTRL_ACK);
	assert_non_null(tx);
	aborted = dmaengine_submit(tx);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	tx = prep_copy(dst_buf, src_buf, 1, DMA_CTRL_ACK);
	assert_non_null(tx);
	done_c = dmaengine_submit(tx);
	assert_int_equal(dma_sync_wait(chan, done_c), DMA_COMPLETE);

	/* hand out cookies until @aborted is the oldest one remembered */
	while (c < aborted + window - 1) {
		int batch = 0;

		while (batch < 512 && c < aborted + window - 1) {
			tx = prep_copy(dst_buf, src_buf, 1, DMA_CTRL_ACK);
			assert_non_null(tx);
			c = dmaengine_submit(tx);
			assert_true(c >= DMA_MIN_COOKIE);
			batch++;
		}
		assert_int_equal(dma_sync_wait(chan, c), DMA_COMPLETE);
	}
	assert_int_equal(c, aborted + window - 1);
	assert_int_equal(dmaengine_tx_status(chan, aborted, NULL), DMA_ERROR);
	assert_int_equal(dmaengine_tx_status(chan, done_c, NULL), DMA_COMPLETE);
	/* one more: @aborted falls out of the window and reads complete */
	tx = prep_copy(dst_buf, src_buf, 1, DMA_CTRL_ACK);
	assert_non_null(tx);
	c = dmaengine_submit(tx);
	assert_int_equal(dma_sync_wait(chan, c), DMA_COMPLETE);
	assert_int_equal(dmaengine_tx_status(chan, aborted, NULL), DMA_COMPLETE);
	assert_int_equal(dmaengine_tx_status(chan, done_c, NULL), DMA_COMPLETE);
	release_clean();
}

/* ============================================================ ack + abort */

/*
 * DMA_CTRL_ACK not set: "not recycled until async_tx_ack()". That holds for
 * completed descriptors; an aborted one is the client's too - it may still
 * hold the pointer and ack it later - so terminate must not recycle it.
 */
static void test_ack_required_after_abort(void **state)
{
	struct dma_async_tx_descriptor *a, *x;
	dma_cookie_t c;

	(void)state;
	cb_state_reset();
	a = prep_copy(dst_buf, src_buf, 64, 0); /* no ACK */
	assert_non_null(a);
	c = dmaengine_submit(a);
	assert_true(c >= DMA_MIN_COOKIE);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	assert_int_equal(dmaengine_tx_status(chan, c, NULL), DMA_ERROR);
	/* @a is not acked: it must not have gone back to the pool */
	int n = prep_until_null(descs, POOL + 8, DMA_CTRL_ACK);
	bool a_reused = false;

	for (int i = 0; i < n; i++)
		if (descs[i] == a)
			a_reused = true;
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	if (n != POOL - 1 || a_reused)
		print_message("  %d descriptors free after aborting one unacked "
			      "(want %d); the unacked one was %s\n", n, POOL - 1,
			      a_reused ? "handed out again" : "kept");
	assert_false(a_reused);
	assert_int_equal(n, POOL - 1);
	/* acked: back after the next completion pass */
	async_tx_ack(a);
	x = prep_copy(dst_buf, src_buf, 64, DMA_CTRL_ACK);
	assert_non_null(x);
	c = dmaengine_submit(x);
	assert_int_equal(dma_sync_wait(chan, c), DMA_COMPLETE);
	assert_int_equal(prep_until_null(NULL, POOL + 8, DMA_CTRL_ACK), POOL);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	release_clean();
}

/* ================================================================= main */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_submit_only_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issue_takes_only_submitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_prepared_reclaimed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_inflight_reclaimed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_after_callbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terminate_async_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synchronize_quiesces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terminate_in_callback_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_calls_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issue_after_terminate_async, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issue_after_terminate_in_callback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_aborted_and_unknown_cookies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_cookie_fresh_channel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_mix_every_cookie_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse_resubmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse_with_callback_and_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse_resubmit_once_status_complete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ack_required_for_recycling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_after_full_drain_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synchronize_stops_memory_access, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cookie_outcome_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_required_after_abort, setup, teardown),
	};

	/* a known pool size, whatever the caller's environment says */
	setenv("UDMA_PROVIDER_OPTIONS", "sw-memcpy:pool=1024,channels=4", 1);
	return cmocka_run_group_tests_name("semantics", tests, group_setup, group_teardown);
}
