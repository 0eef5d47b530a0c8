/* SPDX-License-Identifier: MIT */
/*
 * stats.c - per-channel statistics, the summary (udma_dump) and the
 * environment hooks that print it from a running program.
 *
 * Counting (cheap, on the hot path) is done elsewhere: cookie.c counts each
 * cookie's fate in struct dma_chan next to the cookie its writer already
 * writes (udma_submitted beside chan->cookie on the submitters' cache line;
 * completed/errors/aborted beside chan->completed_cookie on the completion
 * side), under the channel lock, as a load and a release store. Providers
 * report bytes with the inline udma_chan_stats_add_bytes() (provider.h: a
 * relaxed add on the completion-side line). This file only reads: finished counters first, then
 * submitted, with acquire loads, so pending never goes negative.
 *
 * Who holds a channel (thread id and name, time of the request, a name the
 * client chose) is recorded here at request and cleared at release.
 *
 * UDMA_DUMP=exit prints the summary when the library shuts down at process
 * exit (before held channels are released, so their holders show).
 * UDMA_DUMP_SIGNAL=USR1 (a name with or without SIG, or a number) installs a
 * handler for that signal only - no signal is touched unless asked - whose
 * only work (async-signal-safe) is a write to an eventfd; a library thread,
 * "udma-dump", with every signal blocked, reads it and prints. A handler the
 * program had installed before is called after ours. UDMA_DUMP_FILE=path
 * appends both kinds of dump to that file instead of stderr.
 *
 * LOCKING: the holder fields of struct udma_chan_priv and priv->vchan (set by
 * udma_vchan_pool_init, owned by completion-ctx.c) are guarded by the
 * registry mutex (registry.c). udma_dump() and
 * udma_chan_get_stats() take it, then each channel's vc->lock in turn for a
 * short list walk (the documented lock order). The text is formatted into
 * memory under the locks and written out after releasing them. The dump
 * machinery's own state (dump_fd, the thread, the old sigaction) is written
 * at init (inside pthread_once) and at exit, on one thread at a time.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core-private.h"
#include <udmaengine/virt-dma.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t load64(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------ hooks for registry.c */

/* At registration, before the channel can be used. */
void udma__stats_chan_init(struct dma_chan *chan)
{
	struct udma_chan_priv *p = chan->udma_priv;

	__atomic_store_n(&chan->udma_submitted, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&chan->udma_completed, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&chan->udma_errors, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&chan->udma_aborted, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&chan->udma_bytes, 0, __ATOMIC_RELAXED);
	p->holder_tid = 0;
	p->held_since_ns = 0;
	p->holder_thread[0] = '\0';
	p->client_name[0] = '\0';
	p->paused = 0;
	p->pool_empty = 0;
}

/* A client takes @chan: remember who. Under the registry mutex. */
void udma__stats_claim(struct dma_chan *chan)
{
	struct udma_chan_priv *p = chan->udma_priv;

	p->holder_tid = (int32_t)gettid();
	p->held_since_ns = mono_ns();
	if (pthread_getname_np(pthread_self(), p->holder_thread, sizeof(p->holder_thread)))
		p->holder_thread[0] = '\0';
	p->client_name[0] = '\0';
	__atomic_store_n(&p->paused, 0, __ATOMIC_RELAXED);
}

/* The client let go of @chan. Under the registry mutex. */
void udma__stats_unclaim(struct dma_chan *chan)
{
	struct udma_chan_priv *p = chan->udma_priv;

	p->holder_tid = 0;
	p->held_since_ns = 0;
	p->holder_thread[0] = '\0';
	p->client_name[0] = '\0';
	__atomic_store_n(&p->paused, 0, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ snapshot */

static uint32_t list_len(const struct cds_list_head *head)
{
	const struct cds_list_head *pos;
	uint32_t n = 0;

	for (pos = head->next; pos != head; pos = pos->next)
		n++;
	return n;
}

/* Counters, finished ones first so that pending cannot go negative. */
static void read_counters(struct dma_chan *chan, struct udma_chan_stats *st)
{
	uint64_t finished;

	st->completed = load64(&chan->udma_completed);
	st->errors = load64(&chan->udma_errors);
	st->aborted = load64(&chan->udma_aborted);
	st->submitted = load64(&chan->udma_submitted);
	st->bytes = __atomic_load_n(&chan->udma_bytes, __ATOMIC_RELAXED);
	finished = st->completed + st->errors + st->aborted;
	st->pending = st->submitted > finished ? st->submitted - finished : 0;
}

/*
 * Fill the whole of @st for @chan. Caller holds the registry mutex. Also
 * returns the cookies and completion-thread facts udma_dump prints.
 */
struct chan_extra {
	dma_cookie_t cookie, completed_cookie;
	int32_t thread_tid;
	bool tasklet_running;
	int32_t sync_waiters;
	bool releasing;
};

static void snapshot_locked(struct dma_chan *chan, struct udma_chan_stats *st,
			    struct chan_extra *ex)
{
	struct udma_chan_priv *p = chan->udma_priv;
	struct virt_dma_chan *vc = p->vchan;
	uint64_t now = mono_ns();

	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->in_use = __atomic_load_n(&chan->client_count, __ATOMIC_ACQUIRE) > 0 ? 1 : 0;
	if (st->in_use || p->releasing) {
		st->client_tid = p->holder_tid;
		st->held_ns = p->held_since_ns && now > p->held_since_ns ?
			      now - p->held_since_ns : 0;
		memcpy(st->client, p->client_name, sizeof(st->client));
		memcpy(st->client_thread, p->holder_thread, sizeof(st->client_thread));
	}
	st->pool_empty = __atomic_load_n(&p->pool_empty, __ATOMIC_RELAXED);

	if (vc) {
		/* One lock hold: counters and lists agree (their writers hold it). */
		spin_lock(&vc->lock);
		read_counters(chan, st);
		st->lists_valid = 1;
		st->prepared = list_len(&vc->desc_allocated);
		st->queued = list_len(&vc->desc_submitted);
		st->issued = list_len(&vc->desc_issued);
		st->done = list_len(&vc->desc_completed);
		st->terminated = list_len(&vc->desc_terminated);
		st->unacked = list_len(&vc->udma_desc_unacked);
		st->pool_free = vc->udma_pool_free;
		st->pool_size = vc->udma_pool_count;
		spin_unlock(&vc->lock);
		{
			uint64_t listed = (uint64_t)st->queued + st->issued + st->done;

			st->active = st->pending > listed ? (uint32_t)(st->pending - listed) : 0;
		}
	} else {
		read_counters(chan, st);
	}

	ex->cookie = __atomic_load_n(&chan->cookie, __ATOMIC_ACQUIRE);
	ex->completed_cookie = __atomic_load_n(&chan->completed_cookie, __ATOMIC_ACQUIRE);
	ex->thread_tid = __atomic_load_n(&p->thread_tid, __ATOMIC_RELAXED);
	ex->tasklet_running = __atomic_load_n(&p->run_seq, __ATOMIC_ACQUIRE) & 1;
	ex->sync_waiters = __atomic_load_n(&p->sync_waiters, __ATOMIC_ACQUIRE);
	ex->releasing = p->releasing;

	if (ex->releasing || ex->sync_waiters > 0 || st->terminated)
		st->state = UDMA_CHAN_TERMINATING;
	else if (__atomic_load_n(&p->paused, __ATOMIC_RELAXED))
		st->state = UDMA_CHAN_PAUSED;
	else if (st->pending || st->done || ex->tasklet_running)
		st->state = UDMA_CHAN_BUSY;
	else
		st->state = UDMA_CHAN_IDLE;
}

/* The first version of struct udma_chan_stats ends after pool_size. */
#define STATS_SIZE_V1 (offsetof(struct udma_chan_stats, pool_size) + sizeof(uint32_t))

UDMA_EXPORT int udma_chan_get_stats(struct dma_chan *chan, struct udma_chan_stats *out)
{
	struct udma_chan_stats st;
	struct chan_extra ex;
	size_t size, given;

	if (!chan || !out) {
		udma_err("NULL %s", chan ? "stats" : "channel");
		return -EINVAL;
	}
	if (!chan->udma_priv) {
		udma_err("channel %p is not registered", (void *)chan);
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL; /* the registry mutex may be held by a parent thread */
	if (out->size < STATS_SIZE_V1) {
		udma_err("%s: stats size %u is smaller than the first version (%zu); "
			 "set out->size = sizeof(*out)", chan->udma_name, out->size,
			 (size_t)STATS_SIZE_V1);
		return -EINVAL;
	}
	udma__registry_lock();
	snapshot_locked(chan, &st, &ex);
	udma__registry_unlock();

	given = out->size;
	size = given < sizeof(st) ? given : sizeof(st);
	memcpy(out, &st, size);
	if (given > sizeof(st)) /* a newer caller: zero what we do not know */
		memset((char *)out + sizeof(st), 0, given - sizeof(st));
	out->size = (uint32_t)size;
	return 0;
}

UDMA_EXPORT int udma_chan_set_client_name(struct dma_chan *chan, const char *name)
{
	if (udma__forked_child(__func__))
		return -EINVAL;
	if (!chan || !chan->udma_priv) {
		udma_err("NULL or unregistered channel");
		return -EINVAL;
	}
	udma__registry_lock();
	if (!udma__chan_held(chan) || chan->udma_priv->releasing) {
		udma__registry_unlock();
		udma_err("%s is not held by a client", chan->udma_name);
		return -EINVAL;
	}
	snprintf(chan->udma_priv->client_name, sizeof(chan->udma_priv->client_name), "%s",
		 name ? name : "");
	udma__registry_unlock();
	return 0;
}

/* ------------------------------------------------------------- summary */

static void dump_chan(FILE *f, struct dma_chan *chan)
{
	struct udma_chan_stats st;
	struct chan_extra ex;

	snapshot_locked(chan, &st, &ex);

	fprintf(f, " %-13s| ", chan->udma_name);
	if (!st.in_use && !ex.releasing) {
		fprintf(f, "free\n");
	} else {
		fprintf(f, "%s", st.client[0] ? st.client : "in-use");
		if (chan->name || chan->slave)
			fprintf(f, " [%s%s%s]", chan->slave ? dev_name(chan->slave) : "",
				chan->slave && chan->name ? " " : "",
				chan->name ? chan->name : "");
		fprintf(f, " (thread %d \"%s\", held %llu.%03llu s)%s\n", (int)st.client_tid,
			st.client_thread, (unsigned long long)(st.held_ns / 1000000000ull),
			(unsigned long long)(st.held_ns / 1000000ull % 1000ull),
			ex.releasing ? ", being released" : "");
	}
	fprintf(f, "     state %s; submitted %llu, completed %llu, errors %llu, "
		"aborted %llu, pending %llu; bytes %llu\n",
		udma_chan_state_name((enum udma_chan_state)st.state),
		(unsigned long long)st.submitted, (unsigned long long)st.completed,
		(unsigned long long)st.errors, (unsigned long long)st.aborted,
		(unsigned long long)st.pending, (unsigned long long)st.bytes);
	if (st.lists_valid) {
		fprintf(f, "     pending: %u queued (not issued), %u issued, %u active, "
			"%u done (callback not run)\n",
			st.queued, st.issued, st.active, st.done);
		fprintf(f, "     descriptors: %u terminated (not synchronized), %u unacked, "
			"%u prepared; pool %u/%u free, empty %llu times\n",
			st.terminated, st.unacked, st.prepared, st.pool_free, st.pool_size,
			(unsigned long long)st.pool_empty);
	}
	fprintf(f, "     cookies: last used %d, last completed %d; ", (int)ex.cookie,
		(int)ex.completed_cookie);
	if (ex.thread_tid) /* 0 until the new thread first runs */
		fprintf(f, "completion thread %d: %s", (int)ex.thread_tid,
			ex.tasklet_running ? "running a tasklet or callback" : "idle");
	else
		fprintf(f, "completion thread: not started yet");
	if (ex.sync_waiters > 0)
		fprintf(f, ", %d thread(s) waiting in dmaengine_synchronize", (int)ex.sync_waiters);
	fprintf(f, "\n");
}

UDMA_EXPORT int udma_dump(FILE *out)
{
	struct cds_list_head *devices;
	struct dma_device *device;
	unsigned int nr_devices = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret = 0;

	if (!out) {
		udma_err("NULL output stream");
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL; /* the registry mutex may be held by a parent thread */
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "udmaengine summary (pid %d)\n", (int)getpid());
	udma__registry_lock();
	devices = udma__device_list_locked();
	cds_list_for_each_entry(device, devices, global_node) {
		struct dma_chan *chan;

		nr_devices++;
		fprintf(f, "dma%d (%s): number of channels: %u\n", device->dev_id,
			device->udma_name ? device->udma_name : dev_name(device->dev),
			device->chancnt);
		cds_list_for_each_entry(chan, &device->channels, device_node)
			dump_chan(f, chan);
	}
	udma__registry_unlock();
	if (!nr_devices)
		fprintf(f, "no DMA device registered\n");
	fprintf(f, "end of udmaengine summary\n");
	if (fclose(f) || !text)
		ret = -ENOMEM;
	else if (fwrite(text, 1, len, out) != len || fflush(out))
		ret = -EIO;
	free(text);
	return ret;
}

/* ------------------------------------------------- environment hooks */

static bool dump_at_exit;
static int dump_fd = -1;            /* eventfd the signal handler writes */
static int dump_signo;
static struct sigaction dump_old_action;
static pthread_t dump_thread;
static bool dump_thread_started;
static int dump_stop;               /* [A] */

/*
 * A forked child has no dump thread, and its eventfd is the parent's: the
 * child drops the signal hook and the fd, so its signals and its exit never
 * reach the parent's thread.
 */
static void dump_atfork_child(void)
{
	if (dump_signo) {
		sigaction(dump_signo, &dump_old_action, NULL);
		dump_signo = 0;
	}
	dump_thread_started = false;
	if (dump_fd >= 0) {
		close(dump_fd);
		dump_fd = -1;
	}
}

/* Print to UDMA_DUMP_FILE (appending) or stderr. */
static void dump_to_target(void)
{
	const char *path = getenv("UDMA_DUMP_FILE");
	FILE *f;

	if (!path || !*path) {
		udma_dump(stderr);
		return;
	}
	f = fopen(path, "ae");
	if (!f) {
		udma_err("UDMA_DUMP_FILE %s: %s", path, strerror(errno));
		return;
	}
	udma_dump(f);
	fclose(f);
}

static void dump_signal_handler(int signo, siginfo_t *info, void *uctx)
{
	int saved = errno;
	uint64_t one = 1;

	if (dump_fd >= 0 && write(dump_fd, &one, sizeof(one)) < 0) {
		/* nothing async-signal-safe to do about it */
	}
	errno = saved;
	/* chain to what the program had installed */
	if (dump_old_action.sa_flags & SA_SIGINFO) {
		if (dump_old_action.sa_sigaction)
			dump_old_action.sa_sigaction(signo, info, uctx);
	} else if (dump_old_action.sa_handler != SIG_DFL &&
		   dump_old_action.sa_handler != SIG_IGN && dump_old_action.sa_handler) {
		dump_old_action.sa_handler(signo);
	}
}

static void *dump_thread_fn(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "udma-dump");
	for (;;) {
		uint64_t v;
		ssize_t n = read(dump_fd, &v, sizeof(v));

		if (__atomic_load_n(&dump_stop, __ATOMIC_ACQUIRE))
			break;
		if (n == (ssize_t)sizeof(v))
			dump_to_target();
		else if (n < 0 && errno != EINTR && errno != EAGAIN)
			break;
	}
	return NULL;
}

/* "USR1", "SIGUSR1", "usr2", "10": the signal number, or 0. */
static int parse_signal(const char *s)
{
	static const struct { const char *name; int signo; } names[] = {
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "HUP", SIGHUP },
		{ "WINCH", SIGWINCH }, { "URG", SIGURG }, { "PWR", SIGPWR },
	};
	char *end;
	long v;

	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].signo;
	v = strtol(s, &end, 10);
	if (*s && !*end && v > 0 && v <= SIGRTMAX && v != SIGKILL && v != SIGSTOP &&
	    v != SIGSEGV && v != SIGBUS && v != SIGFPE && v != SIGILL && v != SIGABRT)
		return (int)v;
	return 0;
}

static void start_signal_dump(const char *spec)
{
	struct sigaction sa;
	sigset_t all, old;
	int signo = parse_signal(spec), ret;

	if (!signo) {
		udma_err("UDMA_DUMP_SIGNAL=%s: not a signal this library can use "
			 "(USR1, USR2, HUP, WINCH, URG, PWR or a number)", spec);
		return;
	}
	dump_fd = eventfd(0, EFD_CLOEXEC);
	if (dump_fd < 0) {
		udma_err("UDMA_DUMP_SIGNAL: eventfd: %s", strerror(errno));
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&dump_thread, NULL, dump_thread_fn, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		udma_err("UDMA_DUMP_SIGNAL: cannot start the dump thread: %s", strerror(ret));
		close(dump_fd);
		dump_fd = -1;
		return;
	}
	dump_thread_started = true;
	pthread_atfork(NULL, NULL, dump_atfork_child);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = dump_signal_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, &dump_old_action)) {
		udma_err("UDMA_DUMP_SIGNAL: sigaction(%d): %s", signo, strerror(errno));
		return;
	}
	dump_signo = signo;
	udma_info("udma_dump on signal %d (UDMA_DUMP_SIGNAL)", signo);
}

/* From the one-time init (plugin.c), after the providers are loaded. */
void udma__stats_env_init(void)
{
	const char *when = getenv("UDMA_DUMP");
	const char *sig = getenv("UDMA_DUMP_SIGNAL");

	if (when && *when) {
		if (!strcasecmp(when, "exit"))
			dump_at_exit = true;
		else
			udma_err("UDMA_DUMP=%s: the only value is \"exit\"", when);
	}
	if (sig && *sig)
		start_signal_dump(sig);
}

/* From the exit path (plugin.c), before held channels are released. */
void udma__stats_exit(void)
{
	if (dump_at_exit)
		dump_to_target();
	if (dump_signo) {
		sigaction(dump_signo, &dump_old_action, NULL);
		dump_signo = 0;
	}
	if (dump_thread_started) {
		uint64_t one = 1;

		__atomic_store_n(&dump_stop, 1, __ATOMIC_RELEASE);
		if (write(dump_fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
			pthread_join(dump_thread, NULL);
		else
			pthread_detach(dump_thread);
		dump_thread_started = false;
	}
	/*
	 * dump_fd stays open: a handler already entered on another thread may
	 * still write to it, and the process is ending.
	 */
}
