/* SPDX-License-Identifier: MIT */
/*
 * tasklet.c - per-channel completion threads and the tasklets they run.
 *
 * Every registered channel owns one thread ("udma-dma0chan0"). Tasklets bound
 * to the channel are queued on a wait-free queue (cds_wfcq: any thread
 * enqueues, only this thread dequeues) and run one at a time, in order.
 *
 * Sleep/wake (the liburcu call_rcu worker pattern): when the queue is empty
 * the thread spins briefly, then sets wake = -1, re-checks the queue after a
 * full barrier and sleeps on the futex. tasklet_schedule() enqueues, issues a
 * full barrier and wakes the thread only if it saw wake == -1. So a busy
 * channel costs no system call and an idle one no CPU.
 *
 * Synchronisation with waiters: run_seq is odd while a tasklet runs. A waiter
 * (dmaengine_synchronize, tasklet_kill) that sees an odd value waits on the
 * run_seq futex until it changes; the thread wakes waiters after each run when
 * sync_waiters is non-zero (same Dekker pattern).
 *
 * The thread-local udma_tls_chan marks completion threads; the context checks
 * of blocking calls (udma_in_completion_context) read it. udma_chan_poll()
 * (completion-ctx.c) sets it on the polling thread while it runs callbacks.
 *
 * Completion contexts: a vchan's completion tasklet carries the core-private
 * UDMA__TASKLET_DELIVERY bit. While its channel is in a polled or eventfd
 * mode, tasklet_schedule() does not queue it here but hands it to
 * udma__ctx_kick(), so client callbacks run inside udma_chan_poll() instead;
 * every other tasklet (the provider's engine) still runs on this thread.
 * udma_chan_sync_completion() also waits for a poll pass in progress
 * (poll_seq odd), on whatever thread it runs.
 *
 * fork(): live_threads counts the completion threads started and not yet
 * joined. A pthread_atfork child handler marks a child forked while any ran
 * (forked_child): it has none of them, so every entry point refuses there
 * (udma__forked_child, one relaxed load when not forked) instead of waiting
 * for a thread that does not exist. A child forked while none ran uses the
 * library normally. See doc/design.md, "fork()".
 *
 * Locks: none of its own. Thread start/stop is called under the registry
 * mutex by registry.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core-private.h"

#define TASKLET_SCHED 1
/*
 * Iterations of cpu_relax() an idle thread polls before sleeping (about
 * 25 us): long enough to catch the next batch of a busy client without a
 * wake-up, short enough that a client copying now and then does not pay
 * much engine CPU per copy.
 */
#define IDLE_SPIN 1000

static __thread struct dma_chan *udma_tls_chan;
static int live_threads;  /* [A] completion threads started, not joined */
static int forked_child;  /* written only by the atfork child handler */

static void atfork_child(void)
{
	if (__atomic_load_n(&live_threads, __ATOMIC_RELAXED))
		__atomic_store_n(&forked_child, 1, __ATOMIC_RELAXED);
}

__attribute__((constructor)) static void tasklet_atfork_init(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
}

bool udma__forked_child(const char *func)
{
	if (__builtin_expect(!__atomic_load_n(&forked_child, __ATOMIC_RELAXED), 1))
		return false;
	udma_log(UDMA_LOG_ERR, func, "refused in a child process forked while the library "
		 "ran threads (they stayed in the parent); exec() or fork before using it");
	return true;
}

int udma__live_threads(void)
{
	return __atomic_load_n(&live_threads, __ATOMIC_RELAXED);
}

bool udma__forked_child_quiet(void)
{
	return __atomic_load_n(&forked_child, __ATOMIC_RELAXED);
}

/* Process-private futex (cheaper than the shared kind liburcu's helper uses). */
static void futex_op(int32_t *addr, int op, int32_t val)
{
	syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

void udma__futex_wait(int32_t *addr, int32_t val)
{
	futex_op(addr, FUTEX_WAIT, val);
}

void udma__futex_wake_all(int32_t *addr)
{
	futex_op(addr, FUTEX_WAKE, INT32_MAX);
}

struct dma_chan *udma__set_completion_context(struct dma_chan *chan)
{
	struct dma_chan *prev = udma_tls_chan;

	udma_tls_chan = chan;
	return prev;
}

UDMA_EXPORT bool udma_in_completion_context(void)
{
	return udma_tls_chan != NULL;
}

static void thread_wake(struct udma_chan_priv *p)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->wake, __ATOMIC_ACQUIRE) == -1) {
		__atomic_store_n(&p->wake, 0, __ATOMIC_RELEASE);
		futex_op(&p->wake, FUTEX_WAKE, 1);
	}
}

UDMA_EXPORT void udma_tasklet_setup(struct tasklet_struct *t,
				    void (*callback)(struct tasklet_struct *),
				    struct dma_chan *chan)
{
	t->callback = callback;
	t->udma_chan = chan;
	t->udma_state = 0;
	cds_wfcq_node_init(&t->udma_node);
}

UDMA_EXPORT void tasklet_schedule(struct tasklet_struct *t)
{
	struct udma_chan_priv *p;

	if (!t || !t->udma_chan || !t->udma_chan->udma_priv) {
		udma_err("tasklet %p is not bound to a registered channel", (void *)t);
		return;
	}
	if (udma__forked_child(__func__))
		return;
	p = t->udma_chan->udma_priv;
	/* Client callbacks of a polled/eventfd channel wait for udma_chan_poll(). */
	if (caa_unlikely(__atomic_load_n(&t->udma_state, __ATOMIC_RELAXED) &
			 UDMA__TASKLET_DELIVERY) &&
	    __atomic_load_n(&p->ctx_mode, __ATOMIC_SEQ_CST) != UDMA_COMPLETION_TASKLET) {
		udma__ctx_kick(p, t);
		return;
	}
	if (__atomic_fetch_or(&t->udma_state, TASKLET_SCHED, __ATOMIC_ACQ_REL) &
	    TASKLET_SCHED)
		return; /* already queued */
	cds_wfcq_node_init(&t->udma_node);
	cds_wfcq_enqueue(&p->rq_head, &p->rq_tail, &t->udma_node);
	thread_wake(p);
}

static bool queue_empty(struct udma_chan_priv *p)
{
	return cds_wfcq_empty(&p->rq_head, &p->rq_tail);
}

static void run_one(struct udma_chan_priv *p, struct tasklet_struct *t)
{
	__atomic_store_n(&p->running, t, __ATOMIC_RELEASE);
	__atomic_fetch_add(&p->run_seq, 1, __ATOMIC_ACQ_REL); /* odd: running */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Clear SCHED before running so the tasklet can be rescheduled. */
	__atomic_fetch_and(&t->udma_state, ~TASKLET_SCHED, __ATOMIC_ACQ_REL);
	t->callback(t);
	__atomic_store_n(&p->running, NULL, __ATOMIC_RELEASE);
	__atomic_fetch_add(&p->run_seq, 1, __ATOMIC_ACQ_REL); /* even: idle */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->sync_waiters, __ATOMIC_ACQUIRE))
		futex_op(&p->run_seq, FUTEX_WAKE, INT32_MAX);
}

static void *chan_thread(void *arg)
{
	struct dma_chan *chan = arg;
	struct udma_chan_priv *p = chan->udma_priv;
	char name[16];

	udma_tls_chan = chan;
	__atomic_store_n(&p->thread_tid, (int32_t)gettid(), __ATOMIC_RELAXED); /* udma_dump */
	/* thread names are at most 15 characters: "udma-dma0chan0" */
	snprintf(name, sizeof(name), "udma-%.10s", chan->udma_name);
	pthread_setname_np(pthread_self(), name);

	for (;;) {
		struct cds_wfcq_node *node;

		node = __cds_wfcq_dequeue_blocking(&p->rq_head, &p->rq_tail);
		if (node) {
			run_one(p, caa_container_of(node, struct tasklet_struct, udma_node));
			continue;
		}
		if (__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
			break;
		for (int i = 0; i < IDLE_SPIN && queue_empty(p) &&
				!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE); i++)
			caa_cpu_relax();
		if (!queue_empty(p))
			continue;
		__atomic_store_n(&p->wake, -1, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!queue_empty(p) || __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&p->wake, 0, __ATOMIC_RELEASE);
			continue;
		}
		while (__atomic_load_n(&p->wake, __ATOMIC_ACQUIRE) == -1)
			futex_op(&p->wake, FUTEX_WAIT, -1); /* EINTR/EAGAIN: re-check */
	}
	udma_tls_chan = NULL;
	return NULL;
}

int udma__chan_thread_start(struct dma_chan *chan)
{
	struct udma_chan_priv *p = chan->udma_priv;
	sigset_t all, old;
	int ret;

	cds_wfcq_init(&p->rq_head, &p->rq_tail);
	p->wake = 0;
	p->run_seq = 0;
	p->stop = 0;
	/* Library threads must not take the process's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&p->thread, NULL, chan_thread, chan);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		udma_err("%s: cannot start completion thread: %s", chan->udma_name,
			 strerror(ret));
		return -ret;
	}
	p->thread_started = true;
	__atomic_fetch_add(&live_threads, 1, __ATOMIC_RELAXED);
	return 0;
}

void udma__chan_thread_stop(struct dma_chan *chan)
{
	struct udma_chan_priv *p = chan->udma_priv;
	struct timespec deadline;
	int ret;

	if (!p->thread_started)
		return;
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	thread_wake(p);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	ret = pthread_timedjoin_np(p->thread, NULL, &deadline);
	if (ret) {
		/* A callback that never returns: leave the thread, say so. */
		udma_err("%s: completion thread did not stop within 10 s (%s); "
			 "a callback is blocked", chan->udma_name, strerror(ret));
		pthread_detach(p->thread);
	} else {
		__atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
	}
	p->thread_started = false;
	cds_wfcq_destroy(&p->rq_head, &p->rq_tail);
}

void udma__chan_wait_seq_change(struct udma_chan_priv *p, int32_t *seq_addr, int32_t seq)
{
	__atomic_fetch_add(&p->sync_waiters, 1, __ATOMIC_ACQ_REL);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (__atomic_load_n(seq_addr, __ATOMIC_ACQUIRE) == seq)
		futex_op(seq_addr, FUTEX_WAIT, seq);
	__atomic_fetch_sub(&p->sync_waiters, 1, __ATOMIC_ACQ_REL);
}

UDMA_EXPORT int udma_chan_sync_completion(struct dma_chan *chan)
{
	struct udma_chan_priv *p;
	int32_t seq, pseq;

	if (!chan || !chan->udma_priv) {
		udma_err("channel %p is not registered", (void *)chan);
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL;
	if (udma_in_completion_context()) {
		udma_err("%s: cannot wait for callbacks from a completion callback",
			 chan->udma_name);
		return -EDEADLK;
	}
	p = chan->udma_priv;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&p->run_seq, __ATOMIC_ACQUIRE);
	pseq = __atomic_load_n(&p->poll_seq, __ATOMIC_ACQUIRE);
	if (seq & 1)
		udma__chan_wait_seq_change(p, &p->run_seq, seq);
	/* a udma_chan_poll() pass running callbacks on another thread */
	if (pseq & 1)
		udma__chan_wait_seq_change(p, &p->poll_seq, pseq);
	return 0;
}

UDMA_EXPORT void tasklet_kill(struct tasklet_struct *t)
{
	struct udma_chan_priv *p;

	if (!t || !t->udma_chan || !t->udma_chan->udma_priv || udma__forked_child(__func__))
		return;
	if (udma_in_completion_context()) {
		udma_err("tasklet_kill from a completion thread would deadlock");
		return;
	}
	p = t->udma_chan->udma_priv;
	for (;;) {
		int32_t seq = __atomic_load_n(&p->run_seq, __ATOMIC_ACQUIRE);

		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!(__atomic_load_n(&t->udma_state, __ATOMIC_ACQUIRE) & TASKLET_SCHED) &&
		    __atomic_load_n(&p->running, __ATOMIC_ACQUIRE) != t)
			return;
		if (seq & 1) {
			udma__chan_wait_seq_change(p, &p->run_seq, seq);
		} else {
			/* queued but not started: let the thread get to it */
			struct timespec ts = { 0, 50000 };
			nanosleep(&ts, NULL);
		}
	}
}
