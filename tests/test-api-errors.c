/* SPDX-License-Identifier: MIT */
/*
 * test-api-errors.c - the invalid-argument matrix of the client API
 * (integration suite: the real sw-memcpy plugin, plus mock devices from
 * mock-provider.h where a channel with or without a given op is needed).
 *
 * One table row per misuse: NULL / unheld / unregistered channel, NULL
 * descriptor, zero length, address 0 and DMA_MAPPING_ERROR, an op the
 * channel lacks, double submit, submit after release, double release, NULL
 * config / caps, unsupported pause / resume / terminate / slave caps /
 * reuse, bad scatterlists and mappings, device_node lookups. Each row is its
 * own cmocka test and checks:
 *   1. the exact result (NULL, ERR_PTR errno, errno, DMA_ERROR,
 *      DMA_MAPPING_ERROR, 0 entries),
 *   2. that the library logged why (udma_set_log_fn capture; the default
 *      sink is restored after every test),
 *   3. on mock channels, that the provider's device_prep_* hook was never
 *      reached: the core itself refuses (sw-memcpy would also refuse some
 *      bad addresses, which would hide a missing core check),
 *   4. that a channel of the same kind then performs a real, verified copy
 *      (callback, DMA_COMPLETE, bytes compared) without logging anything.
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
#include "mock-provider.h"
#include "test-util.h"

#define BUF_LEN 4096
#define R_NULL 0          /* a pointer result that is NULL */
#define R_NONNULL 1       /* a pointer result that is a real object */
#define R_MAPERR (-1)     /* (int64_t)DMA_MAPPING_ERROR */

/* ------------------------------------------------------------ log capture */

#define LOG_KEEP 8

struct log_capture {
	pthread_mutex_t lock;
	int count;
	char msgs[LOG_KEEP][256];
};

static struct log_capture logcap = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void capture_log(int level, const char *func, const char *msg, void *ud)
{
	struct log_capture *lc = ud;

	pthread_mutex_lock(&lc->lock);
	if (lc->count < LOG_KEEP)
		snprintf(lc->msgs[lc->count], sizeof(lc->msgs[0]), "<%d> %s: %s",
			 level, func, msg);
	lc->count++;
	pthread_mutex_unlock(&lc->lock);
}

static int log_count(void)
{
	int n;

	pthread_mutex_lock(&logcap.lock);
	n = logcap.count;
	pthread_mutex_unlock(&logcap.lock);
	return n;
}

static void log_dump(void)
{
	pthread_mutex_lock(&logcap.lock);
	for (int i = 0; i < logcap.count && i < LOG_KEEP; i++)
		print_message("  log[%d] %s\n", i, logcap.msgs[i]);
	pthread_mutex_unlock(&logcap.lock);
}

/* ------------------------------------------------------------ fixture */

enum kind {
	K_SW,     /* sw-memcpy plugin: memcpy + memset, reuse, no slave/pause */
	K_MOCK,   /* mock: memcpy only, no reuse, keeps its pool across release */
	K_NOTERM, /* mock: memcpy, no device_terminate_all */
	K_SLAVE,  /* mock: memcpy + memset + slave + cyclic + device_config */
	K_NR
};

static const char *const kind_names[K_NR] = { "sw-memcpy", "mock-memcpy",
					      "mock-noterm", "mock-slave" };

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
	bool log;                          /* a log line must be emitted */
};

static struct fixture fx;

static bool kind_filter(struct dma_chan *chan, void *param)
{
	const char *want = param;

	return chan->device->udma_name && !strcmp(chan->device->udma_name, want);
}

static struct dma_chan *request_kind(enum kind k)
{
	dma_cap_mask_t m;

	dma_cap_zero(m);
	dma_cap_set(DMA_MEMCPY, m);
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

/* ---------------------------------------------------------------- table */

#define CASE(fn, k, want, log) { #fn, k, run_##fn, want, log }

static const struct api_case cases[] = {
	/* requests and release */
	CASE(request_np_not_null, K_SW, R_NULL, true),
	CASE(request_null_mask, K_SW, R_NULL, true),
	CASE(request_by_mask_null, K_SW, -ENODEV, true),
	CASE(request_by_mask_no_match, K_SW, -ENODEV, true),
	CASE(request_channel_no_match, K_SW, R_NULL, true),
	CASE(release_null, K_SW, 0, true),
	CASE(release_twice, K_SW, 0, true),
	CASE(release_twice, K_MOCK, 0, true),
	/* dmaengine_prep_dma_memcpy */
	CASE(memcpy_null_chan, K_SW, R_NULL, true),
	CASE(memcpy_unheld_chan, K_SW, R_NULL, true),
	CASE(memcpy_unregistered_chan, K_SW, R_NULL, true),
	CASE(memcpy_len0, K_SW, R_NULL, true),
	CASE(memcpy_dst0, K_SW, R_NULL, true),
	CASE(memcpy_src0, K_SW, R_NULL, true),
	CASE(memcpy_dst_maperr, K_SW, R_NULL, true),
	CASE(memcpy_src_maperr, K_SW, R_NULL, true),
	CASE(memcpy_unheld_chan, K_MOCK, R_NULL, true),
	CASE(memcpy_len0, K_MOCK, R_NULL, true),
	CASE(memcpy_dst0, K_MOCK, R_NULL, true),
	CASE(memcpy_src0, K_MOCK, R_NULL, true),
	CASE(memcpy_dst_maperr, K_MOCK, R_NULL, true),
	CASE(memcpy_src_maperr, K_MOCK, R_NULL, true),
	/* dmaengine_prep_dma_memset */
	CASE(memset_unsupported, K_MOCK, R_NULL, true),
	CASE(memset_null_chan, K_SW, R_NULL, true),
	CASE(memset_unheld_chan, K_SW, R_NULL, true),
	CASE(memset_len0, K_SW, R_NULL, true),
	CASE(memset_dst0, K_SW, R_NULL, true),
	CASE(memset_dst_maperr, K_SW, R_NULL, true),
	CASE(memset_unheld_chan, K_SLAVE, R_NULL, true),
	CASE(memset_len0, K_SLAVE, R_NULL, true),
	CASE(memset_dst0, K_SLAVE, R_NULL, true),
	CASE(memset_dst_maperr, K_SLAVE, R_NULL, true),
	/* slave */
	CASE(slave_sg_unsupported, K_SW, R_NULL, true),
	CASE(slave_single_unsupported, K_SW, R_NULL, true),
	CASE(slave_sg_null_chan, K_SW, R_NULL, true),
	CASE(slave_sg_null_sgl, K_SLAVE, R_NULL, true),
	CASE(slave_sg_zero_entries, K_SLAVE, R_NULL, true),
	CASE(slave_sg_mem_to_mem, K_SLAVE, R_NULL, true),
	CASE(slave_sg_dev_to_dev, K_SLAVE, R_NULL, true),
	CASE(slave_sg_trans_none, K_SLAVE, R_NULL, true),
	CASE(slave_single_len0, K_SLAVE, R_NULL, true),
	CASE(slave_single_addr0, K_SLAVE, R_NULL, true),
	CASE(slave_single_maperr, K_SLAVE, R_NULL, true),
	/* cyclic */
	CASE(cyclic_unsupported, K_SW, R_NULL, true),
	CASE(cyclic_null_chan, K_SW, R_NULL, true),
	CASE(cyclic_period0, K_SLAVE, R_NULL, true),
	CASE(cyclic_period_not_dividing, K_SLAVE, R_NULL, true),
	CASE(cyclic_len0, K_SLAVE, R_NULL, true),
	CASE(cyclic_addr_maperr, K_SLAVE, R_NULL, true),
	/* interleaved */
	CASE(interleaved_unsupported, K_MOCK, R_NULL, true),
	CASE(interleaved_null_chan, K_SW, R_NULL, true),
	/* submit */
	CASE(submit_null, K_SW, -EINVAL, true),
	CASE(submit_twice, K_SW, -EINVAL, true),
	CASE(submit_twice, K_MOCK, -EINVAL, true),
	CASE(submit_after_release, K_SW, -EINVAL, true),
	CASE(submit_stale_after_release, K_MOCK, -EINVAL, true),
	CASE(submit_unprepared, K_SW, -EINVAL, true),
	/* issue / status / wait */
	CASE(issue_null, K_SW, 0, true),
	CASE(issue_unheld, K_SW, 0, true),
	CASE(tx_status_null, K_SW, DMA_ERROR, true),
	CASE(is_tx_complete_null, K_SW, DMA_ERROR, true),
	CASE(sync_wait_null, K_SW, DMA_ERROR, true),
	CASE(sync_wait_unheld, K_SW, DMA_ERROR, true),
	/* slave config, pause, resume */
	CASE(config_null_chan, K_SW, -EINVAL, true),
	CASE(config_null_config, K_SLAVE, -EINVAL, true),
	CASE(config_unsupported, K_SW, -ENOSYS, true),
	CASE(pause_null, K_SW, -EINVAL, true),
	CASE(pause_unsupported, K_SW, -ENOSYS, true),
	CASE(resume_null, K_SW, -EINVAL, true),
	CASE(resume_unsupported, K_SW, -ENOSYS, true),
	/* terminate / synchronize */
	CASE(terminate_async_null, K_SW, -EINVAL, true),
	CASE(terminate_async_unheld, K_SW, -EINVAL, true),
	CASE(terminate_async_unsupported, K_NOTERM, -EINVAL, true),
	CASE(terminate_sync_null, K_SW, -EINVAL, true),
	CASE(terminate_sync_unsupported, K_NOTERM, -EINVAL, true),
	CASE(terminate_all_null, K_SW, -EINVAL, true),
	CASE(terminate_all_unsupported, K_NOTERM, -ENOSYS, true),
	CASE(synchronize_null, K_SW, 0, true),
	/* slave caps */
	CASE(caps_null_chan, K_SW, -EINVAL, true),
	CASE(caps_null_caps, K_SW, -EINVAL, true),
	CASE(caps_memcpy_chan, K_SW, -ENXIO, true),
	CASE(caps_memcpy_chan, K_MOCK, -ENXIO, true),
	/* reuse */
	CASE(set_reuse_null, K_SW, -EINVAL, true),
	CASE(set_reuse_unsupported, K_MOCK, -EPERM, true),
	CASE(desc_free_null, K_SW, -EINVAL, true),
	CASE(desc_free_not_reusable, K_SW, -EPERM, true),
	CASE(desc_free_still_queued, K_SW, -EBUSY, true),
	/* mapping */
	CASE(map_single_null_ptr, K_SW, R_MAPERR, true),
	CASE(map_single_size0, K_SW, R_MAPERR, true),
	CASE(mapping_error_query, K_SW, -ENOMEM, false),
	CASE(map_sg_null, K_SW, 0, true),
	CASE(map_sg_zero_entries, K_SW, 0, true),
	CASE(map_sg_bad_entry, K_SW, 0, true),
	CASE(unmap_single_invalid, K_SW, 0, true),
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

/* ------------------------------------------------------------ runner */

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
	for (int k = K_MOCK; k < K_NR; k++) {
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
	pthread_mutex_lock(&logcap.lock);
	logcap.count = 0;
	pthread_mutex_unlock(&logcap.lock);
	fx.log_base = 0;
	fx.prep_base = mock_prep_calls(&fx);
	udma_set_log_fn(capture_log, &logcap);
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
	if (c->kind != K_SW && mock_dev_count(fx.mock[c->kind], MOCK_VIOLATION))
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
	if (c->log && logs < 1)
		fail_msg("%s on %s: returned %lld as expected but logged nothing",
			 c->name, kind_names[c->kind], (long long)got);
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
	verified_copy(fx.chan);
	if (log_count() != before) {
		log_dump();
		fail_msg("%s: the verification copy logged", c->name);
	}
}

int main(void)
{
	static struct CMUnitTest tests[NR_CASES];
	static char names[NR_CASES][96];

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
