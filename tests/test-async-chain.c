/* SPDX-License-Identifier: MIT */
/*
 * test-async-chain.c - async_tx chains and the public channel pool against
 * the in-process mock provider (no plugins): chains across two channels of
 * two providers keep their order (manual completion proves that a child is
 * not even issued before its parent completed), a parent's failure reaches
 * the end of the chain, the kernel's BUG_ON cases are refused with a log
 * line, async_trigger_callback uses DMA_INTERRUPT, the CPU path waits for an
 * offloaded parent, a completion callback cannot wait for unfinished work;
 * the pool follows private request/release and register/unregister, and
 * dma_find_channel runs concurrently with rebalancing (run under TSan too).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <udmaengine/async_tx.h>

#include "log-capture.h"
#include "mock-provider.h"
#include "test-util.h"

#define LEN 4096

struct fix {
	struct mock_dev *a, *b;  /* a: memcpy (+ interrupt), b: xor; manual */
	struct dma_chan *ca, *cb;
	unsigned char *buf[6];
};

static struct counter done;
static int last_result = -1; /* atomic */

static void cb_count(void *p)
{
	(void)p;
	counter_add(&done, 1);
}

static void cb_result(void *p, const struct dmaengine_result *r)
{
	(void)p;
	__atomic_store_n(&last_result, (int)r->result, __ATOMIC_SEQ_CST);
	counter_add(&done, 1);
}

static int setup(void **state)
{
	struct mock_opts oa = { .name = "mock-cpy", .nr_chans = 1, .memcpy = true,
				.interrupt = true, .manual = true };
	struct mock_opts ob = { .name = "mock-xor", .nr_chans = 1, .xor = true,
				.manual = true };
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->a = mock_dev_create(&oa);
	f->b = mock_dev_create(&ob);
	if (!f->a || !f->b || mock_dev_register(f->a) || mock_dev_register(f->b))
		return -1;
	dmaengine_get();
	f->ca = mock_dev_chan(f->a, 0);
	f->cb = mock_dev_chan(f->b, 0);
	for (int i = 0; i < 6; i++) {
		f->buf[i] = aligned_alloc(PAGE_SIZE, LEN);
		if (!f->buf[i])
			return -1;
		for (int j = 0; j < LEN; j++)
			f->buf[i][j] = (unsigned char)(rand() & 0xff);
	}
	counter_init(&done);
	__atomic_store_n(&last_result, -1, __ATOMIC_SEQ_CST);
	log_reset();
	udma_set_log_fn(log_sink, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	udma_set_log_fn(NULL, NULL);
	dmaengine_put();
	mock_dev_destroy(f->a);
	mock_dev_destroy(f->b);
	for (int i = 0; i < 6; i++)
		free(f->buf[i]);
	counter_destroy(&done);
	free(f);
	return 0;
}

static struct page *pg(unsigned char *p)
{
	return virt_to_page(p);
}

/* Complete the first issued descriptor of @chan and let its callbacks and
 * dependencies run. */
static void complete_one(struct dma_chan *chan, enum dmaengine_tx_result r)
{
	assert_int_equal(mock_complete_next(chan, r), 0);
	assert_int_equal(mock_chan_flush(chan, TEST_DEADLINE_MS), 0);
}

static void test_page_shim(void **state)
{
	struct fix *f = *state;
	unsigned char *p = f->buf[0];

	assert_int_equal(PAGE_SIZE, 4096);
	assert_ptr_equal(page_address(virt_to_page(p)), p);
	assert_ptr_equal(page_address(virt_to_page(p + 100)), p);
	assert_int_equal(offset_in_page(p + 100), 100);
}

static void test_pool_serves_types(void **state)
{
	struct fix *f = *state;

	assert_ptr_equal(dma_find_channel(DMA_MEMCPY), f->ca);
	assert_ptr_equal(dma_find_channel(DMA_XOR), f->cb);
	assert_null(dma_find_channel(DMA_PQ));
	assert_null(dma_find_channel(DMA_SLAVE));
}

/* memcpy (A) -> xor (B) -> memcpy (A): each link waits for the previous one. */
static void test_chain_two_channels_order(void **state)
{
	struct fix *f = *state;
	unsigned char *src = f->buf[0], *mid = f->buf[1], *k = f->buf[2];
	unsigned char *out = f->buf[3], *fin = f->buf[4];
	struct page *xs[2] = { pg(mid), pg(k) };
	struct dma_async_tx_descriptor *t1, *t2, *t3;
	struct async_submit_ctl s;
	unsigned char want[LEN];

	for (int i = 0; i < LEN; i++)
		want[i] = src[i] ^ k[i];
	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	t1 = async_memcpy(pg(mid), pg(src), 0, 0, LEN, &s);
	assert_non_null(t1);
	assert_ptr_equal(t1->chan, f->ca);
	init_async_submit(&s, ASYNC_TX_XOR_ZERO_DST, t1, NULL, NULL, NULL);
	t2 = async_xor(pg(out), xs, 0, 2, LEN, &s);
	assert_non_null(t2);
	assert_ptr_equal(t2->chan, f->cb);
	assert_int_equal(t2->cookie, -EBUSY); /* parked */
	init_async_submit(&s, ASYNC_TX_ACK, t2, cb_count, NULL, NULL);
	t3 = async_memcpy(pg(fin), pg(out), 0, 0, LEN, &s);
	assert_non_null(t3);
	assert_ptr_equal(t3->chan, f->ca);

	async_tx_issue_pending_all();
	assert_int_equal(mock_chan_issued(f->ca), 1);
	assert_int_equal(mock_chan_issued(f->cb), 0);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_int_equal(mock_chan_issued(f->ca), 0); /* t3 still parked */
	assert_int_equal(mock_chan_issued(f->cb), 1);
	complete_one(f->cb, DMA_TRANS_NOERROR);
	assert_int_equal(mock_chan_issued(f->ca), 1);
	assert_int_equal(counter_get(&done), 0);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_true(counter_wait_ge(&done, 1, TEST_DEADLINE_MS));
	assert_memory_equal(fin, want, LEN);
	assert_int_equal(mock_dev_count(f->a, MOCK_VIOLATION), 0);
}

/* ------------------------------------------------------------ unmap data */

/* A translating device's hooks (identity), counting maps and unmaps per
 * direction; the callback records how many unmaps had happened by then. */
static int n_map, n_unmap, n_unmap_dir[3]; /* atomics */
static int unmaps_at_cb = -1;              /* atomic */

static dma_addr_t count_map(struct device *dev, void *ptr, size_t size,
			    enum dma_data_direction dir)
{
	(void)dev;
	(void)size;
	(void)dir;
	__atomic_add_fetch(&n_map, 1, __ATOMIC_SEQ_CST);
	return (dma_addr_t)(uintptr_t)ptr;
}

static void count_unmap(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir)
{
	(void)dev;
	(void)addr;
	(void)size;
	__atomic_add_fetch(&n_unmap, 1, __ATOMIC_SEQ_CST);
	if ((unsigned int)dir < 3)
		__atomic_add_fetch(&n_unmap_dir[dir], 1, __ATOMIC_SEQ_CST);
}

static const struct dma_map_ops count_ops = { count_map, count_unmap, NULL };

static void cb_unmaps(void *p)
{
	(void)p;
	__atomic_store_n(&unmaps_at_cb, __atomic_load_n(&n_unmap, __ATOMIC_SEQ_CST),
			 __ATOMIC_SEQ_CST);
	counter_add(&done, 1);
}

static void counting_on(struct dma_chan *c)
{
	__atomic_store_n(&n_map, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&n_unmap, 0, __ATOMIC_SEQ_CST);
	for (int d = 0; d < 3; d++)
		__atomic_store_n(&n_unmap_dir[d], 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&unmaps_at_cb, -1, __ATOMIC_SEQ_CST);
	c->device->dev->dma_ops = &count_ops;
}

/*
 * async_tx on a device that translates: each operation's mappings are
 * undone exactly once - when it completes, before its callback; when a
 * terminate throws it away; when a failed prep gives up.
 */
static void test_unmap_on_complete_and_terminate(void **state)
{
	struct fix *f = *state;
	struct page *xs[2] = { pg(f->buf[1]), pg(f->buf[2]) };
	struct dma_async_tx_descriptor *t;
	struct async_submit_ctl s;

	counting_on(f->ca);
	counting_on(f->cb);
	/* completed: 2 maps (dst, src), undone before the callback */
	init_async_submit(&s, ASYNC_TX_ACK, NULL, cb_unmaps, NULL, NULL);
	t = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t);
	assert_int_equal(__atomic_load_n(&n_map, __ATOMIC_SEQ_CST), 2);
	async_tx_issue_pending_all();
	assert_int_equal(__atomic_load_n(&n_unmap, __ATOMIC_SEQ_CST), 0);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_true(counter_wait_ge(&done, 1, TEST_DEADLINE_MS));
	assert_int_equal(__atomic_load_n(&unmaps_at_cb, __ATOMIC_SEQ_CST), 2);
	assert_int_equal(__atomic_load_n(&n_unmap_dir[DMA_BIDIRECTIONAL], __ATOMIC_SEQ_CST), 2);

	/* failed on the engine: undone too */
	init_async_submit(&s, ASYNC_TX_ACK | ASYNC_TX_XOR_ZERO_DST, NULL, NULL, NULL, NULL);
	t = async_xor(pg(f->buf[3]), xs, 0, 2, LEN, &s);
	assert_non_null(t);
	assert_int_equal(__atomic_load_n(&n_map, __ATOMIC_SEQ_CST), 5);
	async_tx_issue_pending_all();
	complete_one(f->cb, DMA_TRANS_WRITE_FAILED);
	assert_int_equal(__atomic_load_n(&n_unmap, __ATOMIC_SEQ_CST), 5);

	/* thrown away by a terminate before it ran: undone once */
	init_async_submit(&s, ASYNC_TX_ACK, NULL, NULL, NULL, NULL);
	t = async_memcpy(pg(f->buf[4]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t);
	assert_int_equal(__atomic_load_n(&n_map, __ATOMIC_SEQ_CST), 7);
	assert_int_equal(dmaengine_terminate_sync(f->ca), 0);
	assert_int_equal(__atomic_load_n(&n_unmap, __ATOMIC_SEQ_CST), 7);
	assert_int_equal(mock_chan_flush(f->ca, TEST_DEADLINE_MS), 0);
	assert_int_equal(__atomic_load_n(&n_unmap, __ATOMIC_SEQ_CST), 7);

	f->ca->device->dev->dma_ops = NULL;
	f->cb->device->dev->dma_ops = NULL;
}

/* dmaengine_get_unmap_data / dmaengine_unmap_put on their own: directions in
 * order, a 0 among the bidirectional ones skipped, references counted. */
static void test_unmap_data_api(void **state)
{
	struct fix *f = *state;
	struct device *dev = f->ca->device->dev;
	struct dmaengine_unmap_data *u;
	struct dma_async_tx_descriptor *t;

	log_reset();
	assert_null(dmaengine_get_unmap_data(dev, 0, 0));
	assert_null(dmaengine_get_unmap_data(dev, 257, 0));
	assert_true(log_has("addresses (1..256)"));
	counting_on(f->ca);
	u = dmaengine_get_unmap_data(dev, 5, 0);
	assert_non_null(u);
	assert_int_equal(u->map_cnt, 5);
	assert_ptr_equal(u->dev, dev);
	u->len = LEN;
	u->addr[0] = (dma_addr_t)(uintptr_t)f->buf[0];
	u->to_cnt = 1;
	u->addr[1] = (dma_addr_t)(uintptr_t)f->buf[1];
	u->from_cnt = 1;
	u->addr[2] = (dma_addr_t)(uintptr_t)f->buf[2];
	u->addr[3] = 0; /* skipped */
	u->bidi_cnt = 2;

	/* a descriptor holds a reference: the put here undoes nothing yet */
	t = f->ca->device->device_prep_dma_interrupt(f->ca, DMA_CTRL_ACK);
	assert_non_null(t);
	dma_set_unmap(t, u);
	dmaengine_unmap_put(u);
	assert_true(dmaengine_submit(t) > 0);
	dma_async_issue_pending(f->ca);
	assert_int_equal(__atomic_load_n(&n_unmap, __ATOMIC_SEQ_CST), 0);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_int_equal(__atomic_load_n(&n_unmap, __ATOMIC_SEQ_CST), 3);
	assert_int_equal(__atomic_load_n(&n_unmap_dir[DMA_TO_DEVICE], __ATOMIC_SEQ_CST), 1);
	assert_int_equal(__atomic_load_n(&n_unmap_dir[DMA_FROM_DEVICE], __ATOMIC_SEQ_CST), 1);
	assert_int_equal(__atomic_load_n(&n_unmap_dir[DMA_BIDIRECTIONAL], __ATOMIC_SEQ_CST), 1);
	dmaengine_unmap_put(NULL); /* nothing */
	f->ca->device->dev->dma_ops = NULL;
}

/*
 * A device whose pool channel carries async_tx work refuses to unregister
 * (the kernel pins the provider module instead): while an operation is
 * queued, and while it is done but unacked (the client may still pass it as
 * depend_tx). Once acked, the device leaves. Found by the soak: the channel
 * was released under the client, which then read the freed descriptor.
 */
static void test_unregister_refused_while_async_busy(void **state)
{
	struct fix *f = *state;
	struct dma_async_tx_descriptor *t;
	struct async_submit_ctl s;

	init_async_submit(&s, 0, NULL, cb_count, NULL, NULL); /* not acked */
	t = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t);
	assert_ptr_equal(t->chan, f->ca);
	log_reset();
	assert_int_equal(mock_chan_issued(f->ca), 0);        /* submitted only */
	assert_int_equal(mock_dev_unregister(f->a), -EBUSY); /* queued */
	assert_true(log_has("in use by async_tx"));
	assert_ptr_equal(dma_find_channel(DMA_MEMCPY), f->ca); /* still serving */
	/* an issue_pending_all while the device was out of the table missed
	 * it: the refusal issues its channels itself */
	assert_int_equal(mock_chan_issued(f->ca), 1);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_true(counter_wait_ge(&done, 1, TEST_DEADLINE_MS));
	assert_int_equal(mock_dev_unregister(f->a), -EBUSY); /* done, unacked */
	assert_memory_equal(f->buf[1], f->buf[0], LEN);
	async_tx_ack(t);
	assert_int_equal(mock_dev_unregister(f->a), 0);
	assert_null(dma_find_channel(DMA_MEMCPY));
	assert_int_equal(mock_dev_count(f->a, MOCK_VIOLATION), 0);
}

/*
 * A client error: dmaengine_put() with a chain unfinished, the child parked
 * on a channel released before its parent's. The thrown-away child detaches
 * from its parent, which must not submit it later (freed with its channel's
 * descriptor pool: found by the soak as a crash, ASan here).
 */
static void test_put_with_parked_child(void **state)
{
	struct fix *f = *state;
	struct mock_opts op = { .name = "mock-p-xor", .nr_chans = 1, .xor = true, .manual = true };
	struct mock_opts oq = { .name = "mock-q-cpy", .nr_chans = 1, .memcpy = true,
				.manual = true };
	struct page *xs[2] = { pg(f->buf[1]), pg(f->buf[2]) };
	struct dma_async_tx_descriptor *t1, *t2;
	struct async_submit_ctl s;
	struct mock_dev *p, *q;

	assert_int_equal(mock_dev_unregister(f->a), 0);
	assert_int_equal(mock_dev_unregister(f->b), 0);
	p = mock_dev_create(&op); /* registered first: released first */
	q = mock_dev_create(&oq);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal(mock_dev_register(p), 0);
	assert_int_equal(mock_dev_register(q), 0);
	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	t1 = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t1);
	assert_ptr_equal(t1->chan, mock_dev_chan(q, 0));
	init_async_submit(&s, ASYNC_TX_ACK | ASYNC_TX_XOR_ZERO_DST, t1, cb_count, NULL, NULL);
	t2 = async_xor(pg(f->buf[3]), xs, 0, 2, LEN, &s);
	assert_non_null(t2);
	assert_ptr_equal(t2->chan, mock_dev_chan(p, 0));
	assert_int_equal(t2->cookie, -EBUSY); /* parked */

	dmaengine_put(); /* releases p (t2 thrown away), then q (t1 aborted) */
	assert_int_equal(counter_get(&done), 0);
	assert_int_equal(mock_dev_count(p, MOCK_VIOLATION), 0);
	assert_int_equal(mock_dev_count(q, MOCK_VIOLATION), 0);
	dmaengine_get(); /* the fixture's reference */
	assert_int_equal(mock_dev_unregister(p), 0);
	assert_int_equal(mock_dev_unregister(q), 0);
	mock_dev_destroy(p);
	mock_dev_destroy(q);
}

/* A failed parent: the rest of the chain reports DMA_TRANS_ABORTED. */
static void test_chain_error_propagates(void **state)
{
	struct fix *f = *state;
	struct page *xs[2] = { pg(f->buf[1]), pg(f->buf[2]) };
	struct dma_async_tx_descriptor *t1, *t2, *t3;
	struct async_submit_ctl s;

	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	t1 = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	init_async_submit(&s, ASYNC_TX_XOR_ZERO_DST, t1, NULL, NULL, NULL);
	t2 = async_xor(pg(f->buf[3]), xs, 0, 2, LEN, &s);
	init_async_submit(&s, ASYNC_TX_ACK, t2, NULL, NULL, NULL);
	s.udma_cb_result = cb_result;
	t3 = async_memcpy(pg(f->buf[4]), pg(f->buf[3]), 0, 0, LEN, &s);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_non_null(t3);
	async_tx_issue_pending_all();
	complete_one(f->ca, DMA_TRANS_READ_FAILED);
	complete_one(f->cb, DMA_TRANS_NOERROR);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_true(counter_wait_ge(&done, 1, TEST_DEADLINE_MS));
	assert_int_equal(__atomic_load_n(&last_result, __ATOMIC_SEQ_CST), DMA_TRANS_ABORTED);
	/* t2 is still ours (unacked): it reports the failure too */
	assert_int_equal(udma_async_tx_wait(t2), -EIO);
	async_tx_ack(t2);
}

/* Kernel BUG_ON cases: a log line, the callback with an abort, NULL. */
static void test_bad_parents(void **state)
{
	struct fix *f = *state;
	struct dma_async_tx_descriptor *t1, *t2, *t;
	struct async_submit_ctl s;

	init_async_submit(&s, ASYNC_TX_ACK, NULL, NULL, NULL, NULL);
	t1 = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t1);
	init_async_submit(&s, 0, t1, NULL, NULL, NULL);
	s.udma_cb_result = cb_result;
	log_reset();
	t = async_memcpy(pg(f->buf[2]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_null(t);
	assert_true(log_has("already acked"));
	assert_int_equal(counter_get(&done), 1);
	assert_int_equal(__atomic_load_n(&last_result, __ATOMIC_SEQ_CST), DMA_TRANS_ABORTED);

	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	t2 = async_memcpy(pg(f->buf[3]), pg(f->buf[0]), 0, 0, LEN, &s);
	init_async_submit(&s, ASYNC_TX_ACK, t2, NULL, NULL, NULL);
	assert_non_null(async_memcpy(pg(f->buf[4]), pg(f->buf[3]), 0, 0, LEN, &s));
	async_tx_clear_ack(t2); /* pretend it is still ours: a second child */
	init_async_submit(&s, 0, t2, NULL, NULL, NULL);
	s.udma_cb_result = cb_result;
	log_reset();
	assert_null(async_memcpy(pg(f->buf[5]), pg(f->buf[0]), 0, 0, LEN, &s));
	assert_true(log_has("already has a child"));
	assert_int_equal(counter_get(&done), 2);

	async_tx_issue_pending_all();
	complete_one(f->ca, DMA_TRANS_NOERROR); /* t1 */
	complete_one(f->ca, DMA_TRANS_NOERROR); /* t2 */
	complete_one(f->ca, DMA_TRANS_NOERROR); /* t2's child */
	assert_memory_equal(f->buf[4], f->buf[0], LEN);
	assert_int_equal(mock_dev_count(f->a, MOCK_VIOLATION), 0);
}

/* async_trigger_callback on a parent whose device has DMA_INTERRUPT. */
static void test_trigger_callback_interrupt(void **state)
{
	struct fix *f = *state;
	struct dma_async_tx_descriptor *t1, *ti;
	struct async_submit_ctl s;

	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	t1 = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	init_async_submit(&s, ASYNC_TX_ACK, t1, cb_count, NULL, NULL);
	ti = async_trigger_callback(&s);
	assert_non_null(ti);
	assert_int_equal(mock_chan_count(f->ca, MOCK_PREP_INTERRUPT), 1);
	async_tx_issue_pending_all();
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_int_equal(counter_get(&done), 0);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_true(counter_wait_ge(&done, 1, TEST_DEADLINE_MS));
	/* without a parent the callback runs at once, in the caller's context */
	init_async_submit(&s, 0, NULL, cb_count, NULL, NULL);
	assert_null(async_trigger_callback(&s));
	assert_int_equal(counter_get(&done), 2);
}

/* A descriptor prepped by hand joins a chain through async_tx_submit. */
static void test_own_descriptor_in_chain(void **state)
{
	struct fix *f = *state;
	struct dma_async_tx_descriptor *t1, *t2;
	struct async_submit_ctl s;
	struct dma_chan *chan;

	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	t1 = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t1);
	init_async_submit(&s, ASYNC_TX_ACK, t1, cb_count, NULL, NULL);
	chan = async_tx_find_channel(&s, DMA_MEMCPY, NULL, 0, NULL, 0, LEN);
	assert_ptr_equal(chan, f->ca);
	t2 = dmaengine_prep_dma_memcpy(chan, (dma_addr_t)(uintptr_t)f->buf[2],
				       (dma_addr_t)(uintptr_t)f->buf[1], LEN,
				       DMA_PREP_INTERRUPT);
	assert_non_null(t2);
	async_tx_submit(chan, t2, &s);
	assert_int_equal(t2->cookie, -EBUSY);
	async_tx_issue_pending_all();
	assert_int_equal(mock_chan_issued(f->ca), 1);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_true(counter_wait_ge(&done, 1, TEST_DEADLINE_MS));
	assert_memory_equal(f->buf[2], f->buf[0], LEN);
}

static void *completer(void *arg)
{
	mock_complete_next(arg, DMA_TRANS_NOERROR);
	return NULL;
}

/* No channel for PQ: the CPU path waits for the offloaded parent first. */
static void test_cpu_path_waits_for_parent(void **state)
{
	struct fix *f = *state;
	struct page *blocks[4] = { pg(f->buf[1]), pg(f->buf[2]), pg(f->buf[3]),
				   pg(f->buf[4]) };
	struct dma_async_tx_descriptor *t1;
	struct async_submit_ctl s;
	unsigned char p[LEN];
	pthread_t th;

	memset(f->buf[1], 0, LEN);
	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	t1 = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t1);
	async_tx_issue_pending_all();
	assert_int_equal(pthread_create(&th, NULL, completer, f->ca), 0);
	init_async_submit(&s, 0, t1, cb_count, NULL, NULL);
	assert_null(async_gen_syndrome(blocks, NULL, 4, LEN, &s));
	pthread_join(th, NULL);
	assert_int_equal(counter_get(&done), 1); /* called in our context */
	for (int i = 0; i < LEN; i++)
		p[i] = f->buf[0][i] ^ f->buf[2][i];
	assert_memory_equal(f->buf[3], p, LEN);
	assert_int_equal(mock_chan_flush(f->ca, TEST_DEADLINE_MS), 0);
}

/* async_tx_quiesce waits (bounded), acks and clears; a failure is logged. */
static void test_quiesce(void **state)
{
	struct fix *f = *state;
	struct dma_async_tx_descriptor *t1;
	struct async_submit_ctl s;
	pthread_t th;

	init_async_submit(&s, 0, NULL, NULL, NULL, NULL);
	t1 = async_memcpy(pg(f->buf[1]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t1);
	async_tx_issue_pending_all();
	assert_int_equal(pthread_create(&th, NULL, completer, f->ca), 0);
	async_tx_quiesce(&t1);
	pthread_join(th, NULL);
	assert_null(t1);
	assert_memory_equal(f->buf[1], f->buf[0], LEN);

	t1 = async_memcpy(pg(f->buf[2]), pg(f->buf[0]), 0, 0, LEN, &s);
	assert_non_null(t1);
	async_tx_issue_pending_all();
	complete_one(f->ca, DMA_TRANS_WRITE_FAILED);
	log_reset();
	async_tx_quiesce(&t1);
	assert_null(t1);
	assert_true(log_has("did not complete cleanly"));
	async_tx_quiesce(&t1); /* NULL: nothing */
}

static struct dma_async_tx_descriptor *waited;
static int wait_rc = 1; /* atomic */

static void cb_waits(void *p)
{
	(void)p;
	__atomic_store_n(&wait_rc, udma_async_tx_wait(waited), __ATOMIC_SEQ_CST);
	dmaengine_get(); /* may block: refused here, no reference taken */
	dmaengine_put();
	counter_add(&done, 1);
}

/* A completion callback may submit, but cannot wait for unfinished work. */
static void test_callback_cannot_wait(void **state)
{
	struct fix *f = *state;
	struct page *xs[2] = { pg(f->buf[1]), pg(f->buf[2]) };
	struct async_submit_ctl s;

	init_async_submit(&s, ASYNC_TX_XOR_ZERO_DST, NULL, NULL, NULL, NULL);
	waited = async_xor(pg(f->buf[3]), xs, 0, 2, LEN, &s); /* on B, not completed */
	assert_non_null(waited);
	init_async_submit(&s, ASYNC_TX_ACK, NULL, cb_waits, NULL, NULL);
	assert_non_null(async_memcpy(pg(f->buf[4]), pg(f->buf[0]), 0, 0, LEN, &s));
	async_tx_issue_pending_all();
	log_reset();
	complete_one(f->ca, DMA_TRANS_NOERROR);
	assert_true(counter_wait_ge(&done, 1, TEST_DEADLINE_MS));
	assert_int_equal(__atomic_load_n(&wait_rc, __ATOMIC_SEQ_CST), -EDEADLK);
	assert_true(log_has("cannot wait"));
	assert_true(log_has("dmaengine_get may block"));
	assert_true(log_has("dmaengine_put may block"));
	assert_int_equal(udma_public_channels(NULL, 0), 2);
	complete_one(f->cb, DMA_TRANS_NOERROR);
	assert_int_equal(udma_async_tx_wait(waited), 0);
	async_tx_ack(waited);
}

/* ------------------------------------------------------------ the pool */

static int pool_count(void)
{
	return udma_public_channels(NULL, 0);
}

static bool in_pool(struct dma_chan *chan)
{
	struct dma_chan *all[32];
	int n = udma_public_channels(all, 32);

	for (int i = 0; i < n && i < 32; i++)
		if (all[i] == chan)
			return true;
	return false;
}

static void test_pool_follows_requests(void **state)
{
	struct mock_opts o = { .name = "mock-pool", .nr_chans = 2, .memcpy = true };
	struct mock_dev *md = mock_dev_create(&o);
	struct dma_chan *c0, *c1, *priv;
	int base;

	(void)state;
	/* the fixture's two channels are in the pool already */
	base = pool_count();
	assert_int_equal(base, 2);
	assert_int_equal(mock_dev_register(md), 0);
	c0 = mock_dev_chan(md, 0);
	c1 = mock_dev_chan(md, 1);
	assert_int_equal(pool_count(), base + 2); /* joins on register */
	assert_null(mock_dev_request(md));        /* pool holds both */
	log_reset();
	dma_release_channel(c0);                  /* not the caller's */
	assert_true(log_has("public pool"));
	assert_true(in_pool(c0));

	dmaengine_put();                          /* last reference: all leave */
	assert_int_equal(pool_count(), 0);
	assert_null(dma_find_channel(DMA_MEMCPY));
	priv = mock_dev_request(md);
	assert_non_null(priv);
	dmaengine_get();                          /* the other channel only */
	assert_int_equal(pool_count(), base + 1);
	assert_false(in_pool(priv));
	assert_true(in_pool(priv == c0 ? c1 : c0));
	dma_release_channel(priv);                /* joins on release */
	assert_int_equal(pool_count(), base + 2);
	assert_true(in_pool(priv));

	dmaengine_get();                          /* nested reference */
	dmaengine_put();
	assert_int_equal(pool_count(), base + 2);

	assert_int_equal(mock_dev_unregister(md), 0); /* leaves on unregister */
	assert_int_equal(pool_count(), base);
	assert_false(in_pool(c0));
	assert_false(in_pool(c1));
	assert_int_equal(mock_dev_count(md, MOCK_VIOLATION), 0);
	assert_int_equal(mock_dev_count(md, MOCK_ALLOC), mock_dev_count(md, MOCK_FREE));
	mock_dev_destroy(md);
}

struct reader {
	struct dma_chan **known;
	int nknown;
	int *stop;    /* atomic */
	long found;   /* this thread's */
	long bad;
};

static void *reader_thread(void *arg)
{
	struct reader *r = arg;

	while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE)) {
		struct dma_chan *c = dma_find_channel(DMA_MEMCPY);
		bool ok = !c;

		for (int i = 0; c && i < r->nknown; i++)
			ok = ok || c == r->known[i];
		r->found += c != NULL;
		r->bad += !ok;
		dma_issue_pending_all();
	}
	return NULL;
}

/* dma_find_channel never blocks and never returns a stranger while the pool
 * is rebuilt under it (register/unregister, private request/release). */
static void test_find_channel_concurrent_rebalance(void **state)
{
	struct fix *f = *state;
	struct mock_opts o = { .name = "mock-churn", .nr_chans = 2, .memcpy = true };
	struct mock_dev *md = mock_dev_create(&o);
	struct dma_chan *known[3] = { f->ca, mock_dev_chan(md, 0), mock_dev_chan(md, 1) };
	int stop = 0;
	struct reader r[2] = { { known, 3, &stop, 0, 0 }, { known, 3, &stop, 0, 0 } };
	pthread_t th[2];

	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader_thread, &r[i]), 0);
	for (int round = 0; round < 50; round++) {
		struct dma_chan *priv;

		assert_int_equal(mock_dev_register(md), 0);
		dmaengine_put();
		priv = mock_dev_request(md);
		dmaengine_get();
		assert_non_null(priv);
		dma_release_channel(priv);
		assert_int_equal(mock_dev_unregister(md), 0);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(r[0].bad + r[1].bad, 0);
	assert_true(r[0].found + r[1].found > 0);
	mock_dev_destroy(md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_shim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_serves_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_two_channels_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_error_propagates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_on_complete_and_terminate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unmap_data_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregister_refused_while_async_busy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_with_parked_child, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_parents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trigger_callback_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_descriptor_in_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_path_waits_for_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_cannot_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_follows_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_channel_concurrent_rebalance, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("async-chain", tests, NULL, NULL);
}
