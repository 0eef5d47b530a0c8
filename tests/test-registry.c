/* SPDX-License-Identifier: MIT */
/*
 * test-registry.c - device registration and exclusive channel ownership
 * (unit suite: no plugin is loaded, only mock devices from mock-provider.h).
 *
 * Covers dma_async_device_register() validation (NULL device, no dev, no
 * channels, each capability without its device_prep_* op, no
 * device_tx_status / device_issue_pending: -EINVAL, logged naming what is
 * missing, and the device is not registered); channel naming dma<N>chan<M>;
 * dma_request_channel() filter semantics, exclusivity, release, double
 * release, DMA_PRIVATE, allocation failure; dma_request_chan_by_mask()
 * ERR_PTR(-EPROBE_DEFER / -ENODEV); concurrent request/release from 8
 * threads; dma_async_device_unregister() -EBUSY while held (also while a
 * release is in progress) / 0 / -EINVAL and device_release; the
 * udma_set_log_fn() hook; request / release / unregister refused from a
 * completion callback; dma_get_slave_caps() racing with requests on sibling
 * channels (DMA_PRIVATE flips in the shared cap_mask; run under TSan).
 *
 * Every test leaves no device registered, so "no device at all" checks
 * (-EPROBE_DEFER) hold at any point of the group.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
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

/* ------------------------------------------------------------ log capture */

#define LOG_KEEP 16

struct log_capture {
	pthread_mutex_t lock;
	int count;
	char msgs[LOG_KEEP][256];
};

static struct log_capture logcap = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void capture_log(int level, const char *func, const char *msg, void *ud)
{
	struct log_capture *lc = ud;

	(void)level;
	pthread_mutex_lock(&lc->lock);
	if (lc->count < LOG_KEEP)
		snprintf(lc->msgs[lc->count], sizeof(lc->msgs[0]), "%s: %s", func, msg);
	lc->count++;
	pthread_mutex_unlock(&lc->lock);
}

static void log_start(void)
{
	pthread_mutex_lock(&logcap.lock);
	logcap.count = 0;
	pthread_mutex_unlock(&logcap.lock);
	udma_set_log_fn(capture_log, &logcap);
}

static void log_stop(void)
{
	udma_set_log_fn(NULL, NULL);
}

static int log_count(void)
{
	int n;

	pthread_mutex_lock(&logcap.lock);
	n = logcap.count;
	pthread_mutex_unlock(&logcap.lock);
	return n;
}

/* True when a captured message contains @needle. */
static bool log_has(const char *needle)
{
	bool found = false;

	pthread_mutex_lock(&logcap.lock);
	for (int i = 0; i < logcap.count && i < LOG_KEEP && !found; i++)
		found = strstr(logcap.msgs[i], needle) != NULL;
	pthread_mutex_unlock(&logcap.lock);
	return found;
}

static void log_dump(void)
{
	pthread_mutex_lock(&logcap.lock);
	for (int i = 0; i < logcap.count && i < LOG_KEEP; i++)
		print_message("  log[%d] %s\n", i, logcap.msgs[i]);
	pthread_mutex_unlock(&logcap.lock);
}

/* ------------------------------------------------------------ helpers */

static struct mock_dev *new_mock(const char *name, unsigned int nr, bool memset_cap)
{
	struct mock_opts o = {
		.name = name, .nr_chans = nr, .memcpy = true, .memset = memset_cap,
		.pool_size = 8,
	};
	struct mock_dev *md = mock_dev_create(&o);

	assert_non_null(md);
	return md;
}

static dma_cap_mask_t mask_of(enum dma_transaction_type a, enum dma_transaction_type b)
{
	dma_cap_mask_t m;

	dma_cap_zero(m);
	dma_cap_set(a, m);
	dma_cap_set(b, m);
	return m;
}

/* No device may be registered: the request finds nothing at all. */
static void assert_no_device_registered(void)
{
	dma_cap_mask_t m = mask_of(DMA_MEMCPY, DMA_MEMCPY);
	struct dma_chan *c = dma_request_chan_by_mask(&m);

	if (!IS_ERR(c))
		dma_release_channel(c);
	assert_true(IS_ERR(c));
	assert_int_equal(PTR_ERR(c), -EPROBE_DEFER);
}

static void teardown_mock(struct mock_dev *md)
{
	assert_int_equal(mock_dev_count(md, MOCK_VIOLATION), 0);
	assert_int_equal(mock_dev_unregister(md), 0);
	mock_dev_destroy(md);
}

static int group_teardown(void **state)
{
	(void)state;
	udma_set_log_fn(NULL, NULL);
	return 0;
}

/* ---------------------------------------------------- registration */

static void register_null_device(void **state)
{
	(void)state;
	log_start();
	assert_int_equal(dma_async_device_register(NULL), -EINVAL);
	assert_true(log_count() >= 1);
	log_stop();
	assert_no_device_registered();
}

/* stub prep ops: only their presence matters to the registry */
static struct dma_async_tx_descriptor *stub_memcpy(struct dma_chan *c, dma_addr_t d,
						   dma_addr_t s, size_t l, unsigned long f)
{
	(void)c; (void)d; (void)s; (void)l; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_xor(struct dma_chan *c, dma_addr_t d,
						dma_addr_t *s, unsigned int n, size_t l,
						unsigned long f)
{
	(void)c; (void)d; (void)s; (void)n; (void)l; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_xor_val(struct dma_chan *c, dma_addr_t *s,
						    unsigned int n, size_t l,
						    enum sum_check_flags *r, unsigned long f)
{
	(void)c; (void)s; (void)n; (void)l; (void)r; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_pq(struct dma_chan *c, dma_addr_t *d,
					       dma_addr_t *s, unsigned int n,
					       const unsigned char *scf, size_t l,
					       unsigned long f)
{
	(void)c; (void)d; (void)s; (void)n; (void)scf; (void)l; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_pq_val(struct dma_chan *c, dma_addr_t *pq,
						   dma_addr_t *s, unsigned int n,
						   const unsigned char *scf, size_t l,
						   enum sum_check_flags *r, unsigned long f)
{
	(void)c; (void)pq; (void)s; (void)n; (void)scf; (void)l; (void)r; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_memset(struct dma_chan *c, dma_addr_t d,
						   int v, size_t l, unsigned long f)
{
	(void)c; (void)d; (void)v; (void)l; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_memset_sg(struct dma_chan *c,
						      struct scatterlist *sg,
						      unsigned int n, int v, unsigned long f)
{
	(void)c; (void)sg; (void)n; (void)v; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_interrupt(struct dma_chan *c, unsigned long f)
{
	(void)c; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_slave_sg(struct dma_chan *c,
						     struct scatterlist *sg, unsigned int n,
						     enum dma_transfer_direction dir,
						     unsigned long f, void *ctx)
{
	(void)c; (void)sg; (void)n; (void)dir; (void)f; (void)ctx;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_cyclic(struct dma_chan *c, dma_addr_t b,
						   size_t bl, size_t pl,
						   enum dma_transfer_direction dir,
						   unsigned long f)
{
	(void)c; (void)b; (void)bl; (void)pl; (void)dir; (void)f;
	return NULL;
}
static struct dma_async_tx_descriptor *stub_interleaved(struct dma_chan *c,
							struct dma_interleaved_template *xt,
							unsigned long f)
{
	(void)c; (void)xt; (void)f;
	return NULL;
}

/* Give capability @cap its prep op (@present) or remove it. */
static void set_cap_op(struct dma_device *dd, enum dma_transaction_type cap, bool present)
{
	switch (cap) {
	case DMA_MEMCPY: dd->device_prep_dma_memcpy = present ? stub_memcpy : NULL; break;
	case DMA_XOR: dd->device_prep_dma_xor = present ? stub_xor : NULL; break;
	case DMA_XOR_VAL: dd->device_prep_dma_xor_val = present ? stub_xor_val : NULL; break;
	case DMA_PQ: dd->device_prep_dma_pq = present ? stub_pq : NULL; break;
	case DMA_PQ_VAL: dd->device_prep_dma_pq_val = present ? stub_pq_val : NULL; break;
	case DMA_MEMSET: dd->device_prep_dma_memset = present ? stub_memset : NULL; break;
	case DMA_MEMSET_SG:
		dd->device_prep_dma_memset_sg = present ? stub_memset_sg : NULL;
		break;
	case DMA_INTERRUPT:
		dd->device_prep_dma_interrupt = present ? stub_interrupt : NULL;
		break;
	case DMA_SLAVE: dd->device_prep_slave_sg = present ? stub_slave_sg : NULL; break;
	case DMA_CYCLIC: dd->device_prep_dma_cyclic = present ? stub_cyclic : NULL; break;
	case DMA_INTERLEAVE:
		dd->device_prep_interleaved_dma = present ? stub_interleaved : NULL;
		break;
	default:
		fail_msg("no op for capability %d", (int)cap);
	}
}

static const struct {
	enum dma_transaction_type cap;
	const char *op;
} cap_ops[] = {
	{ DMA_MEMCPY, "device_prep_dma_memcpy" },
	{ DMA_XOR, "device_prep_dma_xor" },
	{ DMA_XOR_VAL, "device_prep_dma_xor_val" },
	{ DMA_PQ, "device_prep_dma_pq" },
	{ DMA_PQ_VAL, "device_prep_dma_pq_val" },
	{ DMA_MEMSET, "device_prep_dma_memset" },
	{ DMA_MEMSET_SG, "device_prep_dma_memset_sg" },
	{ DMA_INTERRUPT, "device_prep_dma_interrupt" },
	{ DMA_SLAVE, "device_prep_slave_sg" },
	{ DMA_CYCLIC, "device_prep_dma_cyclic" },
	{ DMA_INTERLEAVE, "device_prep_interleaved_dma" },
};

/*
 * Register @md expecting -EINVAL with a log line containing @needle, then
 * check that nothing was registered.
 */
static void expect_rejected(struct mock_dev *md, const char *what, const char *needle)
{
	int ret;

	log_start();
	ret = mock_dev_register(md);
	log_stop();
	if (ret != -EINVAL)
		fail_msg("%s: register returned %d, want -EINVAL", what, ret);
	if (!log_has(needle)) {
		log_dump();
		fail_msg("%s: no log line names \"%s\" (%d lines)", what, needle, log_count());
	}
	assert_no_device_registered();
	log_start();
	assert_int_equal(mock_dev_unregister(md), -EINVAL);
	assert_true(log_count() >= 1);
	log_stop();
	assert_int_equal(mock_dev_count(md, MOCK_RELEASE), 0);
	assert_int_equal(mock_dev_count(md, MOCK_ALLOC), 0);
}

/* The device, repaired, registers and serves a channel: the rejection was
 * about the one thing that was missing. */
static void expect_accepted(struct mock_dev *md, const char *what)
{
	struct dma_chan *c;
	int ret = mock_dev_register(md);

	if (ret)
		fail_msg("%s: repaired device not accepted: %d", what, ret);
	c = dma_request_channel(mock_dev_device(md)->cap_mask, mock_filter, md);
	assert_non_null(c);
	dma_release_channel(c);
	assert_int_equal(mock_dev_unregister(md), 0);
	assert_int_equal(mock_dev_count(md, MOCK_RELEASE), 1);
}

static void register_rejects_capability_without_op(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cap_ops) / sizeof(cap_ops[0]); i++) {
		struct mock_dev *md = new_mock("mock-cap", 2, false);
		struct dma_device *dd = mock_dev_device(md);
		struct dma_device saved = *dd;

		dma_cap_set(cap_ops[i].cap, dd->cap_mask);
		set_cap_op(dd, cap_ops[i].cap, false);
		expect_rejected(md, cap_ops[i].op, cap_ops[i].op);

		if (cap_ops[i].cap == DMA_MEMCPY)
			dd->device_prep_dma_memcpy = saved.device_prep_dma_memcpy;
		else
			set_cap_op(dd, cap_ops[i].cap, true);
		expect_accepted(md, cap_ops[i].op);
		mock_dev_destroy(md);
	}
}

static void register_rejects_missing_basics(void **state)
{
	struct mock_dev *md;
	struct dma_device *dd;
	struct device *dev;

	(void)state;
	/* no dev */
	md = new_mock("mock-nodev", 1, false);
	dd = mock_dev_device(md);
	dev = dd->dev;
	dd->dev = NULL;
	expect_rejected(md, "no dev", "no dev");
	dd->dev = dev;
	expect_accepted(md, "no dev");
	mock_dev_destroy(md);

	/* no device_tx_status */
	md = new_mock("mock-nostatus", 1, false);
	dd = mock_dev_device(md);
	{
		enum dma_status (*op)(struct dma_chan *, dma_cookie_t,
				      struct dma_tx_state *) = dd->device_tx_status;

		dd->device_tx_status = NULL;
		expect_rejected(md, "no tx_status", "device_tx_status");
		dd->device_tx_status = op;
	}
	expect_accepted(md, "no tx_status");
	mock_dev_destroy(md);

	/* no device_issue_pending */
	md = new_mock("mock-noissue", 1, false);
	dd = mock_dev_device(md);
	{
		void (*op)(struct dma_chan *) = dd->device_issue_pending;

		dd->device_issue_pending = NULL;
		expect_rejected(md, "no issue_pending", "device_issue_pending");
		dd->device_issue_pending = op;
	}
	expect_accepted(md, "no issue_pending");
	mock_dev_destroy(md);

	/* no channels */
	md = new_mock("mock-nochan", 0, false);
	expect_rejected(md, "no channels", "no channels");
	mock_dev_destroy(md);
}

/* The log hook sees the rejection; NULL restores the default sink. */
static void log_hook_captures_rejection(void **state)
{
	struct mock_dev *md = new_mock("mock-log", 1, false);
	struct dma_device *dd = mock_dev_device(md);
	int n;

	(void)state;
	dma_cap_set(DMA_MEMSET, dd->cap_mask);
	log_start();
	assert_int_equal(mock_dev_register(md), -EINVAL);
	n = log_count();
	log_stop();
	assert_int_equal(n, 1);
	assert_true(log_has("device_prep_dma_memset"));
	assert_true(log_has("mock-log")); /* names the device too */

	/* after udma_set_log_fn(NULL): the hook is no longer called */
	assert_int_equal(mock_dev_register(md), -EINVAL);
	assert_int_equal(log_count(), n);
	mock_dev_destroy(md);
}

/* ---------------------------------------------------- naming */

static void channel_names(void **state)
{
	struct mock_dev *a = new_mock("mock-a", 2, false);
	struct mock_dev *b = new_mock("mock-b", 3, false);
	struct dma_device *da = mock_dev_device(a), *db = mock_dev_device(b);

	(void)state;
	assert_int_equal(mock_dev_register(a), 0);
	assert_int_equal(mock_dev_register(b), 0);
	assert_int_not_equal(da->dev_id, db->dev_id);
	assert_int_equal(da->chancnt, 2);
	assert_int_equal(db->chancnt, 3);
	for (unsigned int d = 0; d < 2; d++) {
		struct mock_dev *md = d ? b : a;
		struct dma_device *dd = d ? db : da;

		for (unsigned int i = 0; i < mock_dev_nr_chans(md); i++) {
			struct dma_chan *c = mock_dev_chan(md, i);
			char want[32];

			snprintf(want, sizeof(want), "dma%dchan%u", dd->dev_id, i);
			assert_string_equal(dma_chan_name(c), want);
			assert_string_equal(c->udma_name, want);
			assert_int_equal(c->chan_id, (int)i);
			assert_ptr_equal(c->device, dd);
			assert_int_equal(c->client_count, 0);
		}
	}
	assert_string_equal(dma_chan_name(NULL), "(null)");
	teardown_mock(a);
	teardown_mock(b);
}

/* ---------------------------------------------------- filter */

#define MAX_CALLS 64

struct filter_rec {
	int calls;
	struct dma_chan *chans[MAX_CALLS];
	void *params[MAX_CALLS];
	int accept_at;          /* accept the Nth call (1-based); 0: never */
	struct dma_chan *only;  /* if set, accept exactly this channel */
};

static bool rec_filter(struct dma_chan *chan, void *param)
{
	struct filter_rec *r = param;

	if (r->calls < MAX_CALLS) {
		r->chans[r->calls] = chan;
		r->params[r->calls] = param;
	}
	r->calls++;
	if (r->only)
		return chan == r->only;
	return r->accept_at && r->calls == r->accept_at;
}

static void rec_reset(struct filter_rec *r)
{
	memset(r, 0, sizeof(*r));
}

static void filter_called_once_per_free_candidate(void **state)
{
	struct mock_dev *a = new_mock("mock-a", 2, false);      /* memcpy */
	struct mock_dev *b = new_mock("mock-b", 3, true);       /* memcpy + memset */
	struct filter_rec r;
	dma_cap_mask_t m;
	struct dma_chan *held;

	(void)state;
	assert_int_equal(mock_dev_register(a), 0);
	assert_int_equal(mock_dev_register(b), 0);

	/* DMA_MEMSET: only b's channels, in registration order, param passed. */
	rec_reset(&r);
	m = mask_of(DMA_MEMSET, DMA_MEMSET);
	assert_null(dma_request_channel(m, rec_filter, &r));
	assert_int_equal(r.calls, 3);
	for (int i = 0; i < 3; i++) {
		assert_ptr_equal(r.chans[i], mock_dev_chan(b, (unsigned int)i));
		assert_ptr_equal(r.params[i], &r);
	}

	/* DMA_MEMCPY: every channel of both devices. */
	rec_reset(&r);
	m = mask_of(DMA_MEMCPY, DMA_MEMCPY);
	assert_null(dma_request_channel(m, rec_filter, &r));
	assert_int_equal(r.calls, 5);
	assert_ptr_equal(r.chans[0], mock_dev_chan(a, 0));
	assert_ptr_equal(r.chans[1], mock_dev_chan(a, 1));
	assert_ptr_equal(r.chans[2], mock_dev_chan(b, 0));
	assert_ptr_equal(r.chans[3], mock_dev_chan(b, 1));
	assert_ptr_equal(r.chans[4], mock_dev_chan(b, 2));

	/* both capabilities: a is not a candidate */
	rec_reset(&r);
	m = mask_of(DMA_MEMCPY, DMA_MEMSET);
	assert_null(dma_request_channel(m, rec_filter, &r));
	assert_int_equal(r.calls, 3);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(r.chans[i]->device, mock_dev_device(b));

	/* a capability nobody has: the filter is never called */
	rec_reset(&r);
	m = mask_of(DMA_MEMCPY, DMA_SLAVE);
	assert_null(dma_request_channel(m, rec_filter, &r));
	assert_int_equal(r.calls, 0);

	/* nothing was allocated by rejected candidates */
	assert_int_equal(mock_dev_count(a, MOCK_ALLOC), 0);
	assert_int_equal(mock_dev_count(b, MOCK_ALLOC), 0);

	/* held channels are not candidates */
	rec_reset(&r);
	r.only = mock_dev_chan(b, 1);
	m = mask_of(DMA_MEMSET, DMA_MEMSET);
	held = dma_request_channel(m, rec_filter, &r);
	assert_ptr_equal(held, mock_dev_chan(b, 1));
	assert_int_equal(r.calls, 2);  /* b0 rejected, b1 accepted, b2 not asked */
	rec_reset(&r);
	assert_null(dma_request_channel(m, rec_filter, &r));
	assert_int_equal(r.calls, 2);
	assert_ptr_equal(r.chans[0], mock_dev_chan(b, 0));
	assert_ptr_equal(r.chans[1], mock_dev_chan(b, 2));

	/* no filter: the first free capable channel */
	{
		struct dma_chan *c = dma_request_channel(m, NULL, NULL);

		assert_ptr_equal(c, mock_dev_chan(b, 0));
		dma_release_channel(c);
	}
	dma_release_channel(held);
	teardown_mock(a);
	teardown_mock(b);
}

static void first_accepted_wins(void **state)
{
	struct mock_dev *a = new_mock("mock-a", 2, false);
	struct mock_dev *b = new_mock("mock-b", 3, true);
	struct dma_device *da = mock_dev_device(a), *db = mock_dev_device(b);
	struct filter_rec r;
	dma_cap_mask_t m = mask_of(DMA_MEMCPY, DMA_MEMCPY);
	struct dma_chan *c, *c2;

	(void)state;
	assert_int_equal(mock_dev_register(a), 0);
	assert_int_equal(mock_dev_register(b), 0);
	assert_false(dma_has_cap(DMA_PRIVATE, da->cap_mask));

	rec_reset(&r);
	r.accept_at = 2;
	c = dma_request_channel(m, rec_filter, &r);
	assert_ptr_equal(c, mock_dev_chan(a, 1));
	assert_int_equal(r.calls, 2);          /* nobody asked after the winner */
	assert_int_equal(mock_chan_count(c, MOCK_ALLOC), 1);
	assert_int_equal(mock_dev_count(a, MOCK_ALLOC), 1);
	assert_int_equal(mock_dev_count(b, MOCK_ALLOC), 0);
	assert_int_equal(c->client_count, 1);
	assert_true(dma_has_cap(DMA_PRIVATE, da->cap_mask));
	assert_false(dma_has_cap(DMA_PRIVATE, db->cap_mask));
	assert_int_equal(da->privatecnt, 1);

	/* the winner is not a candidate any more: a0 is asked, then b's */
	rec_reset(&r);
	r.accept_at = 3;
	c2 = dma_request_channel(m, rec_filter, &r);
	assert_ptr_equal(c2, mock_dev_chan(b, 1));
	assert_ptr_equal(r.chans[0], mock_dev_chan(a, 0));
	assert_ptr_equal(r.chans[1], mock_dev_chan(b, 0));
	assert_int_equal(r.calls, 3);
	assert_true(dma_has_cap(DMA_PRIVATE, db->cap_mask));

	dma_release_channel(c);
	assert_false(dma_has_cap(DMA_PRIVATE, da->cap_mask));
	assert_int_equal(da->privatecnt, 0);
	assert_int_equal(c->client_count, 0);
	assert_int_equal(mock_chan_count(c, MOCK_FREE), 1);
	dma_release_channel(c2);
	assert_false(dma_has_cap(DMA_PRIVATE, db->cap_mask));
	/* released channels are candidates again */
	rec_reset(&r);
	assert_null(dma_request_channel(m, rec_filter, &r));
	assert_int_equal(r.calls, 5);
	teardown_mock(a);
	teardown_mock(b);
}

static void channel_exclusive_until_released(void **state)
{
	struct mock_dev *md = new_mock("mock-excl", 3, false);
	struct dma_device *dd = mock_dev_device(md);
	struct dma_chan *c[3], *again;

	(void)state;
	assert_int_equal(mock_dev_register(md), 0);
	for (int i = 0; i < 3; i++) {
		c[i] = mock_dev_request(md);
		assert_non_null(c[i]);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(c[i], c[j]);
		assert_true(dma_has_cap(DMA_PRIVATE, dd->cap_mask));
		assert_int_equal(dd->privatecnt, (unsigned int)i + 1);
	}
	assert_null(mock_dev_request(md));
	assert_null(mock_dev_request(md));

	dma_release_channel(c[1]);
	assert_true(dma_has_cap(DMA_PRIVATE, dd->cap_mask)); /* 2 still held */
	again = mock_dev_request(md);
	assert_ptr_equal(again, c[1]);
	assert_null(mock_dev_request(md));
	for (int i = 0; i < 3; i++)
		dma_release_channel(c[i]);
	assert_false(dma_has_cap(DMA_PRIVATE, dd->cap_mask));
	assert_int_equal(dd->privatecnt, 0);
	/* alloc once per successful request, free once per release */
	assert_int_equal(mock_dev_count(md, MOCK_ALLOC), 4);
	assert_int_equal(mock_dev_count(md, MOCK_FREE), 4);
	assert_int_equal(mock_chan_count(c[1], MOCK_ALLOC), 2);
	teardown_mock(md);
}

static void double_release_logged_and_harmless(void **state)
{
	struct mock_dev *md = new_mock("mock-dbl", 1, false);
	struct dma_device *dd = mock_dev_device(md);
	struct dma_chan *c, *c2;

	(void)state;
	assert_int_equal(mock_dev_register(md), 0);
	c = mock_dev_request(md);
	assert_non_null(c);
	dma_release_channel(c);
	assert_int_equal(mock_dev_count(md, MOCK_FREE), 1);
	assert_int_equal(mock_dev_count(md, MOCK_TERMINATE), 1);

	log_start();
	dma_release_channel(c);
	assert_true(log_count() >= 1);
	assert_true(log_has(dma_chan_name(c)));
	log_stop();
	assert_int_equal(mock_dev_count(md, MOCK_FREE), 1);
	assert_int_equal(mock_dev_count(md, MOCK_TERMINATE), 1);
	assert_int_equal(c->client_count, 0);
	assert_int_equal(dd->privatecnt, 0);
	assert_false(dma_has_cap(DMA_PRIVATE, dd->cap_mask));

	/* still exactly one channel to take */
	c2 = mock_dev_request(md);
	assert_ptr_equal(c2, c);
	assert_null(mock_dev_request(md));
	assert_int_equal(dd->privatecnt, 1);

	/* a release of NULL is logged and ignored */
	log_start();
	dma_release_channel(NULL);
	assert_true(log_count() >= 1);
	log_stop();
	assert_int_equal(c2->client_count, 1);
	dma_release_channel(c2);
	assert_int_equal(mock_dev_count(md, MOCK_ALLOC), 2);
	assert_int_equal(mock_dev_count(md, MOCK_FREE), 2);
	teardown_mock(md);
}

static void alloc_failure_leaves_channel_free(void **state)
{
	struct mock_dev *md = new_mock("mock-nomem", 1, false);
	struct dma_device *dd = mock_dev_device(md);
	struct dma_chan *c;

	(void)state;
	assert_int_equal(mock_dev_register(md), 0);
	mock_dev_fail_alloc(md, -ENOMEM);
	log_start();
	assert_null(mock_dev_request(md));
	assert_true(log_count() >= 1);
	log_stop();
	assert_int_equal(mock_dev_count(md, MOCK_ALLOC), 1);
	assert_int_equal(mock_dev_chan(md, 0)->client_count, 0);
	assert_int_equal(dd->privatecnt, 0);
	assert_false(dma_has_cap(DMA_PRIVATE, dd->cap_mask));
	/* the device may be unregistered: nothing is held */
	assert_int_equal(mock_dev_unregister(md), 0);
	assert_int_equal(mock_dev_register(md), 0);

	mock_dev_fail_alloc(md, 0);
	c = mock_dev_request(md);
	assert_ptr_equal(c, mock_dev_chan(md, 0));
	dma_release_channel(c);
	assert_int_equal(mock_dev_count(md, MOCK_FREE), 1); /* not for the failed one */
	teardown_mock(md);
}

/* ---------------------------------------------------- by mask */

static void request_chan_by_mask_errors(void **state)
{
	struct mock_dev *md = new_mock("mock-bymask", 1, false);
	dma_cap_mask_t memcpy_m = mask_of(DMA_MEMCPY, DMA_MEMCPY);
	dma_cap_mask_t memset_m = mask_of(DMA_MEMSET, DMA_MEMSET);
	struct dma_chan *c, *e;

	(void)state;
	/* no provider at all */
	e = dma_request_chan_by_mask(&memcpy_m);
	assert_true(IS_ERR(e));
	assert_int_equal(PTR_ERR(e), -EPROBE_DEFER);

	assert_int_equal(mock_dev_register(md), 0);
	/* providers exist, none matches */
	e = dma_request_chan_by_mask(&memset_m);
	assert_true(IS_ERR(e));
	assert_int_equal(PTR_ERR(e), -ENODEV);
	log_start();
	e = dma_request_chan_by_mask(NULL);
	assert_true(IS_ERR(e));
	assert_int_equal(PTR_ERR(e), -ENODEV);
	assert_true(log_count() >= 1);
	log_stop();

	c = dma_request_chan_by_mask(&memcpy_m);
	assert_false(IS_ERR_OR_NULL(c));
	assert_ptr_equal(c, mock_dev_chan(md, 0));
	assert_int_equal(c->client_count, 1);
	/* the only channel is taken */
	e = dma_request_chan_by_mask(&memcpy_m);
	assert_true(IS_ERR(e));
	assert_int_equal(PTR_ERR(e), -ENODEV);
	dma_release_channel(c);
	teardown_mock(md);

	/* unregistered again: back to "no provider" */
	e = dma_request_chan_by_mask(&memcpy_m);
	assert_true(IS_ERR(e));
	assert_int_equal(PTR_ERR(e), -EPROBE_DEFER);
}

/* ---------------------------------------------------- concurrency */

#define NR_THREADS 8
#define NR_ROUNDS 1500
#define NR_CONC_CHANS 4

struct conc {
	struct mock_dev *md;
	int owner[NR_CONC_CHANS];     /* atomic: 0 free, else thread id + 1 */
	long violations;              /* atomic */
	long filter_saw_owned;        /* atomic */
	long taken;                   /* atomic */
	long copy_errors;             /* atomic */
	pthread_barrier_t start;
};

struct worker {
	struct conc *c;
	int id;
};

static bool conc_filter(struct dma_chan *chan, void *param)
{
	struct conc *c = param;

	if (chan->device != mock_dev_device(c->md))
		return false;
	/* The registry only offers free channels: nobody may own this one. */
	if (__atomic_load_n(&c->owner[chan->chan_id], __ATOMIC_SEQ_CST))
		__atomic_fetch_add(&c->filter_saw_owned, 1, __ATOMIC_SEQ_CST);
	return true;
}

static void small_copy(struct conc *c, struct dma_chan *chan, int id)
{
	unsigned char src[32], dst[32];
	struct dma_async_tx_descriptor *tx;
	dma_addr_t s, d;
	dma_cookie_t cookie;

	memset(src, id + 1, sizeof(src));
	memset(dst, 0, sizeof(dst));
	s = dma_map_single(chan->device->dev, src, sizeof(src), DMA_TO_DEVICE);
	d = dma_map_single(chan->device->dev, dst, sizeof(dst), DMA_FROM_DEVICE);
	tx = dmaengine_prep_dma_memcpy(chan, d, s, sizeof(src), DMA_CTRL_ACK);
	if (!tx) {
		__atomic_fetch_add(&c->copy_errors, 1, __ATOMIC_SEQ_CST);
		return;
	}
	cookie = dmaengine_submit(tx);
	if (cookie < DMA_MIN_COOKIE || dma_sync_wait(chan, cookie) != DMA_COMPLETE ||
	    memcmp(src, dst, sizeof(src)))
		__atomic_fetch_add(&c->copy_errors, 1, __ATOMIC_SEQ_CST);
	dma_unmap_single(chan->device->dev, s, sizeof(src), DMA_TO_DEVICE);
	dma_unmap_single(chan->device->dev, d, sizeof(dst), DMA_FROM_DEVICE);
}

static void *conc_worker(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	dma_cap_mask_t m = mask_of(DMA_MEMCPY, DMA_MEMCPY);

	pthread_barrier_wait(&c->start);
	for (int round = 0; round < NR_ROUNDS; round++) {
		struct dma_chan *chan = dma_request_channel(m, conc_filter, c);
		int expected = 0;
		int id;

		if (!chan) {
			sched_yield();
			continue;
		}
		id = chan->chan_id;
		if (id < 0 || id >= NR_CONC_CHANS ||
		    !__atomic_compare_exchange_n(&c->owner[id], &expected, w->id + 1, false,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			__atomic_fetch_add(&c->violations, 1, __ATOMIC_SEQ_CST);
		} else {
			__atomic_fetch_add(&c->taken, 1, __ATOMIC_SEQ_CST);
			if (round % 32 == 0)
				small_copy(c, chan, w->id);
			else
				sched_yield();
			expected = w->id + 1;
			if (!__atomic_compare_exchange_n(&c->owner[id], &expected, 0, false,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				__atomic_fetch_add(&c->violations, 1, __ATOMIC_SEQ_CST);
		}
		dma_release_channel(chan);
	}
	return NULL;
}

static void concurrent_request_release(void **state)
{
	struct conc c;
	struct worker w[NR_THREADS];
	pthread_t t[NR_THREADS];
	struct dma_chan *held[NR_CONC_CHANS];

	(void)state;
	memset(&c, 0, sizeof(c));
	c.md = new_mock("mock-conc", NR_CONC_CHANS, false);
	assert_int_equal(mock_dev_register(c.md), 0);
	pthread_barrier_init(&c.start, NULL, NR_THREADS);
	for (int i = 0; i < NR_THREADS; i++) {
		w[i].c = &c;
		w[i].id = i;
		assert_int_equal(pthread_create(&t[i], NULL, conc_worker, &w[i]), 0);
	}
	for (int i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&c.start);
	print_message("  %ld of %d requests got a channel\n", c.taken, NR_THREADS * NR_ROUNDS);

	assert_int_equal(__atomic_load_n(&c.violations, __ATOMIC_SEQ_CST), 0);
	assert_int_equal(__atomic_load_n(&c.filter_saw_owned, __ATOMIC_SEQ_CST), 0);
	assert_int_equal(__atomic_load_n(&c.copy_errors, __ATOMIC_SEQ_CST), 0);
	assert_true(__atomic_load_n(&c.taken, __ATOMIC_SEQ_CST) > 0);
	assert_int_equal(mock_dev_count(c.md, MOCK_VIOLATION), 0);
	assert_int_equal(mock_dev_count(c.md, MOCK_ALLOC), c.taken);
	assert_int_equal(mock_dev_count(c.md, MOCK_FREE), c.taken);

	/* every channel is free at the end */
	for (int i = 0; i < NR_CONC_CHANS; i++) {
		assert_int_equal(c.owner[i], 0);
		assert_int_equal(mock_dev_chan(c.md, (unsigned int)i)->client_count, 0);
	}
	assert_int_equal(mock_dev_device(c.md)->privatecnt, 0);
	assert_false(dma_has_cap(DMA_PRIVATE, mock_dev_device(c.md)->cap_mask));
	for (int i = 0; i < NR_CONC_CHANS; i++) {
		held[i] = mock_dev_request(c.md);
		assert_non_null(held[i]);
	}
	assert_null(mock_dev_request(c.md));
	for (int i = 0; i < NR_CONC_CHANS; i++)
		dma_release_channel(held[i]);
	teardown_mock(c.md);
}

/*
 * dma_get_slave_caps() on a held channel while other threads take and give
 * back sibling channels (which flip DMA_PRIVATE in the same cap_mask).
 * Functionally it must keep answering; under ThreadSanitizer it must not race.
 */
struct caps_race {
	struct mock_dev *md;
	int stop;            /* atomic */
	long caps_errors;    /* atomic */
	long churn;          /* atomic */
};

static void *caps_churn(void *arg)
{
	struct caps_race *cr = arg;

	while (!__atomic_load_n(&cr->stop, __ATOMIC_SEQ_CST)) {
		struct dma_chan *c = mock_dev_request(cr->md);

		if (c) {
			__atomic_fetch_add(&cr->churn, 1, __ATOMIC_SEQ_CST);
			dma_release_channel(c);
		} else {
			sched_yield();
		}
	}
	return NULL;
}

#define CHURN_MIN 500

static void caps_query_concurrent_with_requests(void **state)
{
	struct mock_opts o = { .name = "mock-caps", .nr_chans = 4, .memcpy = true,
			       .slave = true, .pool_size = 4 };
	struct caps_race cr = { 0 };
	struct dma_chan *mine;
	struct timespec end;
	pthread_t t[3];

	(void)state;
	cr.md = mock_dev_create(&o);
	assert_non_null(cr.md);
	assert_int_equal(mock_dev_register(cr.md), 0);
	mine = mock_dev_request(cr.md);
	assert_non_null(mine);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, caps_churn, &cr), 0);
	/* query until the others have taken channels CHURN_MIN times (deadline) */
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += TEST_DEADLINE_MS / 1000;
	for (unsigned long i = 0;; i++) {
		struct dma_slave_caps caps;
		struct timespec now;

		memset(&caps, 0, sizeof(caps));
		if (dma_get_slave_caps(mine, &caps) != 0 ||
		    caps.directions != ((1u << DMA_MEM_TO_DEV) | (1u << DMA_DEV_TO_MEM)))
			__atomic_fetch_add(&cr.caps_errors, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&cr.churn, __ATOMIC_SEQ_CST) >= CHURN_MIN)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec)
			break;
	}
	__atomic_store_n(&cr.stop, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(cr.caps_errors, 0);
	assert_true(cr.churn >= CHURN_MIN);
	dma_release_channel(mine);
	teardown_mock(cr.md);
}

/* ---------------------------------------------------- callback context */

struct in_cb {
	struct mock_dev *md;
	struct dma_chan *chan;
	struct counter done;
	struct dma_chan *requested;   /* atomic */
	int unregister_ret;           /* atomic */
	int in_context;               /* atomic */
};

static void registry_calls_cb(void *param)
{
	struct in_cb *x = param;
	dma_cap_mask_t m = mask_of(DMA_MEMCPY, DMA_MEMCPY);

	__atomic_store_n(&x->in_context, udma_in_completion_context(), __ATOMIC_SEQ_CST);
	__atomic_store_n(&x->requested, dma_request_channel(m, NULL, NULL),
			 __ATOMIC_SEQ_CST);
	dma_release_channel(x->chan);
	__atomic_store_n(&x->unregister_ret, mock_dev_unregister(x->md), __ATOMIC_SEQ_CST);
	counter_add(&x->done, 1);
}

/* request, release and unregister may block: refused in a callback */
static void registry_calls_refused_in_callback(void **state)
{
	struct mock_opts o = { .name = "mock-cbctx", .nr_chans = 2, .memcpy = true,
			       .manual = true, .pool_size = 4 };
	struct dma_async_tx_descriptor *tx;
	static unsigned char src[16], dst[16];
	struct in_cb x;
	dma_addr_t s, d;

	(void)state;
	memset(&x, 0, sizeof(x));
	counter_init(&x.done);
	x.unregister_ret = 1;
	x.md = mock_dev_create(&o);
	assert_non_null(x.md);
	assert_int_equal(mock_dev_register(x.md), 0);
	x.chan = mock_dev_request(x.md);
	assert_non_null(x.chan);
	s = dma_map_single(x.chan->device->dev, src, sizeof(src), DMA_TO_DEVICE);
	d = dma_map_single(x.chan->device->dev, dst, sizeof(dst), DMA_FROM_DEVICE);
	tx = dmaengine_prep_dma_memcpy(x.chan, d, s, sizeof(src),
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	tx->callback = registry_calls_cb;
	tx->callback_param = &x;
	assert_true(dmaengine_submit(tx) >= DMA_MIN_COOKIE);
	dma_async_issue_pending(x.chan);

	log_start();
	assert_int_equal(mock_complete_next(x.chan, DMA_TRANS_NOERROR), 0);
	assert_true(counter_wait_ge(&x.done, 1, TEST_DEADLINE_MS));
	assert_int_equal(mock_chan_flush(x.chan, TEST_DEADLINE_MS), 0);
	assert_true(log_count() >= 3);
	log_stop();

	assert_true(__atomic_load_n(&x.in_context, __ATOMIC_SEQ_CST));
	assert_null(__atomic_load_n(&x.requested, __ATOMIC_SEQ_CST));
	assert_int_equal(__atomic_load_n(&x.unregister_ret, __ATOMIC_SEQ_CST), -EDEADLK);
	/* nothing changed: still held, still registered, the sibling still free */
	assert_int_equal(x.chan->client_count, 1);
	assert_int_equal(mock_dev_count(x.md, MOCK_FREE), 0);
	assert_int_equal(mock_dev_count(x.md, MOCK_ALLOC), 1);
	assert_int_equal(mock_dev_count(x.md, MOCK_RELEASE), 0);
	assert_int_equal(mock_dev_unregister(x.md), -EBUSY);
	assert_false(udma_in_completion_context());
	dma_release_channel(x.chan);
	counter_destroy(&x.done);
	teardown_mock(x.md);
}

/* ---------------------------------------------------- unregister */

struct copy_cb {
	struct counter done;
};

static void copy_cb_fn(void *param)
{
	struct copy_cb *cb = param;

	counter_add(&cb->done, 1);
}

static void verified_copy(struct dma_chan *chan)
{
	unsigned char src[256], dst[256];
	struct dma_async_tx_descriptor *tx;
	struct copy_cb cb;
	dma_addr_t s, d;
	dma_cookie_t cookie;

	counter_init(&cb.done);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i ^ 0x5a);
	memset(dst, 0, sizeof(dst));
	s = dma_map_single(chan->device->dev, src, sizeof(src), DMA_TO_DEVICE);
	d = dma_map_single(chan->device->dev, dst, sizeof(dst), DMA_FROM_DEVICE);
	tx = dmaengine_prep_dma_memcpy(chan, d, s, sizeof(src),
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	assert_non_null(tx);
	tx->callback = copy_cb_fn;
	tx->callback_param = &cb;
	cookie = dmaengine_submit(tx);
	assert_true(cookie >= DMA_MIN_COOKIE);
	dma_async_issue_pending(chan);
	assert_true(counter_wait_ge(&cb.done, 1, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	assert_int_equal(dmaengine_tx_status(chan, cookie, NULL), DMA_COMPLETE);
	assert_memory_equal(src, dst, sizeof(src));
	counter_destroy(&cb.done);
}

static void unregister_busy_while_held(void **state)
{
	struct mock_dev *md = new_mock("mock-busy", 2, false);
	struct dma_chan *c0, *c1;

	(void)state;
	assert_int_equal(mock_dev_register(md), 0);
	c0 = mock_dev_request(md);
	assert_non_null(c0);

	log_start();
	assert_int_equal(mock_dev_unregister(md), -EBUSY);
	assert_true(log_count() >= 1);
	log_stop();
	assert_int_equal(mock_dev_count(md, MOCK_RELEASE), 0);
	assert_int_equal(mock_dev_count(md, MOCK_TERMINATE), 0); /* nothing torn down */

	/* the device keeps working: the held channel copies, the other is free */
	verified_copy(c0);
	c1 = mock_dev_request(md);
	assert_non_null(c1);
	verified_copy(c1);
	log_start();
	assert_int_equal(mock_dev_unregister(md), -EBUSY);
	dma_release_channel(c0);
	assert_int_equal(mock_dev_unregister(md), -EBUSY); /* c1 still held */
	assert_int_equal(log_count(), 2);
	log_stop();
	verified_copy(c1);
	dma_release_channel(c1);

	assert_int_equal(mock_dev_unregister(md), 0);
	assert_int_equal(mock_dev_count(md, MOCK_RELEASE), 1);
	assert_no_device_registered();
	/* unregistering an unregistered device */
	log_start();
	assert_int_equal(mock_dev_unregister(md), -EINVAL);
	assert_true(log_count() >= 1);
	log_stop();
	assert_int_equal(mock_dev_count(md, MOCK_RELEASE), 1);
	assert_int_equal(mock_dev_count(md, MOCK_VIOLATION), 0);
	mock_dev_destroy(md);
}

struct releaser {
	struct dma_chan *chan;
	struct counter done;
};

static void *release_thread(void *arg)
{
	struct releaser *r = arg;

	dma_release_channel(r->chan);
	counter_add(&r->done, 1);
	return NULL;
}

/* Poll @md's counter @h until it reaches @want (with a deadline). */
static bool wait_count(struct mock_dev *md, enum mock_hook h, long want)
{
	for (int i = 0; i < 100000; i++) {
		if (mock_dev_count(md, h) >= want)
			return true;
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

/* While a release is waiting for callbacks, the channel is neither free nor
 * unregistrable. */
static void unregister_busy_while_releasing(void **state)
{
	struct mock_dev *md = new_mock("mock-releasing", 1, false);
	struct releaser r;
	pthread_t t;

	(void)state;
	assert_int_equal(mock_dev_register(md), 0);
	r.chan = mock_dev_request(md);
	assert_non_null(r.chan);
	counter_init(&r.done);

	/* park the completion thread: the release will wait in synchronize */
	assert_int_equal(mock_chan_hold(r.chan, TEST_DEADLINE_MS), 0);
	assert_int_equal(pthread_create(&t, NULL, release_thread, &r), 0);
	assert_true(wait_count(md, MOCK_TERMINATE, 1));
	assert_int_equal(counter_get(&r.done), 0);

	log_start();
	assert_int_equal(mock_dev_unregister(md), -EBUSY);
	assert_true(log_count() >= 1);
	log_stop();
	assert_null(mock_dev_request(md));   /* not available while releasing */
	assert_int_equal(mock_dev_count(md, MOCK_ALLOC), 1);

	mock_chan_unhold(r.chan);
	assert_true(counter_wait_ge(&r.done, 1, TEST_DEADLINE_MS));
	pthread_join(t, NULL);
	assert_int_equal(mock_dev_count(md, MOCK_FREE), 1);
	counter_destroy(&r.done);

	r.chan = mock_dev_request(md);
	assert_non_null(r.chan);
	dma_release_channel(r.chan);
	teardown_mock(md);
}

static void unregister_invalid(void **state)
{
	struct mock_dev *md = new_mock("mock-never", 1, false);

	(void)state;
	log_start();
	assert_int_equal(dma_async_device_unregister(NULL), -EINVAL);
	assert_int_equal(mock_dev_unregister(md), -EINVAL);
	assert_true(log_count() >= 2);
	log_stop();
	assert_int_equal(mock_dev_count(md, MOCK_RELEASE), 0);
	mock_dev_destroy(md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(register_null_device),
		cmocka_unit_test(register_rejects_capability_without_op),
		cmocka_unit_test(register_rejects_missing_basics),
		cmocka_unit_test(log_hook_captures_rejection),
		cmocka_unit_test(channel_names),
		cmocka_unit_test(filter_called_once_per_free_candidate),
		cmocka_unit_test(first_accepted_wins),
		cmocka_unit_test(channel_exclusive_until_released),
		cmocka_unit_test(double_release_logged_and_harmless),
		cmocka_unit_test(alloc_failure_leaves_channel_free),
		cmocka_unit_test(request_chan_by_mask_errors),
		cmocka_unit_test(concurrent_request_release),
		cmocka_unit_test(unregister_busy_while_held),
		cmocka_unit_test(unregister_busy_while_releasing),
		cmocka_unit_test(unregister_invalid),
		cmocka_unit_test(registry_calls_refused_in_callback),
		/* last: under ThreadSanitizer a race report ends the process */
		cmocka_unit_test(caps_query_concurrent_with_requests),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, group_teardown);
}
