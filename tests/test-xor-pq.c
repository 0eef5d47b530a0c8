/* SPDX-License-Identifier: MIT */
/*
 * test-xor-pq.c - the RAID offload ops of the real sw-memcpy provider:
 * DMA_XOR, DMA_XOR_VAL, DMA_PQ, DMA_PQ_VAL and DMA_INTERRUPT, called through
 * the kernel's struct dma_device hooks (there are no client wrappers for
 * them, in the kernel either).
 *
 *  caps: the capabilities, max_xor, dma_maxpq() (native continuation),
 *  xor_align / pq_align.
 *  xor / pq: random stripes (several source counts up to max_xor / max_pq,
 *  lengths that are any multiple of the 32-byte alignment, some crossing the
 *  engine's 32 KiB pieces and one over 1 MiB, random and generator-power
 *  coefficients) equal ISA-L's plain-C reference (xor_gen_base,
 *  ec_encode_data_base); sources are untouched, bytes around every
 *  destination too. DMA_PREP_PQ_DISABLE_P / _Q write only the other side
 *  and never look at the disabled address; DMA_PREP_CONTINUE accumulates
 *  into P/Q so that a syndrome split over several descriptors equals the
 *  whole one (also with P disabled). A destination equal to a source (the
 *  kernel's async_xor DROP_DST, RAID-6 recovery's in-place multiply) works.
 *  xor_val / pq_val: zero on good data (the result variable is overwritten),
 *  a single flipped bit anywhere is reported on the right side(s), a
 *  disabled side is not checked.
 *  interrupt: DMA_INTERRUPT descriptors between copies complete in cookie
 *  order with their callbacks.
 *  terminate: long pq / xor_val descriptors terminated while they run end
 *  completed (in order, one callback) or DMA_ERROR (none), and the channel
 *  works afterwards.
 *  bad input: too few/many sources, length 0 or unaligned, an unaligned or
 *  unmapped address, NULL arrays/coefficients/result, both sides disabled,
 *  a destination partly overlapping a source, CONTINUE on pq_val: NULL and
 *  a log line, and the channel still computes correctly afterwards.
 *
 * Callbacks never assert: they count (struct counter, atomics) and the test
 * thread checks after a deadline wait.
 */
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

#include <isa-l/erasure_code.h>
#include <isa-l/raid.h>
#include <udmaengine/dmaengine.h>

#include "test-util.h"
#include "log-capture.h"

#define MAX_XOR 16      /* sw-memcpy's max_xor */
#define MAX_PQ 16       /* sw-memcpy's max_pq */
#define ALIGN 32        /* sw-memcpy's xor_align / pq_align, in bytes */
#define GUARD 64        /* bytes checked untouched on each side of an output */
#define MAXSRC 32       /* blocks of a stripe (a continued syndrome has > MAX_PQ) */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define ROUNDS 6 /* sanitizers check every byte computed and compared */
#else
#define ROUNDS 24
#endif
#define BIG_LEN (((size_t)1 << 20) + 3 * ALIGN)
#define MAX_LEN BIG_LEN

/* ------------------------------------------------------------- helpers */

static struct dma_chan *chan;
static struct dma_device *dd;
static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* a random multiple of ALIGN in [ALIGN, max] */
static size_t rnd_len(size_t max)
{
	return ALIGN * (1 + rnd() % (max / ALIGN));
}

/* @len bytes, 64-byte aligned (aligned_alloc wants a multiple of 64) */
static uint8_t *alloc64(size_t len)
{
	return aligned_alloc(64, (len + 63) & ~(size_t)63);
}

static void fill_rnd(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rnd();
}

/*
 * A block with GUARD bytes of a known value on each side: blk() is the
 * 64-byte aligned data, the guards are checked by guards_ok().
 */
struct buf {
	uint8_t *mem;
	size_t len;
};

static uint8_t *blk(struct buf *b)
{
	return b->mem + GUARD;
}

static void buf_alloc(struct buf *b, size_t len)
{
	b->len = len;
	b->mem = alloc64(GUARD + len + GUARD);
	assert_non_null(b->mem);
	memset(b->mem, 0xa5, GUARD);
	memset(b->mem + GUARD + len, 0x5a, GUARD);
}

static void buf_free(struct buf *b)
{
	free(b->mem);
	b->mem = NULL;
}

static void guards_ok(struct buf *b, const char *what)
{
	for (size_t i = 0; i < GUARD; i++) {
		if (b->mem[i] != 0xa5)
			fail_msg("%s: byte %ld before the block written", what, (long)i - GUARD);
		if (b->mem[GUARD + b->len + i] != 0x5a)
			fail_msg("%s: byte %zu after the block written", what, i);
	}
}

/* Fail with the first differing byte of @got against @want. */
static void compare(const uint8_t *got, const uint8_t *want, size_t len, const char *what)
{
	if (!memcmp(got, want, len))
		return;
	for (size_t i = 0; i < len; i++)
		if (got[i] != want[i])
			fail_msg("%s: byte %zu of %zu is 0x%02x, want 0x%02x", what, i, len, got[i],
				 want[i]);
}

/* identity for sw-memcpy; map() keeps the test honest about bus addresses */
static dma_addr_t map(void *p, size_t len)
{
	struct device *dev = dmaengine_get_dma_device(chan);
	dma_addr_t a = dma_map_single(dev, p, len, DMA_BIDIRECTIONAL);

	assert_int_equal(dma_mapping_error(dev, a), 0);
	return a;
}

/* 2^i in GF(2^8), through ISA-L */
static unsigned char gfexp(unsigned int i)
{
	unsigned char v = 1;

	while (i--)
		v = gf_mul(v, 2);
	return v;
}

/* ISA-L's plain-C reference: rows of coefficients @a (k each) over @src. */
static void ref_encode(size_t len, int k, int rows, const unsigned char *a, uint8_t **src,
		       uint8_t **out)
{
	unsigned char tbls[32 * MAXSRC * 2];

	ec_init_tables(k, rows, (unsigned char *)a, tbls);
	ec_encode_data_base((int)len, k, rows, tbls, src, out);
}

/* Reference P (XOR) and Q (sum scf[i] * src[i]) of @k blocks. */
static void ref_pq(size_t len, int k, const unsigned char *scf, uint8_t **src, uint8_t *p,
		   uint8_t *q)
{
	unsigned char a[2 * MAXSRC];
	uint8_t *out[2] = { p, q };
	void *v[MAXSRC + 1];

	memset(a, 1, (size_t)k);
	memcpy(a + k, scf, (size_t)k);
	ref_encode(len, k, 2, a, src, out);
	/* the two references agree on P */
	memcpy(v, src, (size_t)k * sizeof(v[0]));
	if (k >= 2) {
		uint8_t *p2 = alloc64(len);

		assert_non_null(p2);
		v[k] = p2;
		assert_int_equal(xor_gen_base(k + 1, (int)len, v), 0);
		compare(p2, p, len, "reference P");
		free(p2);
	}
}

/* ------------------------------------------------------------- callbacks */

#define MAXJ 64 /* descriptors per batch */

static struct counter done;
static atomic_int order[MAXJ]; /* callback number, in completion order */
static atomic_int norder;
static atomic_int calls[MAXJ];

static void cb_reset(void)
{
	atomic_store(&norder, 0);
	for (int i = 0; i < MAXJ; i++) {
		atomic_store(&calls[i], 0);
		atomic_store(&order[i], -1);
	}
}

static void cb_job(void *param)
{
	int i = (int)(intptr_t)param;

	atomic_fetch_add(&calls[i], 1);
	atomic_store(&order[atomic_fetch_add(&norder, 1) % MAXJ], i);
	counter_add(&done, 1);
}

/* Submit @tx with callback #@i. */
static dma_cookie_t submit_cb(struct dma_async_tx_descriptor *tx, int i)
{
	dma_cookie_t c;

	assert_non_null(tx);
	tx->callback = cb_job;
	tx->callback_param = (void *)(intptr_t)i;
	c = dmaengine_submit(tx);
	assert_true(c >= DMA_MIN_COOKIE);
	return c;
}

/* Issue and wait for @n callbacks (numbered 0..n-1, cookies @c) to complete. */
static void run_batch(const dma_cookie_t *c, int n, long before)
{
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&done, before + n, TEST_DEADLINE_MS));
	for (int i = 0; i < n; i++) {
		assert_int_equal(dmaengine_tx_status(chan, c[i], NULL), DMA_COMPLETE);
		assert_int_equal(atomic_load(&calls[i]), 1);
	}
}

/* Run one descriptor to completion. */
static void run_one(struct dma_async_tx_descriptor *tx)
{
	long before = counter_get(&done);
	dma_cookie_t c;

	cb_reset();
	c = submit_cb(tx, 0);
	run_batch(&c, 1, before);
}

/* A refusal was logged, by a line containing @needle. */
static void assert_logged(const char *needle)
{
	if (!log_has(needle))
		fail_msg("no log line contains \"%s\"", needle);
	log_reset();
}

static void assert_no_log(void)
{
	if (log_count())
		log_dump();
	assert_int_equal(log_count(), 0);
}

/* ------------------------------------------------------------- stripes */

/* MAXSRC source blocks and two outputs of up to MAX_LEN bytes, guarded */
static struct buf sbuf[MAXSRC], obuf[2];
static uint8_t *copy[MAXSRC]; /* what the sources held, to prove them untouched */
static uint8_t *want[2];

static void stripe_fill(int k, size_t len)
{
	for (int i = 0; i < k; i++) {
		fill_rnd(blk(&sbuf[i]), len);
		memcpy(copy[i], blk(&sbuf[i]), len);
	}
	for (int j = 0; j < 2; j++)
		fill_rnd(blk(&obuf[j]), len);
}

static void stripe_sources_ok(int k, size_t len)
{
	for (int i = 0; i < k; i++) {
		compare(blk(&sbuf[i]), copy[i], len, "source");
		guards_ok(&sbuf[i], "source");
	}
}

static void stripe_map(int k, size_t len, dma_addr_t *src, dma_addr_t *out)
{
	for (int i = 0; i < k; i++)
		src[i] = map(blk(&sbuf[i]), len);
	for (int j = 0; j < 2; j++)
		out[j] = map(blk(&obuf[j]), len);
}

static uint8_t **srcs(int k)
{
	static uint8_t *p[MAXSRC];

	for (int i = 0; i < k; i++)
		p[i] = blk(&sbuf[i]);
	return p;
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
	cb_reset();
	dma_cap_zero(mask);
	dma_cap_set(DMA_XOR, mask);
	dma_cap_set(DMA_PQ, mask);
	chan = dma_request_channel(mask, is_sw_memcpy, NULL);
	if (!chan)
		return -1;
	dd = chan->device;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (chan)
		dma_release_channel(chan);
	chan = NULL;
	return 0;
}

static int group_setup(void **state)
{
	const char *env = getenv("UDMA_XOR_PQ_SEED");

	(void)state;
	rng_state = env ? strtoull(env, NULL, 0) : 0xc0ffee11ull;
	if (!rng_state)
		rng_state = 1;
	print_message("  seed 0x%llx (UDMA_XOR_PQ_SEED)\n", (unsigned long long)rng_state);
	udma_set_log_fn(log_sink, NULL);
	counter_init(&done);
	for (int i = 0; i < MAXSRC; i++) {
		buf_alloc(&sbuf[i], MAX_LEN);
		copy[i] = alloc64(MAX_LEN);
		if (!copy[i])
			return -1;
	}
	for (int j = 0; j < 2; j++) {
		buf_alloc(&obuf[j], MAX_LEN);
		want[j] = alloc64(MAX_LEN);
		if (!want[j])
			return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	udma_set_log_fn(NULL, NULL);
	counter_destroy(&done);
	for (int i = 0; i < MAXSRC; i++) {
		buf_free(&sbuf[i]);
		free(copy[i]);
	}
	for (int j = 0; j < 2; j++) {
		buf_free(&obuf[j]);
		free(want[j]);
	}
	return 0;
}

/* ------------------------------------------------------------------ caps */

static void test_caps(void **state)
{
	(void)state;
	assert_true(dma_has_cap(DMA_XOR, dd->cap_mask));
	assert_true(dma_has_cap(DMA_XOR_VAL, dd->cap_mask));
	assert_true(dma_has_cap(DMA_PQ, dd->cap_mask));
	assert_true(dma_has_cap(DMA_PQ_VAL, dd->cap_mask));
	assert_true(dma_has_cap(DMA_INTERRUPT, dd->cap_mask));
	assert_int_equal(dd->max_xor, MAX_XOR);
	/* native continuation: a continued prep takes as many sources */
	assert_true(dma_dev_has_pq_continue(dd));
	assert_int_equal(dma_dev_to_maxpq(dd), MAX_PQ);
	assert_int_equal(dma_maxpq(dd, 0), MAX_PQ);
	assert_int_equal(dma_maxpq(dd, DMA_PREP_CONTINUE), MAX_PQ);
	assert_int_equal(dma_maxpq(dd, DMA_PREP_CONTINUE | DMA_PREP_PQ_DISABLE_P), MAX_PQ);
	assert_int_equal(1 << dd->xor_align, ALIGN);
	assert_int_equal(1 << dd->pq_align, ALIGN);
	assert_true(is_dma_xor_aligned(dd, 0, 64, 4096));
	assert_false(is_dma_xor_aligned(dd, 0, 64, 4095));
	assert_false(is_dma_pq_aligned(dd, 16, 0, 4096));
}

/* Without native continuation dma_maxpq() keeps spare slots (kernel rule). */
static void test_maxpq_rules(void **state)
{
	struct dma_device d;

	(void)state;
	memset(&d, 0, sizeof(d));
	dma_set_maxpq(&d, 8, 0);
	assert_false(dma_dev_has_pq_continue(&d));
	assert_int_equal(dma_maxpq(&d, 0), 8);
	assert_int_equal(dma_maxpq(&d, DMA_PREP_CONTINUE), 5);
	assert_int_equal(dma_maxpq(&d, DMA_PREP_CONTINUE | DMA_PREP_PQ_DISABLE_P), 7);
	dma_set_maxpq(&d, 8, 1);
	assert_int_equal(d.max_pq, 8 | DMA_HAS_PQ_CONTINUE);
	assert_int_equal(dma_maxpq(&d, DMA_PREP_CONTINUE), 8);
}

/* ------------------------------------------------------------------- xor */

static const int xor_counts[] = { 2, 3, 5, 8, 13, MAX_XOR };

static void test_xor_random(void **state)
{
	dma_addr_t src[MAXSRC], out[2];

	(void)state;
	for (int r = 0; r < ROUNDS; r++) {
		int k = xor_counts[r % (int)(sizeof(xor_counts) / sizeof(xor_counts[0]))];
		size_t len = r == 1 ? BIG_LEN : r == 0 ? ALIGN : rnd_len(r % 3 ? 4096 : 200 << 10);
		void *v[MAXSRC + 1];

		stripe_fill(k, len);
		memcpy(v, srcs(k), (size_t)k * sizeof(v[0]));
		v[k] = want[0];
		assert_int_equal(xor_gen_base(k + 1, (int)len, v), 0);
		stripe_map(k, len, src, out);
		run_one(dd->device_prep_dma_xor(chan, out[0], src, (unsigned int)k, len,
						DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
		compare(blk(&obuf[0]), want[0], len, "xor");
		guards_ok(&obuf[0], "xor destination");
		stripe_sources_ok(k, len);
	}
	assert_no_log();
}

/* Several xors in one batch, all checked. */
static void test_xor_batch(void **state)
{
	enum { N = 8, K = 4, LEN = 4096 };
	static uint8_t out[N][LEN] __attribute__((aligned(64)));
	dma_addr_t src[MAXSRC], o[2];
	dma_cookie_t c[N];
	long before = counter_get(&done);

	(void)state;
	cb_reset();
	stripe_fill(K + N, LEN);
	stripe_map(K + N, LEN, src, o);
	for (int j = 0; j < N; j++)
		c[j] = submit_cb(dd->device_prep_dma_xor(chan, map(out[j], LEN), src + j, K, LEN,
							 DMA_PREP_INTERRUPT | DMA_CTRL_ACK), j);
	run_batch(c, N, before);
	for (int j = 0; j < N; j++) {
		void *v[K + 1];

		memcpy(v, srcs(K + N) + j, K * sizeof(v[0]));
		v[K] = want[0];
		assert_int_equal(xor_gen_base(K + 1, LEN, v), 0);
		compare(out[j], want[0], LEN, "batched xor");
	}
	assert_no_log();
}

/* dst == src[0]: async_xor's DROP_DST (parity ^= old ^ new). */
static void test_xor_in_place(void **state)
{
	dma_addr_t src[MAXSRC], out[2];
	size_t len = 100 << 10; /* several engine pieces */
	void *v[4];

	(void)state;
	stripe_fill(3, len);
	v[0] = copy[0];
	v[1] = copy[1];
	v[2] = copy[2];
	v[3] = want[0];
	assert_int_equal(xor_gen_base(4, (int)len, v), 0);
	stripe_map(3, len, src, out);
	run_one(dd->device_prep_dma_xor(chan, src[0], src, 3, len, DMA_CTRL_ACK));
	compare(blk(&sbuf[0]), want[0], len, "in-place xor");
	guards_ok(&sbuf[0], "in-place xor");
	compare(blk(&sbuf[1]), copy[1], len, "source 1");
	compare(blk(&sbuf[2]), copy[2], len, "source 2");
	assert_no_log();
}

/* -------------------------------------------------------------------- pq */

static const int pq_counts[] = { 1, 2, 3, 6, 8, 11, MAX_PQ };

static void random_scf(unsigned char *scf, int k, bool gen)
{
	for (int i = 0; i < k; i++)
		scf[i] = gen ? gfexp((unsigned int)i) : (unsigned char)rnd();
}

static void test_pq_random(void **state)
{
	dma_addr_t src[MAXSRC], out[2];
	unsigned char scf[MAXSRC];

	(void)state;
	for (int r = 0; r < ROUNDS; r++) {
		int k = pq_counts[r % (int)(sizeof(pq_counts) / sizeof(pq_counts[0]))];
		size_t len = r == 2 ? BIG_LEN : r < 2 ? ALIGN * (size_t)(r + 1) /* 32, 64 */
			     : rnd_len(r % 3 ? 8192 : 200 << 10);
		bool gen = r % 2; /* the raid6 coefficients (pq_gen) or random ones */

		random_scf(scf, k, gen);
		stripe_fill(k, len);
		ref_pq(len, k, scf, srcs(k), want[0], want[1]);
		stripe_map(k, len, src, out);
		run_one(dd->device_prep_dma_pq(chan, out, src, (unsigned int)k, scf, len,
					       DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
		compare(blk(&obuf[0]), want[0], len, "P");
		compare(blk(&obuf[1]), want[1], len, "Q");
		guards_ok(&obuf[0], "P");
		guards_ok(&obuf[1], "Q");
		stripe_sources_ok(k, len);
	}
	assert_no_log();
}

/* DISABLE_P / DISABLE_Q: the other side only; the disabled address is not read. */
static void test_pq_disable(void **state)
{
	dma_addr_t src[MAXSRC], out[2], pq[2];
	unsigned char scf[MAXSRC];

	(void)state;
	for (int r = 0; r < 8; r++) {
		int k = pq_counts[(r + 1) % 7];
		size_t len = rnd_len(r < 2 ? 100 << 10 : 4096);
		bool no_p = r % 2;
		uint8_t *keep = copy[MAXSRC - 1]; /* the disabled side's old content */

		random_scf(scf, k, r % 4 < 2);
		stripe_fill(k, len);
		ref_pq(len, k, scf, srcs(k), want[0], want[1]);
		stripe_map(k, len, src, out);
		memcpy(keep, blk(&obuf[no_p ? 0 : 1]), len);
		pq[0] = no_p ? 0 : out[0];  /* not mapped: must not be looked at */
		pq[1] = no_p ? out[1] : 0x13; /* unaligned garbage, likewise */
		run_one(dd->device_prep_dma_pq(chan, pq, src, (unsigned int)k, scf, len,
					       DMA_CTRL_ACK | (no_p ? DMA_PREP_PQ_DISABLE_P
								    : DMA_PREP_PQ_DISABLE_Q)));
		if (no_p) {
			compare(blk(&obuf[1]), want[1], len, "Q (P disabled)");
			compare(blk(&obuf[0]), keep, len, "disabled P");
		} else {
			compare(blk(&obuf[0]), want[0], len, "P (Q disabled)");
			compare(blk(&obuf[1]), keep, len, "disabled Q");
		}
		guards_ok(&obuf[0], "P");
		guards_ok(&obuf[1], "Q");
		stripe_sources_ok(k, len);
	}
	assert_no_log();
}

/*
 * A syndrome over more sources than max_pq, as async_gen_syndrome splits it:
 * the first descriptor writes P/Q, the next ones pass DMA_PREP_CONTINUE with
 * the coefficients of their own sources; the result equals the whole one.
 */
static void continued(int k, const unsigned char *scf, size_t len, bool no_p, bool batch)
{
	dma_addr_t src[MAXSRC], out[2];
	unsigned long flags = DMA_CTRL_ACK | (no_p ? DMA_PREP_PQ_DISABLE_P : 0);
	dma_cookie_t c[MAXSRC];
	long before = counter_get(&done);
	int n = 0;

	stripe_fill(k, len);
	ref_pq(len, k, scf, srcs(k), want[0], want[1]);
	stripe_map(k, len, src, out);
	if (no_p)
		memcpy(want[0], blk(&obuf[0]), len); /* P stays as it was */
	cb_reset();
	for (int off = 0; off < k; n++) {
		int cnt = k - off < MAX_PQ ? k - off : MAX_PQ;

		/* uneven pieces too: a short one first when there is room */
		if (n == 0 && k > 3)
			cnt = 3;
		c[n] = submit_cb(dd->device_prep_dma_pq(chan, out, src + off, (unsigned int)cnt,
							scf + off, len, flags), n);
		if (!batch) {
			dma_async_issue_pending(chan);
			assert_true(counter_wait_ge(&done, before + n + 1, TEST_DEADLINE_MS));
		}
		off += cnt;
		flags |= DMA_PREP_CONTINUE;
	}
	run_batch(c, n, before);
	compare(blk(&obuf[0]), want[0], len, no_p ? "untouched P" : "continued P");
	compare(blk(&obuf[1]), want[1], len, "continued Q");
	guards_ok(&obuf[0], "P");
	guards_ok(&obuf[1], "Q");
	stripe_sources_ok(k, len);
}

static void test_pq_continue(void **state)
{
	unsigned char scf[MAXSRC];

	(void)state;
	random_scf(scf, MAXSRC, true);
	continued(MAXSRC, scf, 4096, false, true);             /* raid6, 3 + 16 + 13 */
	continued(MAX_PQ + 1, scf, 96 << 10, false, false);    /* one at a time */
	random_scf(scf, MAXSRC, false);
	continued(24, scf, rnd_len(64 << 10), false, true);
	continued(20, scf, rnd_len(64 << 10), true, true);     /* P disabled */
	/* the shortest blocks, below ISA-L's vector loops' own minimums */
	for (size_t len = ALIGN; len <= 4 * ALIGN; len += ALIGN) {
		continued(MAX_PQ + 2, scf, len, false, true);
		continued(MAX_PQ + 2, scf, len, true, true);
	}
	assert_no_log();
}

/*
 * Q equal to a source, as async_sum_product (Q == src[1]) and async_mult
 * (Q == its only source, in place) do during RAID-6 recovery.
 */
static void test_pq_in_place(void **state)
{
	dma_addr_t src[MAXSRC], out[2], pq[2];
	unsigned char coef[2] = { (unsigned char)(rnd() | 1), (unsigned char)(rnd() | 2) };
	size_t len = 72 << 10;
	uint8_t *s[2];

	(void)state;
	/* async_sum_product: Q = c0 * src0 + c1 * src1, written over src1 */
	stripe_fill(2, len);
	s[0] = copy[0];
	s[1] = copy[1];
	ref_encode(len, 2, 1, coef, s, &want[1]);
	stripe_map(2, len, src, out);
	pq[0] = 0;
	pq[1] = src[1];
	run_one(dd->device_prep_dma_pq(chan, pq, src, 2, coef, len,
				       DMA_CTRL_ACK | DMA_PREP_PQ_DISABLE_P));
	compare(blk(&sbuf[1]), want[1], len, "sum product over its source");
	compare(blk(&sbuf[0]), copy[0], len, "source 0");
	guards_ok(&sbuf[1], "sum product");

	/* async_mult: Q = c * Q */
	stripe_fill(1, len);
	s[0] = copy[0];
	ref_encode(len, 1, 1, coef, s, &want[1]);
	stripe_map(1, len, src, out);
	pq[1] = src[0];
	run_one(dd->device_prep_dma_pq(chan, pq, src, 1, coef, len,
				       DMA_CTRL_ACK | DMA_PREP_PQ_DISABLE_P));
	compare(blk(&sbuf[0]), want[1], len, "multiply in place");
	guards_ok(&sbuf[0], "multiply in place");

	/* P equal to one of its sources, continued: P' = P ^ (src0 ^ P ^ src2) */
	{
		unsigned char scf[3] = { 1, 2, 4 };
		unsigned char ones[2] = { 1, 1 };
		uint8_t *odd[2] = { copy[0], copy[2] };
		uint8_t *q0 = copy[MAXSRC - 1];

		stripe_fill(3, len);
		memcpy(q0, blk(&obuf[1]), len);
		ref_encode(len, 2, 1, ones, odd, &want[0]);
		ref_encode(len, 3, 1, scf, copy, &want[1]);
		for (size_t i = 0; i < len; i++)
			want[1][i] ^= q0[i];
		stripe_map(3, len, src, out);
		pq[0] = src[1];
		pq[1] = out[1];
		run_one(dd->device_prep_dma_pq(chan, pq, src, 3, scf, len,
					       DMA_CTRL_ACK | DMA_PREP_CONTINUE));
		compare(blk(&sbuf[1]), want[0], len, "P continued over its own source");
		compare(blk(&obuf[1]), want[1], len, "Q continued from q0");
		guards_ok(&sbuf[1], "P over its source");
	}
	assert_no_log();
}

/* ------------------------------------------------------------ validation */

static void test_xor_val(void **state)
{
	dma_addr_t src[MAXSRC], out[2];

	(void)state;
	for (int r = 0; r < 8; r++) {
		int k = xor_counts[r % 6];
		size_t len = r == 7 ? ALIGN : rnd_len(r < 3 ? 160 << 10 : 4096);
		enum sum_check_flags res = (enum sum_check_flags)0x5a;
		void *v[MAXSRC + 1];
		size_t bit;

		/* the last block is the parity of the others */
		stripe_fill(k, len);
		memcpy(v, srcs(k), (size_t)(k - 1) * sizeof(v[0]));
		v[k - 1] = blk(&sbuf[k - 1]);
		assert_int_equal(xor_gen_base(k, (int)len, v), 0);
		stripe_map(k, len, src, out);
		run_one(dd->device_prep_dma_xor_val(chan, src, (unsigned int)k, len, &res,
						    DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
		assert_int_equal(res, 0);

		/* one flipped bit anywhere, in any block */
		bit = rnd() % (len * 8);
		blk(&sbuf[r % k])[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		res = (enum sum_check_flags)0;
		run_one(dd->device_prep_dma_xor_val(chan, src, (unsigned int)k, len, &res,
						    DMA_CTRL_ACK));
		assert_int_equal(res, SUM_CHECK_P_RESULT);
	}
	assert_no_log();
}

static void test_pq_val(void **state)
{
	dma_addr_t src[MAXSRC], out[2];
	unsigned char scf[MAXSRC];

	(void)state;
	for (int r = 0; r < 12; r++) {
		int k = pq_counts[r % 7];
		size_t len = r >= 10 ? ALIGN : rnd_len(r < 3 ? 160 << 10 : 4096);
		enum sum_check_flags res = (enum sum_check_flags)0x5a;
		unsigned long dis = r % 4 == 2 ? DMA_PREP_PQ_DISABLE_P
				  : r % 4 == 3 ? DMA_PREP_PQ_DISABLE_Q : 0;
		unsigned int expect;
		int where = r % 3; /* flip in: 0 P, 1 Q, 2 a data block */
		uint8_t *victim;
		size_t bit;

		random_scf(scf, k, r % 2);
		stripe_fill(k, len);
		ref_pq(len, k, scf, srcs(k), blk(&obuf[0]), blk(&obuf[1]));
		stripe_map(k, len, src, out);
		run_one(dd->device_prep_dma_pq_val(chan, out, src, (unsigned int)k, scf, len,
						   &res, dis | DMA_CTRL_ACK));
		assert_int_equal(res, 0);

		victim = where == 0 ? blk(&obuf[0]) : where == 1 ? blk(&obuf[1])
			 : blk(&sbuf[rnd() % (unsigned int)k]);
		bit = rnd() % (len * 8);
		victim[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		/* a data bit changes both; a disabled side is not checked */
		expect = where == 0 ? SUM_CHECK_P_RESULT : where == 1 ? SUM_CHECK_Q_RESULT
			 : SUM_CHECK_P_RESULT | SUM_CHECK_Q_RESULT;
		if (dis == DMA_PREP_PQ_DISABLE_P)
			expect &= ~(unsigned int)SUM_CHECK_P_RESULT;
		if (dis == DMA_PREP_PQ_DISABLE_Q)
			expect &= ~(unsigned int)SUM_CHECK_Q_RESULT;
		res = (enum sum_check_flags)0x5a;
		run_one(dd->device_prep_dma_pq_val(chan, out, src, (unsigned int)k, scf, len,
						   &res, dis | DMA_CTRL_ACK));
		if ((unsigned int)res != expect)
			fail_msg("round %d: %d sources, flip in %s, disabled %#lx: result %#x, "
				 "want %#x", r, k, where == 0 ? "P" : where == 1 ? "Q" : "data",
				 dis, (unsigned int)res, expect);
	}
	assert_no_log();
}

/* ------------------------------------------------------------- interrupt */

/* Interrupt descriptors between copies complete in cookie order. */
static void test_interrupt_order(void **state)
{
	enum { N = 24, LEN = 8192 };
	static uint8_t a[N][LEN], b[N][LEN];
	dma_cookie_t c[N];
	long before = counter_get(&done);

	(void)state;
	cb_reset();
	for (int i = 0; i < N; i++) {
		struct dma_async_tx_descriptor *tx;

		if (i % 3 == 1) {
			tx = dd->device_prep_dma_interrupt(chan, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		} else {
			memset(a[i], i + 1, LEN);
			tx = dmaengine_prep_dma_memcpy(chan, map(b[i], LEN), map(a[i], LEN), LEN,
						       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		}
		c[i] = submit_cb(tx, i);
	}
	run_batch(c, N, before);
	for (int i = 0; i < N; i++) {
		assert_int_equal(atomic_load(&order[i]), i);
		if (i % 3 != 1)
			compare(b[i], a[i], LEN, "copy around interrupts");
	}
	/* alone on an idle channel too */
	run_one(dd->device_prep_dma_interrupt(chan, DMA_PREP_INTERRUPT | DMA_CTRL_ACK));
	assert_no_log();
}

static void still_works(void);

/* ------------------------------------------------------------- terminate */

/*
 * Long pq / xor_val descriptors terminated after the first one completed:
 * each cookie ends DMA_COMPLETE with one callback or DMA_ERROR with none,
 * nothing calls back after terminate_sync, and the channel works afterwards.
 */
static void test_terminate(void **state)
{
	enum { N = 24, K = 8 };
	size_t len = MAX_LEN & ~(size_t)(ALIGN - 1);
	dma_addr_t src[MAXSRC], out[2];
	unsigned char scf[K];
	enum sum_check_flags res[N];
	dma_cookie_t c[N];
	long before = counter_get(&done), after;
	int completed = 0;

	(void)state;
	random_scf(scf, K, false);
	stripe_fill(K, len);
	stripe_map(K, len, src, out);
	cb_reset();
	for (int i = 0; i < N; i++) {
		struct dma_async_tx_descriptor *tx;

		res[i] = (enum sum_check_flags)0x5a;
		if (i % 2)
			tx = dd->device_prep_dma_xor_val(chan, src, K, len, &res[i], DMA_CTRL_ACK);
		else
			tx = dd->device_prep_dma_pq(chan, out, src, K, scf, len,
						    DMA_CTRL_ACK | (i ? DMA_PREP_CONTINUE : 0));
		c[i] = submit_cb(tx, i);
	}
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&done, before + 1, TEST_DEADLINE_MS));
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	after = counter_get(&done);
	for (int i = 0; i < N; i++) {
		enum dma_status st = dmaengine_tx_status(chan, c[i], NULL);
		int n = atomic_load(&calls[i]);

		if (st == DMA_COMPLETE) {
			assert_int_equal(n, 1);
			assert_int_equal(completed, i); /* in order: no hole */
			completed++;
			if (i % 2)
				assert_int_equal(res[i], SUM_CHECK_P_RESULT); /* random data */
		} else {
			assert_int_equal(st, DMA_ERROR);
			assert_int_equal(n, 0);
		}
	}
	assert_int_equal(after - before, completed);
	print_message("  %d of %d completed before the terminate\n", completed, N);
	assert_true(completed >= 1);
	still_works();
}

/* ------------------------------------------------------------- bad input */

/* After a refusal: nothing was taken, and the channel still computes. */
static void still_works(void)
{
	dma_addr_t src[MAXSRC], out[2];
	unsigned char scf[4] = { 1, 2, 4, 8 };
	size_t len = 4096;
	void *v[5];

	stripe_fill(4, len);
	memcpy(v, srcs(4), 4 * sizeof(v[0]));
	v[4] = want[0];
	assert_int_equal(xor_gen_base(5, (int)len, v), 0);
	stripe_map(4, len, src, out);
	run_one(dd->device_prep_dma_xor(chan, out[0], src, 4, len, DMA_CTRL_ACK));
	compare(blk(&obuf[0]), want[0], len, "xor after a refusal");
	ref_pq(len, 4, scf, srcs(4), want[0], want[1]);
	run_one(dd->device_prep_dma_pq(chan, out, src, 4, scf, len, DMA_CTRL_ACK));
	compare(blk(&obuf[0]), want[0], len, "P after a refusal");
	compare(blk(&obuf[1]), want[1], len, "Q after a refusal");
	assert_no_log();
}

static void test_bad_input(void **state)
{
	dma_addr_t src[MAXSRC + 1], out[2], pq[2];
	unsigned char scf[MAXSRC + 1];
	enum sum_check_flags res;
	size_t len = 4096;
	unsigned long f = DMA_CTRL_ACK;

	(void)state;
	random_scf(scf, MAXSRC, false);
	stripe_fill(MAXSRC, len);
	stripe_map(MAXSRC, len, src, out);
	src[MAXSRC] = src[0];
	log_reset();

	/* source counts */
	assert_null(dd->device_prep_dma_xor(chan, out[0], src, 0, len, f));
	assert_logged("0 sources (2..16)");
	assert_null(dd->device_prep_dma_xor(chan, out[0], src, 1, len, f));
	assert_logged("1 sources (2..16)");
	assert_null(dd->device_prep_dma_xor(chan, out[0], src, MAX_XOR + 1, len, f));
	assert_logged("17 sources (2..16)");
	assert_null(dd->device_prep_dma_xor_val(chan, src, 1, len, &res, f));
	assert_logged("1 sources (2..16)");
	assert_null(dd->device_prep_dma_pq(chan, out, src, 0, scf, len, f));
	assert_logged("0 sources (1..16)");
	assert_null(dd->device_prep_dma_pq(chan, out, src, MAX_PQ + 1, scf, len, f));
	assert_logged("17 sources (1..16)");
	assert_null(dd->device_prep_dma_pq_val(chan, out, src, MAX_PQ + 1, scf, len, &res, f));
	assert_logged("17 sources (1..16)");
	still_works();

	/* lengths */
	assert_null(dd->device_prep_dma_xor(chan, out[0], src, 2, 0, f));
	assert_logged("length 0 is not");
	assert_null(dd->device_prep_dma_pq(chan, out, src, 2, scf, 0, f));
	assert_logged("length 0 is not");
	assert_null(dd->device_prep_dma_xor(chan, out[0], src, 2, len - 1, f));
	assert_logged("length 4095 is not a non-zero multiple of 32");
	assert_null(dd->device_prep_dma_pq_val(chan, out, src, 2, scf, 48, &res, f));
	assert_logged("length 48 is not");
	assert_null(dd->device_prep_dma_xor(chan, out[0], src, 2, (size_t)1 << 32, f));
	assert_logged("length 4294967296 is not a non-zero multiple of 32 below 4 GiB");
	still_works();

	/* alignment and mapping */
	assert_null(dd->device_prep_dma_xor(chan, out[0] + 16, src, 2, len - 32, f));
	assert_logged("destination 0 at");
	src[1] += 8;
	assert_null(dd->device_prep_dma_xor(chan, out[0], src, 2, len - 32, f));
	assert_logged("source 1 at");
	assert_null(dd->device_prep_dma_pq(chan, out, src, 3, scf, len - 32, f));
	assert_logged("not 32-byte aligned");
	src[1] -= 8;
	pq[0] = out[0];
	pq[1] = 0;
	assert_null(dd->device_prep_dma_pq(chan, pq, src, 3, scf, len, f));
	assert_logged("Q 1 (0x0");
	still_works();

	/* NULL arrays, result, coefficients; nothing to do */
	assert_null(dd->device_prep_dma_xor(chan, out[0], NULL, 2, len, f));
	assert_logged("sources at NULL");
	assert_null(dd->device_prep_dma_xor_val(chan, src, 2, len, NULL, f));
	assert_logged("NULL result");
	assert_null(dd->device_prep_dma_pq(chan, out, src, 2, NULL, len, f));
	assert_logged("NULL coefficients");
	assert_null(dd->device_prep_dma_pq(chan, NULL, src, 2, scf, len, f));
	assert_logged("NULL destinations");
	assert_null(dd->device_prep_dma_pq_val(chan, out, src, 2, scf, len, NULL, f));
	assert_logged("NULL result");
	assert_null(dd->device_prep_dma_pq(chan, out, src, 2, scf, len,
					   f | DMA_PREP_PQ_DISABLE_P | DMA_PREP_PQ_DISABLE_Q));
	assert_logged("both P and Q disabled");
	assert_null(dd->device_prep_dma_pq_val(chan, out, src, 2, scf, len, &res,
					       f | DMA_PREP_CONTINUE));
	assert_logged("DMA_PREP_CONTINUE has no meaning");
	still_works();

	/* overlaps other than "is that source" */
	assert_null(dd->device_prep_dma_xor(chan, src[0] + 64, src, 2, len, f));
	assert_logged("destination 0 overlaps source 0 without being it");
	pq[0] = out[0];
	pq[1] = out[0] + 2048;
	assert_null(dd->device_prep_dma_pq(chan, pq, src, 2, scf, len, f));
	assert_logged("P and Q overlap");
	pq[1] = src[1] - 32;
	assert_null(dd->device_prep_dma_pq(chan, pq, src, 2, scf, len, f));
	assert_logged("destination 1 overlaps source 1 without being it");
	still_works();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test(test_maxpq_rules),
		cmocka_unit_test_setup_teardown(test_xor_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xor_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xor_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pq_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pq_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pq_continue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pq_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xor_val, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pq_val, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terminate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
