/* SPDX-License-Identifier: MIT */
/*
 * mock-provider.h - an in-process DMA provider for the tests.
 *
 * Built only on the public provider SDK (<udmaengine/virt-dma.h>), like the
 * real sw-memcpy plugin: one struct dma_device with N virt-dma channels, each
 * with a descriptor pool (udma_vchan_pool_init) allocated when a client takes
 * the channel. Options pick the capabilities and the completion mode:
 *
 *   automatic  dma_async_issue_pending() schedules the channel's "engine"
 *              tasklet (on the channel's completion thread), which executes
 *              every issued transfer (memcpy / memset really move bytes) and
 *              completes it with vchan_cookie_complete().
 *   manual     nothing runs until the test calls mock_complete_next(), which
 *              takes the first issued descriptor, executes it when the
 *              result is DMA_TRANS_NOERROR, and completes it with that
 *              result. The core's completion tasklet then commits the cookie
 *              and runs the callback. mock_chan_hold() parks the completion
 *              thread so a test can act "after completion, before callback".
 *
 * The mock counts every provider hook the core calls (enum mock_hook), per
 * channel and per device, and counts protocol violations it can see itself
 * (alloc on an allocated channel, free of an unallocated one, prep on a
 * channel that is not allocated): MOCK_VIOLATION must stay 0.
 *
 * Typical use:
 *
 *   struct mock_opts o = { .nr_chans = 2, .memcpy = true, .manual = true };
 *   struct mock_dev *md = mock_dev_create(&o);
 *   assert_int_equal(mock_dev_register(md), 0);
 *   struct dma_chan *chan = mock_dev_request(md);
 *   ... prep / submit / issue ...
 *   mock_complete_next(chan, DMA_TRANS_NOERROR);
 *   mock_chan_flush(chan, TEST_DEADLINE_MS);   -> callback has run
 *   dma_release_channel(chan);
 *   mock_dev_destroy(md);                       -> unregisters and frees
 *
 * Threads: every function here is for the test thread. None calls cmocka.
 * Counters may be read from any thread.
 */
#ifndef UDMA_TESTS_MOCK_PROVIDER_H
#define UDMA_TESTS_MOCK_PROVIDER_H

#include <stdbool.h>
#include <udmaengine/virt-dma.h>

struct mock_dev;

/* What a mock device offers. Zero-initialised = a device the core rejects. */
struct mock_opts {
	const char *name;       /* dev_name() and udma_name; default "mock" */
	unsigned int nr_chans;  /* channels; 0 = none (for registration tests) */
	unsigned int pool_size; /* descriptors per channel; 0 = 64 */
	bool memcpy;            /* DMA_MEMCPY + device_prep_dma_memcpy */
	bool memset;            /* DMA_MEMSET + device_prep_dma_memset */
	bool xor;               /* DMA_XOR + device_prep_dma_xor (2..8 sources) */
	bool interrupt;         /* DMA_INTERRUPT + device_prep_dma_interrupt */
	bool slave;             /* DMA_SLAVE + device_prep_slave_sg + device_config,
	                           directions MEM_TO_DEV|DEV_TO_MEM, widths 1/2/4 */
	bool cyclic;            /* DMA_CYCLIC + device_prep_dma_cyclic (+ the slave
	                           directions, so dma_get_slave_caps works) */
	bool pause;             /* device_pause + device_resume */
	bool no_terminate;      /* leave device_terminate_all NULL */
	bool no_synchronize;    /* leave device_synchronize NULL */
	bool reuse;             /* dma_device.descriptor_reuse */
	bool manual;            /* manual completion mode (see above) */
	bool keep_pool;         /* keep the descriptor pool across release, so a
	                           test may touch a stale descriptor safely; it is
	                           freed by mock_dev_destroy() */
};

/* Provider hooks (and a few events) the mock counts. */
enum mock_hook {
	MOCK_ALLOC,        /* device_alloc_chan_resources (successful or not) */
	MOCK_FREE,         /* device_free_chan_resources */
	MOCK_PREP_MEMCPY,  /* device_prep_dma_memcpy */
	MOCK_PREP_MEMSET,  /* device_prep_dma_memset */
	MOCK_PREP_SLAVE,   /* device_prep_slave_sg */
	MOCK_PREP_CYCLIC,  /* device_prep_dma_cyclic */
	MOCK_PREP_XOR,     /* device_prep_dma_xor */
	MOCK_PREP_INTERRUPT, /* device_prep_dma_interrupt */
	MOCK_CONFIG,       /* device_config */
	MOCK_PAUSE,        /* device_pause */
	MOCK_RESUME,       /* device_resume */
	MOCK_TERMINATE,    /* device_terminate_all */
	MOCK_SYNCHRONIZE,  /* device_synchronize */
	MOCK_ISSUE,        /* device_issue_pending */
	MOCK_TX_STATUS,    /* device_tx_status */
	MOCK_CAPS,         /* device_caps */
	MOCK_RELEASE,      /* device_release (device level only) */
	MOCK_EXECUTED,     /* transfers executed (completed, any result) */
	MOCK_VIOLATION,    /* protocol violations seen by the mock: must be 0 */
	MOCK_NR_HOOKS
};

/*
 * mock_dev_create - build (not register) a device per @o (NULL: one memcpy
 * channel, automatic mode). The struct dma_device may be edited through
 * mock_dev_device() before mock_dev_register(), e.g. to drop an op.
 * Return: the device, or NULL when out of memory.
 */
struct mock_dev *mock_dev_create(const struct mock_opts *o);

/* mock_dev_register / _unregister - dma_async_device_(un)register(); return
 * what the core returned. */
int mock_dev_register(struct mock_dev *md);
int mock_dev_unregister(struct mock_dev *md);

/*
 * mock_dev_destroy - unregister if registered, then free. If unregistering
 * fails (a channel is still held) the device is leaked rather than freed
 * under the core. NULL is ignored.
 */
void mock_dev_destroy(struct mock_dev *md);

/* The device and its channels (in registration order; NULL if out of range). */
struct dma_device *mock_dev_device(struct mock_dev *md);
struct dma_chan *mock_dev_chan(struct mock_dev *md, unsigned int i);
unsigned int mock_dev_nr_chans(const struct mock_dev *md);

/* Counters: of the whole device, or of one channel of a mock device. */
long mock_dev_count(const struct mock_dev *md, enum mock_hook h);
long mock_chan_count(struct dma_chan *chan, enum mock_hook h);

/*
 * mock_dev_fail_alloc - make device_alloc_chan_resources return @err (a
 * negative errno) from now on; 0 restores normal allocation.
 */
void mock_dev_fail_alloc(struct mock_dev *md, int err);

/* mock_filter - a dma_filter_fn accepting only channels of the mock device
 * passed as @param. */
bool mock_filter(struct dma_chan *chan, void *param);

/*
 * mock_dev_request - take a free channel of @md (a dma_request_channel with
 * @md's capabilities and mock_filter). Return: the channel or NULL.
 */
struct dma_chan *mock_dev_request(struct mock_dev *md);

/* ----------------------------------------------------- manual completion */

/*
 * mock_complete_next - the "hardware" finishes the first issued descriptor
 * of @chan with @result (DMA_TRANS_NOERROR: the transfer is executed first;
 * otherwise no byte moves and the residue is the full length). A cyclic
 * descriptor stays issued and one call signals one elapsed period.
 * Works in automatic mode too (races with the engine, so avoid that).
 * Return: 0, -ENOENT when nothing is issued, -EINVAL for a non-mock channel.
 */
int mock_complete_next(struct dma_chan *chan, enum dmaengine_tx_result result);

/* mock_chan_issued - how many descriptors are issued and not completed. */
unsigned int mock_chan_issued(struct dma_chan *chan);

/*
 * mock_chan_flush - wait until @chan's completion thread has committed every
 * completed descriptor and returned from their callbacks (it schedules a
 * marker tasklet behind them). Must not be called while the channel is held
 * by mock_chan_hold(). Return: 0, or -ETIMEDOUT after @timeout_ms.
 */
int mock_chan_flush(struct dma_chan *chan, unsigned int timeout_ms);

/*
 * mock_chan_hold - park @chan's completion thread in a tasklet until
 * mock_chan_unhold(): tasklets scheduled meanwhile (the vchan completion,
 * hence every callback) wait. Do not call dmaengine_synchronize,
 * dmaengine_terminate_sync or dma_release_channel on a held channel (they
 * wait for the completion thread). Return: 0 once the thread is parked,
 * -EBUSY if already held, -ETIMEDOUT.
 */
int mock_chan_hold(struct dma_chan *chan, unsigned int timeout_ms);
void mock_chan_unhold(struct dma_chan *chan);

/*
 * mock_chan_set_cookie - make @cookie the channel's last used and last
 * completed cookie (as dma_cookie_init does with DMA_MIN_COOKIE), e.g. to
 * test the INT32_MAX wrap. Only on an idle channel (nothing submitted).
 */
void mock_chan_set_cookie(struct dma_chan *chan, dma_cookie_t cookie);

/* mock_chan_last_config - copy the last device_config() argument into @out.
 * Return: false when device_config was never called. */
bool mock_chan_last_config(struct dma_chan *chan, struct dma_slave_config *out);

/* mock_chan_paused - true between a successful device_pause and resume. */
bool mock_chan_paused(struct dma_chan *chan);

#endif /* UDMA_TESTS_MOCK_PROVIDER_H */
