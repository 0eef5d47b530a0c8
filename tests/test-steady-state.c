/* SPDX-License-Identifier: MIT */
/*
 * test-steady-state.c - the hot path allocates nothing.
 *
 * dmaengine.h promises that "any thread" functions never allocate. This test
 * proves that, once a channel is warmed up, prep (memcpy and memset), submit,
 * issue_pending, tx_status, terminate_async and the whole completion path
 * (provider engine, vchan completion tasklet, client callbacks and
 * callback_results) make no call to malloc, calloc, realloc, free,
 * posix_memalign, aligned_alloc or memalign, on any thread.
 *
 * How: this executable defines those functions (forwarding to glibc's
 * __libc_* entry points). Symbols of the executable interpose over the PLT
 * calls of libudmaengine.so, the dlopen()ed provider and glibc itself, so
 * every allocation of the process is seen. While the flag "counting" is set,
 * calls are counted with atomics, from all threads. Only built without
 * sanitizers (they interpose malloc themselves).
 *
 * The first tests check the counter catches allocations made by the test
 * thread and by a completion callback, so the zero below means something.
 * The last one runs sw-memcpy's RAID offload ops (xor, pq, their checks,
 * interrupt) the same way.
 */
#include <errno.h>
#include <malloc.h>
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

#include "malloc-count.h"

/* ------------------------------------------------------------- fixture */

#define LEN 256
#define CYCLES 10000
#define BATCH 32
#define TERM_ROUNDS 100

static struct dma_chan *chan;
static struct counter done;
static atomic_int alloc_in_callback;
static atomic_int result_bad;
static uint8_t src[BATCH][LEN], dst[BATCH][LEN];

static void cb(void *param)
{
	(void)param;
	if (atomic_load(&alloc_in_callback))
		do_free(do_malloc(32));
	counter_add(&done, 1);
}

static void cb_result(void *param, const struct dmaengine_result *r)
{
	(void)param;
	if (r->result != DMA_TRANS_NOERROR || r->residue)
		atomic_store(&result_bad, 1);
	counter_add(&done, 1);
}

static dma_addr_t map(void *p)
{
	return dma_map_single(dmaengine_get_dma_device(chan), p, LEN, DMA_BIDIRECTIONAL);
}

/* Outcomes of the hot-path cycles, checked after counting stops. */
static long bad_prep, bad_submit, bad_status, bad_wait, bad_data;

static struct dma_async_tx_descriptor *prep_one(int slot, int kind)
{
	struct dma_async_tx_descriptor *tx;

	if (kind == 2)
		tx = dmaengine_prep_dma_memset(chan, map(dst[slot]), 0x5a, LEN,
					       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	else
		tx = dmaengine_prep_dma_memcpy(chan, map(dst[slot]), map(src[slot]), LEN,
					       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx) {
		bad_prep++;
		return NULL;
	}
	if (kind == 1)
		tx->callback_result = cb_result;
	else
		tx->callback = cb;
	return tx;
}

/* prep, submit, issue, poll tx_status, wait for the callback */
static void one_cycle(int i)
{
	struct dma_async_tx_descriptor *tx;
	struct dma_tx_state st;
	dma_cookie_t c;
	long target = counter_get(&done) + 1;
	int kind = i % 3; /* callback, callback_result, memset with callback */
	uint64_t spins = 0;

	src[0][0] = (uint8_t)i;
	tx = prep_one(0, kind);
	if (!tx)
		return;
	c = dmaengine_submit(tx);
	if (c < DMA_MIN_COOKIE) {
		bad_submit++;
		return;
	}
	dma_async_issue_pending(chan);
	while (dmaengine_tx_status(chan, c, &st) == DMA_IN_PROGRESS && ++spins < 100000000ull)
		sched_yield();
	if (dmaengine_tx_status(chan, c, &st) != DMA_COMPLETE)
		bad_status++;
	if (!counter_wait_ge(&done, target, TEST_DEADLINE_MS))
		bad_wait++;
	if (kind == 2 ? dst[0][0] != 0x5a : dst[0][0] != (uint8_t)i)
		bad_data++;
}

/* a batch issued then terminated at once, then drained */
static void terminate_cycle(void)
{
	dma_cookie_t c = 0;

	for (int k = 0; k < BATCH; k++) {
		struct dma_async_tx_descriptor *tx = prep_one(k, k % 3);

		if (!tx)
			return;
		c = dmaengine_submit(tx);
		if (c < DMA_MIN_COOKIE)
			bad_submit++;
		if (k == BATCH / 2)
			dma_async_issue_pending(chan);
	}
	dma_async_issue_pending(chan);
	if (dmaengine_terminate_async(chan))
		bad_status++;
	if (dmaengine_tx_status(chan, c, NULL) == DMA_IN_PROGRESS)
		bad_status++; /* completed before the terminate, or aborted */
	/* synchronize "may block": not on the no-allocation list, not counted */
	atomic_store(&counting, 0);
	dmaengine_synchronize(chan);
	atomic_store(&counting, 1);
}

static int setup(void **state)
{
	dma_cap_mask_t mask;

	(void)state;
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	dma_cap_set(DMA_MEMSET, mask);
	chan = dma_request_channel(mask, NULL, NULL);
	if (!chan)
		return -1;
	counter_init(&done);
	bad_prep = bad_submit = bad_status = bad_wait = bad_data = 0;
	/* warm up every path once */
	for (int i = 0; i < 30; i++)
		one_cycle(i);
	for (int i = 0; i < 3; i++)
		terminate_cycle();
	atomic_store(&counting, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	atomic_store(&counting, 0);
	atomic_store(&alloc_in_callback, 0);
	dma_release_channel(chan);
	chan = NULL;
	counter_destroy(&done);
	return 0;
}

/* --------------------------------------------------------------- tests */

/* The counter sees an allocation by this thread. */
static void test_counter_sees_own_thread(void **state)
{
	(void)state;
	counting_start();
	do_free(do_malloc(100));
	assert_int_equal(counting_stop(), 2);
}

/* The counter sees an allocation on a completion thread (in a callback). */
static void test_counter_sees_completion_thread(void **state)
{
	(void)state;
	atomic_store(&alloc_in_callback, 1);
	counting_start();
	one_cycle(999); /* 999 % 3 == 0: plain callback, which allocates */
	assert_int_equal(counting_stop(), 2);
	atomic_store(&alloc_in_callback, 0);
	assert_int_equal(bad_prep + bad_submit + bad_status + bad_wait + bad_data, 0);
}

/* The counter sees the library's and the dlopen()ed provider's calls: a
 * channel request allocates its descriptor pool, the release frees it. */
static void test_counter_sees_library_calls(void **state)
{
	dma_cap_mask_t mask;
	struct dma_chan *c;
	long n;

	(void)state;
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	counting_start();
	c = dma_request_channel(mask, NULL, NULL);
	if (c)
		dma_release_channel(c);
	n = counting_stop();
	assert_non_null(c);
	assert_true(n >= 2);
}

/* The real thing: 10000 hot-path cycles plus terminate cycles, no calls. */
static void test_hot_path_allocates_nothing(void **state)
{
	long n;

	(void)state;
	counting_start();
	for (int i = 0; i < CYCLES; i++) {
		one_cycle(i);
		if (i % (CYCLES / TERM_ROUNDS) == 0)
			terminate_cycle();
	}
	n = counting_stop();
	print_message("  %d cycles, %d terminate rounds: prep failures %ld, submit %ld, "
		      "status %ld, wait %ld, data %ld\n", CYCLES, TERM_ROUNDS, bad_prep,
		      bad_submit, bad_status, bad_wait, bad_data);
	assert_int_equal(bad_prep + bad_submit + bad_status + bad_wait + bad_data, 0);
	assert_int_equal(atomic_load(&result_bad), 0);
	assert_int_equal(n, 0);
}

/*
 * The RAID offload ops (sw-memcpy's xor, pq, xor_val, pq_val and interrupt,
 * called through the device hooks as in the kernel) allocate nothing either.
 * The blocks are zero, so both checks must report 0.
 */
#define RAID_SRCS 4
#define RAID_CYCLES 2000
static uint8_t raid_buf[RAID_SRCS + 2][LEN] __attribute__((aligned(64)));

static struct dma_async_tx_descriptor *prep_raid(int kind, enum sum_check_flags *res)
{
	static const unsigned char scf[RAID_SRCS] = { 1, 2, 4, 8 };
	struct dma_device *dd = chan->device;
	unsigned long f = DMA_PREP_INTERRUPT | DMA_CTRL_ACK;
	dma_addr_t s[RAID_SRCS], pq[2];

	for (int i = 0; i < RAID_SRCS; i++)
		s[i] = map(raid_buf[i]);
	pq[0] = map(raid_buf[RAID_SRCS]);
	pq[1] = map(raid_buf[RAID_SRCS + 1]);
	switch (kind) {
	case 0:
		return dd->device_prep_dma_xor(chan, pq[0], s, RAID_SRCS, LEN, f);
	case 1:
		return dd->device_prep_dma_pq(chan, pq, s, RAID_SRCS, scf, LEN, f);
	case 2:
		return dd->device_prep_dma_xor_val(chan, s, RAID_SRCS, LEN, res, f);
	case 3:
		return dd->device_prep_dma_pq_val(chan, pq, s, RAID_SRCS, scf, LEN, res, f);
	default:
		return dd->device_prep_dma_interrupt(chan, f);
	}
}

static long raid_cycles(int n)
{
	long bad = 0;

	for (int i = 0; i < n; i++) {
		enum sum_check_flags res = (enum sum_check_flags)0x5a;
		struct dma_async_tx_descriptor *tx = prep_raid(i % 5, &res);
		long target = counter_get(&done) + 1;
		dma_cookie_t c;

		if (!tx) {
			bad++;
			continue;
		}
		tx->callback = cb;
		c = dmaengine_submit(tx);
		dma_async_issue_pending(chan);
		if (!counter_wait_ge(&done, target, TEST_DEADLINE_MS) ||
		    dmaengine_tx_status(chan, c, NULL) != DMA_COMPLETE ||
		    ((i % 5 == 2 || i % 5 == 3) && res != 0))
			bad++;
	}
	return bad;
}

static void test_raid_ops_allocate_nothing(void **state)
{
	long n, bad;

	(void)state;
	if (!dma_has_cap(DMA_PQ_VAL, chan->device->cap_mask))
		fail_msg("%s has no RAID offload", dma_chan_name(chan));
	assert_int_equal(raid_cycles(10), 0); /* warm up */
	counting_start();
	bad = raid_cycles(RAID_CYCLES);
	n = counting_stop();
	print_message("  %d xor/pq/xor_val/pq_val/interrupt cycles: %ld failed\n",
		      RAID_CYCLES, bad);
	assert_int_equal(bad, 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_sees_own_thread),
		cmocka_unit_test_setup_teardown(test_counter_sees_library_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counter_sees_completion_thread, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hot_path_allocates_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raid_ops_allocate_nothing, setup, teardown),
	};

	return cmocka_run_group_tests_name("steady-state", tests, NULL, NULL);
}
