/* SPDX-License-Identifier: MIT */
/*
 * test-completion-ctx.c - the per-channel completion context (udma.h:
 * udma_chan_set_completion_mode, udma_chan_poll, udma_chan_get_eventfd) on
 * the real sw-memcpy and cyclic-ring plugins.
 *
 * Each of the three modes (tasklet, polled, eventfd) runs:
 *  - memcpy: 1024 copies in batches of 32, callbacks in submission order,
 *    data verified, callbacks on the completion thread (tasklet) or on the
 *    polling thread (polled/eventfd), udma_in_completion_context() true in
 *    every callback, blocking calls refused there; polled modes run nothing
 *    without a poll (tx_status stays DMA_IN_PROGRESS); terminate_sync from
 *    the polling thread outside a callback returns.
 *  - terminate race: 300 rounds of a 16-copy batch, terminate_async at a
 *    random point then synchronize, while another thread polls; no callback
 *    of a round starts after its synchronize returned, at most one after its
 *    terminate returned, and callbacks == cookies reading DMA_COMPLETE.
 *  - terminate from inside a callback: the 11th of 64 callbacks terminates
 *    and issues a new copy; exactly 11 + 1 callbacks, the rest DMA_ERROR.
 *  - cyclic (cyclic-ring): period callbacks in the mode's context; a restart
 *    (terminate_async + new cyclic) from inside a period callback; no
 *    callback of the old transfer afterwards; terminate_sync from the
 *    polling thread.
 *  - release with pending: copies finished by the engine but not delivered;
 *    after dma_release_channel() every cookie reads DMA_COMPLETE with its
 *    callback run, or DMA_ERROR without (polled modes: all aborted); the
 *    mode is back to tasklet and the eventfd closed.
 * And once: the mode rules (-EINVAL, -ENOENT, -EBUSY while descriptors are
 * outstanding or another thread polls, -EDEADLK, -EOPNOTSUPP for a provider
 * without virt-dma's pool), the poll budget, one eventfd write per batch,
 * and dmaengine_synchronize() waiting for a callback running inside a poll
 * on another thread.
 *
 * Callbacks never assert: they count into atomics; the test thread asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <udmaengine/dmaengine.h>
#include <udmaengine/periph.h>
#include <udmaengine/provider.h>

#include "test-util.h"
#include "log-capture.h"

#define FLAGS (DMA_PREP_INTERRUPT | DMA_CTRL_ACK)
#if defined(__SANITIZE_THREAD__)
#define RACE_ROUNDS 100
#else
#define RACE_ROUNDS 300
#endif

static const int modes[3] = {
	UDMA_COMPLETION_TASKLET, UDMA_COMPLETION_POLLED, UDMA_COMPLETION_EVENTFD,
};
#define MODE(state) (*(const int *)*(state))

static pthread_t main_tid;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000ull + (uint64_t)ts.tv_nsec / 1000000ull;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { (time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L };

	nanosleep(&ts, NULL);
}

static bool is_sw(struct dma_chan *c, void *param)
{
	(void)param;
	return c->device->udma_name && !strcmp(c->device->udma_name, "sw-memcpy");
}

static bool is_this(struct dma_chan *c, void *param)
{
	return c == param;
}

static struct dma_chan *request_sw(void)
{
	dma_cap_mask_t mask;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	return dma_request_channel(mask, is_sw, NULL);
}

static dma_addr_t map(struct dma_chan *c, void *p, size_t len)
{
	return dma_map_single(dmaengine_get_dma_device(c), p, len, DMA_BIDIRECTIONAL);
}

/*
 * Deliver until *@cnt >= @target or @ms pass: wait (tasklet mode), call
 * udma_chan_poll (polled), or wait on the eventfd and then poll (eventfd).
 */
static bool deliver_until(struct dma_chan *c, int mode, atomic_long *cnt, long target,
			  unsigned int ms)
{
	uint64_t dl = now_ms() + ms;

	while (atomic_load(cnt) < target) {
		if (now_ms() > dl)
			return false;
		if (mode == UDMA_COMPLETION_TASKLET) {
			sleep_us(100);
		} else if (mode == UDMA_COMPLETION_POLLED) {
			if (udma_chan_poll(c, UDMA_POLL_ALL) == 0)
				sched_yield();
		} else {
			struct pollfd pfd = { udma_chan_get_eventfd(c), POLLIN, 0 };

			if (poll(&pfd, 1, 10) == 1)
				(void)udma_chan_poll(c, UDMA_POLL_ALL);
		}
	}
	return true;
}

static int setup_log(void **state)
{
	(void)state;
	main_tid = pthread_self();
	log_reset();
	udma_set_log_fn(log_sink, NULL);
	return 0;
}

static int teardown_log(void **state)
{
	(void)state;
	udma_set_log_fn(NULL, NULL);
	return 0;
}

/* Thread check shared by the tests: right thread and context. */
static atomic_int mode_now;
static atomic_long wrong_thread, not_in_ctx;

static void check_ctx(void)
{
	bool on_main = pthread_equal(pthread_self(), main_tid);

	if (atomic_load(&mode_now) == UDMA_COMPLETION_TASKLET ? on_main : !on_main)
		atomic_fetch_add(&wrong_thread, 1);
	if (!udma_in_completion_context())
		atomic_fetch_add(&not_in_ctx, 1);
}

/* ============================================================ memcpy */

#define NCOPY 1024
#define COPY_LEN 256
#define BATCH 32

static struct dma_chan *mchan;
static atomic_long delivered;
static long order[NCOPY];
static atomic_long refused_ok, refused_bad;
static dma_cookie_t first_cookie;

static void copy_cb(void *param, const struct dmaengine_result *res)
{
	long idx = (long)(intptr_t)param;
	long pos = atomic_load(&delivered);

	check_ctx();
	if (pos < NCOPY)
		order[pos] = res->result == DMA_TRANS_NOERROR ? idx : -1;
	if (idx == 5 && atomic_load(&mode_now) != UDMA_COMPLETION_TASKLET) {
		/* blocking or nesting calls refuse inside a polled callback */
		if (dma_sync_wait(mchan, first_cookie) == DMA_ERROR &&
		    udma_chan_poll(mchan, 1) == -EDEADLK &&
		    udma_chan_set_completion_mode(mchan, UDMA_COMPLETION_TASKLET) == -EDEADLK)
			atomic_fetch_add(&refused_ok, 1);
		else
			atomic_fetch_add(&refused_bad, 1);
	}
	atomic_store(&delivered, pos + 1); /* only one deliverer at a time */
}

static void test_memcpy(void **state)
{
	int mode = MODE(state);
	uint8_t *src = malloc(NCOPY * COPY_LEN), *dst = calloc(NCOPY, COPY_LEN);
	dma_addr_t s, d;

	atomic_store(&mode_now, mode);
	atomic_store(&delivered, 0);
	atomic_store(&wrong_thread, 0);
	atomic_store(&not_in_ctx, 0);
	atomic_store(&refused_ok, 0);
	atomic_store(&refused_bad, 0);
	for (size_t i = 0; i < NCOPY * COPY_LEN; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	mchan = request_sw();
	assert_non_null(mchan);
	assert_int_equal(udma_chan_set_completion_mode(mchan, mode), 0);
	assert_int_equal(udma_chan_get_completion_mode(mchan), mode);
	s = map(mchan, src, NCOPY * COPY_LEN);
	d = map(mchan, dst, NCOPY * COPY_LEN);

	for (long b = 0; b < NCOPY / BATCH; b++) {
		for (long i = b * BATCH; i < (b + 1) * BATCH; i++) {
			struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
				mchan, d + (dma_addr_t)(i * COPY_LEN),
				s + (dma_addr_t)(i * COPY_LEN), COPY_LEN, FLAGS);
			dma_cookie_t ck;

			assert_non_null(tx);
			tx->callback_result = copy_cb;
			tx->callback_param = (void *)(intptr_t)i;
			ck = dmaengine_submit(tx);
			assert_true(ck > 0);
			if (i == 0)
				first_cookie = ck;
		}
		dma_async_issue_pending(mchan);
		if (b == 0 && mode != UDMA_COMPLETION_TASKLET) {
			/* nothing is delivered without a poll */
			if (mode == UDMA_COMPLETION_EVENTFD) {
				struct pollfd pfd = { udma_chan_get_eventfd(mchan), POLLIN, 0 };

				assert_int_equal(poll(&pfd, 1, 5000), 1);
			} else {
				sleep_us(20000);
			}
			assert_int_equal(atomic_load(&delivered), 0);
			assert_int_equal(dmaengine_tx_status(mchan, first_cookie, NULL),
					 DMA_IN_PROGRESS);
		}
		/* keep at most 4 batches in flight (pool: 1024) */
		if (b >= 3)
			assert_true(deliver_until(mchan, mode, &delivered, (b - 2) * BATCH, 10000));
	}
	assert_true(deliver_until(mchan, mode, &delivered, NCOPY, 10000));
	/* the polling thread, outside a callback, may terminate_sync */
	assert_int_equal(dmaengine_terminate_sync(mchan), 0);
	assert_int_equal(dmaengine_tx_status(mchan, first_cookie, NULL), DMA_COMPLETE);

	for (long i = 0; i < NCOPY; i++)
		assert_int_equal(order[i], i);
	assert_memory_equal(src, dst, NCOPY * COPY_LEN);
	assert_int_equal(atomic_load(&wrong_thread), 0);
	assert_int_equal(atomic_load(&not_in_ctx), 0);
	if (mode != UDMA_COMPLETION_TASKLET) {
		assert_int_equal(atomic_load(&refused_ok), 1);
		assert_int_equal(atomic_load(&refused_bad), 0);
	}
	dma_unmap_single(dmaengine_get_dma_device(mchan), s, NCOPY * COPY_LEN, DMA_BIDIRECTIONAL);
	dma_unmap_single(dmaengine_get_dma_device(mchan), d, NCOPY * COPY_LEN, DMA_BIDIRECTIONAL);
	dma_release_channel(mchan);
	free(src);
	free(dst);
}

/* ===================================================== terminate race */

#define RACE_BATCH 16
#define RACE_LEN 4096

static atomic_int term_round = -1, sync_round = -1;
static atomic_long race_cb[RACE_ROUNDS], race_after_term[RACE_ROUNDS];
static atomic_long race_violations;
static atomic_int poller_stop;

static void race_cb_fn(void *param, const struct dmaengine_result *res)
{
	int r = (int)(intptr_t)param;

	(void)res;
	check_ctx();
	if (atomic_load(&sync_round) >= r)
		atomic_fetch_add(&race_violations, 1);
	if (atomic_load(&term_round) >= r)
		atomic_fetch_add(&race_after_term[r], 1);
	atomic_fetch_add(&race_cb[r], 1);
}

static void *poller_main(void *arg)
{
	struct dma_chan *c = arg;
	int mode = udma_chan_get_completion_mode(c);

	while (!atomic_load(&poller_stop)) {
		if (mode == UDMA_COMPLETION_EVENTFD) {
			struct pollfd pfd = { udma_chan_get_eventfd(c), POLLIN, 0 };

			if (poll(&pfd, 1, 5) == 1)
				(void)udma_chan_poll(c, UDMA_POLL_ALL);
		} else if (udma_chan_poll(c, UDMA_POLL_ALL) == 0) {
			sched_yield();
		}
	}
	return NULL;
}

static void test_terminate_race(void **state)
{
	int mode = MODE(state);
	size_t total = (size_t)RACE_BATCH * RACE_LEN;
	uint8_t *src = calloc(1, total), *dst = calloc(1, total);
	struct dma_chan *c = request_sw();
	unsigned int seed = 12345;
	pthread_t poller;
	dma_addr_t s, d;
	long completes = 0, errors = 0;

	assert_non_null(c);
	/* the poller thread is not main: callbacks must run off main in all modes */
	atomic_store(&mode_now, UDMA_COMPLETION_TASKLET);
	atomic_store(&wrong_thread, 0);
	atomic_store(&not_in_ctx, 0);
	atomic_store(&race_violations, 0);
	atomic_store(&term_round, -1);
	atomic_store(&sync_round, -1);
	atomic_store(&poller_stop, 0);
	for (int r = 0; r < RACE_ROUNDS; r++) {
		atomic_store(&race_cb[r], 0);
		atomic_store(&race_after_term[r], 0);
	}
	assert_int_equal(udma_chan_set_completion_mode(c, mode), 0);
	if (mode != UDMA_COMPLETION_TASKLET)
		assert_int_equal(pthread_create(&poller, NULL, poller_main, c), 0);
	s = map(c, src, total);
	d = map(c, dst, total);

	for (int r = 0; r < RACE_ROUNDS; r++) {
		dma_cookie_t ck[RACE_BATCH];
		long complete = 0;

		for (int i = 0; i < RACE_BATCH; i++) {
			struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
				c, d + (dma_addr_t)i * RACE_LEN, s + (dma_addr_t)i * RACE_LEN,
				RACE_LEN, FLAGS);

			assert_non_null(tx);
			tx->callback_result = race_cb_fn;
			tx->callback_param = (void *)(intptr_t)r;
			ck[i] = dmaengine_submit(tx);
			assert_true(ck[i] > 0);
		}
		dma_async_issue_pending(c);
		/* terminate at a random point: 0..400 us after the issue */
		{
			struct timespec t0, t1;
			long wait_ns = (long)(rand_r(&seed) % 400) * 1000;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			do
				clock_gettime(CLOCK_MONOTONIC, &t1);
			while ((t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec <
			       wait_ns);
		}
		assert_int_equal(dmaengine_terminate_async(c), 0);
		atomic_store(&term_round, r);
		dmaengine_synchronize(c);
		atomic_store(&sync_round, r);
		for (int i = 0; i < RACE_BATCH; i++) {
			enum dma_status st = dmaengine_tx_status(c, ck[i], NULL);

			assert_true(st == DMA_COMPLETE || st == DMA_ERROR);
			complete += st == DMA_COMPLETE;
			errors += st == DMA_ERROR;
		}
		completes += complete;
		assert_int_equal(atomic_load(&race_cb[r]), complete);
		assert_true(atomic_load(&race_after_term[r]) <= 1);
	}
	if (mode != UDMA_COMPLETION_TASKLET) {
		atomic_store(&poller_stop, 1);
		pthread_join(poller, NULL);
	}
	assert_int_equal(atomic_load(&race_violations), 0);
	assert_int_equal(atomic_load(&wrong_thread), 0);
	assert_int_equal(atomic_load(&not_in_ctx), 0);
	print_message("  %s: %d rounds, %ld callbacks run, %ld aborted\n",
		      mode == UDMA_COMPLETION_TASKLET ? "tasklet" :
		      mode == UDMA_COMPLETION_POLLED ? "polled" : "eventfd",
		      RACE_ROUNDS, completes, errors);
	dma_unmap_single(dmaengine_get_dma_device(c), s, total, DMA_BIDIRECTIONAL);
	dma_unmap_single(dmaengine_get_dma_device(c), d, total, DMA_BIDIRECTIONAL);
	dma_release_channel(c);
	free(src);
	free(dst);
}

/* =========================================== terminate from a callback */

#define TC_N 64
static atomic_long tc_seen[128];
static atomic_long tc_count;
static atomic_int tc_term_ret = 1;
static struct dma_chan *tc_chan;
static dma_addr_t tc_s, tc_d;
static atomic_int tc_new_cookie;

static void tc_cb(void *param, const struct dmaengine_result *res)
{
	long idx = (long)(intptr_t)param;

	(void)res;
	check_ctx();
	atomic_fetch_add(&tc_seen[idx], 1);
	if (idx == 10) {
		struct dma_async_tx_descriptor *tx;

		atomic_store(&tc_term_ret, dmaengine_terminate_async(tc_chan));
		/* work issued after the terminate runs normally */
		tx = dmaengine_prep_dma_memcpy(tc_chan, tc_d, tc_s, 64, FLAGS);
		if (tx) {
			tx->callback_result = tc_cb;
			tx->callback_param = (void *)(intptr_t)100;
			atomic_store(&tc_new_cookie, dmaengine_submit(tx));
			dma_async_issue_pending(tc_chan);
		}
	}
	atomic_fetch_add(&tc_count, 1);
}

static void test_terminate_in_callback(void **state)
{
	int mode = MODE(state);
	uint8_t *src = calloc(TC_N, 64), *dst = calloc(TC_N, 64);
	dma_cookie_t ck[TC_N];

	atomic_store(&mode_now, mode);
	atomic_store(&wrong_thread, 0);
	atomic_store(&not_in_ctx, 0);
	atomic_store(&tc_count, 0);
	atomic_store(&tc_new_cookie, 0);
	for (int i = 0; i < 128; i++)
		atomic_store(&tc_seen[i], 0);
	tc_chan = request_sw();
	assert_non_null(tc_chan);
	assert_int_equal(udma_chan_set_completion_mode(tc_chan, mode), 0);
	tc_s = map(tc_chan, src, TC_N * 64);
	tc_d = map(tc_chan, dst, TC_N * 64);
	for (int i = 0; i < TC_N; i++) {
		struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
			tc_chan, tc_d + (dma_addr_t)i * 64, tc_s + (dma_addr_t)i * 64, 64, FLAGS);

		assert_non_null(tx);
		tx->callback_result = tc_cb;
		tx->callback_param = (void *)(intptr_t)i;
		ck[i] = dmaengine_submit(tx);
	}
	dma_async_issue_pending(tc_chan);
	assert_true(deliver_until(tc_chan, mode, &tc_count, 12, 10000));
	assert_int_equal(dmaengine_terminate_sync(tc_chan), 0);
	assert_int_equal(atomic_load(&tc_term_ret), 0);
	assert_int_equal(atomic_load(&tc_count), 12);
	for (int i = 0; i <= 10; i++) {
		assert_int_equal(atomic_load(&tc_seen[i]), 1);
		assert_int_equal(dmaengine_tx_status(tc_chan, ck[i], NULL), DMA_COMPLETE);
	}
	for (int i = 11; i < TC_N; i++) {
		assert_int_equal(atomic_load(&tc_seen[i]), 0);
		assert_int_equal(dmaengine_tx_status(tc_chan, ck[i], NULL), DMA_ERROR);
	}
	assert_int_equal(atomic_load(&tc_seen[100]), 1);
	assert_int_equal(dmaengine_tx_status(tc_chan, atomic_load(&tc_new_cookie), NULL),
			 DMA_COMPLETE);
	if (mode != UDMA_COMPLETION_TASKLET)
		assert_int_equal(udma_chan_poll(tc_chan, UDMA_POLL_ALL), 0);
	assert_int_equal(atomic_load(&wrong_thread), 0);
	assert_int_equal(atomic_load(&not_in_ctx), 0);
	dma_release_channel(tc_chan);
	free(src);
	free(dst);
}

/* ============================================================= cyclic */

#define PERIOD 192         /* 1 ms at 192000 B/s */
#define NPERIODS 4
static atomic_long cyc_count[3];
static atomic_long cyc_old_after_term;
static atomic_int cyc_restart_req, cyc_restarted, cyc_old_terminated;
static struct dma_chan *cchan;
static dma_addr_t cyc_buf2;
static atomic_int cyc_cookie2;

static void cyc_cb(void *param, const struct dmaengine_result *res)
{
	int id = (int)(intptr_t)param;

	(void)res;
	check_ctx();
	if (id == 1 && atomic_load(&cyc_old_terminated))
		atomic_fetch_add(&cyc_old_after_term, 1);
	atomic_fetch_add(&cyc_count[id], 1);
	if (id == 1 && atomic_load(&cyc_restart_req) && !atomic_load(&cyc_restarted)) {
		struct dma_async_tx_descriptor *tx;

		atomic_store(&cyc_restarted, 1);
		if (dmaengine_terminate_async(cchan) == 0)
			atomic_store(&cyc_old_terminated, 1);
		tx = dmaengine_prep_dma_cyclic(cchan, cyc_buf2, PERIOD * NPERIODS, PERIOD,
					       DMA_MEM_TO_DEV, FLAGS);
		if (tx) {
			tx->callback_result = cyc_cb;
			tx->callback_param = (void *)(intptr_t)2;
			atomic_store(&cyc_cookie2, dmaengine_submit(tx));
			dma_async_issue_pending(cchan);
		}
	}
}

static bool is_ring(struct dma_chan *c, void *param)
{
	(void)param;
	return c->device->udma_name && !strcmp(c->device->udma_name, "cyclic-ring");
}

static void test_cyclic(void **state)
{
	int mode = MODE(state);
	static uint8_t buf1[PERIOD * NPERIODS], buf2[PERIOD * NPERIODS];
	struct udma_periph_config pc = {
		.name = "ctx-codec", .fifo_depth = 64, .width = DMA_SLAVE_BUSWIDTH_4_BYTES,
		.rate = 192000, .capture_size = 0,
	};
	struct udma_periph *periph = udma_periph_create(&pc);
	struct dma_slave_config cfg;
	struct dma_async_tx_descriptor *tx;
	dma_cap_mask_t mask;
	dma_cookie_t ck1;
	long n2;

	assert_non_null(periph);
	atomic_store(&mode_now, mode);
	atomic_store(&wrong_thread, 0);
	atomic_store(&not_in_ctx, 0);
	for (int i = 0; i < 3; i++)
		atomic_store(&cyc_count[i], 0);
	atomic_store(&cyc_old_after_term, 0);
	atomic_store(&cyc_restart_req, 0);
	atomic_store(&cyc_restarted, 0);
	atomic_store(&cyc_old_terminated, 0);
	dma_cap_zero(mask);
	dma_cap_set(DMA_SLAVE, mask);
	dma_cap_set(DMA_CYCLIC, mask);
	cchan = dma_request_channel(mask, is_ring, NULL);
	assert_non_null(cchan);
	assert_int_equal(udma_chan_set_completion_mode(cchan, mode), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.dst_addr = udma_periph_addr(periph);
	cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES;
	cfg.dst_maxburst = 8;
	assert_int_equal(dmaengine_slave_config(cchan, &cfg), 0);
	cyc_buf2 = dma_map_single(dmaengine_get_dma_device(cchan), buf2, sizeof(buf2),
				  DMA_TO_DEVICE);
	tx = dmaengine_prep_dma_cyclic(cchan,
				       dma_map_single(dmaengine_get_dma_device(cchan), buf1,
						      sizeof(buf1), DMA_TO_DEVICE),
				       sizeof(buf1), PERIOD, DMA_MEM_TO_DEV, FLAGS);
	assert_non_null(tx);
	tx->callback_result = cyc_cb;
	tx->callback_param = (void *)(intptr_t)1;
	ck1 = dmaengine_submit(tx);
	dma_async_issue_pending(cchan);
	/* cyclic running: the mode is locked */
	if (mode == UDMA_COMPLETION_TASKLET)
		assert_int_equal(udma_chan_set_completion_mode(cchan, UDMA_COMPLETION_POLLED),
				 -EBUSY);
	assert_true(deliver_until(cchan, mode, &cyc_count[1], 20, 10000));
	assert_int_equal(dmaengine_tx_status(cchan, ck1, NULL), DMA_IN_PROGRESS);
	atomic_store(&cyc_restart_req, 1);
	assert_true(deliver_until(cchan, mode, &cyc_count[2], 20, 10000));
	assert_int_equal(atomic_load(&cyc_restarted), 1);
	assert_int_equal(atomic_load(&cyc_old_terminated), 1);
	assert_int_equal(atomic_load(&cyc_old_after_term), 0);
	assert_int_equal(dmaengine_tx_status(cchan, ck1, NULL), DMA_ERROR);
	/* stop from the polling thread, outside a callback */
	assert_int_equal(dmaengine_terminate_sync(cchan), 0);
	n2 = atomic_load(&cyc_count[2]);
	if (mode != UDMA_COMPLETION_TASKLET)
		assert_int_equal(udma_chan_poll(cchan, UDMA_POLL_ALL), 0);
	sleep_us(5000);
	assert_int_equal(atomic_load(&cyc_count[2]), n2);
	assert_int_equal(dmaengine_tx_status(cchan, atomic_load(&cyc_cookie2), NULL),
			 DMA_ERROR);
	assert_int_equal(atomic_load(&wrong_thread), 0);
	assert_int_equal(atomic_load(&not_in_ctx), 0);
	print_message("  %s: %ld + %ld period callbacks\n",
		      mode == UDMA_COMPLETION_TASKLET ? "tasklet" :
		      mode == UDMA_COMPLETION_POLLED ? "polled" : "eventfd",
		      atomic_load(&cyc_count[1]), n2);
	dma_release_channel(cchan);
	udma_periph_destroy(periph);
}

/* ================================================ release with pending */

#define RP_N 64
static atomic_long rp_cb;

static void rp_cb_fn(void *param, const struct dmaengine_result *res)
{
	(void)param;
	(void)res;
	atomic_fetch_add(&rp_cb, 1);
}

static void test_release_pending(void **state)
{
	int mode = MODE(state);
	uint8_t *src = malloc(RP_N * 64), *dst = calloc(RP_N, 64);
	struct dma_chan *c = request_sw(), *again;
	dma_cookie_t ck[RP_N];
	long complete = 0, copied = 0;
	int fd = -1;

	assert_non_null(c);
	atomic_store(&rp_cb, 0);
	memset(src, 0x5a, RP_N * 64);
	assert_int_equal(udma_chan_set_completion_mode(c, mode), 0);
	if (mode == UDMA_COMPLETION_EVENTFD)
		fd = udma_chan_get_eventfd(c);
	for (int i = 0; i < RP_N; i++) {
		struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
			c, map(c, dst + i * 64, 64), map(c, src + i * 64, 64), 64, FLAGS);

		assert_non_null(tx);
		tx->callback_result = rp_cb_fn;
		ck[i] = dmaengine_submit(tx);
	}
	dma_async_issue_pending(c);
	/*
	 * Let completions pile up undelivered. Eventfd: the fd says so. Polled:
	 * nothing to wait on that is not a race on the data, so give the engine
	 * 50 ms (the assertions below hold whatever it managed). Tasklet: some
	 * callbacks have run, others may be pending.
	 */
	if (fd >= 0) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		assert_int_equal(poll(&pfd, 1, 5000), 1); /* pending */
	} else if (mode == UDMA_COMPLETION_POLLED) {
		sleep_us(50000);
	} else {
		assert_true(deliver_until(c, mode, &rp_cb, 1, 5000));
	}
	dma_release_channel(c);
	/* released: the engine is done with the buffers, reading them is safe */
	for (int i = 0; i < RP_N; i++) {
		enum dma_status st = dmaengine_tx_status(c, ck[i], NULL);

		assert_true(st == DMA_COMPLETE || st == DMA_ERROR);
		complete += st == DMA_COMPLETE;
		if (st == DMA_COMPLETE)
			assert_memory_equal(src + i * 64, dst + i * 64, 64);
		copied += !memcmp(src + i * 64, dst + i * 64, 64);
	}
	print_message("  %s: %d copies, %ld copied by the engine, %ld delivered, %ld aborted\n",
		      mode == UDMA_COMPLETION_TASKLET ? "tasklet" :
		      mode == UDMA_COMPLETION_POLLED ? "polled" : "eventfd",
		      RP_N, copied, complete, RP_N - complete);
	assert_int_equal(atomic_load(&rp_cb), complete);
	if (mode != UDMA_COMPLETION_TASKLET)
		assert_int_equal(complete, 0); /* defined: pending ones are aborted */
	assert_int_equal(udma_chan_get_completion_mode(c), UDMA_COMPLETION_TASKLET);
	if (fd >= 0) {
		errno = 0;
		assert_int_equal(fcntl(fd, F_GETFD), -1);
		assert_int_equal(errno, EBADF);
	}
	/* the next holder gets the default mode and a working channel */
	{
		dma_cap_mask_t mask;

		dma_cap_zero(mask);
		dma_cap_set(DMA_MEMCPY, mask);
		again = dma_request_channel(mask, is_this, c);
	}
	assert_ptr_equal(again, c);
	assert_int_equal(udma_chan_get_completion_mode(c), UDMA_COMPLETION_TASKLET);
	{
		struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
			c, map(c, dst, 64), map(c, src, 64), 64, FLAGS);
		long before = atomic_load(&rp_cb);

		assert_non_null(tx);
		tx->callback_result = rp_cb_fn;
		dmaengine_submit(tx);
		dma_async_issue_pending(c);
		assert_true(deliver_until(c, UDMA_COMPLETION_TASKLET, &rp_cb, before + 1, 5000));
	}
	dma_release_channel(c);
	free(src);
	free(dst);
}

/* ========================================================== the rules */

static atomic_int hold_entered, hold_release, hold_finished;
static atomic_long rules_cb;

static void hold_cb(void *param, const struct dmaengine_result *res)
{
	uint64_t dl = now_ms() + 5000;

	(void)res;
	atomic_store(&hold_entered, 1);
	if (param) {
		while (!atomic_load(&hold_release) && now_ms() < dl)
			sleep_us(100);
	} else {
		sleep_us(50000); /* synchronize must wait for this */
	}
	atomic_store(&hold_finished, 1);
	atomic_fetch_add(&rules_cb, 1);
}

static void *poll_once_main(void *arg)
{
	struct dma_chan *c = arg;
	uint64_t dl = now_ms() + 5000;

	while (!atomic_load(&hold_finished) && now_ms() < dl)
		if (udma_chan_poll(c, UDMA_POLL_ALL) == 0)
			sched_yield();
	return NULL;
}

static void rules_cb_fn(void *param, const struct dmaengine_result *res)
{
	(void)param;
	(void)res;
	atomic_fetch_add(&rules_cb, 1);
}

static dma_cookie_t submit_one(struct dma_chan *c, void *buf, dma_async_tx_callback_result cb,
			       void *param)
{
	struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
		c, map(c, (char *)buf + 64, 64), map(c, buf, 64), 64, FLAGS);
	dma_cookie_t ck;

	assert_non_null(tx);
	tx->callback_result = cb;
	tx->callback_param = param;
	ck = dmaengine_submit(tx);
	dma_async_issue_pending(c);
	return ck;
}

static void test_rules(void **state)
{
	static uint8_t buf[128];
	struct dma_chan *c = request_sw();
	pthread_t th;
	dma_cookie_t ck;
	eventfd_t v;
	int fd;

	(void)state;
	assert_non_null(c);
	atomic_store(&rules_cb, 0);
	/* arguments */
	assert_int_equal(udma_chan_set_completion_mode(NULL, UDMA_COMPLETION_POLLED), -EINVAL);
	assert_int_equal(udma_chan_set_completion_mode(c, (enum udma_completion_mode)7),
			 -EINVAL);
	assert_int_equal(udma_chan_poll(c, UDMA_POLL_ALL), -EINVAL); /* tasklet mode */
	assert_int_equal(udma_chan_get_eventfd(c), -ENOENT);
	assert_int_equal(udma_chan_poll(NULL, 1), -EINVAL);
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_POLLED), 0);
	assert_int_equal(udma_chan_poll(c, 0), -EINVAL);
	assert_int_equal(udma_chan_poll(c, UDMA_POLL_ALL), 0); /* nothing pending */
	assert_int_equal(udma_chan_get_eventfd(c), -ENOENT);

	/* outstanding descriptors lock the mode */
	ck = submit_one(c, buf, rules_cb_fn, NULL);
	log_reset();
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_TASKLET), -EBUSY);
	assert_true(log_count_func("udma_chan_set_completion_mode") >= 1);
	assert_int_equal(dma_sync_wait(c, ck), DMA_COMPLETE); /* polls by itself */
	assert_int_equal(atomic_load(&rules_cb), 1);

	/*
	 * A second poller gets -EBUSY; a mode change too. (Eventfd mode: a
	 * polled-mode poll that finds nothing pending returns 0 before it looks.)
	 */
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_EVENTFD), 0);
	atomic_store(&hold_entered, 0);
	atomic_store(&hold_release, 0);
	atomic_store(&hold_finished, 0);
	submit_one(c, buf, hold_cb, (void *)1);
	assert_int_equal(pthread_create(&th, NULL, poll_once_main, c), 0);
	{
		uint64_t dl = now_ms() + 5000;

		while (!atomic_load(&hold_entered) && now_ms() < dl)
			sleep_us(100);
	}
	assert_int_equal(atomic_load(&hold_entered), 1);
	assert_int_equal(udma_chan_poll(c, UDMA_POLL_ALL), -EBUSY);
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_POLLED), -EBUSY);
	atomic_store(&hold_release, 1);
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&hold_finished), 1);

	/* synchronize waits for a callback running inside another thread's poll */
	atomic_store(&hold_entered, 0);
	atomic_store(&hold_finished, 0);
	submit_one(c, buf, hold_cb, NULL);
	assert_int_equal(pthread_create(&th, NULL, poll_once_main, c), 0);
	{
		uint64_t dl = now_ms() + 5000;

		while (!atomic_load(&hold_entered) && now_ms() < dl)
			sleep_us(100);
	}
	assert_int_equal(atomic_load(&hold_entered), 1);
	dmaengine_synchronize(c);
	assert_int_equal(atomic_load(&hold_finished), 1);
	pthread_join(th, NULL);

	/* eventfd: one write per batch, the budget, readable again while work is left */
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_EVENTFD), 0); /* same */
	fd = udma_chan_get_eventfd(c);
	assert_true(fd >= 0);
	atomic_store(&rules_cb, 0);
	for (int i = 0; i < 10; i++) {
		struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
			c, map(c, buf + 64, 64), map(c, buf, 64), 64, FLAGS);

		assert_non_null(tx);
		tx->callback_result = rules_cb_fn;
		dmaengine_submit(tx);
	}
	dma_async_issue_pending(c);
	{
		struct pollfd pfd = { fd, POLLIN, 0 };

		assert_int_equal(poll(&pfd, 1, 5000), 1);
		/*
		 * The counter: one write per engine batch that completed, not one
		 * per descriptor (the 10 copies usually finish as one batch; on a
		 * loaded machine the engine may split them).
		 */
		assert_int_equal(eventfd_read(fd, &v), 0);
		assert_true(v >= 1 && v <= 10);
		assert_int_equal(udma_chan_poll(c, 3), 3);
		assert_int_equal(poll(&pfd, 1, 0), 1); /* work left: readable again */
		assert_int_equal(udma_chan_poll(c, 3), 3);
		assert_int_equal(udma_chan_poll(c, 3), 3);
		assert_int_equal(udma_chan_poll(c, 3), 1);
		assert_int_equal(udma_chan_poll(c, UDMA_POLL_ALL), 0);
		assert_int_equal(poll(&pfd, 1, 0), 0);
	}
	assert_int_equal(atomic_load(&rules_cb), 10);
	/* back to the tasklet: the eventfd is closed */
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_TASKLET), 0);
	errno = 0;
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(udma_chan_poll(c, 1), -EINVAL);
	dma_release_channel(c);
	/* unheld channel */
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_POLLED), -EINVAL);
}

/* A provider that delivers callbacks itself (no virt-dma pool). */
static enum dma_status bare_tx_status(struct dma_chan *chan, dma_cookie_t cookie,
				      struct dma_tx_state *st)
{
	return dma_cookie_status(chan, cookie, st);
}

static void bare_issue_pending(struct dma_chan *chan)
{
	(void)chan;
}

static void test_unsupported_provider(void **state)
{
	static struct dma_device dd;
	static struct dma_chan ch;
	static struct device dev = { .init_name = "ctx-bare" };
	dma_cap_mask_t mask;
	struct dma_chan *c;

	(void)state;
	memset(&dd, 0, sizeof(dd));
	memset(&ch, 0, sizeof(ch));
	CDS_INIT_LIST_HEAD(&dd.channels);
	dd.dev = &dev;
	dd.udma_name = "ctx-bare";
	dd.device_tx_status = bare_tx_status;
	dd.device_issue_pending = bare_issue_pending;
	dma_cap_zero(dd.cap_mask);
	dma_cookie_init(&ch);
	ch.device = &dd;
	cds_list_add_tail(&ch.device_node, &dd.channels);
	assert_int_equal(dma_async_device_register(&dd), 0);
	dma_cap_zero(mask);
	c = dma_request_channel(mask, is_this, &ch);
	assert_ptr_equal(c, &ch);
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_POLLED), -EOPNOTSUPP);
	assert_int_equal(udma_chan_get_completion_mode(c), UDMA_COMPLETION_TASKLET);
	dma_release_channel(c);
	assert_int_equal(dma_async_device_unregister(&dd), 0);
}

/*
 * A channel in the public pool (dmaengine_get) keeps the tasklet mode:
 * async_tx runs its chains from that channel's completion thread.
 */
static void test_public_pool_channel(void **state)
{
	struct dma_chan *c;

	(void)state;
	dmaengine_get();
	c = dma_find_channel(DMA_MEMCPY);
	assert_non_null(c);
	assert_int_equal(udma_chan_set_completion_mode(c, UDMA_COMPLETION_POLLED), -EBUSY);
	assert_true(log_has("public pool"));
	assert_int_equal(udma_chan_get_completion_mode(c), UDMA_COMPLETION_TASKLET);
	dmaengine_put();
}

#define PER_MODE(fn) \
	cmocka_unit_test_prestate_setup_teardown(fn, setup_log, teardown_log, (void *)&modes[0]), \
	cmocka_unit_test_prestate_setup_teardown(fn, setup_log, teardown_log, (void *)&modes[1]), \
	cmocka_unit_test_prestate_setup_teardown(fn, setup_log, teardown_log, (void *)&modes[2])

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules, setup_log, teardown_log),
		cmocka_unit_test_setup_teardown(test_public_pool_channel, setup_log, teardown_log),
		cmocka_unit_test_setup_teardown(test_unsupported_provider, setup_log,
						teardown_log),
		PER_MODE(test_memcpy),
		PER_MODE(test_terminate_race),
		PER_MODE(test_terminate_in_callback),
		PER_MODE(test_cyclic),
		PER_MODE(test_release_pending),
	};

	main_tid = pthread_self();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
