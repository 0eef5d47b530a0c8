/* SPDX-License-Identifier: MIT */
/*
 * test-async-steady.c - async_tx allocates nothing in steady state.
 *
 * Same method as test-steady-state.c (this executable defines malloc and
 * friends, forwarding to glibc, and counts calls from every thread while a
 * flag is set): after a warm-up, RAID-6 chains offloaded to sw-memcpy
 * (async_gen_syndrome, async_raid6_2data_recov, async_raid6_datap_recov,
 * async_syndrome_val, async_xor_val, with their completion threads running
 * dma_run_dependencies) and the same operations on the CPU path make no
 * allocator call. Only built without sanitizers.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <udmaengine/async_tx.h>

#include "test-util.h"

#include "malloc-count.h"

/* ------------------------------------------------------------- fixture */

#define ND 6
#define DISKS (ND + 2)
#define BLK 8192
#define ROUNDS 200

static unsigned char *blk[DISKS], *spare;
static struct page *pg[DISKS];
static struct counter done;

static void cb(void *p)
{
	(void)p;
	counter_add(&done, 1);
}

static int group_setup(void **state)
{
	(void)state;
	counter_init(&done);
	for (int i = 0; i < DISKS; i++) {
		blk[i] = aligned_alloc(PAGE_SIZE, BLK);
		if (!blk[i])
			return -1;
		for (int j = 0; j < BLK; j++)
			blk[i][j] = (unsigned char)(i * 31 + j);
		pg[i] = virt_to_page(blk[i]);
	}
	spare = aligned_alloc(PAGE_SIZE, BLK);
	dmaengine_get();
	return spare && dma_find_channel(DMA_PQ) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	dmaengine_put();
	for (int i = 0; i < DISKS; i++)
		free(blk[i]);
	free(spare);
	counter_destroy(&done);
	return 0;
}

/* One round: generate, lose two data blocks, rebuild, lose data + P, rebuild,
 * validate - chained, one callback at the end. */
static bool round_trip(int r)
{
	struct async_submit_ctl s;
	struct dma_async_tx_descriptor *tx;
	enum sum_check_flags res = 0;
	struct page *xs[ND + 1];
	long before = counter_get(&done);
	int a = r % ND, b = (r + 1 + r / ND) % ND;

	if (a == b)
		b = (b + 1) % ND;
	xs[0] = pg[ND];
	for (int i = 0; i < ND; i++)
		xs[i + 1] = pg[i];
	init_async_submit(&s, ASYNC_TX_FENCE, NULL, NULL, NULL, NULL);
	tx = async_gen_syndrome(pg, NULL, DISKS, BLK, &s);
	init_async_submit(&s, ASYNC_TX_FENCE, tx, NULL, NULL, NULL);
	tx = async_raid6_2data_recov(DISKS, BLK, a, b, pg, NULL, &s);
	init_async_submit(&s, ASYNC_TX_FENCE, tx, NULL, NULL, NULL);
	tx = async_raid6_datap_recov(DISKS, BLK, b, pg, NULL, &s);
	init_async_submit(&s, 0, tx, NULL, NULL, NULL);
	tx = async_syndrome_val(pg, NULL, DISKS, BLK, &res, virt_to_page(spare), 0, &s);
	init_async_submit(&s, ASYNC_TX_ACK, tx, cb, NULL, NULL);
	async_xor_val(xs[0], xs, 0, ND + 1, BLK, &res, &s);
	async_tx_issue_pending_all();
	return counter_wait_ge(&done, before + 1, TEST_DEADLINE_MS) && res == 0;
}

static void test_counter_counts(void **state)
{
	(void)state;
	counting_start();
	do_free(do_malloc(16));
	assert_int_equal(counting_stop(), 2);
}

static void run_rounds(void)
{
	for (int r = 0; r < 8; r++)  /* warm-up: lazy per-thread state */
		assert_true(round_trip(r));
	counting_start();
	for (int r = 0; r < ROUNDS; r++)
		if (!round_trip(r))
			break;
	assert_int_equal(counting_stop(), 0);
	assert_true(round_trip(0));
}

static void test_offload_no_alloc(void **state)
{
	(void)state;
	run_rounds();
}

static void test_cpu_no_alloc(void **state)
{
	(void)state;
	dmaengine_put();
	assert_null(dma_find_channel(DMA_PQ));
	run_rounds();
	dmaengine_get();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_counts),
		cmocka_unit_test(test_offload_no_alloc),
		cmocka_unit_test(test_cpu_no_alloc),
	};

	return cmocka_run_group_tests_name("async-steady", tests, group_setup, group_teardown);
}
