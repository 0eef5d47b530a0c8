/* SPDX-License-Identifier: MIT */
/*
 * test-cookie.c - cookie assignment and transaction status (unit suite).
 *
 * Every test registers a fresh mock device (tests/mock-provider.h) in manual
 * completion mode, so the test decides when each descriptor completes and
 * with which result. Covers: cookies start at DMA_MIN_COOKIE + 1 and
 * increase; dmaengine_tx_status() for never-handed-out cookies (DMA_ERROR),
 * submitted / issued (DMA_IN_PROGRESS), completed (DMA_COMPLETE, state
 * last/used), failed (DMA_ERROR), aborted by a terminate at each stage
 * (DMA_ERROR, no callback); the INT32_MAX wrap; the 65536-cookie outcome
 * window; dma_async_is_complete() as a pure function (wrap-around too) and
 * dma_async_is_tx_complete().
 *
 * Callbacks only record (atomics + struct counter); the test thread waits
 * with a deadline and asserts.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <udmaengine/dmaengine.h>
#include "mock-provider.h"
#include "test-util.h"

#define BUF_LEN 64
#define WINDOW 65536u
#define POOL 4096u

struct fixture {
	struct mock_dev *md;
	struct dma_chan *chan;
	unsigned char src[BUF_LEN];
	unsigned char dst[BUF_LEN];
	dma_addr_t s, d;
	struct counter cb_calls;
	int last_result;   /* atomic: result of the last callback */
	int last_residue;  /* atomic */
};

static void cb_result(void *param, const struct dmaengine_result *res)
{
	struct fixture *f = param;

	__atomic_store_n(&f->last_result, (int)res->result, __ATOMIC_SEQ_CST);
	__atomic_store_n(&f->last_residue, (int)res->residue, __ATOMIC_SEQ_CST);
	counter_add(&f->cb_calls, 1);
}

static int setup(void **state)
{
	struct mock_opts o = {
		.name = "mock-cookie", .nr_chans = 1, .pool_size = POOL,
		.memcpy = true, .pause = true, .manual = true,
	};
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	counter_init(&f->cb_calls);
	f->last_result = -1;
	f->md = mock_dev_create(&o);
	if (!f->md || mock_dev_register(f->md))
		return -1;
	f->chan = mock_dev_request(f->md);
	if (!f->chan)
		return -1;
	for (int i = 0; i < BUF_LEN; i++)
		f->src[i] = (unsigned char)(i * 7 + 1);
	f->s = dma_map_single(f->chan->device->dev, f->src, BUF_LEN, DMA_TO_DEVICE);
	f->d = dma_map_single(f->chan->device->dev, f->dst, BUF_LEN, DMA_FROM_DEVICE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int bad = 0;

	if (f->chan) {
		mock_chan_unhold(f->chan); /* in case a test failed while holding */
		dma_release_channel(f->chan);
	}
	if (f->md) {
		bad = mock_dev_count(f->md, MOCK_VIOLATION) != 0;
		if (mock_dev_unregister(f->md))
			bad = 1;
		mock_dev_destroy(f->md);
	}
	counter_destroy(&f->cb_calls);
	free(f);
	return bad ? -1 : 0;
}

/* Prepare and submit one copy; @cb: with callback_result. Returns the cookie. */
static dma_cookie_t submit_copy(struct fixture *f, bool cb)
{
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t cookie;

	tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, BUF_LEN,
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	if (cb) {
		tx->callback_result = cb_result;
		tx->callback_param = f;
	}
	cookie = dmaengine_submit(tx);
	assert_true(cookie >= DMA_MIN_COOKIE);
	return cookie;
}

/* Complete the next issued descriptor with @res and wait for its commit. */
static void complete_next(struct fixture *f, enum dmaengine_tx_result res)
{
	assert_int_equal(mock_complete_next(f->chan, res), 0);
	assert_int_equal(mock_chan_flush(f->chan, TEST_DEADLINE_MS), 0);
}

static enum dma_status status_of(struct fixture *f, dma_cookie_t c,
				 struct dma_tx_state *st)
{
	return dmaengine_tx_status(f->chan, c, st);
}

/* ------------------------------------------------------------ tests */

static void cookies_start_at_2_and_increase(void **state)
{
	struct fixture *f = *state;
	dma_cookie_t prev;

	/* Freshly registered channel: nothing handed out yet. */
	assert_int_equal(f->chan->cookie, DMA_MIN_COOKIE);
	assert_int_equal(f->chan->completed_cookie, DMA_MIN_COOKIE);

	prev = submit_copy(f, false);
	assert_int_equal(prev, DMA_MIN_COOKIE + 1);
	assert_int_equal(prev, 2);
	for (int i = 0; i < 20; i++) {
		dma_cookie_t c = submit_copy(f, false);

		assert_int_equal(c, prev + 1);
		assert_int_equal(f->chan->cookie, c);
		prev = c;
	}
	/* Still increasing after completions and a terminate. */
	dma_async_issue_pending(f->chan);
	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(dmaengine_terminate_sync(f->chan), 0);
	assert_int_equal(submit_copy(f, false), prev + 1);
}

static void status_never_handed_out_is_error(void **state)
{
	struct fixture *f = *state;
	struct dma_tx_state st;
	dma_cookie_t c[3];
	const dma_cookie_t before[] = { 0, -1, INT32_MIN, 1, 2, 3, 100, INT32_MAX };

	/* Before any submit: even the first cookie to come is unknown. */
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		memset(&st, 0xa5, sizeof(st));
		assert_int_equal(status_of(f, before[i], &st), DMA_ERROR);
		assert_int_equal(st.last, DMA_MIN_COOKIE);
		assert_int_equal(st.used, DMA_MIN_COOKIE);
	}

	for (int i = 0; i < 3; i++)
		c[i] = submit_copy(f, false);
	dma_async_issue_pending(f->chan);
	for (int i = 0; i < 3; i++)
		complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(status_of(f, c[2], NULL), DMA_COMPLETE);

	const dma_cookie_t after[] = { 0, -1, -EINVAL, INT32_MIN, 1, c[2] + 1,
				       c[2] + 1000, INT32_MAX };
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		memset(&st, 0xa5, sizeof(st));
		assert_int_equal(status_of(f, after[i], &st), DMA_ERROR);
		assert_int_equal(st.last, c[2]);
		assert_int_equal(st.used, c[2]);
		/* and the NULL-state form agrees */
		assert_int_equal(status_of(f, after[i], NULL), DMA_ERROR);
	}
}

static void status_submitted_and_issued_in_progress(void **state)
{
	struct fixture *f = *state;
	struct dma_tx_state st;
	dma_cookie_t a, b;

	a = submit_copy(f, true);
	memset(&st, 0xa5, sizeof(st));
	assert_int_equal(status_of(f, a, &st), DMA_IN_PROGRESS);
	assert_int_equal(st.last, DMA_MIN_COOKIE);
	assert_int_equal(st.used, a);
	assert_int_equal(st.residue, BUF_LEN); /* provider's residue passes through */

	/* Submitted only: nothing runs before issue_pending. */
	assert_int_equal(mock_complete_next(f->chan, DMA_TRANS_NOERROR), -ENOENT);
	assert_int_equal(mock_chan_issued(f->chan), 0);

	dma_async_issue_pending(f->chan);
	assert_int_equal(mock_chan_issued(f->chan), 1);
	b = submit_copy(f, true);
	assert_int_equal(status_of(f, a, &st), DMA_IN_PROGRESS);
	assert_int_equal(status_of(f, b, &st), DMA_IN_PROGRESS);
	assert_int_equal(st.last, DMA_MIN_COOKIE);
	assert_int_equal(st.used, b);
	assert_int_equal(counter_get(&f->cb_calls), 0);
}

static void status_completed(void **state)
{
	struct fixture *f = *state;
	struct dma_tx_state st;
	dma_cookie_t a, b, c;

	a = submit_copy(f, true);
	b = submit_copy(f, true);
	c = submit_copy(f, false);
	dma_async_issue_pending(f->chan);

	assert_int_equal(mock_complete_next(f->chan, DMA_TRANS_NOERROR), 0);
	assert_true(counter_wait_ge(&f->cb_calls, 1, TEST_DEADLINE_MS));
	memset(&st, 0xa5, sizeof(st));
	assert_int_equal(status_of(f, a, &st), DMA_COMPLETE);
	assert_int_equal(st.last, a);
	assert_int_equal(st.used, c);
	assert_int_equal(st.residue, 0);
	assert_int_equal(status_of(f, b, NULL), DMA_IN_PROGRESS);
	assert_int_equal(status_of(f, c, NULL), DMA_IN_PROGRESS);
	assert_int_equal(__atomic_load_n(&f->last_result, __ATOMIC_SEQ_CST),
			 DMA_TRANS_NOERROR);
	assert_memory_equal(f->dst, f->src, BUF_LEN);

	complete_next(f, DMA_TRANS_NOERROR);
	complete_next(f, DMA_TRANS_NOERROR); /* c: no callback */
	assert_int_equal(counter_get(&f->cb_calls), 2);
	for (dma_cookie_t x = a; x <= c; x++) {
		memset(&st, 0xa5, sizeof(st));
		assert_int_equal(status_of(f, x, &st), DMA_COMPLETE);
		assert_int_equal(st.last, c);
		assert_int_equal(st.used, c);
	}
}

static void status_failed_results_are_error(void **state)
{
	struct fixture *f = *state;
	const enum dmaengine_tx_result bad[] = {
		DMA_TRANS_READ_FAILED, DMA_TRANS_WRITE_FAILED, DMA_TRANS_ABORTED,
	};
	dma_cookie_t failed[3], ok;
	struct dma_tx_state st;

	for (size_t i = 0; i < 3; i++) {
		failed[i] = submit_copy(f, true);
		dma_async_issue_pending(f->chan);
		complete_next(f, bad[i]);
		assert_true(counter_wait_ge(&f->cb_calls, (long)i + 1, TEST_DEADLINE_MS));
		assert_int_equal(__atomic_load_n(&f->last_result, __ATOMIC_SEQ_CST), bad[i]);
		assert_int_equal(__atomic_load_n(&f->last_residue, __ATOMIC_SEQ_CST), BUF_LEN);
		memset(&st, 0xa5, sizeof(st));
		assert_int_equal(status_of(f, failed[i], &st), DMA_ERROR);
		/* finished: it is the last completed cookie */
		assert_int_equal(st.last, failed[i]);
		assert_int_equal(st.used, failed[i]);
	}
	/* A later success does not hide the failures, nor is hidden by them. */
	ok = submit_copy(f, true);
	dma_async_issue_pending(f->chan);
	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(status_of(f, ok, NULL), DMA_COMPLETE);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(status_of(f, failed[i], NULL), DMA_ERROR);
	assert_memory_equal(f->dst, f->src, BUF_LEN);
}

static void status_aborted_by_terminate(void **state)
{
	struct fixture *f = *state;
	struct dma_tx_state st;
	dma_cookie_t done, issued, submitted, later;

	done = submit_copy(f, true);
	issued = submit_copy(f, true);
	dma_async_issue_pending(f->chan);
	submitted = submit_copy(f, true); /* not issued */
	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(counter_get(&f->cb_calls), 1);

	assert_int_equal(dmaengine_terminate_sync(f->chan), 0);
	memset(&st, 0xa5, sizeof(st));
	assert_int_equal(status_of(f, done, &st), DMA_COMPLETE);
	assert_int_equal(st.last, submitted);  /* everything handed out is finished */
	assert_int_equal(st.used, submitted);
	assert_int_equal(status_of(f, issued, NULL), DMA_ERROR);
	assert_int_equal(status_of(f, submitted, NULL), DMA_ERROR);
	assert_int_equal(mock_chan_issued(f->chan), 0);
	assert_int_equal(mock_complete_next(f->chan, DMA_TRANS_NOERROR), -ENOENT);

	/* Work after the terminate runs normally; the aborted stay DMA_ERROR. */
	later = submit_copy(f, true);
	assert_int_equal(later, submitted + 1);
	dma_async_issue_pending(f->chan);
	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(status_of(f, later, NULL), DMA_COMPLETE);
	assert_int_equal(status_of(f, issued, NULL), DMA_ERROR);
	assert_int_equal(status_of(f, submitted, NULL), DMA_ERROR);
	assert_int_equal(counter_get(&f->cb_calls), 2); /* done + later only */
}

/* Completed by the engine, callback not yet run: a terminate aborts it. */
static void status_aborted_after_completion_before_callback(void **state)
{
	struct fixture *f = *state;
	dma_cookie_t a;

	a = submit_copy(f, true);
	dma_async_issue_pending(f->chan);
	assert_int_equal(mock_chan_hold(f->chan, TEST_DEADLINE_MS), 0);
	assert_int_equal(mock_complete_next(f->chan, DMA_TRANS_NOERROR), 0);
	/* Not committed until the completion tasklet runs. */
	assert_int_equal(status_of(f, a, NULL), DMA_IN_PROGRESS);
	assert_int_equal(dmaengine_terminate_async(f->chan), 0);
	mock_chan_unhold(f->chan);
	dmaengine_synchronize(f->chan);
	assert_int_equal(mock_chan_flush(f->chan, TEST_DEADLINE_MS), 0);

	assert_int_equal(status_of(f, a, NULL), DMA_ERROR);
	assert_int_equal(counter_get(&f->cb_calls), 0);
}

static void status_paused_passes_through(void **state)
{
	struct fixture *f = *state;
	dma_cookie_t a, last = 0, used = 0;

	a = submit_copy(f, false);
	dma_async_issue_pending(f->chan);
	assert_int_equal(dmaengine_pause(f->chan), 0);
	assert_int_equal(status_of(f, a, NULL), DMA_PAUSED);
	assert_int_equal(dma_async_is_tx_complete(f->chan, a, &last, &used), DMA_PAUSED);
	assert_int_equal(last, DMA_MIN_COOKIE);
	assert_int_equal(used, a);
	assert_int_equal(dmaengine_resume(f->chan), 0);
	assert_int_equal(status_of(f, a, NULL), DMA_IN_PROGRESS);
	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(status_of(f, a, NULL), DMA_COMPLETE);
}

static void is_tx_complete_fills_last_used(void **state)
{
	struct fixture *f = *state;
	dma_cookie_t a, b, last, used;

	a = submit_copy(f, false);
	b = submit_copy(f, false);
	dma_async_issue_pending(f->chan);
	last = used = -77;
	assert_int_equal(dma_async_is_tx_complete(f->chan, a, &last, &used),
			 DMA_IN_PROGRESS);
	assert_int_equal(last, DMA_MIN_COOKIE);
	assert_int_equal(used, b);

	complete_next(f, DMA_TRANS_NOERROR);
	last = used = -77;
	assert_int_equal(dma_async_is_tx_complete(f->chan, a, &last, &used), DMA_COMPLETE);
	assert_int_equal(last, a);
	assert_int_equal(used, b);
	/* either pointer may be NULL */
	last = -77;
	assert_int_equal(dma_async_is_tx_complete(f->chan, b, &last, NULL), DMA_IN_PROGRESS);
	assert_int_equal(last, a);
	used = -77;
	assert_int_equal(dma_async_is_tx_complete(f->chan, a, NULL, &used), DMA_COMPLETE);
	assert_int_equal(used, b);
	assert_int_equal(dma_async_is_tx_complete(f->chan, b, NULL, NULL), DMA_IN_PROGRESS);
	/* never handed out */
	assert_int_equal(dma_async_is_tx_complete(f->chan, b + 1, &last, &used), DMA_ERROR);
	assert_int_equal(last, a);
	assert_int_equal(used, b);
	/* failed */
	complete_next(f, DMA_TRANS_READ_FAILED);
	assert_int_equal(dma_async_is_tx_complete(f->chan, b, &last, &used), DMA_ERROR);
	assert_int_equal(last, b);
	assert_int_equal(used, b);
}

static void is_complete_pure_function(void **state)
{
	static const struct {
		dma_cookie_t cookie, last_complete, last_used;
		enum dma_status want;
	} cases[] = {
		/* no wrap: last_complete <= last_used */
		{ 5, 5, 10, DMA_COMPLETE },
		{ 4, 5, 10, DMA_COMPLETE },
		{ 6, 5, 10, DMA_IN_PROGRESS },
		{ 10, 5, 10, DMA_IN_PROGRESS },
		{ 11, 5, 10, DMA_COMPLETE },   /* beyond last used: kernel says complete */
		{ 7, 7, 7, DMA_COMPLETE },     /* idle channel */
		{ 8, 7, 7, DMA_COMPLETE },
		{ 1, 1, 1, DMA_COMPLETE },
		{ INT32_MAX, 1, INT32_MAX, DMA_IN_PROGRESS },
		{ INT32_MAX, INT32_MAX, INT32_MAX, DMA_COMPLETE },
		/* wrap: last_used wrapped past INT32_MAX, last_complete did not */
		{ INT32_MAX - 10, INT32_MAX - 5, 3, DMA_COMPLETE },
		{ INT32_MAX - 5, INT32_MAX - 5, 3, DMA_COMPLETE },
		{ INT32_MAX - 4, INT32_MAX - 5, 3, DMA_IN_PROGRESS },
		{ INT32_MAX, INT32_MAX - 5, 3, DMA_IN_PROGRESS },
		{ 1, INT32_MAX - 5, 3, DMA_IN_PROGRESS },
		{ 3, INT32_MAX - 5, 3, DMA_IN_PROGRESS },
		{ 4, INT32_MAX - 5, 3, DMA_COMPLETE },
		{ 1000, INT32_MAX - 5, 3, DMA_COMPLETE },
		{ INT32_MAX, INT32_MAX, 1, DMA_COMPLETE },
		{ 1, INT32_MAX, 1, DMA_IN_PROGRESS },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum dma_status got = dma_async_is_complete(cases[i].cookie,
							    cases[i].last_complete,
							    cases[i].last_used);
		if (got != cases[i].want)
			fail_msg("case %zu: is_complete(%d, %d, %d) = %d, want %d", i,
				 cases[i].cookie, cases[i].last_complete,
				 cases[i].last_used, got, cases[i].want);
	}
}

/* Cookies wrap from INT32_MAX to DMA_MIN_COOKIE (provider.h). */
static void cookie_wraps_after_int32_max(void **state)
{
	struct fixture *f = *state;
	struct dma_tx_state st;
	dma_cookie_t a, b, c, d;

	mock_chan_set_cookie(f->chan, INT32_MAX - 1);
	a = submit_copy(f, true);
	b = submit_copy(f, true);
	assert_int_equal(a, INT32_MAX);
	assert_int_equal(b, DMA_MIN_COOKIE);
	dma_async_issue_pending(f->chan);
	assert_int_equal(status_of(f, a, &st), DMA_IN_PROGRESS);
	assert_int_equal(st.last, INT32_MAX - 1);
	assert_int_equal(st.used, b);
	assert_int_equal(status_of(f, b, NULL), DMA_IN_PROGRESS);

	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(status_of(f, a, NULL), DMA_COMPLETE);
	assert_int_equal(status_of(f, b, NULL), DMA_IN_PROGRESS);
	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(status_of(f, a, &st), DMA_COMPLETE);
	assert_int_equal(status_of(f, b, &st), DMA_COMPLETE);
	assert_int_equal(st.last, b);
	assert_int_equal(st.used, b);
	assert_int_equal(counter_get(&f->cb_calls), 2);

	c = submit_copy(f, true);
	assert_int_equal(c, DMA_MIN_COOKIE + 1);
	d = submit_copy(f, true);
	dma_async_issue_pending(f->chan);
	complete_next(f, DMA_TRANS_WRITE_FAILED);
	assert_int_equal(dmaengine_terminate_sync(f->chan), 0);
	assert_int_equal(status_of(f, c, NULL), DMA_ERROR);  /* failed */
	assert_int_equal(status_of(f, d, NULL), DMA_ERROR);  /* aborted */
	assert_int_equal(status_of(f, a, NULL), DMA_COMPLETE);
	assert_int_equal(status_of(f, b, NULL), DMA_COMPLETE);
	assert_int_equal(status_of(f, 0, NULL), DMA_ERROR);
	assert_int_equal(status_of(f, -1, NULL), DMA_ERROR);
}

/* Hand out @n cookies that are all aborted (prep+submit, then terminate). */
static void burn_aborted_cookies(struct fixture *f, unsigned int n)
{
	while (n) {
		unsigned int batch = n < POOL ? n : POOL;

		for (unsigned int i = 0; i < batch; i++) {
			struct dma_async_tx_descriptor *tx;

			tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 8, DMA_CTRL_ACK);
			assert_non_null(tx);
			assert_true(dmaengine_submit(tx) >= DMA_MIN_COOKIE);
		}
		assert_int_equal(dmaengine_terminate_async(f->chan), 0);
		n -= batch;
	}
	dmaengine_synchronize(f->chan);
}

/*
 * The outcome of an aborted cookie stays DMA_ERROR while it is among the
 * last 65536 cookies handed out (age 0..65535), then reads DMA_COMPLETE.
 * @start: the channel's cookie before the aborted one is handed out.
 */
static void check_outcome_window(struct fixture *f, dma_cookie_t start)
{
	dma_cookie_t x, y, z;

	mock_chan_set_cookie(f->chan, start);
	x = submit_copy(f, false);
	assert_int_equal(dmaengine_terminate_sync(f->chan), 0);
	assert_int_equal(status_of(f, x, NULL), DMA_ERROR);

	/* x + 1 .. y - 1 aborted, y (age of x: 65535) completes fine. */
	burn_aborted_cookies(f, WINDOW - 2);
	y = submit_copy(f, false);
	dma_async_issue_pending(f->chan);
	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(status_of(f, y, NULL), DMA_COMPLETE);
	assert_int_equal(f->chan->cookie, y);
	if (status_of(f, x, NULL) != DMA_ERROR)
		fail_msg("aborted cookie %d reads %d after %u later cookies (last %d); "
			 "the last %u cookies must be remembered exactly", x,
			 status_of(f, x, NULL), WINDOW - 1, y, WINDOW);

	/* One more: x is now older than the window and reads complete. */
	z = submit_copy(f, false);
	dma_async_issue_pending(f->chan);
	complete_next(f, DMA_TRANS_NOERROR);
	assert_int_equal(status_of(f, z, NULL), DMA_COMPLETE);
	assert_int_equal(status_of(f, x, NULL), DMA_COMPLETE);
	assert_int_equal(status_of(f, y, NULL), DMA_COMPLETE);
}

static void outcome_window_exact(void **state)
{
	check_outcome_window(*state, 1000);
}

static void outcome_window_exact_across_wrap(void **state)
{
	/* the aborted cookie is INT32_MAX; the next ones wrap to 1, 2, ... */
	check_outcome_window(*state, INT32_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(cookies_start_at_2_and_increase, setup, teardown),
		cmocka_unit_test_setup_teardown(status_never_handed_out_is_error, setup, teardown),
		cmocka_unit_test_setup_teardown(status_submitted_and_issued_in_progress, setup, teardown),
		cmocka_unit_test_setup_teardown(status_completed, setup, teardown),
		cmocka_unit_test_setup_teardown(status_failed_results_are_error, setup, teardown),
		cmocka_unit_test_setup_teardown(status_aborted_by_terminate, setup, teardown),
		cmocka_unit_test_setup_teardown(status_aborted_after_completion_before_callback,
						setup, teardown),
		cmocka_unit_test_setup_teardown(status_paused_passes_through, setup, teardown),
		cmocka_unit_test_setup_teardown(is_tx_complete_fills_last_used, setup, teardown),
		cmocka_unit_test(is_complete_pure_function),
		cmocka_unit_test_setup_teardown(cookie_wraps_after_int32_max, setup, teardown),
		cmocka_unit_test_setup_teardown(outcome_window_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(outcome_window_exact_across_wrap, setup, teardown),
	};

	return cmocka_run_group_tests_name("cookie", tests, NULL, NULL);
}
