/* SPDX-License-Identifier: MIT */
/*
 * completion-ctx.c - per-channel completion context: where client callbacks
 * run (udma_chan_set_completion_mode, udma_chan_poll, udma_chan_get_eventfd).
 *
 * Modes (enum udma_completion_mode, udma.h):
 *  - TASKLET (default): the vchan completion tasklet runs on the channel's
 *    completion thread and delivers: it commits each cookie and runs its
 *    callback (virt-dma.c, udma__vchan_deliver).
 *  - POLLED / EVENTFD: tasklet_schedule() of that one tasklet (marked
 *    UDMA__TASKLET_DELIVERY by vchan_init) is diverted to udma__ctx_kick(),
 *    which sets ctx_pending; udma_chan_poll() on a client thread then runs
 *    the same delivery code. EVENTFD also writes the channel's eventfd when
 *    ctx_pending goes 0 -> 1: once per batch, not per descriptor.
 *    The provider's own tasklets (its engine) still run on the completion
 *    thread; only delivery moves.
 *
 * Why the terminate rules still hold: delivery is the same code in every
 * mode - one descriptor committed at a time under vc->lock, its callback run
 * with no lock held - so dmaengine_terminate_async() either aborts a
 * descriptor before its commit or comes after it (rule (c), doc/design.md).
 * A poll pass makes poll_seq odd while it runs, and
 * udma_chan_sync_completion() (hence dmaengine_synchronize, terminate_sync,
 * release) waits for a pass in progress on another thread as it waits for a
 * tasklet run. A pass handles at most 64 descriptors, so that wait is
 * bounded. Outside a pass the polling thread is an ordinary thread: it may
 * call dmaengine_terminate_sync() without waiting for itself.
 *
 * One deliverer at a time (never two threads running callbacks of a channel
 * at once, so completion order is kept):
 *  - poll_busy (atomic exchange) admits one poller; others get -EBUSY at
 *    once. A mode change takes poll_busy too, so no poll runs during it.
 *  - Leaving TASKLET: the mode store and the completion thread's run start
 *    form a Dekker pair (seq_cst on both sides): either the run sees the new
 *    mode (then the vchan tasklet only kicks, delivering nothing) or the mode
 *    change sees run_seq odd and waits for that run to end.
 *  - Entering TASKLET: polls are excluded by poll_busy; after the mode store
 *    whatever is pending is handed to the tasklet. A kick racing with the
 *    store re-checks the mode after setting ctx_pending and hands over too
 *    (ctx_pending is claimed by exchange, so exactly one side schedules).
 *
 * The eventfd: ctx_efd is published before the mode enters EVENTFD and
 * unpublished (then closed) before it leaves; a kick counts itself in
 * ctx_kickers around loading ctx_efd and writing to it, and the closer waits
 * for ctx_kickers to drop to 0, so no write ever reaches a closed or reused
 * fd number.
 *
 * Release: dma_release_channel() terminates and synchronizes first (every
 * completion not yet delivered is aborted: its cookie reads DMA_ERROR and
 * its callback never runs), then udma__ctx_release() waits for a poll still
 * inside the library, closes the eventfd and restores TASKLET.
 *
 * Locks: none of its own. Fields of struct udma_chan_priv used here are
 * atomics (see core-private.h); p->vchan is written under the registry mutex
 * when the channel is requested.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "core-private.h"
#include <udmaengine/virt-dma.h>

/* passes of at most 64 descriptors each (virt-dma.c) per udma_chan_poll() */
#define POLL_MAX_PASSES 16

void udma__ctx_init(struct udma_chan_priv *p)
{
	p->vchan = NULL;
	p->ctx_mode = UDMA_COMPLETION_TASKLET;
	p->ctx_pending = 0;
	p->ctx_efd = -1;
	p->ctx_kickers = 0;
	p->poll_busy = 0;
	p->poll_seq = 0;
}

/* Make the eventfd readable (EVENTFD mode). Any thread, never blocks. */
static void ctx_notify(struct udma_chan_priv *p)
{
	int fd;

	__atomic_fetch_add(&p->ctx_kickers, 1, __ATOMIC_SEQ_CST);
	fd = __atomic_load_n(&p->ctx_efd, __ATOMIC_SEQ_CST);
	if (fd >= 0)
		(void)eventfd_write(fd, 1); /* counter never near overflow: reads clear it */
	__atomic_fetch_sub(&p->ctx_kickers, 1, __ATOMIC_RELEASE);
}

/* Hand what is pending to the completion tasklet (mode is TASKLET again). */
static void ctx_hand_to_tasklet(struct udma_chan_priv *p, struct tasklet_struct *t)
{
	if (__atomic_exchange_n(&p->ctx_pending, 0, __ATOMIC_SEQ_CST) && t)
		tasklet_schedule(t);
}

void udma__ctx_kick(struct udma_chan_priv *p, struct tasklet_struct *t)
{
	/* already pending: the next poll delivers this too (vc->lock orders it) */
	if (__atomic_load_n(&p->ctx_pending, __ATOMIC_SEQ_CST) ||
	    __atomic_exchange_n(&p->ctx_pending, 1, __ATOMIC_SEQ_CST))
		return;
	if (caa_unlikely(__atomic_load_n(&p->ctx_mode, __ATOMIC_SEQ_CST) ==
			 UDMA_COMPLETION_TASKLET)) {
		/* the mode went back to TASKLET meanwhile */
		ctx_hand_to_tasklet(p, t);
		return;
	}
	ctx_notify(p);
}

/* Unpublish and close the eventfd, once no kick can still be writing to it. */
static void ctx_close_efd(struct udma_chan_priv *p)
{
	int fd = __atomic_exchange_n(&p->ctx_efd, -1, __ATOMIC_SEQ_CST);

	if (fd < 0)
		return;
	while (__atomic_load_n(&p->ctx_kickers, __ATOMIC_SEQ_CST))
		caa_cpu_relax();
	close(fd);
}

static void poll_unlock(struct udma_chan_priv *p)
{
	__atomic_store_n(&p->poll_busy, 0, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->sync_waiters, __ATOMIC_ACQUIRE))
		udma__futex_wake_all(&p->poll_busy);
}

/* A registered channel a client holds; logs why not. */
static bool ctx_chan_ok(struct dma_chan *chan, const char *func)
{
	if (udma__forked_child(func))
		return false;
	if (!chan || !chan->device || !chan->udma_priv) {
		udma_log(UDMA_LOG_ERR, func, "NULL or unregistered channel");
		return false;
	}
	if (!udma__chan_held(chan)) {
		udma_log(UDMA_LOG_ERR, func, "%s is not held by a client", chan->udma_name);
		return false;
	}
	return true;
}

/* Every cookie handed out is committed or aborted. */
static bool cookies_idle(struct dma_chan *chan)
{
	return __atomic_load_n(&chan->cookie, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&chan->completed_cookie, __ATOMIC_ACQUIRE);
}

static const char *mode_name(int mode)
{
	switch (mode) {
	case UDMA_COMPLETION_TASKLET: return "tasklet";
	case UDMA_COMPLETION_POLLED: return "polled";
	case UDMA_COMPLETION_EVENTFD: return "eventfd";
	default: return "invalid";
	}
}

UDMA_EXPORT int udma_chan_set_completion_mode(struct dma_chan *chan,
					      enum udma_completion_mode mode)
{
	struct udma_chan_priv *p;
	struct tasklet_struct *t;
	int old, efd = -1;

	if (!ctx_chan_ok(chan, __func__))
		return -EINVAL;
	if ((unsigned int)mode > UDMA_COMPLETION_EVENTFD) {
		udma_err("%s: unknown completion mode %d", chan->udma_name, (int)mode);
		return -EINVAL;
	}
	if (udma_in_completion_context()) {
		udma_err("%s: the completion mode cannot change from a completion callback",
			 chan->udma_name);
		return -EDEADLK;
	}
	p = chan->udma_priv;
	if (__atomic_load_n(&p->is_public, __ATOMIC_ACQUIRE)) {
		udma_err("%s is in the public pool (dmaengine_get): async_tx chains run "
			 "on its completion thread, so its mode stays tasklet", chan->udma_name);
		return -EBUSY;
	}
	if (!p->vchan) {
		udma_err("%s: provider %s does not deliver through virt-dma's pool; "
			 "only the tasklet mode is available", chan->udma_name,
			 chan->device->udma_name ? chan->device->udma_name : "?");
		return -EOPNOTSUPP;
	}
	t = &p->vchan->task;
	if (__atomic_exchange_n(&p->poll_busy, 1, __ATOMIC_ACQUIRE)) {
		udma_err("%s: a udma_chan_poll() is running; mode not changed",
			 chan->udma_name);
		return -EBUSY;
	}
	old = __atomic_load_n(&p->ctx_mode, __ATOMIC_ACQUIRE);
	if (old == (int)mode) {
		poll_unlock(p);
		return 0;
	}
	if (!cookies_idle(chan)) {
		poll_unlock(p);
		udma_err("%s: descriptors are still outstanding (last cookie %d, last "
			 "delivered %d); terminate or wait for them before changing the "
			 "completion mode", chan->udma_name, chan->cookie,
			 chan->completed_cookie);
		return -EBUSY;
	}
	if (mode == UDMA_COMPLETION_EVENTFD) {
		efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (efd < 0) {
			int err = errno;

			poll_unlock(p);
			udma_err("%s: eventfd: %s", chan->udma_name, strerror(err));
			return -err;
		}
	}

	if (old == UDMA_COMPLETION_EVENTFD)
		ctx_close_efd(p);
	if (efd >= 0)
		__atomic_store_n(&p->ctx_efd, efd, __ATOMIC_SEQ_CST); /* before the mode */
	__atomic_store_n(&p->ctx_mode, (int)mode, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	if (old == UDMA_COMPLETION_TASKLET) {
		/* A run that started before the store may still be delivering. */
		int32_t seq = __atomic_load_n(&p->run_seq, __ATOMIC_ACQUIRE);

		if (seq & 1)
			udma__chan_wait_seq_change(p, &p->run_seq, seq);
	} else if (mode == UDMA_COMPLETION_TASKLET) {
		ctx_hand_to_tasklet(p, t);
	}
	/* something (harmless, e.g. a stale run's kick) pending: say so */
	if (efd >= 0 && __atomic_load_n(&p->ctx_pending, __ATOMIC_SEQ_CST))
		ctx_notify(p);
	poll_unlock(p);
	udma_dbg("%s: completion mode %s -> %s", chan->udma_name, mode_name(old),
		 mode_name((int)mode));
	return 0;
}

UDMA_EXPORT int udma_chan_get_completion_mode(struct dma_chan *chan)
{
	if (!chan || !chan->udma_priv) {
		udma_err("NULL or unregistered channel");
		return -EINVAL;
	}
	return __atomic_load_n(&chan->udma_priv->ctx_mode, __ATOMIC_ACQUIRE);
}

UDMA_EXPORT int udma_chan_get_eventfd(struct dma_chan *chan)
{
	int fd;

	if (!ctx_chan_ok(chan, __func__))
		return -EINVAL;
	fd = __atomic_load_n(&chan->udma_priv->ctx_efd, __ATOMIC_ACQUIRE);
	if (fd < 0) {
		udma_err("%s is not in the eventfd completion mode", chan->udma_name);
		return -ENOENT;
	}
	return fd;
}

UDMA_EXPORT int udma_chan_poll(struct dma_chan *chan, unsigned int budget)
{
	struct udma_chan_priv *p;
	struct dma_chan *prev_ctx;
	unsigned int done = 0;
	bool more = false;
	int fd, mode;

	if (!ctx_chan_ok(chan, __func__))
		return -EINVAL;
	if (!budget) {
		udma_err("%s: budget 0", chan->udma_name);
		return -EINVAL;
	}
	if (udma_in_completion_context()) {
		udma_err("%s: udma_chan_poll from a completion callback would nest "
			 "callbacks", chan->udma_name);
		return -EDEADLK;
	}
	p = chan->udma_priv;
	mode = __atomic_load_n(&p->ctx_mode, __ATOMIC_ACQUIRE);
	/* polled and idle: one load, no write (a spinning poller bounces no line) */
	if (mode == UDMA_COMPLETION_POLLED &&
	    !__atomic_load_n(&p->ctx_pending, __ATOMIC_ACQUIRE))
		return 0;
	if (__atomic_exchange_n(&p->poll_busy, 1, __ATOMIC_ACQUIRE))
		return -EBUSY; /* not an error: the other poller delivers */
	if (__atomic_load_n(&p->ctx_mode, __ATOMIC_ACQUIRE) == UDMA_COMPLETION_TASKLET) {
		poll_unlock(p);
		udma_err("%s: callbacks run on the completion thread (tasklet mode); "
			 "nothing to poll", chan->udma_name);
		return -EINVAL;
	}
	fd = __atomic_load_n(&p->ctx_efd, __ATOMIC_ACQUIRE);
	if (fd >= 0) {
		eventfd_t v;

		(void)eventfd_read(fd, &v); /* EAGAIN: was not readable */
	}
	/* Take the pending work; a kick after this writes the fd again. */
	if (!__atomic_load_n(&p->ctx_pending, __ATOMIC_SEQ_CST) ||
	    !__atomic_exchange_n(&p->ctx_pending, 0, __ATOMIC_SEQ_CST)) {
		poll_unlock(p);
		return 0;
	}

	prev_ctx = udma__set_completion_context(chan);
	for (unsigned int pass = 0; pass < POLL_MAX_PASSES && done < budget; pass++) {
		__atomic_fetch_add(&p->poll_seq, 1, __ATOMIC_ACQ_REL); /* odd: delivering */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		done += udma__vchan_deliver(p->vchan, budget - done, &more);
		__atomic_fetch_add(&p->poll_seq, 1, __ATOMIC_ACQ_REL); /* even */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&p->sync_waiters, __ATOMIC_ACQUIRE))
			udma__futex_wake_all(&p->poll_seq);
		if (!more)
			break;
	}
	udma__set_completion_context(prev_ctx);
	if (more)
		udma__ctx_kick(p, &p->vchan->task); /* left over: stay pending */
	poll_unlock(p);
	return (int)done;
}

void udma__ctx_release(struct dma_chan *chan)
{
	struct udma_chan_priv *p = chan->udma_priv;

	if (!p)
		return;
	/* Wait for a poll still inside the library (it found the channel held). */
	__atomic_fetch_add(&p->sync_waiters, 1, __ATOMIC_ACQ_REL);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (__atomic_exchange_n(&p->poll_busy, 1, __ATOMIC_ACQUIRE))
		udma__futex_wait(&p->poll_busy, 1);
	__atomic_fetch_sub(&p->sync_waiters, 1, __ATOMIC_ACQ_REL);

	__atomic_store_n(&p->ctx_mode, UDMA_COMPLETION_TASKLET, __ATOMIC_SEQ_CST);
	ctx_close_efd(p);
	/* terminate aborted everything: nothing is left to deliver */
	__atomic_store_n(&p->ctx_pending, 0, __ATOMIC_SEQ_CST);
	poll_unlock(p);
}
