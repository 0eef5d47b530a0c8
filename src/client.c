/* SPDX-License-Identifier: MIT */
/*
 * client.c - the client API entry points (dmaengine_prep_*, submit,
 * issue_pending, tx_status, terminate/synchronize, pause/resume, caps, reuse).
 *
 * Each entry point checks its arguments and calling context, logs why it
 * refuses, and otherwise calls the provider's hook. The checks on the hot
 * path (prep, submit, issue_pending, tx_status) are a few loads and compares:
 * no lock, no allocation. Blocking entry points (synchronize, terminate_sync,
 * dma_sync_wait) refuse to run on a completion thread instead of
 * deadlocking. dma_sync_wait() on a channel in a polled completion mode
 * runs udma_chan_poll() itself while it waits (completion-ctx.c).
 *
 * Locks: none of its own.
 */
#include <errno.h>
#include <sched.h>
#include <time.h>

#include "core-private.h"

/* A channel the caller may use: registered and held by a client. */
static bool chan_ok(struct dma_chan *chan, const char *func)
{
	if (udma__forked_child(func))
		return false;
	if (!chan) {
		udma_log(UDMA_LOG_ERR, func, "NULL channel");
		return false;
	}
	if (!chan->device || !chan->udma_priv) {
		udma_log(UDMA_LOG_ERR, func, "channel %p is not registered", (void *)chan);
		return false;
	}
	if (!udma__chan_held(chan)) {
		udma_log(UDMA_LOG_ERR, func, "%s is not held by a client (request it first)",
			 chan->udma_name);
		return false;
	}
	return true;
}

static bool op_ok(struct dma_chan *chan, const void *op, const char *what,
		  const char *func)
{
	if (!op) {
		udma_log(UDMA_LOG_ERR, func, "%s does not support %s", chan->udma_name, what);
		return false;
	}
	return true;
}

static bool len_ok(struct dma_chan *chan, size_t len, const char *func)
{
	if (!len) {
		udma_log(UDMA_LOG_ERR, func, "%s: zero length", chan->udma_name);
		return false;
	}
	if (len > UINT32_MAX) {
		udma_log(UDMA_LOG_ERR, func, "%s: length %zu exceeds 4 GiB - 1",
			 chan->udma_name, len);
		return false;
	}
	return true;
}

static bool addr_ok(struct dma_chan *chan, dma_addr_t addr, const char *what,
		    const char *func)
{
	if (!addr || addr == DMA_MAPPING_ERROR) {
		udma_log(UDMA_LOG_ERR, func, "%s: invalid %s address 0x%llx",
			 chan->udma_name, what, (unsigned long long)addr);
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- prep */

UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_dma_memcpy(
	struct dma_chan *chan, dma_addr_t dest, dma_addr_t src, size_t len,
	unsigned long flags)
{
	if (!chan_ok(chan, __func__) ||
	    !op_ok(chan, (void *)chan->device->device_prep_dma_memcpy, "DMA_MEMCPY", __func__) ||
	    !len_ok(chan, len, __func__) || !addr_ok(chan, dest, "destination", __func__) ||
	    !addr_ok(chan, src, "source", __func__))
		return NULL;
	return chan->device->device_prep_dma_memcpy(chan, dest, src, len, flags);
}

UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_dma_memset(
	struct dma_chan *chan, dma_addr_t dest, int value, size_t len,
	unsigned long flags)
{
	if (!chan_ok(chan, __func__) ||
	    !op_ok(chan, (void *)chan->device->device_prep_dma_memset, "DMA_MEMSET", __func__) ||
	    !len_ok(chan, len, __func__) || !addr_ok(chan, dest, "destination", __func__))
		return NULL;
	return chan->device->device_prep_dma_memset(chan, dest, value, len, flags);
}

UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_slave_sg(
	struct dma_chan *chan, struct scatterlist *sgl, unsigned int sg_len,
	enum dma_transfer_direction dir, unsigned long flags)
{
	if (!chan_ok(chan, __func__) ||
	    !op_ok(chan, (void *)chan->device->device_prep_slave_sg, "DMA_SLAVE", __func__))
		return NULL;
	if (!sgl || !sg_len) {
		udma_err("%s: empty scatterlist", chan->udma_name);
		return NULL;
	}
	if (dir != DMA_MEM_TO_DEV && dir != DMA_DEV_TO_MEM) {
		udma_err("%s: direction %s is not a slave direction", chan->udma_name,
			 dmaengine_get_direction_text(dir));
		return NULL;
	}
	return chan->device->device_prep_slave_sg(chan, sgl, sg_len, dir, flags, NULL);
}

UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_slave_single(
	struct dma_chan *chan, dma_addr_t buf, size_t len,
	enum dma_transfer_direction dir, unsigned long flags)
{
	struct scatterlist sg;

	if (!chan_ok(chan, __func__) || !len_ok(chan, len, __func__) ||
	    !addr_ok(chan, buf, "buffer", __func__))
		return NULL;
	sg_init_table(&sg, 1);
	sg.dma_address = buf;
	sg.dma_length = (unsigned int)len;
	sg.length = (unsigned int)len;
	/* The provider copies what it needs during prep (kernel contract). */
	return dmaengine_prep_slave_sg(chan, &sg, 1, dir, flags);
}

UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_dma_cyclic(
	struct dma_chan *chan, dma_addr_t buf_addr, size_t buf_len,
	size_t period_len, enum dma_transfer_direction dir, unsigned long flags)
{
	if (!chan_ok(chan, __func__) ||
	    !op_ok(chan, (void *)chan->device->device_prep_dma_cyclic, "DMA_CYCLIC", __func__) ||
	    !len_ok(chan, buf_len, __func__) || !addr_ok(chan, buf_addr, "buffer", __func__))
		return NULL;
	if (!period_len || buf_len % period_len) {
		udma_err("%s: period %zu does not divide buffer %zu", chan->udma_name,
			 period_len, buf_len);
		return NULL;
	}
	return chan->device->device_prep_dma_cyclic(chan, buf_addr, buf_len, period_len,
						    dir, flags);
}

UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_interleaved_dma(
	struct dma_chan *chan, struct dma_interleaved_template *xt, unsigned long flags)
{
	if (!chan_ok(chan, __func__) ||
	    !op_ok(chan, (void *)chan->device->device_prep_interleaved_dma,
		   "DMA_INTERLEAVE", __func__))
		return NULL;
	if (!xt || !xt->numf || !xt->frame_size) {
		udma_err("%s: empty interleaved template", chan->udma_name);
		return NULL;
	}
	return chan->device->device_prep_interleaved_dma(chan, xt, flags);
}

static size_t sg_total(struct scatterlist *sg, unsigned int nents, bool *ok)
{
	size_t total = 0;

	*ok = sg && nents;
	for (unsigned int i = 0; *ok && i < nents; i++) {
		if (!sg[i].dma_address || sg[i].dma_address == DMA_MAPPING_ERROR ||
		    !sg_dma_len(&sg[i]) || (i + 1 < nents && sg_is_last(&sg[i])))
			*ok = false;
		total += sg_dma_len(&sg[i]);
	}
	return total;
}

UDMA_EXPORT struct dma_async_tx_descriptor *udma_prep_dma_memcpy_sg(
	struct dma_chan *chan, struct scatterlist *dst_sg, unsigned int dst_nents,
	struct scatterlist *src_sg, unsigned int src_nents, unsigned long flags)
{
	size_t dst_len, src_len;
	bool dst_ok, src_ok;

	if (!chan_ok(chan, __func__) ||
	    !op_ok(chan, (void *)chan->device->udma_device_prep_dma_memcpy_sg,
		   "memcpy_sg", __func__))
		return NULL;
	dst_len = sg_total(dst_sg, dst_nents, &dst_ok);
	src_len = sg_total(src_sg, src_nents, &src_ok);
	if (!dst_ok || !src_ok) {
		udma_err("%s: %s scatterlist is empty, unmapped or shorter than its count",
			 chan->udma_name, dst_ok ? "source" : "destination");
		return NULL;
	}
	if (dst_len != src_len) {
		udma_err("%s: destination holds %zu bytes, source %zu", chan->udma_name,
			 dst_len, src_len);
		return NULL;
	}
	return chan->device->udma_device_prep_dma_memcpy_sg(chan, dst_sg, dst_nents,
							     src_sg, src_nents, flags);
}

/* ------------------------------------------------------ submit and issue */

UDMA_EXPORT dma_cookie_t dmaengine_submit(struct dma_async_tx_descriptor *desc)
{
	if (!desc) {
		udma_err("NULL descriptor");
		return -EINVAL;
	}
	if (!desc->chan || !desc->tx_submit) {
		udma_err("descriptor %p was not prepared by a provider", (void *)desc);
		return -EINVAL;
	}
	if (!chan_ok(desc->chan, __func__))
		return -EINVAL;
	return desc->tx_submit(desc);
}

UDMA_EXPORT void dma_async_issue_pending(struct dma_chan *chan)
{
	if (!chan_ok(chan, __func__))
		return;
	chan->device->device_issue_pending(chan);
}

/* ---------------------------------------------------------------- status */

UDMA_EXPORT enum dma_status dmaengine_tx_status(struct dma_chan *chan,
						dma_cookie_t cookie,
						struct dma_tx_state *state)
{
	if (!chan || !chan->device || !chan->udma_priv) {
		udma_err("NULL or unregistered channel");
		return DMA_ERROR;
	}
	if (udma__forked_child(__func__))
		return DMA_ERROR; /* nothing would ever complete here */
	return chan->device->device_tx_status(chan, cookie, state);
}

UDMA_EXPORT enum dma_status dma_async_is_tx_complete(struct dma_chan *chan,
						     dma_cookie_t cookie,
						     dma_cookie_t *last,
						     dma_cookie_t *used)
{
	struct dma_tx_state state = { 0, 0, 0, 0 };
	enum dma_status status = dmaengine_tx_status(chan, cookie, &state);

	if (last)
		*last = state.last;
	if (used)
		*used = state.used;
	return status;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

UDMA_EXPORT enum dma_status dma_sync_wait(struct dma_chan *chan, dma_cookie_t cookie)
{
	const uint64_t deadline = now_ns() + 5000ull * 1000000ull;
	enum dma_status status;
	unsigned int spins = 0;
	bool polled;

	if (!chan_ok(chan, __func__))
		return DMA_ERROR;
	if (udma_in_completion_context()) {
		udma_err("%s: dma_sync_wait from a completion callback would wait for itself",
			 chan->udma_name);
		return DMA_ERROR;
	}
	dma_async_issue_pending(chan);
	polled = __atomic_load_n(&chan->udma_priv->ctx_mode, __ATOMIC_ACQUIRE) !=
		 UDMA_COMPLETION_TASKLET;
	for (;;) {
		/* polled modes: completions are delivered by a poll - this one */
		if (polled)
			(void)udma_chan_poll(chan, UDMA_POLL_ALL);
		status = dmaengine_tx_status(chan, cookie, NULL);
		if (status != DMA_IN_PROGRESS)
			return status;
		if (++spins < 2000) {
			sched_yield();
			continue;
		}
		if (now_ns() > deadline)
			break;
		struct timespec ts = { 0, 20000 };
		nanosleep(&ts, NULL);
	}
	udma_err("%s: cookie %d did not complete within 5000 ms", chan->udma_name, cookie);
	return DMA_ERROR;
}

/* -------------------------------------------------------- channel control */

static int dma_get_slave_caps_quiet(struct dma_chan *chan, struct dma_slave_caps *caps);

/* A set width must be in @widths (BIT(bytes)); a set burst in [min, max]. */
static bool side_fits(struct dma_chan *chan, const struct dma_slave_caps *caps,
		      const char *side, enum dma_slave_buswidth width,
		      uint32_t widths, uint32_t burst)
{
	if (width != DMA_SLAVE_BUSWIDTH_UNDEFINED &&
	    ((unsigned int)width >= 32 || !(widths & (1u << width)))) {
		udma_err("%s: %s_addr_width %d bytes is not supported (mask 0x%x)",
			 chan->udma_name, side, (int)width, widths);
		return false;
	}
	if (burst && ((caps->min_burst && burst < caps->min_burst) ||
		      (caps->max_burst && burst > caps->max_burst))) {
		udma_err("%s: %s_maxburst %u is outside [%u, %u]", chan->udma_name, side,
			 burst, caps->min_burst, caps->max_burst);
		return false;
	}
	return true;
}

static bool config_fits_caps(struct dma_chan *chan, const struct dma_slave_config *c)
{
	struct dma_slave_caps caps;

	/* Providers without slave caps validate in device_config alone. */
	if (dma_get_slave_caps_quiet(chan, &caps))
		return true;
	if (c->direction != DMA_MEM_TO_MEM &&
	    (!is_slave_direction(c->direction) || !(caps.directions & (1u << c->direction)))) {
		udma_err("%s: direction %s is not supported", chan->udma_name,
			 dmaengine_get_direction_text(c->direction));
		return false;
	}
	return side_fits(chan, &caps, "src", c->src_addr_width, caps.src_addr_widths,
			 c->src_maxburst) &&
	       side_fits(chan, &caps, "dst", c->dst_addr_width, caps.dst_addr_widths,
			 c->dst_maxburst);
}

UDMA_EXPORT int dmaengine_slave_config(struct dma_chan *chan,
				       struct dma_slave_config *config)
{
	if (!chan_ok(chan, __func__))
		return -EINVAL;
	if (!config) {
		udma_err("%s: NULL config", chan->udma_name);
		return -EINVAL;
	}
	if (!chan->device->device_config) {
		udma_err("%s: provider has no device_config", chan->udma_name);
		return -ENOSYS;
	}
	if (!config_fits_caps(chan, config))
		return -EINVAL;
	return chan->device->device_config(chan, config);
}

UDMA_EXPORT int dmaengine_pause(struct dma_chan *chan)
{
	int ret;

	if (!chan_ok(chan, __func__))
		return -EINVAL;
	if (!chan->device->device_pause) {
		udma_err("%s: provider cannot pause", chan->udma_name);
		return -ENOSYS;
	}
	ret = chan->device->device_pause(chan);
	if (!ret) /* for udma_chan_get_stats() */
		__atomic_store_n(&chan->udma_priv->paused, 1, __ATOMIC_RELAXED);
	return ret;
}

UDMA_EXPORT int dmaengine_resume(struct dma_chan *chan)
{
	int ret;

	if (!chan_ok(chan, __func__))
		return -EINVAL;
	if (!chan->device->device_resume) {
		udma_err("%s: provider cannot resume", chan->udma_name);
		return -ENOSYS;
	}
	ret = chan->device->device_resume(chan);
	if (!ret)
		__atomic_store_n(&chan->udma_priv->paused, 0, __ATOMIC_RELAXED);
	return ret;
}

UDMA_EXPORT int dmaengine_terminate_async(struct dma_chan *chan)
{
	int ret;

	if (!chan_ok(chan, __func__))
		return -EINVAL;
	if (!chan->device->device_terminate_all) {
		udma_err("%s: provider cannot terminate", chan->udma_name);
		return -EINVAL;
	}
	ret = chan->device->device_terminate_all(chan);
	/* a terminate ends a pause (for udma_chan_get_stats()); read first: no store */
	if (!ret && __atomic_load_n(&chan->udma_priv->paused, __ATOMIC_RELAXED))
		__atomic_store_n(&chan->udma_priv->paused, 0, __ATOMIC_RELAXED);
	return ret;
}

UDMA_EXPORT int dmaengine_terminate_all(struct dma_chan *chan)
{
	if (!chan_ok(chan, __func__))
		return -EINVAL;
	if (!chan->device->device_terminate_all) {
		udma_err("%s: provider cannot terminate", chan->udma_name);
		return -ENOSYS;
	}
	return dmaengine_terminate_async(chan);
}

UDMA_EXPORT void dmaengine_synchronize(struct dma_chan *chan)
{
	if (!chan || !chan->device || !chan->udma_priv) {
		udma_err("NULL or unregistered channel");
		return;
	}
	if (udma__forked_child(__func__))
		return;
	if (udma_in_completion_context()) {
		udma_err("%s: dmaengine_synchronize from a completion callback would "
			 "deadlock; not waiting", chan->udma_name);
		return;
	}
	if (chan->device->device_synchronize)
		chan->device->device_synchronize(chan);
	else
		udma_chan_sync_completion(chan);
}

UDMA_EXPORT int dmaengine_terminate_sync(struct dma_chan *chan)
{
	int ret = dmaengine_terminate_async(chan);

	if (ret)
		return ret;
	if (udma_in_completion_context()) {
		udma_err("%s: terminated, but dmaengine_terminate_sync cannot wait in a "
			 "completion callback; call dmaengine_synchronize later from "
			 "another thread", chan->udma_name);
		return -EDEADLK;
	}
	dmaengine_synchronize(chan);
	return 0;
}

/* dma_get_slave_caps() without the log line for -ENXIO. */
static int dma_get_slave_caps_quiet(struct dma_chan *chan, struct dma_slave_caps *caps)
{
	struct dma_device *device = chan->device;

	if (!(dma_has_cap(DMA_SLAVE, device->cap_mask) ||
	      dma_has_cap(DMA_CYCLIC, device->cap_mask)) || !device->directions)
		return -ENXIO;
	caps->src_addr_widths = device->src_addr_widths;
	caps->dst_addr_widths = device->dst_addr_widths;
	caps->directions = device->directions;
	caps->min_burst = device->min_burst;
	caps->max_burst = device->max_burst;
	caps->max_sg_burst = device->max_sg_burst;
	caps->residue_granularity = device->residue_granularity;
	caps->descriptor_reuse = device->descriptor_reuse;
	caps->cmd_pause = !!device->device_pause;
	caps->cmd_resume = !!device->device_resume;
	caps->cmd_terminate = !!device->device_terminate_all;
	if (device->device_caps)
		device->device_caps(chan, caps);
	return 0;
}

UDMA_EXPORT int dma_get_slave_caps(struct dma_chan *chan, struct dma_slave_caps *caps)
{
	int ret;

	if (!chan || !chan->device || !caps) {
		udma_err("NULL %s", caps ? "channel" : "caps");
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL;
	ret = dma_get_slave_caps_quiet(chan, caps);
	if (ret)
		udma_err("%s is not a slave channel (no DMA_SLAVE/DMA_CYCLIC or no "
			 "directions)", dma_chan_name(chan));
	return ret;
}

/* ---------------------------------------------------------------- reuse */

UDMA_EXPORT int dmaengine_desc_set_reuse(struct dma_async_tx_descriptor *tx)
{
	if (!tx || !tx->chan || !tx->chan->device) {
		udma_err("NULL or unprepared descriptor");
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL;
	/*
	 * The kernel asks dma_get_slave_caps(), which fails on memcpy-only
	 * channels; we read the device's descriptor_reuse directly so memcpy
	 * channels can reuse descriptors too.
	 */
	if (!tx->chan->device->descriptor_reuse) {
		udma_err("%s does not support descriptor reuse", tx->chan->udma_name);
		return -EPERM;
	}
	__atomic_fetch_or((unsigned int *)&tx->flags, (unsigned int)DMA_CTRL_REUSE,
			  __ATOMIC_RELAXED);
	return 0;
}

UDMA_EXPORT int dmaengine_desc_free(struct dma_async_tx_descriptor *desc)
{
	if (!desc) {
		udma_err("NULL descriptor");
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL;
	if (!dmaengine_desc_test_reuse(desc)) {
		udma_err("descriptor %p is not reusable; only reusable descriptors "
			 "are freed by the client", (void *)desc);
		return -EPERM;
	}
	if (!desc->desc_free) {
		udma_err("descriptor %p has no desc_free hook", (void *)desc);
		return -EINVAL;
	}
	return desc->desc_free(desc);
}
