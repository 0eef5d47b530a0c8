/* SPDX-License-Identifier: MIT */
/*
 * test-api-errors.c - the bad-input catalogue of the client API (integration
 * suite: the real sw-memcpy and cyclic-ring plugins, plus mock devices from
 * mock-provider.h where a channel with or without a given op is needed).
 *
 * One table row per invalid call: NULL / unheld / unregistered channel, NULL
 * descriptor, zero length, address 0 and DMA_MAPPING_ERROR, an op the
 * channel lacks, double submit, submit after release, double release, NULL
 * config / caps, unsupported pause / resume / terminate / slave caps /
 * reuse, bad scatterlists and mappings, device_node lookups; on cyclic-ring,
 * slave configs and cyclic / slave preps the provider refuses; slave maps
 * (dma_request_chan, udma_dma_slave_map_add/_remove); descriptor free and
 * reuse; and "may block" calls made from a completion callback. Each row is
 * its own cmocka test and checks:
 *   1. the exact result (NULL, ERR_PTR errno, errno, DMA_ERROR,
 *      DMA_MAPPING_ERROR, 0 entries),
 *   2. that the library logged why: a captured line (log-capture.h) contains
 *      the row's text; rows with no text must log nothing,
 *   3. on mock channels, that the provider's device_prep_* hook was never
 *      reached: the core itself refuses (sw-memcpy would also refuse some
 *      bad addresses, which would hide a missing core check),
 *   4. that a channel of the same kind then works and logs nothing: a real
 *      memcpy (callback, DMA_COMPLETE, bytes compared), or on cyclic-ring a
 *      cyclic transfer whose bytes the simulated codec consumed in order.
 *
 * "test-api-errors --markdown" prints the table as doc/errors.md (the
 * errors-doc test compares them); "--dump-logs" prints each row's first log
 * line while running (to write the text of a new row).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <udmaengine/dmaengine.h>
#include <udmaengine/periph.h>
#include "log-capture.h"
#include "mock-provider.h"
#include "test-util.h"

#define BUF_LEN 4096
#define R_NULL 0          /* a pointer result that is NULL */
#define R_NONNULL 1       /* a pointer result that is a real object */
#define R_MAPERR (-1)     /* (int64_t)DMA_MAPPING_ERROR */

/* ------------------------------------------------------------ fixture */

enum kind {
	K_SW,     /* sw-memcpy plugin: memcpy + memset, reuse, no slave/pause */
	K_MOCK,   /* mock: memcpy only, no reuse, keeps its pool across release */
	K_NOTERM, /* mock: memcpy, no device_terminate_all */
	K_SLAVE,  /* mock: memcpy + memset + slave + cyclic + device_config */
	K_CYC,    /* cyclic-ring plugin: slave + cyclic + pause, real peripherals */
	K_NR
};

static const char *const kind_names[K_NR] = { "sw-memcpy", "mock-memcpy",
					      "mock-noterm", "mock-slave",
					      "cyclic-ring" };

/* How a row's result reads in doc/errors.md. */
enum rtype {
	RT_PTR,    /* pointer: NULL / ERR_PTR(-E...) / a real object */
	RT_INT,    /* 0 or -errno (or a count) */
	RT_STATUS, /* enum dma_status */
	RT_ADDR,   /* dma_addr_t: DMA_MAPPING_ERROR */
	RT_VOID,   /* returns nothing: "returns" */
};

struct api_case;

struct fixture {
	struct mock_dev *mock[K_NR];       /* [K_SW] unused */
	const struct api_case *c;
	struct dma_chan *chan;             /* held channel of the case's kind */
	bool released;                     /* the case released chan */
	int log_base;                      /* log lines before the bad call */
	long prep_base;                    /* mock prep hook calls before it */
	int saved_level;
	unsigned char src[BUF_LEN], dst[BUF_LEN];
	dma_addr_t s, d;
};

struct api_case {
	const char *name;
	enum kind kind;
	int64_t (*run)(struct fixture *f);
	int64_t want;
	enum rtype rt;
	const char *call;                  /* the API call, for doc/errors.md */
	const char *cond;                  /* what is wrong with it */
	const char *log;                   /* a log line must contain this;
					      NULL: nothing may be logged */
};

static struct fixture fx;
static bool dump_lines; /* --dump-logs: print each row's first log line */

static bool kind_filter(struct dma_chan *chan, void *param)
{
	const char *want = param;

	return chan->device->udma_name && !strcmp(chan->device->udma_name, want);
}

static struct dma_chan *request_kind(enum kind k)
{
	dma_cap_mask_t m;

	dma_cap_zero(m);
	dma_cap_set(k == K_CYC ? DMA_CYCLIC : DMA_MEMCPY, m);
	return dma_request_channel(m, kind_filter, (void *)kind_names[k]);
}

/* Calls of the mock's device_prep_* hooks so far (0 for sw-memcpy). */
static long mock_prep_calls(const struct fixture *f)
{
	const struct mock_dev *md = f->mock[f->c->kind];

	if (!md)
		return 0;
	return mock_dev_count(md, MOCK_PREP_MEMCPY) + mock_dev_count(md, MOCK_PREP_MEMSET) +
	       mock_dev_count(md, MOCK_PREP_SLAVE) + mock_dev_count(md, MOCK_PREP_CYCLIC);
}

/* Mark the point after which the case's bad call must log (and, on a mock,
 * must not reach the provider's prep hooks: the core refuses it). */
static void bad_call_next(struct fixture *f)
{
	f->log_base = log_count();
	f->prep_base = mock_prep_calls(f);
}

/* Release the fixture's channel (the case wants an unheld one). */
static struct dma_chan *release_fixture_chan(struct fixture *f)
{
	dma_release_channel(f->chan);
	f->released = true;
	return f->chan;
}

static int64_t ptr_result(const void *p)
{
	if (IS_ERR(p))
		return PTR_ERR(p);
	return p ? R_NONNULL : R_NULL;
}

struct copy_done {
	struct counter n;
	int result; /* atomic */
};

static void copy_cb(void *param, const struct dmaengine_result *res)
{
	struct copy_done *cd = param;

	__atomic_store_n(&cd->result, (int)res->result, __ATOMIC_SEQ_CST);
	counter_add(&cd->n, 1);
}

/* A real copy on @chan, verified byte for byte. */
static void verified_copy(struct dma_chan *chan)
{
	static unsigned char src[BUF_LEN], dst[BUF_LEN];
	struct device *dev = chan->device->dev;
	struct dma_async_tx_descriptor *tx;
	struct copy_done cd;
	dma_addr_t s, d;
	dma_cookie_t cookie;

	counter_init(&cd.n);
	cd.result = -1;
	for (size_t i = 0; i < BUF_LEN; i++)
		src[i] = (unsigned char)(i * 13 + 5);
	memset(dst, 0, sizeof(dst));
	s = dma_map_single(dev, src, BUF_LEN, DMA_TO_DEVICE);
	d = dma_map_single(dev, dst, BUF_LEN, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, s), 0);
	assert_int_equal(dma_mapping_error(dev, d), 0);
	tx = dmaengine_prep_dma_memcpy(chan, d, s, BUF_LEN, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	tx->callback_result = copy_cb;
	tx->callback_param = &cd;
	cookie = dmaengine_submit(tx);
	assert_true(cookie >= DMA_MIN_COOKIE);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cd.n, 1, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(__atomic_load_n(&cd.result, __ATOMIC_SEQ_CST), DMA_TRANS_NOERROR);
	assert_int_equal(dmaengine_tx_status(chan, cookie, NULL), DMA_COMPLETE);
	assert_memory_equal(src, dst, BUF_LEN);
	dma_unmap_single(dev, s, BUF_LEN, DMA_TO_DEVICE);
	dma_unmap_single(dev, d, BUF_LEN, DMA_FROM_DEVICE);
	counter_destroy(&cd.n);
}

/* A verified cyclic stream on a cyclic-ring channel: 5 periods of a
 * 4096-byte ring into the codec, then terminate_sync; what the codec
 * consumed must be the ring's bytes, in order, from its start. */
#define RING_LEN 4096
#define PERIOD_LEN 1024

static struct udma_periph *codec; /* width 4, 1 MB/s; created by group_setup */

static void period_cb(void *param)
{
	counter_add(param, 1);
}

static void drain_codec(void)
{
	static unsigned char sink[16384];

	while (udma_periph_read(codec, sink, sizeof(sink)))
		;
}

static void config_codec(struct dma_chan *chan, struct dma_slave_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->direction = DMA_MEM_TO_DEV;
	cfg->dst_addr = udma_periph_addr(codec);
	cfg->dst_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES;
	(void)chan;
}

static void verified_cyclic(struct dma_chan *chan)
{
	static unsigned char ring[RING_LEN], got[3 * RING_LEN];
	struct device *dev = chan->device->dev;
	struct dma_async_tx_descriptor *tx;
	struct dma_slave_config cfg;
	struct counter periods;
	dma_cookie_t cookie;
	size_t n = 0, k;
	dma_addr_t r;

	for (size_t i = 0; i < RING_LEN; i++)
		ring[i] = (unsigned char)(i * 29 + 11);
	config_codec(chan, &cfg);
	assert_int_equal(dmaengine_slave_config(chan, &cfg), 0);
	drain_codec();
	r = dma_map_single(dev, ring, RING_LEN, DMA_TO_DEVICE);
	assert_int_equal(dma_mapping_error(dev, r), 0);
	tx = dmaengine_prep_dma_cyclic(chan, r, RING_LEN, PERIOD_LEN, DMA_MEM_TO_DEV,
				       DMA_PREP_INTERRUPT);
	assert_non_null(tx);
	counter_init(&periods);
	tx->callback = period_cb;
	tx->callback_param = &periods;
	cookie = dmaengine_submit(tx);
	assert_true(cookie >= DMA_MIN_COOKIE);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&periods, 5, TEST_DEADLINE_MS));
	assert_int_equal(dmaengine_tx_status(chan, cookie, NULL), DMA_IN_PROGRESS);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	while (n < sizeof(got) && (k = udma_periph_read(codec, got + n, sizeof(got) - n)))
		n += k;
	assert_true(n >= RING_LEN);
	for (size_t i = 0; i < n; i++)
		if (got[i] != ring[i % RING_LEN])
			fail_msg("codec byte %zu is 0x%02x, ring has 0x%02x", i, got[i],
				 ring[i % RING_LEN]);
	dma_unmap_single(dev, r, RING_LEN, DMA_TO_DEVICE);
	counter_destroy(&periods);
}

/* ------------------------------------------------------- request/release */

static int64_t run_request_np_not_null(struct fixture *f)
{
	static int not_a_node;
	dma_cap_mask_t m;

	dma_cap_zero(m);
	dma_cap_set(DMA_MEMCPY, m);
	bad_call_next(f);
	return ptr_result(__dma_request_channel(&m, NULL, NULL,
						(struct device_node *)&not_a_node));
}

static int64_t run_request_null_mask(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(__dma_request_channel(NULL, NULL, NULL, NULL));
}

static int64_t run_request_by_mask_null(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dma_request_chan_by_mask(NULL));
}

/* "no match" is logged at debug level: look at every level for this one */
static int64_t run_request_by_mask_no_match(struct fixture *f)
{
	dma_cap_mask_t m;
	struct dma_chan *c;

	dma_cap_zero(m);
	dma_cap_set(DMA_MEMSET_SG, m);
	udma_set_log_level(UDMA_LOG_DEBUG);
	bad_call_next(f);
	c = dma_request_chan_by_mask(&m);
	udma_set_log_level(f->saved_level);
	return ptr_result(c);
}

static int64_t run_request_channel_no_match(struct fixture *f)
{
	dma_cap_mask_t m;
	struct dma_chan *c;

	dma_cap_zero(m);
	dma_cap_set(DMA_MEMCPY, m);
	dma_cap_set(DMA_MEMSET_SG, m);
	udma_set_log_level(UDMA_LOG_DEBUG);
	bad_call_next(f);
	c = dma_request_channel(m, NULL, NULL);
	udma_set_log_level(f->saved_level);
	return ptr_result(c);
}

static int64_t run_release_null(struct fixture *f)
{
	bad_call_next(f);
	dma_release_channel(NULL);
	return 0;
}

static int64_t run_release_twice(struct fixture *f)
{
	struct dma_chan *c = release_fixture_chan(f);

	bad_call_next(f);
	dma_release_channel(c);
	return c->client_count;
}

/* ---------------------------------------------------------------- memcpy */

static int64_t run_memcpy_null_chan(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memcpy(NULL, f->d, f->s, 64, 0));
}

static int64_t run_memcpy_unheld_chan(struct fixture *f)
{
	struct dma_chan *c = release_fixture_chan(f);

	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memcpy(c, f->d, f->s, 64, 0));
}

static int64_t run_memcpy_unregistered_chan(struct fixture *f)
{
	struct dma_chan fake;

	memset(&fake, 0, sizeof(fake));
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memcpy(&fake, f->d, f->s, 64, 0));
}

static int64_t run_memcpy_len0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 0, 0));
}

static int64_t run_memcpy_dst0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memcpy(f->chan, 0, f->s, 64, 0));
}

static int64_t run_memcpy_src0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memcpy(f->chan, f->d, 0, 64, 0));
}

static int64_t run_memcpy_dst_maperr(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memcpy(f->chan, DMA_MAPPING_ERROR, f->s, 64, 0));
}

static int64_t run_memcpy_src_maperr(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memcpy(f->chan, f->d, DMA_MAPPING_ERROR, 64, 0));
}

/* ---------------------------------------------------------------- memset */

static int64_t run_memset_unsupported(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memset(f->chan, f->d, 0x11, 64, 0));
}

static int64_t run_memset_null_chan(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memset(NULL, f->d, 0x11, 64, 0));
}

static int64_t run_memset_unheld_chan(struct fixture *f)
{
	struct dma_chan *c = release_fixture_chan(f);

	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memset(c, f->d, 0x11, 64, 0));
}

static int64_t run_memset_len0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memset(f->chan, f->d, 0x11, 0, 0));
}

static int64_t run_memset_dst0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memset(f->chan, 0, 0x11, 64, 0));
}

static int64_t run_memset_dst_maperr(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_memset(f->chan, DMA_MAPPING_ERROR, 0x11, 64, 0));
}

/* ---------------------------------------------------------------- slave */

static int64_t run_slave_sg_unsupported(struct fixture *f)
{
	struct scatterlist sg;

	sg_init_one(&sg, f->src, 64);
	sg.dma_address = f->s;
	sg.dma_length = 64;
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_sg(f->chan, &sg, 1, DMA_MEM_TO_DEV, 0));
}

static int64_t run_slave_single_unsupported(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_single(f->chan, f->s, 64, DMA_MEM_TO_DEV, 0));
}

static int64_t run_slave_sg_null_chan(struct fixture *f)
{
	struct scatterlist sg;

	sg_init_one(&sg, f->src, 64);
	sg.dma_address = f->s;
	sg.dma_length = 64;
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_sg(NULL, &sg, 1, DMA_MEM_TO_DEV, 0));
}

static int64_t run_slave_sg_null_sgl(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_sg(f->chan, NULL, 1, DMA_MEM_TO_DEV, 0));
}

static int64_t run_slave_sg_zero_entries(struct fixture *f)
{
	struct scatterlist sg;

	sg_init_one(&sg, f->src, 64);
	sg.dma_address = f->s;
	sg.dma_length = 64;
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_sg(f->chan, &sg, 0, DMA_MEM_TO_DEV, 0));
}

static int64_t slave_sg_dir(struct fixture *f, enum dma_transfer_direction dir)
{
	struct scatterlist sg;
	long before = mock_chan_count(f->chan, MOCK_PREP_SLAVE);
	int64_t r;

	sg_init_one(&sg, f->src, 64);
	sg.dma_address = f->s;
	sg.dma_length = 64;
	bad_call_next(f);
	r = ptr_result(dmaengine_prep_slave_sg(f->chan, &sg, 1, dir, 0));
	/* refused by the core: the provider never saw it */
	assert_int_equal(mock_chan_count(f->chan, MOCK_PREP_SLAVE), before);
	return r;
}

static int64_t run_slave_sg_mem_to_mem(struct fixture *f)
{
	return slave_sg_dir(f, DMA_MEM_TO_MEM);
}

static int64_t run_slave_sg_dev_to_dev(struct fixture *f)
{
	return slave_sg_dir(f, DMA_DEV_TO_DEV);
}

static int64_t run_slave_sg_trans_none(struct fixture *f)
{
	return slave_sg_dir(f, DMA_TRANS_NONE);
}

static int64_t run_slave_single_len0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_single(f->chan, f->s, 0, DMA_MEM_TO_DEV, 0));
}

static int64_t run_slave_single_addr0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_single(f->chan, 0, 64, DMA_DEV_TO_MEM, 0));
}

static int64_t run_slave_single_maperr(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_single(f->chan, DMA_MAPPING_ERROR, 64,
						      DMA_DEV_TO_MEM, 0));
}

/* ---------------------------------------------------------------- cyclic */

static int64_t run_cyclic_unsupported(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, f->s, 1024, 256,
						    DMA_MEM_TO_DEV, 0));
}

static int64_t run_cyclic_null_chan(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(NULL, f->s, 1024, 256, DMA_MEM_TO_DEV, 0));
}

static int64_t run_cyclic_period0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, f->s, 1024, 0, DMA_MEM_TO_DEV, 0));
}

static int64_t run_cyclic_period_not_dividing(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, f->s, 1024, 300,
						    DMA_MEM_TO_DEV, 0));
}

static int64_t run_cyclic_len0(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, f->s, 0, 256, DMA_MEM_TO_DEV, 0));
}

static int64_t run_cyclic_addr_maperr(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, DMA_MAPPING_ERROR, 1024, 256,
						    DMA_MEM_TO_DEV, 0));
}

/* ----------------------------------------------------------- interleaved */

static int64_t interleaved(struct fixture *f, struct dma_chan *chan)
{
	struct dma_interleaved_template *xt;
	int64_t r;

	xt = calloc(1, sizeof(*xt) + sizeof(struct data_chunk));
	assert_non_null(xt);
	xt->src_start = f->s;
	xt->dst_start = f->d;
	xt->dir = DMA_MEM_TO_MEM;
	xt->src_inc = xt->dst_inc = true;
	xt->numf = 4;
	xt->frame_size = 1;
	xt->sgl[0].size = 64;
	bad_call_next(f);
	r = ptr_result(dmaengine_prep_interleaved_dma(chan, xt, 0));
	free(xt);
	return r;
}

static int64_t run_interleaved_unsupported(struct fixture *f)
{
	return interleaved(f, f->chan);
}

static int64_t run_interleaved_null_chan(struct fixture *f)
{
	return interleaved(f, NULL);
}

/* ---------------------------------------------------------------- submit */

static int64_t run_submit_null(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_submit(NULL);
}

static int64_t run_submit_twice(struct fixture *f)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 64, DMA_CTRL_ACK);
	assert_non_null(tx);
	assert_true(dmaengine_submit(tx) >= DMA_MIN_COOKIE);
	bad_call_next(f);
	return dmaengine_submit(tx);
}

static int fake_submits; /* test thread only */

static dma_cookie_t fake_tx_submit(struct dma_async_tx_descriptor *tx)
{
	(void)tx;
	fake_submits++;
	return 1234;
}

/* A descriptor (of our own, so no use-after-free) on a released channel. */
static int64_t run_submit_after_release(struct fixture *f)
{
	struct dma_async_tx_descriptor fake;
	int64_t r;

	memset(&fake, 0, sizeof(fake));
	fake.chan = release_fixture_chan(f);
	fake.tx_submit = fake_tx_submit;
	fake_submits = 0;
	bad_call_next(f);
	r = dmaengine_submit(&fake);
	assert_int_equal(fake_submits, 0);
	return r;
}

/* A real provider descriptor whose channel was released (the mock keeps its
 * pool memory across release, so touching it is safe). */
static int64_t run_submit_stale_after_release(struct fixture *f)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 64, DMA_CTRL_ACK);
	assert_non_null(tx);
	release_fixture_chan(f);
	bad_call_next(f);
	return dmaengine_submit(tx);
}

static int64_t run_submit_unprepared(struct fixture *f)
{
	struct dma_async_tx_descriptor zero;

	memset(&zero, 0, sizeof(zero));
	bad_call_next(f);
	return dmaengine_submit(&zero);
}

/* --------------------------------------------------------- issue / status */

static int64_t run_issue_null(struct fixture *f)
{
	bad_call_next(f);
	dma_async_issue_pending(NULL);
	return 0;
}

static int64_t run_issue_unheld(struct fixture *f)
{
	struct dma_chan *c = release_fixture_chan(f);

	bad_call_next(f);
	dma_async_issue_pending(c);
	return 0;
}

static int64_t run_tx_status_null(struct fixture *f)
{
	struct dma_tx_state st;

	bad_call_next(f);
	return dmaengine_tx_status(NULL, 2, &st);
}

static int64_t run_is_tx_complete_null(struct fixture *f)
{
	dma_cookie_t last, used;

	bad_call_next(f);
	return dma_async_is_tx_complete(NULL, 2, &last, &used);
}

static int64_t run_sync_wait_null(struct fixture *f)
{
	bad_call_next(f);
	return dma_sync_wait(NULL, 2);
}

static int64_t run_sync_wait_unheld(struct fixture *f)
{
	struct dma_chan *c = release_fixture_chan(f);

	bad_call_next(f);
	return dma_sync_wait(c, 2);
}

/* ------------------------------------------------------------- control */

static int64_t run_config_null_chan(struct fixture *f)
{
	struct dma_slave_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	bad_call_next(f);
	return dmaengine_slave_config(NULL, &cfg);
}

static int64_t run_config_null_config(struct fixture *f)
{
	long before = mock_chan_count(f->chan, MOCK_CONFIG);
	int64_t r;

	bad_call_next(f);
	r = dmaengine_slave_config(f->chan, NULL);
	assert_int_equal(mock_chan_count(f->chan, MOCK_CONFIG), before);
	return r;
}

static int64_t run_config_unsupported(struct fixture *f)
{
	struct dma_slave_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.direction = DMA_MEM_TO_DEV;
	cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES;
	bad_call_next(f);
	return dmaengine_slave_config(f->chan, &cfg);
}

static int64_t run_pause_null(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_pause(NULL);
}

static int64_t run_pause_unsupported(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_pause(f->chan);
}

static int64_t run_resume_null(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_resume(NULL);
}

static int64_t run_resume_unsupported(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_resume(f->chan);
}

static int64_t run_terminate_async_null(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_terminate_async(NULL);
}

static int64_t run_terminate_async_unheld(struct fixture *f)
{
	struct dma_chan *c = release_fixture_chan(f);

	bad_call_next(f);
	return dmaengine_terminate_async(c);
}

static int64_t run_terminate_async_unsupported(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_terminate_async(f->chan);
}

static int64_t run_terminate_sync_null(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_terminate_sync(NULL);
}

static int64_t run_terminate_sync_unsupported(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_terminate_sync(f->chan);
}

static int64_t run_terminate_all_null(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_terminate_all(NULL);
}

static int64_t run_terminate_all_unsupported(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_terminate_all(f->chan);
}

static int64_t run_synchronize_null(struct fixture *f)
{
	bad_call_next(f);
	dmaengine_synchronize(NULL);
	return 0;
}

/* ---------------------------------------------------------------- caps */

static int64_t run_caps_null_chan(struct fixture *f)
{
	struct dma_slave_caps caps;

	bad_call_next(f);
	return dma_get_slave_caps(NULL, &caps);
}

static int64_t run_caps_null_caps(struct fixture *f)
{
	bad_call_next(f);
	return dma_get_slave_caps(f->chan, NULL);
}

static int64_t run_caps_memcpy_chan(struct fixture *f)
{
	struct dma_slave_caps caps;

	bad_call_next(f);
	return dma_get_slave_caps(f->chan, &caps);
}

/* ---------------------------------------------------------------- reuse */

static int64_t run_set_reuse_null(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_desc_set_reuse(NULL);
}

static int64_t run_set_reuse_unsupported(struct fixture *f)
{
	struct dma_async_tx_descriptor *tx;
	int64_t r;

	tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 64, DMA_CTRL_ACK);
	assert_non_null(tx);
	bad_call_next(f);
	r = dmaengine_desc_set_reuse(tx);
	assert_false(dmaengine_desc_test_reuse(tx));
	return r;
}

static int64_t run_desc_free_null(struct fixture *f)
{
	bad_call_next(f);
	return dmaengine_desc_free(NULL);
}

static int64_t run_desc_free_not_reusable(struct fixture *f)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 64, DMA_CTRL_ACK);
	assert_non_null(tx);
	bad_call_next(f);
	return dmaengine_desc_free(tx);
}

static int64_t run_desc_free_still_queued(struct fixture *f)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 64, DMA_CTRL_ACK);
	assert_non_null(tx);
	assert_int_equal(dmaengine_desc_set_reuse(tx), 0);
	assert_true(dmaengine_submit(tx) >= DMA_MIN_COOKIE);
	bad_call_next(f);
	return dmaengine_desc_free(tx);
}

/* -------------------------------------------------------------- mapping */

static int64_t run_map_single_null_ptr(struct fixture *f)
{
	bad_call_next(f);
	return (int64_t)dma_map_single(f->chan->device->dev, NULL, 64, DMA_TO_DEVICE);
}

static int64_t run_map_single_size0(struct fixture *f)
{
	bad_call_next(f);
	return (int64_t)dma_map_single(f->chan->device->dev, f->src, 0, DMA_TO_DEVICE);
}

/* dma_mapping_error() is a pure query: it does not log. */
static int64_t run_mapping_error_query(struct fixture *f)
{
	struct device *dev = f->chan->device->dev;

	bad_call_next(f);
	assert_int_equal(dma_mapping_error(dev, f->s), 0);
	assert_int_equal(dma_mapping_error(NULL, f->s), 0);
	assert_int_equal(dma_mapping_error(NULL, DMA_MAPPING_ERROR), -ENOMEM);
	return dma_mapping_error(dev, DMA_MAPPING_ERROR);
}

static int64_t run_map_sg_null(struct fixture *f)
{
	bad_call_next(f);
	return dma_map_sg(f->chan->device->dev, NULL, 1, DMA_TO_DEVICE);
}

static int64_t run_map_sg_zero_entries(struct fixture *f)
{
	struct scatterlist sg;

	sg_init_one(&sg, f->src, 64);
	bad_call_next(f);
	return dma_map_sg(f->chan->device->dev, &sg, 0, DMA_TO_DEVICE);
}

/* A bad entry fails the whole map and undoes the entries before it. */
static int64_t run_map_sg_bad_entry(struct fixture *f)
{
	struct scatterlist sg[3];
	int64_t r;

	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], f->src, 64);
	sg_set_buf(&sg[1], f->src + 64, 0); /* zero length */
	sg_set_buf(&sg[2], f->src + 128, 64);
	bad_call_next(f);
	r = dma_map_sg(f->chan->device->dev, sg, 3, DMA_TO_DEVICE);
	assert_int_equal(sg_dma_address(&sg[0]), 0);
	assert_int_equal(sg_dma_len(&sg[0]), 0);
	return r;
}

static int64_t run_unmap_single_invalid(struct fixture *f)
{
	bad_call_next(f);
	dma_unmap_single(f->chan->device->dev, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE);
	return 0;
}

/* ------------------------------------------------- cyclic-ring (real) */

static int64_t run_cyc_config_dev_to_dev(struct fixture *f)
{
	struct dma_slave_config cfg;

	config_codec(f->chan, &cfg);
	cfg.direction = DMA_DEV_TO_DEV;
	bad_call_next(f);
	return dmaengine_slave_config(f->chan, &cfg);
}

static int64_t run_cyc_config_width3(struct fixture *f)
{
	struct dma_slave_config cfg;

	config_codec(f->chan, &cfg);
	cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_3_BYTES;
	bad_call_next(f);
	return dmaengine_slave_config(f->chan, &cfg);
}

static int64_t run_cyc_prep_no_config(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, f->s, RING_LEN, PERIOD_LEN,
						    DMA_MEM_TO_DEV, 0));
}

static int64_t run_cyc_prep_width_mismatch(struct fixture *f)
{
	struct dma_slave_config cfg;

	config_codec(f->chan, &cfg);
	cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_2_BYTES;
	assert_int_equal(dmaengine_slave_config(f->chan, &cfg), 0);
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, f->s, RING_LEN, PERIOD_LEN,
						    DMA_MEM_TO_DEV, 0));
}

static int64_t run_cyc_prep_not_word_multiple(struct fixture *f)
{
	struct dma_slave_config cfg;

	config_codec(f->chan, &cfg);
	assert_int_equal(dmaengine_slave_config(f->chan, &cfg), 0);
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, f->s, 1022, 511,
						    DMA_MEM_TO_DEV, 0));
}

static int64_t run_cyc_prep_mem_to_mem(struct fixture *f)
{
	struct dma_slave_config cfg;

	config_codec(f->chan, &cfg);
	assert_int_equal(dmaengine_slave_config(f->chan, &cfg), 0);
	bad_call_next(f);
	return ptr_result(dmaengine_prep_dma_cyclic(f->chan, f->s, RING_LEN, PERIOD_LEN,
						    DMA_MEM_TO_MEM, 0));
}

static int64_t run_cyc_slave_sg_too_many(struct fixture *f)
{
	static struct scatterlist sg[65];
	struct dma_slave_config cfg;

	config_codec(f->chan, &cfg);
	assert_int_equal(dmaengine_slave_config(f->chan, &cfg), 0);
	sg_init_table(sg, 65);
	for (int i = 0; i < 65; i++) {
		sg_set_buf(&sg[i], f->src + i * 16, 16);
		sg[i].dma_address = f->s + (dma_addr_t)i * 16;
		sg[i].dma_length = 16;
	}
	bad_call_next(f);
	return ptr_result(dmaengine_prep_slave_sg(f->chan, sg, 65, DMA_MEM_TO_DEV, 0));
}

static int64_t run_pause_unheld(struct fixture *f)
{
	struct dma_chan *c = release_fixture_chan(f);

	bad_call_next(f);
	return dmaengine_pause(c);
}

static int64_t run_resume_unheld(struct fixture *f)
{
	struct dma_chan *c = release_fixture_chan(f);

	bad_call_next(f);
	return dmaengine_resume(c);
}

static int64_t run_config_unheld(struct fixture *f)
{
	struct dma_slave_config cfg;
	struct dma_chan *c = release_fixture_chan(f);

	config_codec(c, &cfg);
	bad_call_next(f);
	return dmaengine_slave_config(c, &cfg);
}

/* ------------------------------------------------------------ slave maps */

static struct device client_dev = { .init_name = "errors-codec" };

static int64_t run_request_chan_null_dev(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dma_request_chan(NULL, "tx"));
}

static int64_t run_request_chan_null_name(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dma_request_chan(&client_dev, NULL));
}

static int64_t run_request_chan_unmapped(struct fixture *f)
{
	bad_call_next(f);
	return ptr_result(dma_request_chan(&client_dev, "no-such-slave"));
}

static int64_t run_request_chan_device_absent(struct fixture *f)
{
	int64_t r;

	assert_int_equal(udma_dma_slave_map_add("errors-codec", "absent", "no-such-dma", NULL), 0);
	bad_call_next(f);
	r = ptr_result(dma_request_chan(&client_dev, "absent"));
	assert_int_equal(udma_dma_slave_map_remove("errors-codec", "absent"), 0);
	return r;
}

/* Mapped to the one channel the fixture holds. */
static int64_t run_request_chan_busy(struct fixture *f)
{
	int64_t r;

	assert_int_equal(udma_dma_slave_map_add("errors-codec", "busy", kind_names[K_CYC],
						 (void *)f->chan->udma_name), 0);
	bad_call_next(f);
	r = ptr_result(dma_request_chan(&client_dev, "busy"));
	assert_int_equal(udma_dma_slave_map_remove("errors-codec", "busy"), 0);
	return r;
}

static int64_t run_slave_map_add_empty(struct fixture *f)
{
	bad_call_next(f);
	return udma_dma_slave_map_add("errors-codec", "", kind_names[K_CYC], NULL);
}

static int64_t run_slave_map_add_duplicate(struct fixture *f)
{
	int64_t r;

	assert_int_equal(udma_dma_slave_map_add("errors-codec", "dup", kind_names[K_CYC], NULL), 0);
	bad_call_next(f);
	r = udma_dma_slave_map_add("errors-codec", "dup", kind_names[K_CYC], NULL);
	assert_int_equal(udma_dma_slave_map_remove("errors-codec", "dup"), 0);
	return r;
}

static int64_t run_slave_map_remove_unknown(struct fixture *f)
{
	bad_call_next(f);
	return udma_dma_slave_map_remove("errors-codec", "never-mapped");
}

static int64_t run_slave_map_remove_null(struct fixture *f)
{
	bad_call_next(f);
	return udma_dma_slave_map_remove(NULL, "tx");
}

/* ------------------------------------------------ more mapping, reuse */

static int64_t run_map_single_bad_dir(struct fixture *f)
{
	bad_call_next(f);
	return (int64_t)dma_map_single(f->chan->device->dev, f->src, 64,
				       (enum dma_data_direction)99);
}

/* A reusable descriptor that completed sits prepared again: freeing it is
 * fine, but submitting it after dmaengine_desc_free is not. */
static int64_t run_desc_free_twice(struct fixture *f)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 64, DMA_CTRL_ACK);
	assert_non_null(tx);
	assert_int_equal(dmaengine_desc_set_reuse(tx), 0);
	assert_int_equal(dmaengine_desc_free(tx), 0);
	bad_call_next(f);
	return dmaengine_desc_free(tx);
}

/* --------------------------------------- calls from a completion callback */

struct cb_call {
	struct fixture *f;
	int64_t (*op)(struct cb_call *cc);
	int64_t result;                    /* atomic */
	struct counter done;
};

static void cb_call_fn(void *param)
{
	struct cb_call *cc = param;

	__atomic_store_n(&cc->result, cc->op(cc), __ATOMIC_SEQ_CST);
	counter_add(&cc->done, 1);
}

/* Run @op in the callback of a copy on the fixture's channel; its result. */
static int64_t in_callback(struct fixture *f, int64_t (*op)(struct cb_call *cc))
{
	struct dma_async_tx_descriptor *tx;
	struct cb_call cc = { .f = f, .op = op, .result = INT64_MIN };

	counter_init(&cc.done);
	tx = dmaengine_prep_dma_memcpy(f->chan, f->d, f->s, 64,
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	tx->callback = cb_call_fn;
	tx->callback_param = &cc;
	bad_call_next(f);
	assert_true(dmaengine_submit(tx) >= DMA_MIN_COOKIE);
	dma_async_issue_pending(f->chan);
	assert_true(counter_wait_ge(&cc.done, 1, TEST_DEADLINE_MS));
	dmaengine_synchronize(f->chan);
	counter_destroy(&cc.done);
	return __atomic_load_n(&cc.result, __ATOMIC_SEQ_CST);
}

static int64_t op_synchronize(struct cb_call *cc)
{
	dmaengine_synchronize(cc->f->chan);
	return 0;
}

static int64_t op_terminate_sync(struct cb_call *cc)
{
	return dmaengine_terminate_sync(cc->f->chan);
}

static int64_t op_sync_wait(struct cb_call *cc)
{
	return dma_sync_wait(cc->f->chan, 2);
}

static int64_t op_release(struct cb_call *cc)
{
	dma_release_channel(cc->f->chan);
	return __atomic_load_n(&cc->f->chan->client_count, __ATOMIC_SEQ_CST); /* still 1 */
}

static int64_t op_request_channel(struct cb_call *cc)
{
	dma_cap_mask_t m;

	(void)cc;
	dma_cap_zero(m);
	dma_cap_set(DMA_MEMCPY, m);
	return ptr_result(dma_request_channel(m, NULL, NULL));
}

static int64_t op_request_chan(struct cb_call *cc)
{
	(void)cc;
	return ptr_result(dma_request_chan(&client_dev, "tx"));
}

static int64_t op_unregister(struct cb_call *cc)
{
	return dma_async_device_unregister(cc->f->chan->device);
}

static int64_t op_sync_completion(struct cb_call *cc)
{
	return udma_chan_sync_completion(cc->f->chan);
}

static int64_t run_cb_synchronize(struct fixture *f) { return in_callback(f, op_synchronize); }
static int64_t run_cb_terminate_sync(struct fixture *f) { return in_callback(f, op_terminate_sync); }
static int64_t run_cb_sync_wait(struct fixture *f) { return in_callback(f, op_sync_wait); }
static int64_t run_cb_release(struct fixture *f) { return in_callback(f, op_release); }
static int64_t run_cb_request_channel(struct fixture *f) { return in_callback(f, op_request_channel); }
static int64_t run_cb_request_chan(struct fixture *f) { return in_callback(f, op_request_chan); }
static int64_t run_cb_unregister(struct fixture *f) { return in_callback(f, op_unregister); }
static int64_t run_cb_sync_completion(struct fixture *f) { return in_callback(f, op_sync_completion); }

/* ---------------------------------------------------------------- table */

/* Per call: how its result reads, the API call, the condition (doc/errors.md). */
#define M_request_np_not_null RT_PTR, "__dma_request_channel", "device_node `np` not NULL"
#define M_request_null_mask RT_PTR, "__dma_request_channel", "NULL capability mask"
#define M_request_by_mask_null RT_PTR, "dma_request_chan_by_mask", "NULL capability mask"
#define M_request_by_mask_no_match RT_PTR, "dma_request_chan_by_mask", "no device has DMA_XOR (logged at debug level)"
#define M_request_channel_no_match RT_PTR, "dma_request_channel", "no channel has DMA_MEMCPY + DMA_PQ (logged at debug level)"
#define M_release_null RT_VOID, "dma_release_channel", "NULL channel"
#define M_release_twice RT_INT, "dma_release_channel", "channel already released (result: `client_count`)"
#define M_memcpy_null_chan RT_PTR, "dmaengine_prep_dma_memcpy", "NULL channel"
#define M_memcpy_unheld_chan RT_PTR, "dmaengine_prep_dma_memcpy", "channel not held (released)"
#define M_memcpy_unregistered_chan RT_PTR, "dmaengine_prep_dma_memcpy", "channel struct never registered"
#define M_memcpy_len0 RT_PTR, "dmaengine_prep_dma_memcpy", "length 0"
#define M_memcpy_dst0 RT_PTR, "dmaengine_prep_dma_memcpy", "destination address 0"
#define M_memcpy_src0 RT_PTR, "dmaengine_prep_dma_memcpy", "source address 0"
#define M_memcpy_dst_maperr RT_PTR, "dmaengine_prep_dma_memcpy", "destination DMA_MAPPING_ERROR"
#define M_memcpy_src_maperr RT_PTR, "dmaengine_prep_dma_memcpy", "source DMA_MAPPING_ERROR"
#define M_memset_unsupported RT_PTR, "dmaengine_prep_dma_memset", "channel without DMA_MEMSET"
#define M_memset_null_chan RT_PTR, "dmaengine_prep_dma_memset", "NULL channel"
#define M_memset_unheld_chan RT_PTR, "dmaengine_prep_dma_memset", "channel not held (released)"
#define M_memset_len0 RT_PTR, "dmaengine_prep_dma_memset", "length 0"
#define M_memset_dst0 RT_PTR, "dmaengine_prep_dma_memset", "destination address 0"
#define M_memset_dst_maperr RT_PTR, "dmaengine_prep_dma_memset", "destination DMA_MAPPING_ERROR"
#define M_slave_sg_unsupported RT_PTR, "dmaengine_prep_slave_sg", "channel without DMA_SLAVE"
#define M_slave_single_unsupported RT_PTR, "dmaengine_prep_slave_single", "channel without DMA_SLAVE"
#define M_slave_sg_null_chan RT_PTR, "dmaengine_prep_slave_sg", "NULL channel"
#define M_slave_sg_null_sgl RT_PTR, "dmaengine_prep_slave_sg", "NULL scatterlist"
#define M_slave_sg_zero_entries RT_PTR, "dmaengine_prep_slave_sg", "0 entries"
#define M_slave_sg_mem_to_mem RT_PTR, "dmaengine_prep_slave_sg", "direction DMA_MEM_TO_MEM"
#define M_slave_sg_dev_to_dev RT_PTR, "dmaengine_prep_slave_sg", "direction DMA_DEV_TO_DEV"
#define M_slave_sg_trans_none RT_PTR, "dmaengine_prep_slave_sg", "direction DMA_TRANS_NONE"
#define M_slave_single_len0 RT_PTR, "dmaengine_prep_slave_single", "length 0"
#define M_slave_single_addr0 RT_PTR, "dmaengine_prep_slave_single", "buffer address 0"
#define M_slave_single_maperr RT_PTR, "dmaengine_prep_slave_single", "buffer DMA_MAPPING_ERROR"
#define M_cyclic_unsupported RT_PTR, "dmaengine_prep_dma_cyclic", "channel without DMA_CYCLIC"
#define M_cyclic_null_chan RT_PTR, "dmaengine_prep_dma_cyclic", "NULL channel"
#define M_cyclic_period0 RT_PTR, "dmaengine_prep_dma_cyclic", "period 0"
#define M_cyclic_period_not_dividing RT_PTR, "dmaengine_prep_dma_cyclic", "period 300 does not divide buffer 1024"
#define M_cyclic_len0 RT_PTR, "dmaengine_prep_dma_cyclic", "buffer length 0"
#define M_cyclic_addr_maperr RT_PTR, "dmaengine_prep_dma_cyclic", "buffer DMA_MAPPING_ERROR"
#define M_interleaved_unsupported RT_PTR, "dmaengine_prep_interleaved_dma", "channel without DMA_INTERLEAVE"
#define M_interleaved_null_chan RT_PTR, "dmaengine_prep_interleaved_dma", "NULL channel"
#define M_submit_null RT_INT, "dmaengine_submit", "NULL descriptor"
#define M_submit_twice RT_INT, "dmaengine_submit", "descriptor already submitted"
#define M_submit_after_release RT_INT, "dmaengine_submit", "descriptor of a released channel (the provider hook is not called)"
#define M_submit_stale_after_release RT_INT, "dmaengine_submit", "prepared descriptor, then its channel released"
#define M_submit_unprepared RT_INT, "dmaengine_submit", "zeroed descriptor no provider prepared"
#define M_issue_null RT_VOID, "dma_async_issue_pending", "NULL channel"
#define M_issue_unheld RT_VOID, "dma_async_issue_pending", "channel not held (released)"
#define M_tx_status_null RT_STATUS, "dmaengine_tx_status", "NULL channel"
#define M_is_tx_complete_null RT_STATUS, "dma_async_is_tx_complete", "NULL channel"
#define M_sync_wait_null RT_STATUS, "dma_sync_wait", "NULL channel"
#define M_sync_wait_unheld RT_STATUS, "dma_sync_wait", "channel not held (released)"
#define M_config_null_chan RT_INT, "dmaengine_slave_config", "NULL channel"
#define M_config_null_config RT_INT, "dmaengine_slave_config", "NULL config (device_config not called)"
#define M_config_unsupported RT_INT, "dmaengine_slave_config", "provider without device_config"
#define M_pause_null RT_INT, "dmaengine_pause", "NULL channel"
#define M_pause_unsupported RT_INT, "dmaengine_pause", "provider without device_pause"
#define M_resume_null RT_INT, "dmaengine_resume", "NULL channel"
#define M_resume_unsupported RT_INT, "dmaengine_resume", "provider without device_resume"
#define M_terminate_async_null RT_INT, "dmaengine_terminate_async", "NULL channel"
#define M_terminate_async_unheld RT_INT, "dmaengine_terminate_async", "channel not held (released)"
#define M_terminate_async_unsupported RT_INT, "dmaengine_terminate_async", "provider without device_terminate_all"
#define M_terminate_sync_null RT_INT, "dmaengine_terminate_sync", "NULL channel"
#define M_terminate_sync_unsupported RT_INT, "dmaengine_terminate_sync", "provider without device_terminate_all"
#define M_terminate_all_null RT_INT, "dmaengine_terminate_all", "NULL channel"
#define M_terminate_all_unsupported RT_INT, "dmaengine_terminate_all", "provider without device_terminate_all"
#define M_synchronize_null RT_VOID, "dmaengine_synchronize", "NULL channel"
#define M_caps_null_chan RT_INT, "dma_get_slave_caps", "NULL channel"
#define M_caps_null_caps RT_INT, "dma_get_slave_caps", "NULL caps"
#define M_caps_memcpy_chan RT_INT, "dma_get_slave_caps", "memcpy-only channel (no DMA_SLAVE/DMA_CYCLIC)"
#define M_set_reuse_null RT_INT, "dmaengine_desc_set_reuse", "NULL descriptor"
#define M_set_reuse_unsupported RT_INT, "dmaengine_desc_set_reuse", "provider without descriptor_reuse"
#define M_desc_free_null RT_INT, "dmaengine_desc_free", "NULL descriptor"
#define M_desc_free_not_reusable RT_INT, "dmaengine_desc_free", "descriptor not marked reusable"
#define M_desc_free_still_queued RT_INT, "dmaengine_desc_free", "reusable descriptor still submitted"
#define M_map_single_null_ptr RT_ADDR, "dma_map_single", "NULL pointer"
#define M_map_single_size0 RT_ADDR, "dma_map_single", "size 0"
#define M_mapping_error_query RT_INT, "dma_mapping_error", "DMA_MAPPING_ERROR (a pure query: logs nothing)"
#define M_map_sg_null RT_INT, "dma_map_sg", "NULL scatterlist (result: entries mapped)"
#define M_map_sg_zero_entries RT_INT, "dma_map_sg", "0 entries"
#define M_map_sg_bad_entry RT_INT, "dma_map_sg", "an entry of length 0 (earlier entries unmapped again)"
#define M_unmap_single_invalid RT_VOID, "dma_unmap_single", "DMA_MAPPING_ERROR"
#define M_cyc_config_dev_to_dev RT_INT, "dmaengine_slave_config", "direction DMA_DEV_TO_DEV"
#define M_cyc_config_width3 RT_INT, "dmaengine_slave_config", "dst_addr_width 3 bytes (not in the caps)"
#define M_cyc_prep_no_config RT_PTR, "dmaengine_prep_dma_cyclic", "no dmaengine_slave_config yet (no peripheral)"
#define M_cyc_prep_width_mismatch RT_PTR, "dmaengine_prep_dma_cyclic", "configured width 2, peripheral width 4"
#define M_cyc_prep_not_word_multiple RT_PTR, "dmaengine_prep_dma_cyclic", "buffer 1022 / period 511: not multiples of the width"
#define M_cyc_prep_mem_to_mem RT_PTR, "dmaengine_prep_dma_cyclic", "direction DMA_MEM_TO_MEM"
#define M_cyc_slave_sg_too_many RT_PTR, "dmaengine_prep_slave_sg", "65 entries (max_sg_burst 64)"
#define M_pause_unheld RT_INT, "dmaengine_pause", "channel not held (released)"
#define M_resume_unheld RT_INT, "dmaengine_resume", "channel not held (released)"
#define M_config_unheld RT_INT, "dmaengine_slave_config", "channel not held (released)"
#define M_request_chan_null_dev RT_PTR, "dma_request_chan", "NULL device"
#define M_request_chan_null_name RT_PTR, "dma_request_chan", "NULL name"
#define M_request_chan_unmapped RT_PTR, "dma_request_chan", "(device, name) in no slave map"
#define M_request_chan_device_absent RT_PTR, "dma_request_chan", "mapped to a DMA device not registered"
#define M_request_chan_busy RT_PTR, "dma_request_chan", "mapped to a channel another client holds"
#define M_slave_map_add_empty RT_INT, "udma_dma_slave_map_add", "empty slave name"
#define M_slave_map_add_duplicate RT_INT, "udma_dma_slave_map_add", "(device, slave) already mapped"
#define M_slave_map_remove_unknown RT_INT, "udma_dma_slave_map_remove", "(device, slave) not mapped"
#define M_slave_map_remove_null RT_INT, "udma_dma_slave_map_remove", "NULL devname"
#define M_map_single_bad_dir RT_ADDR, "dma_map_single", "direction 99"
#define M_desc_free_twice RT_INT, "dmaengine_desc_free", "reusable descriptor already freed"
#define M_cb_synchronize RT_VOID, "dmaengine_synchronize", "from a completion callback"
#define M_cb_terminate_sync RT_INT, "dmaengine_terminate_sync", "from a completion callback (the terminate is done)"
#define M_cb_sync_wait RT_STATUS, "dma_sync_wait", "from a completion callback"
#define M_cb_release RT_INT, "dma_release_channel", "from a completion callback (result: `client_count`, still 1)"
#define M_cb_request_channel RT_PTR, "dma_request_channel", "from a completion callback"
#define M_cb_request_chan RT_PTR, "dma_request_chan", "from a completion callback"
#define M_cb_unregister RT_INT, "dma_async_device_unregister", "from a completion callback"
#define M_cb_sync_completion RT_INT, "udma_chan_sync_completion", "from a completion callback"

#define CASE(fn, k, want, rt, call, cond, log) { #fn, k, run_##fn, want, rt, call, cond, log }
#define CASE_(...) CASE(__VA_ARGS__)
#define ROW(fn, k, want, log) CASE_(fn, k, want, M_##fn, log)

static const struct api_case cases[] = {
	/* requests and release */
	ROW(request_np_not_null, K_SW, R_NULL, "device_node lookups are not supported (np must be NULL)"),
	ROW(request_null_mask, K_SW, R_NULL, "NULL capability mask"),
	ROW(request_by_mask_null, K_SW, -ENODEV, "NULL capability mask"),
	ROW(request_by_mask_no_match, K_SW, -ENODEV, "no free channel matches the request"),
	ROW(request_channel_no_match, K_SW, R_NULL, "no free channel matches the request"),
	ROW(release_null, K_SW, 0, "NULL channel"),
	ROW(release_twice, K_SW, 0, "channel is not held (double release?)"),
	ROW(release_twice, K_MOCK, 0, "channel is not held (double release?)"),
	/* dmaengine_prep_dma_memcpy */
	ROW(memcpy_null_chan, K_SW, R_NULL, "NULL channel"),
	ROW(memcpy_unheld_chan, K_SW, R_NULL, "is not held by a client (request it first)"),
	ROW(memcpy_unregistered_chan, K_SW, R_NULL, "is not registered"),
	ROW(memcpy_len0, K_SW, R_NULL, "zero length"),
	ROW(memcpy_dst0, K_SW, R_NULL, "invalid destination address 0x0"),
	ROW(memcpy_src0, K_SW, R_NULL, "invalid source address 0x0"),
	ROW(memcpy_dst_maperr, K_SW, R_NULL, "invalid destination address"),
	ROW(memcpy_src_maperr, K_SW, R_NULL, "invalid source address"),
	ROW(memcpy_unheld_chan, K_MOCK, R_NULL, "is not held by a client (request it first)"),
	ROW(memcpy_len0, K_MOCK, R_NULL, "zero length"),
	ROW(memcpy_dst0, K_MOCK, R_NULL, "invalid destination address 0x0"),
	ROW(memcpy_src0, K_MOCK, R_NULL, "invalid source address 0x0"),
	ROW(memcpy_dst_maperr, K_MOCK, R_NULL, "invalid destination address"),
	ROW(memcpy_src_maperr, K_MOCK, R_NULL, "invalid source address"),
	/* dmaengine_prep_dma_memset */
	ROW(memset_unsupported, K_MOCK, R_NULL, "does not support DMA_MEMSET"),
	ROW(memset_null_chan, K_SW, R_NULL, "NULL channel"),
	ROW(memset_unheld_chan, K_SW, R_NULL, "is not held by a client (request it first)"),
	ROW(memset_len0, K_SW, R_NULL, "zero length"),
	ROW(memset_dst0, K_SW, R_NULL, "invalid destination address 0x0"),
	ROW(memset_dst_maperr, K_SW, R_NULL, "invalid destination address"),
	ROW(memset_unheld_chan, K_SLAVE, R_NULL, "is not held by a client (request it first)"),
	ROW(memset_len0, K_SLAVE, R_NULL, "zero length"),
	ROW(memset_dst0, K_SLAVE, R_NULL, "invalid destination address 0x0"),
	ROW(memset_dst_maperr, K_SLAVE, R_NULL, "invalid destination address"),
	/* slave */
	ROW(slave_sg_unsupported, K_SW, R_NULL, "does not support DMA_SLAVE"),
	ROW(slave_single_unsupported, K_SW, R_NULL, "does not support DMA_SLAVE"),
	ROW(slave_sg_null_chan, K_SW, R_NULL, "NULL channel"),
	ROW(slave_sg_null_sgl, K_SLAVE, R_NULL, "empty scatterlist"),
	ROW(slave_sg_zero_entries, K_SLAVE, R_NULL, "empty scatterlist"),
	ROW(slave_sg_mem_to_mem, K_SLAVE, R_NULL, "direction MEM_TO_MEM is not a slave direction"),
	ROW(slave_sg_dev_to_dev, K_SLAVE, R_NULL, "direction DEV_TO_DEV is not a slave direction"),
	ROW(slave_sg_trans_none, K_SLAVE, R_NULL, "direction invalid is not a slave direction"),
	ROW(slave_single_len0, K_SLAVE, R_NULL, "zero length"),
	ROW(slave_single_addr0, K_SLAVE, R_NULL, "invalid buffer address 0x0"),
	ROW(slave_single_maperr, K_SLAVE, R_NULL, "invalid buffer address"),
	/* cyclic */
	ROW(cyclic_unsupported, K_SW, R_NULL, "does not support DMA_CYCLIC"),
	ROW(cyclic_null_chan, K_SW, R_NULL, "NULL channel"),
	ROW(cyclic_period0, K_SLAVE, R_NULL, "period 0 does not divide buffer 1024"),
	ROW(cyclic_period_not_dividing, K_SLAVE, R_NULL, "period 300 does not divide buffer 1024"),
	ROW(cyclic_len0, K_SLAVE, R_NULL, "zero length"),
	ROW(cyclic_addr_maperr, K_SLAVE, R_NULL, "invalid buffer address"),
	/* interleaved */
	ROW(interleaved_unsupported, K_MOCK, R_NULL, "does not support DMA_INTERLEAVE"),
	ROW(interleaved_null_chan, K_SW, R_NULL, "NULL channel"),
	/* submit */
	ROW(submit_null, K_SW, -EINVAL, "NULL descriptor"),
	ROW(submit_twice, K_SW, -EINVAL, "submitted twice, or already freed"),
	ROW(submit_twice, K_MOCK, -EINVAL, "submitted twice, or already freed"),
	ROW(submit_after_release, K_SW, -EINVAL, "is not held by a client (request it first)"),
	ROW(submit_stale_after_release, K_MOCK, -EINVAL, "is not held by a client (request it first)"),
	ROW(submit_unprepared, K_SW, -EINVAL, "was not prepared by a provider"),
	/* issue / status / wait */
	ROW(issue_null, K_SW, 0, "NULL channel"),
	ROW(issue_unheld, K_SW, 0, "is not held by a client (request it first)"),
	ROW(tx_status_null, K_SW, DMA_ERROR, "NULL or unregistered channel"),
	ROW(is_tx_complete_null, K_SW, DMA_ERROR, "NULL or unregistered channel"),
	ROW(sync_wait_null, K_SW, DMA_ERROR, "NULL channel"),
	ROW(sync_wait_unheld, K_SW, DMA_ERROR, "is not held by a client (request it first)"),
	/* slave config, pause, resume */
	ROW(config_null_chan, K_SW, -EINVAL, "NULL channel"),
	ROW(config_null_config, K_SLAVE, -EINVAL, "NULL config"),
	ROW(config_unsupported, K_SW, -ENOSYS, "provider has no device_config"),
	ROW(pause_null, K_SW, -EINVAL, "NULL channel"),
	ROW(pause_unsupported, K_SW, -ENOSYS, "provider cannot pause"),
	ROW(resume_null, K_SW, -EINVAL, "NULL channel"),
	ROW(resume_unsupported, K_SW, -ENOSYS, "provider cannot resume"),
	/* terminate / synchronize */
	ROW(terminate_async_null, K_SW, -EINVAL, "NULL channel"),
	ROW(terminate_async_unheld, K_SW, -EINVAL, "is not held by a client (request it first)"),
	ROW(terminate_async_unsupported, K_NOTERM, -EINVAL, "provider cannot terminate"),
	ROW(terminate_sync_null, K_SW, -EINVAL, "NULL channel"),
	ROW(terminate_sync_unsupported, K_NOTERM, -EINVAL, "provider cannot terminate"),
	ROW(terminate_all_null, K_SW, -EINVAL, "NULL channel"),
	ROW(terminate_all_unsupported, K_NOTERM, -ENOSYS, "provider cannot terminate"),
	ROW(synchronize_null, K_SW, 0, "NULL or unregistered channel"),
	/* slave caps */
	ROW(caps_null_chan, K_SW, -EINVAL, "NULL channel"),
	ROW(caps_null_caps, K_SW, -EINVAL, "NULL caps"),
	ROW(caps_memcpy_chan, K_SW, -ENXIO, "is not a slave channel (no DMA_SLAVE/DMA_CYCLIC or no directions)"),
	ROW(caps_memcpy_chan, K_MOCK, -ENXIO, "is not a slave channel (no DMA_SLAVE/DMA_CYCLIC or no directions)"),
	/* reuse */
	ROW(set_reuse_null, K_SW, -EINVAL, "NULL or unprepared descriptor"),
	ROW(set_reuse_unsupported, K_MOCK, -EPERM, "does not support descriptor reuse"),
	ROW(desc_free_null, K_SW, -EINVAL, "NULL descriptor"),
	ROW(desc_free_not_reusable, K_SW, -EPERM, "is not reusable; only reusable descriptors are freed by the client"),
	ROW(desc_free_still_queued, K_SW, -EBUSY, "is queued; terminate or wait for it first"),
	/* mapping */
	ROW(map_single_null_ptr, K_SW, R_MAPERR, "sw-memcpy: cannot map 64 bytes at"),
	ROW(map_single_size0, K_SW, R_MAPERR, "sw-memcpy: cannot map 0 bytes at"),
	ROW(mapping_error_query, K_SW, -ENOMEM, NULL),
	ROW(map_sg_null, K_SW, 0, "sw-memcpy: bad scatterlist ("),
	ROW(map_sg_zero_entries, K_SW, 0, "sw-memcpy: bad scatterlist ("),
	ROW(map_sg_bad_entry, K_SW, 0, "sw-memcpy: cannot map 0 bytes at"),
	ROW(unmap_single_invalid, K_SW, 0, "sw-memcpy: unmap of an invalid address"),
	/* the cyclic-ring plugin: slave config, cyclic and slave prep, control */
	ROW(cyc_config_dev_to_dev, K_CYC, -EINVAL, "direction DEV_TO_DEV is not supported"),
	ROW(cyc_config_width3, K_CYC, -EINVAL, "dst_addr_width 3 bytes is not supported (mask 0x116)"),
	ROW(config_null_config, K_CYC, -EINVAL, "NULL config"),
	ROW(config_unheld, K_CYC, -EINVAL, "is not held by a client (request it first)"),
	ROW(cyc_prep_no_config, K_CYC, R_NULL, "dst_addr 0x0 is not a peripheral (dmaengine_slave_config first)"),
	ROW(cyc_prep_width_mismatch, K_CYC, R_NULL, "dst_addr_width 2 differs from the peripheral's width 4"),
	ROW(cyc_prep_not_word_multiple, K_CYC, R_NULL, "buffer 1022 and period 511 must be multiples of the width 4"),
	ROW(cyc_prep_mem_to_mem, K_CYC, R_NULL, "direction MEM_TO_MEM not supported"),
	ROW(cyclic_period_not_dividing, K_CYC, R_NULL, "period 300 does not divide buffer 1024"),
	ROW(cyclic_len0, K_CYC, R_NULL, "zero length"),
	ROW(cyc_slave_sg_too_many, K_CYC, R_NULL, "65 entries, at most 64"),
	ROW(slave_sg_zero_entries, K_CYC, R_NULL, "empty scatterlist"),
	ROW(slave_single_addr0, K_CYC, R_NULL, "invalid buffer address 0x0"),
	ROW(pause_unheld, K_CYC, -EINVAL, "is not held by a client (request it first)"),
	ROW(resume_unheld, K_CYC, -EINVAL, "is not held by a client (request it first)"),
	ROW(terminate_async_unheld, K_CYC, -EINVAL, "is not held by a client (request it first)"),
	ROW(caps_null_caps, K_CYC, -EINVAL, "NULL caps"),
	/* slave maps: dma_request_chan, udma_dma_slave_map_add/_remove */
	ROW(request_chan_null_dev, K_CYC, -EINVAL, "NULL device"),
	ROW(request_chan_null_name, K_CYC, -EINVAL, "NULL name"),
	ROW(request_chan_unmapped, K_CYC, -ENODEV, "no DMA channel is mapped to errors-codec/no-such-slave"),
	ROW(request_chan_device_absent, K_CYC, -EPROBE_DEFER, "errors-codec/absent -> no-such-dma: DMA device not registered (yet)"),
	ROW(request_chan_busy, K_CYC, -EBUSY, "errors-codec/busy -> cyclic-ring: no free channel accepted"),
	ROW(slave_map_add_empty, K_CYC, -EINVAL, "devname, slave and dma_device must be non-empty strings"),
	ROW(slave_map_add_duplicate, K_CYC, -EEXIST, "errors-codec/dup is already mapped (to cyclic-ring)"),
	ROW(slave_map_remove_unknown, K_CYC, -ENOENT, "errors-codec/never-mapped is not mapped"),
	ROW(slave_map_remove_null, K_CYC, -EINVAL, "NULL devname"),
	/* more mapping and descriptor reuse */
	ROW(map_single_bad_dir, K_SW, R_MAPERR, "sw-memcpy: invalid direction 99"),
	ROW(desc_free_twice, K_SW, -EBUSY, "is queued; terminate or wait for it first"),
	/* the wrong context: "may block" calls from a completion callback */
	ROW(cb_synchronize, K_SW, 0, "dmaengine_synchronize from a completion callback would deadlock; not waiting"),
	ROW(cb_terminate_sync, K_SW, -EDEADLK, "terminated, but dmaengine_terminate_sync cannot wait in a completion callback; call dmaengine_synchronize later from another thread"),
	ROW(cb_sync_wait, K_SW, DMA_ERROR, "dma_sync_wait from a completion callback would wait for itself"),
	ROW(cb_release, K_SW, 1, "dma_release_channel may block; not released from a completion callback"),
	ROW(cb_request_channel, K_SW, R_NULL, "channel requests may block; not allowed in a completion callback"),
	ROW(cb_request_chan, K_SW, -EDEADLK, "channel requests may block; not allowed in a completion callback"),
	ROW(cb_unregister, K_MOCK, -EDEADLK, "cannot unregister a device from a completion callback"),
	ROW(cb_sync_completion, K_SW, -EDEADLK, "cannot wait for callbacks from a completion callback"),
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

/* ------------------------------------------------------------ runner */

static const struct udma_periph_config codec_cfg = {
	.name = "errors-codec", .fifo_depth = 64, .width = DMA_SLAVE_BUSWIDTH_4_BYTES,
	.rate = 1000000, .capture_size = 65536,
};

static int group_setup(void **state)
{
	static const struct mock_opts opts[K_NR] = {
		[K_MOCK] = { .name = "mock-memcpy", .nr_chans = 2, .memcpy = true,
			     .keep_pool = true, .pool_size = 16 },
		[K_NOTERM] = { .name = "mock-noterm", .nr_chans = 1, .memcpy = true,
			       .no_terminate = true, .pool_size = 16 },
		[K_SLAVE] = { .name = "mock-slave", .nr_chans = 1, .memcpy = true,
			      .memset = true, .slave = true, .cyclic = true,
			      .pool_size = 16 },
	};
	struct dma_chan *sw;

	(void)state;
	codec = udma_periph_create(&codec_cfg);
	if (!codec)
		return -1;
	for (int k = K_MOCK; k <= K_SLAVE; k++) {
		fx.mock[k] = mock_dev_create(&opts[k]);
		if (!fx.mock[k] || mock_dev_register(fx.mock[k]))
			return -1;
	}
	/* the sw-memcpy plugin must be there (loaded by the first request) */
	sw = request_kind(K_SW);
	if (!sw) {
		print_error("no sw-memcpy channel: is UDMA_PLUGIN_PATH set?\n");
		return -1;
	}
	dma_release_channel(sw);
	return 0;
}

static int group_teardown(void **state)
{
	int bad = 0;

	(void)state;
	udma_set_log_fn(NULL, NULL);
	udma_periph_destroy(codec);
	codec = NULL;
	for (int k = K_MOCK; k < K_NR; k++) {
		if (!fx.mock[k])
			continue;
		if (mock_dev_count(fx.mock[k], MOCK_VIOLATION))
			bad = -1;
		if (mock_dev_unregister(fx.mock[k]))
			bad = -1;
		mock_dev_destroy(fx.mock[k]);
		fx.mock[k] = NULL;
	}
	return bad;
}

static int case_setup(void **state)
{
	const struct api_case *c = *state;

	fx.c = c;
	fx.released = false;
	fx.saved_level = udma_get_log_level();
	fx.chan = request_kind(c->kind);
	if (!fx.chan) {
		print_error("%s: no %s channel\n", c->name, kind_names[c->kind]);
		return -1;
	}
	memset(fx.src, 0x3c, sizeof(fx.src));
	memset(fx.dst, 0, sizeof(fx.dst));
	fx.s = dma_map_single(fx.chan->device->dev, fx.src, BUF_LEN, DMA_TO_DEVICE);
	fx.d = dma_map_single(fx.chan->device->dev, fx.dst, BUF_LEN, DMA_FROM_DEVICE);
	log_reset();
	fx.log_base = 0;
	fx.prep_base = mock_prep_calls(&fx);
	udma_set_log_fn(log_sink, NULL);
	return 0;
}

static int case_teardown(void **state)
{
	const struct api_case *c = *state;
	int bad = 0;

	udma_set_log_fn(NULL, NULL);
	udma_set_log_level(fx.saved_level);
	if (!fx.released)
		dma_release_channel(fx.chan);
	fx.chan = NULL;
	if (fx.mock[c->kind] && mock_dev_count(fx.mock[c->kind], MOCK_VIOLATION))
		bad = -1;
	return bad;
}

static void run_case(void **state)
{
	const struct api_case *c = *state;
	struct dma_chan *chan;
	int64_t got;
	int logs, before;

	got = c->run(&fx);
	logs = log_count() - fx.log_base;
	if (mock_prep_calls(&fx) != fx.prep_base)
		fail_msg("%s on %s: the provider's prep hook was called; the core must "
			 "refuse this itself", c->name, kind_names[c->kind]);
	if (got != c->want) {
		log_dump();
		fail_msg("%s on %s: got %lld, want %lld", c->name, kind_names[c->kind],
			 (long long)got, (long long)c->want);
	}
	if (dump_lines) {
		pthread_mutex_lock(&log_mx);
		printf("DUMP %s@%s: %s\n", c->name, kind_names[c->kind],
		       fx.log_base < log_n ? log_line[fx.log_base] : "(none)");
		pthread_mutex_unlock(&log_mx);
	}
	if (c->log && logs < 1)
		fail_msg("%s on %s: returned %lld as expected but logged nothing",
			 c->name, kind_names[c->kind], (long long)got);
	if (c->log && !log_has(c->log))
		fail_msg("%s on %s: no log line contains \"%s\"", c->name,
			 kind_names[c->kind], c->log);
	if (!c->log && logs != 0) {
		log_dump();
		fail_msg("%s on %s: logged %d line(s), expected none", c->name,
			 kind_names[c->kind], logs);
	}

	/* the channel (or, if the case released it, a new one) still works */
	if (fx.released) {
		chan = request_kind(c->kind);
		assert_non_null(chan);
		fx.chan = chan;
		fx.released = false;
	}
	before = log_count();
	if (c->kind == K_CYC)
		verified_cyclic(fx.chan);
	else
		verified_copy(fx.chan);
	if (log_count() != before) {
		log_dump();
		fail_msg("%s: the verification copy logged", c->name);
	}
}

/* ------------------------------------------------------ doc/errors.md */

static const char *errno_name(int64_t e)
{
	switch (-e) {
	case EINVAL: return "EINVAL";
	case ENODEV: return "ENODEV";
	case EPROBE_DEFER: return "EPROBE_DEFER";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case ENXIO: return "ENXIO";
	case EDEADLK: return "EDEADLK";
	case ENOMEM: return "ENOMEM";
	default: return NULL;
	}
}

static void result_text(const struct api_case *c, char *buf, size_t size)
{
	const char *en = errno_name(c->want);

	switch (c->rt) {
	case RT_PTR:
		if (c->want == R_NULL)
			snprintf(buf, size, "`NULL`");
		else
			snprintf(buf, size, "`ERR_PTR(-%s)`", en ? en : "?");
		break;
	case RT_INT:
		if (c->want < 0 && en)
			snprintf(buf, size, "`-%s`", en);
		else
			snprintf(buf, size, "`%lld`", (long long)c->want);
		break;
	case RT_STATUS:
		snprintf(buf, size, "`%s`", c->want == DMA_ERROR ? "DMA_ERROR" : "?");
		break;
	case RT_ADDR:
		snprintf(buf, size, "`DMA_MAPPING_ERROR`");
		break;
	case RT_VOID:
		snprintf(buf, size, "returns, does nothing");
		break;
	}
}

/* The catalogue as doc/errors.md (meson test errors-doc compares the two). */
static void print_markdown(void)
{
	char res[64];

	printf("# Bad-input catalogue\n\n"
	       "Generated from the table in `tests/test-api-errors.c` by\n"
	       "`test-api-errors --markdown`; the `errors-doc` test fails when this file\n"
	       "and the table differ (regenerate with `ninja -C build errors-doc`).\n\n"
	       "Each row is one invalid call, run as its own test on a fresh channel of\n"
	       "the kind named in the channel column (`sw-memcpy` and `cyclic-ring`\n"
	       "are the plugins; `mock-*` are test devices from `tests/mock-provider.c`:\n"
	       "`mock-memcpy` without memset or reuse, `mock-noterm` without\n"
	       "`device_terminate_all`, `mock-slave` with slave and cyclic ops). The test\n"
	       "asserts the exact result, that an error-level line containing the text\n"
	       "of the last column was logged (through `udma_set_log_fn`), that on a mock\n"
	       "channel the provider's prep hook was never reached (the core refuses),\n"
	       "and that the channel still works afterwards: a memcpy (or, on\n"
	       "`cyclic-ring`, a cyclic transfer into a simulated codec) completes with\n"
	       "verified data and logs nothing. \"No match\" requests log at debug level.\n"
	       "Calls refused in a child process after `fork()` are listed in\n"
	       "[design.md](design.md#fork).\n\n"
	       "| # | call | condition | channel | result | log line contains |\n"
	       "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < NR_CASES; i++) {
		const struct api_case *c = &cases[i];

		result_text(c, res, sizeof(res));
		printf("| %zu | `%s` | %s | %s | %s | %s%s%s |\n", i + 1, c->call, c->cond,
		       kind_names[c->kind], res, c->log ? "`" : "", c->log ? c->log : "nothing (pure query)",
		       c->log ? "`" : "");
	}
}

int main(int argc, char **argv)
{
	static struct CMUnitTest tests[NR_CASES];
	static char names[NR_CASES][96];

	if (argc > 1 && !strcmp(argv[1], "--markdown")) {
		print_markdown();
		return 0;
	}
	dump_lines = argc > 1 && !strcmp(argv[1], "--dump-logs");
	for (size_t i = 0; i < NR_CASES; i++) {
		snprintf(names[i], sizeof(names[i]), "%s@%s", cases[i].name,
			 kind_names[cases[i].kind]);
		tests[i].name = names[i];
		tests[i].test_func = run_case;
		tests[i].setup_func = case_setup;
		tests[i].teardown_func = case_teardown;
		tests[i].initial_state = (void *)&cases[i];
	}
	return cmocka_run_group_tests_name("api-errors", tests, group_setup, group_teardown);
}
