/* SPDX-License-Identifier: MIT */
/*
 * cookie.c - cookie assignment, completion, abort and status.
 *
 * As in the kernel, chan->cookie is the last cookie handed out and
 * chan->completed_cookie the high-water mark of finished ones (completion is
 * in order on a channel). Unlike the kernel, a finished cookie also has an
 * outcome: a byte per cookie in a ring of UDMA_COOKIE_RING bytes, set when the
 * transfer failed or was aborted, so dmaengine_tx_status() can answer
 * DMA_ERROR for those. A cookie's byte is cleared when the cookie is assigned.
 *
 * Locking: writers (assign, complete, abort) hold the provider's channel lock
 * (vc->lock); they publish with release stores. dma_cookie_status() is
 * lockless: it loads completed_cookie with acquire before reading a byte.
 *
 * Statistics: the same writers count each cookie's fate in struct dma_chan
 * (udma_submitted next to chan->cookie; udma_completed, udma_errors and
 * udma_aborted next to chan->completed_cookie). Writers are serialised by the
 * channel lock, so a count is a load and a release store (stat_inc), no
 * atomic read-modify-write; stats.c reads them with acquire loads, lockless.
 */
#include <errno.h>
#include <stdlib.h>

#include "core-private.h"

int udma__cookie_priv_init(struct udma_chan_priv *p)
{
	p->outcome = calloc(UDMA_COOKIE_RING, 1);
	p->wrapped = 0;
	return p->outcome ? 0 : -ENOMEM;
}

void udma__cookie_priv_fini(struct udma_chan_priv *p)
{
	free(p->outcome);
	p->outcome = NULL;
}

/*
 * One byte per cookie, so writers use plain atomic stores (no read-modify-
 * write): assign stores 0, a failure or abort stores 1, a success stores
 * nothing (the byte is 0 since assign).
 */
static void outcome_set(struct udma_chan_priv *p, dma_cookie_t cookie, bool error)
{
	__atomic_store_n(&p->outcome[(unsigned int)cookie % UDMA_COOKIE_RING],
			 (unsigned char)error, __ATOMIC_RELEASE);
}

static bool outcome_error(struct udma_chan_priv *p, dma_cookie_t cookie)
{
	return __atomic_load_n(&p->outcome[(unsigned int)cookie % UDMA_COOKIE_RING],
			       __ATOMIC_ACQUIRE);
}

/* One more event on a counter whose writers hold the channel lock. */
static inline void stat_inc(uint64_t *counter)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

UDMA_EXPORT void dma_cookie_init(struct dma_chan *chan)
{
	chan->cookie = DMA_MIN_COOKIE;
	chan->completed_cookie = DMA_MIN_COOKIE;
}

UDMA_EXPORT dma_cookie_t dma_cookie_assign(struct dma_async_tx_descriptor *tx)
{
	struct dma_chan *chan = tx->chan;
	dma_cookie_t cookie = chan->cookie;

	if (cookie == INT32_MAX) {
		cookie = DMA_MIN_COOKIE;
		if (chan->udma_priv)
			chan->udma_priv->wrapped = 1;
	} else {
		cookie++;
	}
	if (chan->udma_priv)
		outcome_set(chan->udma_priv, cookie, false);
	__atomic_store_n(&tx->cookie, cookie, __ATOMIC_RELEASE); /* async_tx waiters read it */
	__atomic_store_n(&chan->cookie, cookie, __ATOMIC_RELEASE);
	stat_inc(&chan->udma_submitted);
	return cookie;
}

UDMA_EXPORT void udma_cookie_complete_result(struct dma_async_tx_descriptor *tx,
					     enum dmaengine_tx_result result)
{
	struct dma_chan *chan = tx->chan;

	if (tx->cookie < DMA_MIN_COOKIE) {
		udma_err("%s: completing a descriptor with no cookie (%d)",
			 dma_chan_name(chan), tx->cookie);
		return;
	}
	if (result != DMA_TRANS_NOERROR) {
		if (chan->udma_priv)
			outcome_set(chan->udma_priv, tx->cookie, true);
		udma__tx_mark_failed(tx);
	}
	__atomic_store_n(&chan->completed_cookie, tx->cookie, __ATOMIC_RELEASE);
	stat_inc(result == DMA_TRANS_NOERROR ? &chan->udma_completed : &chan->udma_errors);
	__atomic_store_n(&tx->cookie, 0, __ATOMIC_RELEASE);
}

UDMA_EXPORT void dma_cookie_complete(struct dma_async_tx_descriptor *tx)
{
	udma_cookie_complete_result(tx, DMA_TRANS_NOERROR);
}

UDMA_EXPORT void udma_cookie_abort(struct dma_async_tx_descriptor *tx)
{
	if (tx->cookie < DMA_MIN_COOKIE)
		return;
	if (tx->chan->udma_priv)
		outcome_set(tx->chan->udma_priv, tx->cookie, true);
	udma__tx_mark_failed(tx);
	stat_inc(&tx->chan->udma_aborted);
	__atomic_store_n(&tx->cookie, 0, __ATOMIC_RELEASE);
}

UDMA_EXPORT void udma_cookie_abort_all_done(struct dma_chan *chan)
{
	__atomic_store_n(&chan->completed_cookie,
			 __atomic_load_n(&chan->cookie, __ATOMIC_RELAXED),
			 __ATOMIC_RELEASE);
}

/* How many cookies ago @cookie was handed out, given the last one @used. */
static uint32_t cookie_age(dma_cookie_t cookie, dma_cookie_t used)
{
	if (used >= cookie)
		return (uint32_t)(used - cookie);
	return (uint32_t)used + (uint32_t)(INT32_MAX - cookie);
}

UDMA_EXPORT enum dma_status dma_cookie_status(struct dma_chan *chan,
					      dma_cookie_t cookie,
					      struct dma_tx_state *state)
{
	struct udma_chan_priv *p = chan->udma_priv;
	dma_cookie_t used, complete;

	complete = __atomic_load_n(&chan->completed_cookie, __ATOMIC_ACQUIRE);
	used = __atomic_load_n(&chan->cookie, __ATOMIC_ACQUIRE);
	if (state) {
		state->last = complete;
		state->used = used;
		state->residue = 0;
		state->in_flight_bytes = 0;
	}
	if (cookie < DMA_MIN_COOKIE)
		return DMA_ERROR;
	/*
	 * never handed out: beyond the last used cookie with no wrap since, or
	 * DMA_MIN_COOKIE itself (dma_cookie_init leaves it as "last used", so
	 * the first cookie assigned is DMA_MIN_COOKIE + 1).
	 */
	if (p && !__atomic_load_n(&p->wrapped, __ATOMIC_RELAXED) &&
	    (cookie > used || cookie == DMA_MIN_COOKIE))
		return DMA_ERROR;
	if (dma_async_is_complete(cookie, complete, used) != DMA_COMPLETE)
		return DMA_IN_PROGRESS;
	if (p && cookie_age(cookie, used) < UDMA_COOKIE_WINDOW &&
	    outcome_error(p, cookie)) {
		/* a recent failure (fault.c) knows its residue */
		if (state)
			udma__fault_residue(p, cookie, &state->residue);
		return DMA_ERROR;
	}
	return DMA_COMPLETE;
}
