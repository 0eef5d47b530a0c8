/* SPDX-License-Identifier: MIT */
/*
 * test-async-tx.c - async_tx operations on the sw-memcpy plugin (offloaded
 * through the public pool) and on the CPU fallback (no pool reference):
 * results equal a direct ISA-L reference for random stripes, every
 * two-failure combination of a RAID-6 stripe recovers for N = 4..8 data
 * blocks, an XOR of more terms than max_xor and a syndrome of more blocks
 * than max_pq run as chains on the channel, ASYNC_TX_PQ_XOR_DST accumulates,
 * the *_val operations detect a single flipped bit, the fallback runs
 * the callback in the caller's thread and returns NULL, and a completion
 * callback may submit further operations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <isa-l/raid.h>
#include <udmaengine/async_tx.h>

#include "test-util.h"

#define MAXD 48
#define BLK (2 * PAGE_SIZE)

static struct counter done;
static pthread_t cb_thread;  /* written by a callback, read after the wait */
static int cb_result = -1;   /* atomic */

static void cb_count(void *p)
{
	(void)p;
	cb_thread = pthread_self();
	counter_add(&done, 1);
}

static void cb_res(void *p, const struct dmaengine_result *r)
{
	(void)p;
	__atomic_store_n(&cb_result, (int)r->result, __ATOMIC_SEQ_CST);
	counter_add(&done, 1);
}

static unsigned char *blk_alloc(size_t len)
{
	unsigned char *p = aligned_alloc(PAGE_SIZE, (len + PAGE_SIZE - 1) & PAGE_MASK);

	assert_non_null(p);
	return p;
}

static void fill(unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)rand();
}

/* Run one operation with a counting callback and wait for it. */
#define RUN(expr, offload) do { \
	long before_ = counter_get(&done); \
	struct dma_async_tx_descriptor *tx_ = (expr); \
	if (offload) assert_non_null(tx_); else assert_null(tx_); \
	async_tx_issue_pending_all(); \
	assert_true(counter_wait_ge(&done, before_ + 1, TEST_DEADLINE_MS)); \
} while (0)

static int group_setup(void **state)
{
	(void)state;
	counter_init(&done);
	dmaengine_get();
	if (!dma_find_channel(DMA_PQ) || !dma_find_channel(DMA_XOR)) {
		fprintf(stderr, "sw-memcpy offers no DMA_PQ/DMA_XOR channel\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	dmaengine_put();
	counter_destroy(&done);
	return 0;
}

/* P and Q with ISA-L's pq_gen over copies (the reference). */
static void ref_pq(unsigned char **data, int n, size_t len, unsigned char *p, unsigned char *q)
{
	size_t alen = (len + 31) & ~(size_t)31;
	void *arr[MAXD + 2];

	for (int i = 0; i < n; i++) {
		arr[i] = blk_alloc(alen);
		memset(arr[i], 0, alen);
		if (data[i])
			memcpy(arr[i], data[i], len);
	}
	arr[n] = blk_alloc(alen);
	arr[n + 1] = blk_alloc(alen);
	assert_int_equal(pq_gen(n + 2, (int)alen, arr), 0);
	memcpy(p, arr[n], len);
	memcpy(q, arr[n + 1], len);
	for (int i = 0; i < n + 2; i++)
		free(arr[i]);
}

/*
 * Generate P and Q of @n data blocks and compare with ISA-L. @xor_dst: with
 * ASYNC_TX_PQ_XOR_DST, P and Q must end as their old contents xor the
 * syndrome (a continuation).
 */
static void gen_and_compare_flags(int n, size_t len, unsigned int off, bool offload,
				  bool with_null, bool xor_dst)
{
	unsigned char *blk[MAXD + 2], *rp = malloc(len), *rq = malloc(len);
	struct page *pages[MAXD + 2];
	unsigned int offs[MAXD + 2];
	unsigned char *data[MAXD];
	struct async_submit_ctl s;

	assert_non_null(rp);
	assert_non_null(rq);
	for (int i = 0; i < n + 2; i++) {
		blk[i] = blk_alloc(len + off);
		fill(blk[i], len + off);
		pages[i] = virt_to_page(blk[i]);
		offs[i] = off;
	}
	for (int i = 0; i < n; i++)
		data[i] = blk[i] + off;
	if (with_null) {
		pages[1] = NULL; /* a block of zeroes */
		data[1] = NULL;
	}
	ref_pq(data, n, len, rp, rq);
	if (xor_dst) {
		for (size_t i = 0; i < len; i++) {
			rp[i] ^= blk[n][off + i];
			rq[i] ^= blk[n + 1][off + i];
		}
	}
	init_async_submit(&s, ASYNC_TX_ACK | (xor_dst ? ASYNC_TX_PQ_XOR_DST : 0), NULL,
			  cb_count, NULL, NULL);
	RUN(async_gen_syndrome(pages, offs, n + 2, len, &s), offload);
	assert_memory_equal(blk[n] + off, rp, len);
	assert_memory_equal(blk[n + 1] + off, rq, len);
	for (int i = 0; i < n + 2; i++)
		free(blk[i]);
	free(rp);
	free(rq);
}

static void gen_and_compare(int n, size_t len, unsigned int off, bool offload, bool with_null)
{
	gen_and_compare_flags(n, len, off, offload, with_null, false);
}

static void test_gen_syndrome_matches_isal(void **state)
{
	(void)state;
	for (int n = 2; n <= 14; n += 3) {
		gen_and_compare(n, BLK, 0, true, false);
		gen_and_compare(n, BLK, 64, true, false);
		gen_and_compare(n, BLK, 0, true, true);
		gen_and_compare(n, 1000, 0, false, false); /* unaligned: CPU */
		gen_and_compare(n, 1000, 3, false, true);
	}
	/* more than max_pq (16) data blocks: a chain continued natively */
	gen_and_compare(17, BLK, 0, true, false);
	gen_and_compare(18, BLK, 64, true, true);
	gen_and_compare(32, BLK, 0, true, false);
	gen_and_compare(33, BLK, 0, true, true);
	gen_and_compare(MAXD, BLK, 0, true, false);
	gen_and_compare(20, 1000, 0, false, false);       /* unaligned: CPU */
}

/* ASYNC_TX_PQ_XOR_DST: P ^= P(data), Q ^= Q(data); offloaded as a native
 * continuation (sw-memcpy has DMA_HAS_PQ_CONTINUE), also split; CPU when
 * unaligned. */
static void test_gen_syndrome_xor_dst(void **state)
{
	(void)state;
	gen_and_compare_flags(2, BLK, 0, true, false, true);
	gen_and_compare_flags(7, BLK, 32, true, true, true);
	gen_and_compare_flags(16, BLK, 0, true, false, true);
	gen_and_compare_flags(40, BLK, 0, true, true, true);
	gen_and_compare_flags(7, 1000, 0, false, false, true);
	gen_and_compare_flags(30, 1000, 3, false, true, true);
}

/* @ref = xor of the first @n blocks of @src (BLK bytes), with ISA-L. */
static void xor_ref(unsigned char **src, int n, unsigned char *ref)
{
	void *arr[MAXD + 1];

	assert_true(n <= MAXD);
	for (int i = 0; i < n; i++)
		arr[i] = src[i];
	arr[n] = ref;
	assert_int_equal(xor_gen(n + 1, BLK, arr), 0);
}

static void test_xor_matches_isal(void **state)
{
	struct async_submit_ctl s;
	unsigned char *src[20], *dst = blk_alloc(BLK), *ref = blk_alloc(BLK);
	struct page *pages[20];
	void *arr[21];

	(void)state;
	for (int i = 0; i < 20; i++) {
		src[i] = blk_alloc(BLK);
		fill(src[i], BLK);
		pages[i] = virt_to_page(src[i]);
		arr[i] = src[i];
	}
	for (int n = 2; n <= 20; n += 6) {
		for (int i = 0; i < n; i++)
			arr[i] = src[i];
		arr[n] = ref;
		assert_int_equal(xor_gen(n + 1, BLK, arr), 0);
		fill(dst, BLK);
		init_async_submit(&s, ASYNC_TX_XOR_ZERO_DST | ASYNC_TX_ACK, NULL, cb_count,
				  NULL, NULL);
		RUN(async_xor(virt_to_page(dst), pages, 0, n, BLK, &s), true); /* 20: split */
		assert_memory_equal(dst, ref, BLK);
	}
	/* DROP_DST: dest is src_list[0] */
	xor_ref(src, 3, ref);
	init_async_submit(&s, ASYNC_TX_XOR_DROP_DST | ASYNC_TX_ACK, NULL, cb_count, NULL, NULL);
	RUN(async_xor(pages[0], pages, 0, 3, BLK, &s), true);
	assert_memory_equal(src[0], ref, BLK);
	for (int i = 0; i < 20; i++)
		free(src[i]);
	free(dst);
	free(ref);
}

/*
 * The CPU path with the destination among the terms and a length that is
 * not a multiple of 32 (ISA-L's kernels are not in-place safe there): the
 * default async_xor (old destination in the sum) and DROP_DST, lengths
 * around the vector sizes, against a byte loop.
 */
static void test_xor_cpu_in_place_unaligned(void **state)
{
	static const size_t lens[] = { 1, 31, 33, 65, 100, 1000, 4097, 9000 };
	unsigned char *src[4], *dst = blk_alloc(9000), *ref = blk_alloc(9000);
	struct page *pages[4];
	struct async_submit_ctl s;

	(void)state;
	for (int i = 0; i < 4; i++) {
		src[i] = blk_alloc(9000);
		pages[i] = virt_to_page(src[i]);
	}
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t len = lens[l];

		for (int drop = 0; drop < 2; drop++) {
			unsigned char *d = drop ? src[0] : dst;

			for (int i = 0; i < 4; i++)
				fill(src[i], len);
			fill(dst, len);
			for (size_t k = 0; k < len; k++)
				ref[k] = (unsigned char)((drop ? 0 : dst[k]) ^ src[0][k] ^ src[1][k] ^
							 src[2][k] ^ src[3][k]);
			init_async_submit(&s, ASYNC_TX_ACK | (drop ? ASYNC_TX_XOR_DROP_DST : 0), NULL,
					  cb_count, NULL, NULL);
			/* 1 byte is not 32-byte aligned: the CPU path */
			RUN(async_xor(virt_to_page(d), pages, 0, 4, len, &s), len % 32 == 0);
			assert_memory_equal(d, ref, len);
		}
	}
	for (int i = 0; i < 4; i++)
		free(src[i]);
	free(dst);
	free(ref);
}

/*
 * More terms than max_xor (16): a chain of partial XORs on the channel, not
 * the CPU (a descriptor comes back), for the three destination modes and
 * term counts around the step boundaries (16, 17, 31, 32, 33, 47 + dest).
 * The callback runs once, after the last step; the result equals ISA-L.
 */
static void test_xor_split_over_max_xor(void **state)
{
	enum { NS = 48 };
	static const int counts[] = { 15, 16, 17, 30, 31, 32, 33, 47, 48 };
	unsigned char *src[NS], *dst = blk_alloc(BLK), *old = blk_alloc(BLK),
		      *ref = blk_alloc(BLK);
	struct page *pages[NS];
	struct async_submit_ctl s;
	void *arr[NS + 2];

	(void)state;
	for (int i = 0; i < NS; i++) {
		src[i] = blk_alloc(BLK);
		fill(src[i], BLK);
		pages[i] = virt_to_page(src[i]);
	}
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		int n = counts[c];

		for (int mode = 0; mode < 3; mode++) {
			enum async_tx_flags f = mode == 0 ? ASYNC_TX_XOR_ZERO_DST :
						mode == 1 ? 0 : ASYNC_TX_XOR_DROP_DST;
			unsigned char *d = mode == 2 ? src[0] : dst;
			int k = 0;
			long before;

			if (mode == 2)
				memcpy(old, src[0], BLK); /* restored below */
			fill(dst, BLK);
			for (int i = 0; i < n; i++)
				arr[k++] = src[i];
			if (mode == 1)
				arr[k++] = dst; /* the old destination is a term */
			arr[k] = ref;
			assert_int_equal(xor_gen(k + 1, BLK, arr), 0);

			init_async_submit(&s, f | ASYNC_TX_ACK, NULL, cb_count, NULL, NULL);
			before = counter_get(&done);
			RUN(async_xor(virt_to_page(d), pages, 0, n, BLK, &s), true);
			assert_memory_equal(d, ref, BLK);
			async_tx_issue_pending_all();
			assert_int_equal(counter_get(&done), before + 1);
			if (mode == 2)
				memcpy(src[0], old, BLK);
		}
	}
	/* the destination is also a source past the first step (ZERO_DST):
	 * split, the later steps would read it written; the CPU does it whole */
	xor_ref(src, 24, ref);
	init_async_submit(&s, ASYNC_TX_XOR_ZERO_DST | ASYNC_TX_ACK, NULL, cb_count, NULL, NULL);
	RUN(async_xor(pages[20], pages, 0, 24, BLK, &s), false);
	assert_memory_equal(src[20], ref, BLK);
	for (int i = 0; i < NS; i++)
		free(src[i]);
	free(dst);
	free(old);
	free(ref);
}

/* Build a stripe of n data blocks, generate P and Q, keep a copy. */
struct stripe {
	int disks;
	unsigned char *b[MAXD + 2], *copy[MAXD + 2];
	struct page *pg[MAXD + 2];
};

static void stripe_make(struct stripe *st, int n, bool offload)
{
	struct async_submit_ctl s;

	st->disks = n + 2;
	for (int i = 0; i < st->disks; i++) {
		st->b[i] = blk_alloc(BLK);
		st->copy[i] = malloc(BLK);
		assert_non_null(st->copy[i]);
		fill(st->b[i], BLK);
		st->pg[i] = virt_to_page(st->b[i]);
	}
	init_async_submit(&s, ASYNC_TX_ACK, NULL, cb_count, NULL, NULL);
	RUN(async_gen_syndrome(st->pg, NULL, st->disks, BLK, &s), offload);
	for (int i = 0; i < st->disks; i++)
		memcpy(st->copy[i], st->b[i], BLK);
}

static void stripe_free(struct stripe *st)
{
	for (int i = 0; i < st->disks; i++) {
		free(st->b[i]);
		free(st->copy[i]);
	}
}

static void stripe_verify(struct stripe *st)
{
	for (int i = 0; i < st->disks; i++)
		assert_memory_equal(st->b[i], st->copy[i], BLK);
}

static void all_two_failures(bool offload)
{
	for (int n = 4; n <= 8; n++) {
		struct stripe st;
		int d;

		stripe_make(&st, n, offload);
		d = st.disks;
		for (int a = 0; a < d; a++) {
			for (int b = a + 1; b < d; b++) {
				struct async_submit_ctl s;

				memset(st.b[a], 0xa5, BLK);
				memset(st.b[b], 0x5a, BLK);
				init_async_submit(&s, ASYNC_TX_ACK, NULL, cb_count, NULL, NULL);
				if (b < d - 2) {
					RUN(async_raid6_2data_recov(d, BLK, a, b, st.pg, NULL, &s),
					    offload);
				} else if (b == d - 2) {
					RUN(async_raid6_datap_recov(d, BLK, a, st.pg, NULL, &s),
					    offload);
				} else if (a < d - 2) {
					/* data + Q: data from P (xor), then Q */
					struct page *srcs[MAXD + 1];
					int k = 0;

					for (int i = 0; i < d - 1; i++)
						if (i != a)
							srcs[k++] = st.pg[i];
					init_async_submit(&s, ASYNC_TX_XOR_ZERO_DST, NULL, NULL, NULL,
							  NULL);
					s.depend_tx = async_xor(st.pg[a], srcs, 0, k, BLK, &s);
					s.flags = ASYNC_TX_ACK;
					s.cb_fn = cb_count;
					RUN(async_gen_syndrome(st.pg, NULL, d, BLK, &s), offload);
				} else {
					/* P + Q */
					RUN(async_gen_syndrome(st.pg, NULL, d, BLK, &s), offload);
				}
				stripe_verify(&st);
			}
		}
		stripe_free(&st);
	}
}

static void test_raid6_two_failures_offload(void **state)
{
	(void)state;
	all_two_failures(true);
}

static void test_raid6_two_failures_cpu(void **state)
{
	(void)state;
	dmaengine_put();
	assert_null(dma_find_channel(DMA_PQ));
	all_two_failures(false);
	dmaengine_get();
}

/* Unaligned blocks with the pool active: the one-pass CPU rebuild. */
static void test_raid6_unaligned_cpu(void **state)
{
	const int n = 5, d = n + 2;
	const size_t len = 1000;
	unsigned char *b[7], *copy[7];
	struct page *pg[7];
	unsigned int offs[7];
	struct async_submit_ctl s;

	(void)state;
	for (int i = 0; i < d; i++) {
		b[i] = blk_alloc(len + 8);
		copy[i] = malloc(len);
		fill(b[i], len + 8);
		pg[i] = virt_to_page(b[i]);
		offs[i] = 3;
	}
	init_async_submit(&s, ASYNC_TX_ACK, NULL, cb_count, NULL, NULL);
	RUN(async_gen_syndrome(pg, offs, d, len, &s), false);
	for (int i = 0; i < d; i++)
		memcpy(copy[i], b[i] + 3, len);
	memset(b[1] + 3, 0, len);
	memset(b[4] + 3, 0, len);
	RUN(async_raid6_2data_recov(d, len, 4, 1, pg, offs, &s), false);
	memset(b[2] + 3, 0, len);
	memset(b[n] + 3, 0, len);
	RUN(async_raid6_datap_recov(d, len, 2, pg, offs, &s), false);
	for (int i = 0; i < d; i++) {
		assert_memory_equal(b[i] + 3, copy[i], len);
		free(b[i]);
		free(copy[i]);
	}
}

static void val_flips(bool offload)
{
	struct stripe st;
	struct async_submit_ctl s;
	enum sum_check_flags r = 0;
	struct page *xs[MAXD + 2];
	unsigned char *spare = blk_alloc(BLK);
	int d;

	stripe_make(&st, 6, offload);
	d = st.disks;
	/* P xor data == 0 */
	xs[0] = st.pg[d - 2];
	for (int i = 0; i < d - 2; i++)
		xs[i + 1] = st.pg[i];
	r = 99;
	init_async_submit(&s, ASYNC_TX_ACK, NULL, cb_count, NULL, NULL);
	RUN(async_xor_val(xs[0], xs, 0, d - 1, BLK, &r, &s), offload);
	assert_int_equal(r, 0);
	st.b[3][1234] ^= 0x10;
	RUN(async_xor_val(xs[0], xs, 0, d - 1, BLK, &r, &s), offload);
	assert_int_equal(r, SUM_CHECK_P_RESULT);
	st.b[3][1234] ^= 0x10;

	r = 99;
	RUN(async_syndrome_val(st.pg, NULL, d, BLK, &r, virt_to_page(spare), 0, &s), offload);
	assert_int_equal(r, 0);
	st.b[d - 1][BLK - 1] ^= 0x01; /* Q */
	RUN(async_syndrome_val(st.pg, NULL, d, BLK, &r, virt_to_page(spare), 0, &s), offload);
	assert_int_equal(r, SUM_CHECK_Q_RESULT);
	st.b[d - 1][BLK - 1] ^= 0x01;
	st.b[d - 2][7] ^= 0x80;       /* P */
	RUN(async_syndrome_val(st.pg, NULL, d, BLK, &r, virt_to_page(spare), 0, &s), offload);
	assert_int_equal(r, SUM_CHECK_P_RESULT);
	st.b[d - 2][7] ^= 0x80;
	st.b[0][100] ^= 0x04;         /* data: both */
	RUN(async_syndrome_val(st.pg, NULL, d, BLK, &r, virt_to_page(spare), 0, &s), offload);
	assert_int_equal(r, SUM_CHECK_P_RESULT | SUM_CHECK_Q_RESULT);
	stripe_free(&st);
	free(spare);
}

static void test_val_detects_one_bit(void **state)
{
	(void)state;
	val_flips(true);
	dmaengine_put();
	val_flips(false);
	dmaengine_get();
}

/* No channel: the work is done before the call returns, callback included. */
static void test_fallback_in_caller_context(void **state)
{
	unsigned char *a = blk_alloc(BLK), *b = blk_alloc(BLK);
	struct async_submit_ctl s;
	long before;

	(void)state;
	dmaengine_put();
	fill(a, BLK);
	before = counter_get(&done);
	init_async_submit(&s, 0, NULL, cb_count, NULL, NULL);
	assert_null(async_memcpy(virt_to_page(b), virt_to_page(a), 0, 0, BLK, &s));
	assert_int_equal(counter_get(&done), before + 1);
	assert_true(pthread_equal(cb_thread, pthread_self()));
	assert_memory_equal(a, b, BLK);
	/* bad arguments: callback with DMA_TRANS_ABORTED, NULL */
	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	s.udma_cb_result = cb_res;
	assert_null(async_memcpy(NULL, virt_to_page(a), 0, 0, BLK, &s));
	assert_int_equal(__atomic_load_n(&cb_result, __ATOMIC_SEQ_CST), DMA_TRANS_ABORTED);
	dmaengine_get();
	free(a);
	free(b);
}

static unsigned char *cs_src, *cs_dst;
static int cs_ctx = -1; /* atomic: udma_in_completion_context() in the callback */

static void cb_submits(void *p)
{
	struct async_submit_ctl s;

	(void)p;
	__atomic_store_n(&cs_ctx, udma_in_completion_context(), __ATOMIC_SEQ_CST);
	init_async_submit(&s, ASYNC_TX_ACK, NULL, cb_count, NULL, NULL);
	async_memcpy(virt_to_page(cs_dst), virt_to_page(cs_src), 0, 0, BLK, &s);
	async_tx_issue_pending_all();
}

/* Documented behaviour: a completion callback may submit (no wait needed). */
static void test_callback_submits(void **state)
{
	unsigned char *a = blk_alloc(BLK), *b = blk_alloc(BLK), *c = blk_alloc(BLK);
	struct async_submit_ctl s;
	long before = counter_get(&done);

	(void)state;
	fill(a, BLK);
	cs_src = b;
	cs_dst = c;
	init_async_submit(&s, ASYNC_TX_ACK, NULL, cb_submits, NULL, NULL);
	assert_non_null(async_memcpy(virt_to_page(b), virt_to_page(a), 0, 0, BLK, &s));
	async_tx_issue_pending_all();
	assert_true(counter_wait_ge(&done, before + 1, TEST_DEADLINE_MS));
	assert_int_equal(__atomic_load_n(&cs_ctx, __ATOMIC_SEQ_CST), 1);
	assert_memory_equal(c, a, BLK);
	free(a);
	free(b);
	free(c);
}

struct chain_thread {
	int seed;
	int failures;
	int rounds;
};

static void cb_flag(void *p)
{
	counter_add(p, 1);
}

/*
 * One long chain per round, nothing waited for in between: generate P/Q,
 * erase two data blocks with copies from a zero block, rebuild them, and
 * check the rebuilt blocks against the originals.
 */
static void *chain_worker(void *arg)
{
	struct chain_thread *ct = arg;
	unsigned int seed = (unsigned int)ct->seed;
	const int n = 5, d = n + 2;
	unsigned char *b[7], *orig[7], *zero = blk_alloc(BLK);
	struct page *pg[7];

	memset(zero, 0, BLK);
	for (int i = 0; i < d; i++) {
		b[i] = blk_alloc(BLK);
		orig[i] = malloc(BLK);
		pg[i] = virt_to_page(b[i]);
	}
	for (int r = 0; r < ct->rounds; r++) {
		int fa = (int)(rand_r(&seed) % n), fb = (fa + 1 + (int)(rand_r(&seed) % (n - 1))) % n;
		struct dma_async_tx_descriptor *tx;
		struct async_submit_ctl s;
		struct counter flag;

		for (int i = 0; i < n; i++) {
			for (size_t j = 0; j < BLK; j++)
				b[i][j] = (unsigned char)rand_r(&seed);
			memcpy(orig[i], b[i], BLK);
		}
		counter_init(&flag);
		init_async_submit(&s, ASYNC_TX_FENCE, NULL, NULL, NULL, NULL);
		tx = async_gen_syndrome(pg, NULL, d, BLK, &s);
		init_async_submit(&s, ASYNC_TX_FENCE, tx, NULL, NULL, NULL);
		tx = async_memcpy(pg[fa], virt_to_page(zero), 0, 0, BLK, &s);
		init_async_submit(&s, ASYNC_TX_FENCE, tx, NULL, NULL, NULL);
		tx = async_memcpy(pg[fb], virt_to_page(zero), 0, 0, BLK, &s);
		init_async_submit(&s, ASYNC_TX_ACK, tx, cb_flag, &flag, NULL);
		async_raid6_2data_recov(d, BLK, fa, fb, pg, NULL, &s);
		async_tx_issue_pending_all();
		if (!counter_wait_ge(&flag, 1, TEST_DEADLINE_MS) ||
		    memcmp(b[fa], orig[fa], BLK) || memcmp(b[fb], orig[fb], BLK))
			ct->failures++;
		counter_destroy(&flag);
	}
	for (int i = 0; i < d; i++) {
		free(b[i]);
		free(orig[i]);
	}
	free(zero);
	return NULL;
}

/* Threads building chains concurrently on the shared public channels. */
static void test_concurrent_chains(void **state)
{
	struct chain_thread ct[3] = { { 1, 0, 40 }, { 2, 0, 40 }, { 3, 0, 40 } };
	pthread_t th[3];

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, chain_worker, &ct[i]), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ct[i].failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_syndrome_matches_isal),
		cmocka_unit_test(test_gen_syndrome_xor_dst),
		cmocka_unit_test(test_xor_matches_isal),
		cmocka_unit_test(test_xor_split_over_max_xor),
		cmocka_unit_test(test_xor_cpu_in_place_unaligned),
		cmocka_unit_test(test_raid6_two_failures_offload),
		cmocka_unit_test(test_raid6_two_failures_cpu),
		cmocka_unit_test(test_raid6_unaligned_cpu),
		cmocka_unit_test(test_val_detects_one_bit),
		cmocka_unit_test(test_fallback_in_caller_context),
		cmocka_unit_test(test_callback_submits),
		cmocka_unit_test(test_concurrent_chains),
	};

	srand(4);
	return cmocka_run_group_tests_name("async-tx", tests, group_setup, group_teardown);
}
