/* SPDX-License-Identifier: MIT */
/*
 * udmatest.c - udmatest, the userspace twin of the kernel's dmatest for
 * DMA_MEMCPY channels (plus, like dmatest, xor and pq threads on channels
 * that also have DMA_XOR / DMA_PQ).
 *
 * This file owns the whole tool: command-line parameters, channel requests
 * (every DMA_MEMCPY channel the channel/device filters accept), one or more
 * test threads per channel, the byte patterns and their verification, the
 * per-thread result and summary lines, the progress line, and the release of
 * every channel at the end. It is a plain dmaengine client: it uses only the
 * kernel-named API of <udmaengine/dmaengine.h>.
 *
 * Each test copies len bytes from src+src_off to dst+dst_off inside two
 * test_buf_size buffers. Before the copy every byte of both buffers carries a
 * pattern: a "source"/"destination" bit, a "copy"/"overwrite" bit inside the
 * region to be copied, and the inverted low 5 bits of its index. After the
 * copy, src must be unchanged, dst must hold the source bytes in the copied
 * region (which proves they came from the right place) and nothing outside it
 * may have changed. An xor test XORs an odd number (xor_sources) of
 * identical source buffers, a pq test computes P and Q of an odd number
 * (pq_sources) of them with every coefficient 1: each result equals the
 * source, so the same patterns verify every source and destination buffer.
 *
 * Waiting for a non-polled copy: the completion callback only wakes the
 * thread; the cookie status is what decides. A wake-up that does not belong
 * to the current transfer (the late callback of an earlier one, or a sibling
 * thread telling us it terminated the shared channel) therefore costs one
 * status query and nothing else. Whenever a transfer is abandoned while it may
 * still be running, the channel is terminated (dmaengine_terminate_sync) so
 * the engine no longer touches the buffers; the thread structures, which
 * callbacks point to, live until the channels have been released.
 *
 * Exit status: 0 all tests passed, 1 a test failed / no channel / setup
 * error / interrupted before the requested iterations, 2 bad arguments.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <udmaengine/dmaengine.h>

/* ------------------------------------------------------------ patterns */

#define PATTERN_SRC		0x80
#define PATTERN_DST		0x00
#define PATTERN_COPY		0x40
#define PATTERN_OVERWRITE	0x20
#define PATTERN_COUNT_MASK	0x1f

#define MAX_ERROR_COUNT		32	/* mismatches printed per test */
#define MAX_ALIGN_SHIFT		30	/* largest alignment parameter accepted */
#define MAX_BUF_SIZE		(1u << 30)
#define MAX_THREADS_PER_CHAN	1024
#define MAX_SRCS		254	/* sources + destinations stay below 255 */
#define PREP_BACKOFF_MS		100
#define PROGRESS_DELAY_NS	(2 * NSEC_PER_SEC)

#define NSEC_PER_SEC		1000000000ULL
#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_USEC		1000ULL

/* ---------------------------------------------------------- parameters */

struct params {
	const char *channel;		/* "" = any */
	const char *device;		/* "" = any */
	unsigned int threads_per_chan;
	unsigned int max_channels;	/* 0 = all */
	unsigned int iterations;	/* 0 = until interrupted */
	unsigned int buf_size;
	unsigned int transfer_size;	/* 0 = random */
	int timeout;			/* ms, -1 = infinite */
	bool noverify;
	bool norandom;
	bool polled;
	int alignment;			/* -1 = device copy_align */
	bool verbose;
	unsigned int xor_sources;	/* forced odd, at most max_xor */
	unsigned int pq_sources;	/* forced odd, at most dma_maxpq() */
};

static struct params opt = {
	.channel = "",
	.device = "",
	.threads_per_chan = 1,
	.max_channels = 0,
	.iterations = 2000,
	.buf_size = 16384,
	.transfer_size = 0,
	.timeout = 3000,
	.noverify = false,
	.norandom = false,
	.polled = false,
	.alignment = -1,
	.verbose = false,
	.xor_sources = 3,
	.pq_sources = 3,
};

enum param_type { P_STR, P_UINT, P_INT, P_BOOL };

struct param_desc {
	const char *name;
	enum param_type type;
	void *var;
	long long min, max;
	const char *help;
};

static const struct param_desc param_descs[] = {
	{ "channel", P_STR, &opt.channel, 0, 0,
	  "test only the channel with this name, e.g. dma0chan1 (\"\" = any)" },
	{ "device", P_STR, &opt.device, 0, 0,
	  "test only channels of this DMA device (udma_name or dev_name; \"\" = any)" },
	{ "threads_per_chan", P_UINT, &opt.threads_per_chan, 1, MAX_THREADS_PER_CHAN,
	  "number of test threads per channel" },
	{ "max_channels", P_UINT, &opt.max_channels, 0, UINT_MAX,
	  "maximum number of channels to use (0 = all)" },
	{ "iterations", P_UINT, &opt.iterations, 0, UINT_MAX,
	  "tests per thread (0 = until SIGINT/SIGTERM)" },
	{ "test_buf_size", P_UINT, &opt.buf_size, 1, MAX_BUF_SIZE,
	  "size of the source and destination buffers, bytes" },
	{ "transfer_size", P_UINT, &opt.transfer_size, 0, MAX_BUF_SIZE,
	  "bytes per copy, < test_buf_size (0 = random)" },
	{ "timeout", P_INT, &opt.timeout, -1, INT_MAX,
	  "completion wait in ms (-1 = infinite; polled mode uses dma_sync_wait's own)" },
	{ "noverify", P_BOOL, &opt.noverify, 0, 1,
	  "do not fill or verify the buffers (throughput mode)" },
	{ "norandom", P_BOOL, &opt.norandom, 0, 1,
	  "whole-buffer copies at offset 0 instead of random lengths/offsets" },
	{ "polled", P_BOOL, &opt.polled, 0, 1,
	  "wait with dma_sync_wait() instead of a completion callback" },
	{ "alignment", P_INT, &opt.alignment, -1, MAX_ALIGN_SHIFT,
	  "log2 of the buffer/offset/length alignment (-1 = device copy_align)" },
	{ "verbose", P_BOOL, &opt.verbose, 0, 1,
	  "print a result line for passed tests too" },
	{ "xor_sources", P_UINT, &opt.xor_sources, 1, MAX_SRCS,
	  "sources of an xor test (forced odd, at most the device's max_xor)" },
	{ "pq_sources", P_UINT, &opt.pq_sources, 1, MAX_SRCS,
	  "sources of a pq test (forced odd, at most dma_maxpq())" },
};

#define NR_PARAMS (sizeof(param_descs) / sizeof(param_descs[0]))

/* ------------------------------------------------------------- threads */

struct test_chan;

/* What a thread tests, as dmatest's thread types. */
enum test_op { OP_COPY, OP_XOR, OP_PQ, NR_OPS };

static const char *const op_name[NR_OPS] = { "copy", "xor", "pq" };
static const enum dma_transaction_type op_cap[NR_OPS] = { DMA_MEMCPY, DMA_XOR, DMA_PQ };

struct test_thread {
	struct test_chan *tc;
	enum test_op op;
	char name[64];			/* "<chan>-<op><i>" */
	unsigned int seq;		/* global thread number, seeds the PRNG */
	pthread_t tid;

	/* Wake-ups: set by our completion callback and by siblings. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool wake;			/* under lock */
	unsigned long callbacks;	/* under lock: callbacks received */

	/* Progress, read by the main thread while the test runs. */
	atomic_uint tests;
	atomic_uint failures;

	/* Final results, read after pthread_join(). */
	unsigned int total_tests;
	unsigned int failed_tests;
	int ret;
};

struct test_chan {
	struct dma_chan *chan;
	struct test_thread *threads;	/* threads_per_chan slots */
	unsigned int nthreads;		/* slots holding a created thread */
	/*
	 * Held shared from prep to submit, exclusively around a terminate:
	 * a terminate reclaims prepared descriptors, so one landing between a
	 * sibling's prep and submit would hand that sibling a recycled
	 * descriptor.
	 */
	pthread_rwlock_t term_lock;
	struct test_chan *next;
};

/* Per-thread state of the test loop. */
struct test_state {
	struct test_thread *t;
	struct dma_chan *chan;
	struct device *dev;
	uint8_t *src[MAX_SRCS];		/* src_cnt identical sources */
	uint8_t *dst[2];		/* dst_cnt destinations (pq: P, Q) */
	unsigned int src_cnt;
	unsigned int dst_cnt;
	unsigned char coefs[MAX_SRCS];	/* pq: all 1 */
	size_t buf_size;
	size_t align_bytes;
	unsigned long flags;
	bool no_order;
	uint64_t rng;
	uint64_t total_len;
	uint64_t fill_ns;		/* excluded from the runtime */
	uint64_t cmp_ns;		/* excluded from the runtime */
};

/* Result of one test, as the kernel's dmatest words it. */
struct test_result {
	const char *msg;		/* NULL: passed */
	unsigned long data;
};

/* Start gate: threads wait here until every channel has been requested. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;

/* Running-thread count; the main thread waits on it (CLOCK_MONOTONIC). */
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond;
static unsigned int threads_running;

/* Set by SIGINT/SIGTERM: threads stop after their current test. */
static atomic_int stop_requested;

/* Output: whole lines under one lock, so that threads and the progress
 * line do not interleave. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static bool progress_enabled;	/* stderr is a terminal */
static bool stdout_tty;
static bool progress_shown;	/* under out_lock: cursor ends a progress line */

/* -------------------------------------------------------------- helpers */

static void die(const char *what, int err)
{
	fprintf(stderr, "udmatest: %s: %s\n", what, strerror(err));
	abort();
}

static void mutex_lock(pthread_mutex_t *m)
{
	int rc = pthread_mutex_lock(m);

	if (rc)
		die("pthread_mutex_lock", rc);
}

static void mutex_unlock(pthread_mutex_t *m)
{
	int rc = pthread_mutex_unlock(m);

	if (rc)
		die("pthread_mutex_unlock", rc);
}

static void rwlock_rdlock(pthread_rwlock_t *l)
{
	int rc = pthread_rwlock_rdlock(l);

	if (rc)
		die("pthread_rwlock_rdlock", rc);
}

static void rwlock_wrlock(pthread_rwlock_t *l)
{
	int rc = pthread_rwlock_wrlock(l);

	if (rc)
		die("pthread_rwlock_wrlock", rc);
}

static void rwlock_unlock(pthread_rwlock_t *l)
{
	int rc = pthread_rwlock_unlock(l);

	if (rc)
		die("pthread_rwlock_unlock", rc);
}

/* Writers first, so a terminate is not starved by a busy channel. */
static int rwlock_init_writer_pref(pthread_rwlock_t *l)
{
	pthread_rwlockattr_t attr;
	int rc;

	rc = pthread_rwlockattr_init(&attr);
	if (rc)
		return rc;
	rc = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	if (!rc)
		rc = pthread_rwlock_init(l, &attr);
	if (pthread_rwlockattr_destroy(&attr) && !rc)
		rc = EINVAL;
	return rc;
}

static void cond_signal(pthread_cond_t *c)
{
	int rc = pthread_cond_signal(c);

	if (rc)
		die("pthread_cond_signal", rc);
}

static void cond_broadcast(pthread_cond_t *c)
{
	int rc = pthread_cond_broadcast(c);

	if (rc)
		die("pthread_cond_broadcast", rc);
}

static void cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	int rc = pthread_cond_wait(c, m);

	if (rc)
		die("pthread_cond_wait", rc);
}

/* Returns false when @deadline (CLOCK_MONOTONIC) has passed. */
static bool cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
			   const struct timespec *deadline)
{
	int rc = pthread_cond_timedwait(c, m, deadline);

	if (rc == ETIMEDOUT)
		return false;
	if (rc)
		die("pthread_cond_timedwait", rc);
	return true;
}

/* A condition variable that measures timeouts on CLOCK_MONOTONIC. */
static int cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t attr;
	int rc;

	rc = pthread_condattr_init(&attr);
	if (rc)
		return rc;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(c, &attr);
	if (pthread_condattr_destroy(&attr) && !rc)
		rc = EINVAL;
	return rc;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime", errno);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static struct timespec ns_to_timespec(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};

	return ts;
}

/* Back-off after a prep/submit failure (a pause, not a wait for an event). */
static void sleep_ms(unsigned int ms)
{
	struct timespec ts = ns_to_timespec((uint64_t)ms * NSEC_PER_MSEC);

	/* EINTR (a stop signal) just ends the back-off early. */
	while (nanosleep(&ts, &ts) && errno == EINTR &&
	       !atomic_load_explicit(&stop_requested, memory_order_relaxed))
		;
}

/* (a * b) / c without overflow; 0 when c is 0. */
static unsigned long long mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 r;

	if (!c)
		return 0;
	r = (unsigned __int128)a * b / c;
	return r > ULLONG_MAX ? ULLONG_MAX : (unsigned long long)r;
}

/* ---------------------------------------------------------------- output */

static void out(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print one line to @f (stdout or stderr), ending a progress line first if
 * it would otherwise share the terminal line. */
static void out(FILE *f, const char *fmt, ...)
{
	va_list ap;

	mutex_lock(&out_lock);
	if (progress_shown && (f == stderr || stdout_tty)) {
		fputc('\n', stderr);
		fflush(stderr);
		progress_shown = false;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fflush(f);
	mutex_unlock(&out_lock);
}

/* Library messages go through out() too, so they do not tear our lines. */
static void log_sink(int level, const char *func, const char *msg, void *userdata)
{
	(void)level;
	(void)userdata;
	out(stderr, "udmaengine: %s: %s\n", func ? func : "?", msg ? msg : "");
}

static void report(const struct test_thread *t, unsigned int n, const char *msg,
		   size_t src_off, size_t dst_off, size_t len, unsigned long data)
{
	out(stdout, "udmatest: %s: result #%u: '%s' with src_off=0x%zx dst_off=0x%zx len=0x%zx (%lu)\n",
	    t->name, n, msg, src_off, dst_off, len, data);
}

static void show_progress(uint64_t start_ns, struct test_chan *chans, bool final)
{
	unsigned long long tests = 0, failures = 0, total = 0;
	struct test_chan *tc;
	unsigned int i;

	if (!progress_enabled)
		return;
	if (!final && now_ns() - start_ns < PROGRESS_DELAY_NS)
		return;
	for (tc = chans; tc; tc = tc->next) {
		for (i = 0; i < tc->nthreads; i++) {
			tests += atomic_load_explicit(&tc->threads[i].tests,
						      memory_order_relaxed);
			failures += atomic_load_explicit(&tc->threads[i].failures,
							 memory_order_relaxed);
			total += opt.iterations;
		}
	}

	mutex_lock(&out_lock);
	if (final) {
		/* Only close a line that is still on the screen. */
		if (progress_shown)
			fputc('\n', stderr);
		progress_shown = false;
	} else {
		if (opt.iterations)
			fprintf(stderr, "\rudmatest: %llu/%llu tests, %llu failures",
				tests, total, failures);
		else
			fprintf(stderr, "\rudmatest: %llu tests, %llu failures",
				tests, failures);
		progress_shown = true;
	}
	fflush(stderr);
	mutex_unlock(&out_lock);
}

/* ------------------------------------------------------------------ PRNG */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* xorshift64*: plenty for lengths and offsets. */
static uint32_t rnd32(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint64_t rng_seed(unsigned int seq)
{
	struct timespec ts;
	uint64_t s;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		die("clock_gettime", errno);
	s = splitmix64((uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec);
	s = splitmix64(s ^ ((uint64_t)seq << 32) ^ (uint64_t)getpid());
	return s ? s : 0x2545f4914f6cdd1dULL;
}

/* ------------------------------------------------------ fill and verify */

static inline uint8_t inv_idx(size_t i)
{
	return (uint8_t)(~i & PATTERN_COUNT_MASK);
}

static inline bool in_range(size_t i, size_t off, size_t len)
{
	return i >= off && i - off < len;
}

/* What src[i] holds, before and (unchanged) after the copy. */
static inline uint8_t src_expected(size_t i, size_t src_off, size_t len)
{
	return (uint8_t)(PATTERN_SRC | inv_idx(i) |
			 (in_range(i, src_off, len) ? PATTERN_COPY : 0));
}

/* What dst[i] holds before the copy. */
static inline uint8_t dst_initial(size_t i, size_t dst_off, size_t len)
{
	return (uint8_t)(PATTERN_DST | inv_idx(i) |
			 (in_range(i, dst_off, len) ? PATTERN_OVERWRITE : 0));
}

/* What dst[i] must hold after the copy. */
static inline uint8_t dst_expected(size_t i, size_t src_off, size_t dst_off, size_t len)
{
	if (in_range(i, dst_off, len))
		return (uint8_t)(PATTERN_SRC | PATTERN_COPY | inv_idx(src_off + (i - dst_off)));
	return (uint8_t)(PATTERN_DST | inv_idx(i));
}

static void fill_buffers(struct test_state *s, size_t src_off, size_t dst_off, size_t len)
{
	size_t i;
	unsigned int b;

	for (i = 0; i < s->buf_size; i++) {
		s->src[0][i] = src_expected(i, src_off, len);
		s->dst[0][i] = dst_initial(i, dst_off, len);
	}
	for (b = 1; b < s->src_cnt; b++)
		memcpy(s->src[b], s->src[0], s->buf_size);
	for (b = 1; b < s->dst_cnt; b++)
		memcpy(s->dst[b], s->dst[0], s->buf_size);
}

static void mismatch(const struct test_thread *t, bool is_src, size_t i,
		     uint8_t expected, uint8_t actual, unsigned long *errors)
{
	const char *what;

	if (++*errors > MAX_ERROR_COUNT)
		return;
	if (is_src)
		what = "overwritten!";
	else if (expected & PATTERN_COPY)
		/* Inside the copy: the source bits never arrived. */
		what = ((expected ^ actual) & (PATTERN_SRC | PATTERN_COPY | PATTERN_OVERWRITE)) ?
		       "not copied!" : "mismatch!";
	else
		/* Outside the copy: source bytes landed where they should not. */
		what = (actual & PATTERN_SRC) ? "was copied!" : "mismatch!";

	out(stdout, "udmatest: %s: %s[0x%zx] %s Expected %02x, got %02x\n",
	    t->name, is_src ? "srcbuf" : "dstbuf", i, what, expected, actual);
}

/*
 * Check the six ranges (src head/copy/tail, dst head/copy/tail) in one pass
 * per buffer, for every source and destination. Return: the number of wrong
 * bytes.
 */
static unsigned long verify_buffers(const struct test_state *s, size_t src_off,
				    size_t dst_off, size_t len)
{
	unsigned long errors = 0;
	unsigned int b;
	size_t i;

	for (b = 0; b < s->src_cnt; b++) {
		for (i = 0; i < s->buf_size; i++) {
			uint8_t e = src_expected(i, src_off, len);

			if (s->src[b][i] != e)
				mismatch(s->t, true, i, e, s->src[b][i], &errors);
		}
	}
	for (b = 0; b < s->dst_cnt; b++) {
		for (i = 0; i < s->buf_size; i++) {
			uint8_t e = dst_expected(i, src_off, dst_off, len);

			if (s->dst[b][i] != e)
				mismatch(s->t, false, i, e, s->dst[b][i], &errors);
		}
	}
	if (errors > MAX_ERROR_COUNT)
		out(stdout, "udmatest: %s: %lu errors suppressed\n", s->t->name,
		    errors - MAX_ERROR_COUNT);
	return errors;
}

/* --------------------------------------------------------- wait helpers */

static void copy_done(void *param)
{
	struct test_thread *t = param;

	mutex_lock(&t->lock);
	t->callbacks++;
	t->wake = true;
	cond_signal(&t->cond);
	mutex_unlock(&t->lock);
}

/* Wake the other threads of our channel: their transfers may be gone. */
static void kick_siblings(const struct test_thread *t)
{
	struct test_chan *tc = t->tc;
	unsigned int i;

	for (i = 0; i < tc->nthreads; i++) {
		struct test_thread *s = &tc->threads[i];

		if (s == t)
			continue;
		mutex_lock(&s->lock);
		s->wake = true;
		cond_signal(&s->cond);
		mutex_unlock(&s->lock);
	}
}

/* Stop whatever may still run on the channel so our buffers are ours again. */
static void abort_channel(const struct test_thread *t)
{
	int rc;

	rwlock_wrlock(&t->tc->term_lock);
	rc = dmaengine_terminate_sync(t->tc->chan);
	rwlock_unlock(&t->tc->term_lock);

	if (rc)
		out(stderr, "udmatest: %s: dmaengine_terminate_sync failed (%d)\n",
		    t->name, rc);
	kick_siblings(t);
}

static bool still_running(enum dma_status st, bool no_order, bool got_callback)
{
	if (st == DMA_IN_PROGRESS || st == DMA_PAUSED)
		return true;
	/* A no-order engine cannot tell; its callback is the answer. */
	return st == DMA_OUT_OF_ORDER && no_order && !got_callback;
}

static bool status_ok(enum dma_status st, bool no_order)
{
	return st == DMA_COMPLETE || (no_order && st == DMA_OUT_OF_ORDER);
}

/*
 * Non-polled wait: sleep until woken (callback or sibling), then ask the
 * engine. Sets *timed_out when the transfer is still running at the deadline.
 */
static enum dma_status wait_callback(struct test_state *s, dma_cookie_t cookie,
				     unsigned long cb_mark, bool *timed_out)
{
	struct test_thread *t = s->t;
	struct timespec deadline = { 0, 0 };
	bool expired = false;
	enum dma_status st;

	if (opt.timeout >= 0)
		deadline = ns_to_timespec(now_ns() + (uint64_t)opt.timeout * NSEC_PER_MSEC);

	for (;;) {
		bool got_callback;

		st = dma_async_is_tx_complete(s->chan, cookie, NULL, NULL);
		mutex_lock(&t->lock);
		got_callback = t->callbacks != cb_mark;
		if (!still_running(st, s->no_order, got_callback)) {
			mutex_unlock(&t->lock);
			break;
		}
		if (expired) {
			mutex_unlock(&t->lock);
			*timed_out = true;
			break;
		}
		while (!t->wake && !expired) {
			if (opt.timeout < 0)
				cond_wait(&t->cond, &t->lock);
			else if (!cond_timedwait(&t->cond, &t->lock, &deadline))
				expired = true;
		}
		t->wake = false;
		mutex_unlock(&t->lock);
		/* Loop: one more status query decides, even at the deadline. */
	}
	return st;
}

/* Polled wait: dma_sync_wait(), which reports its own timeout as DMA_ERROR. */
static enum dma_status wait_polled(struct test_state *s, dma_cookie_t cookie,
				   bool *timed_out)
{
	enum dma_status st = dma_sync_wait(s->chan, cookie);

	if (st == DMA_ERROR) {
		enum dma_status now = dma_async_is_tx_complete(s->chan, cookie, NULL, NULL);

		if (now == DMA_IN_PROGRESS || now == DMA_PAUSED) {
			*timed_out = true;
			st = now;
		}
	}
	return st;
}

/* ------------------------------------------------------------ one test */

/* Undo map_buffers() for the first @ns sources and @nd destinations. */
static void unmap_buffers(const struct test_state *s, const dma_addr_t *src_dma,
			  unsigned int ns, const dma_addr_t *dst_dma, unsigned int nd)
{
	while (nd--)
		dma_unmap_single(s->dev, dst_dma[nd], s->buf_size, DMA_BIDIRECTIONAL);
	while (ns--)
		dma_unmap_single(s->dev, src_dma[ns], s->buf_size, DMA_TO_DEVICE);
}

/* Map every buffer whole. Return: NULL, or dmatest's message for a failure. */
static const char *map_buffers(const struct test_state *s, dma_addr_t *src_dma,
			       dma_addr_t *dst_dma)
{
	unsigned int i;

	for (i = 0; i < s->src_cnt; i++) {
		src_dma[i] = dma_map_single(s->dev, s->src[i], s->buf_size, DMA_TO_DEVICE);
		if (dma_mapping_error(s->dev, src_dma[i])) {
			unmap_buffers(s, src_dma, i, dst_dma, 0);
			return "src mapping error";
		}
	}
	for (i = 0; i < s->dst_cnt; i++) {
		dst_dma[i] = dma_map_single(s->dev, s->dst[i], s->buf_size, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(s->dev, dst_dma[i])) {
			unmap_buffers(s, src_dma, s->src_cnt, dst_dma, i);
			return "dst mapping error";
		}
	}
	return NULL;
}

/* The thread's operation on the mapped buffers (raw device hooks for xor/pq). */
static struct dma_async_tx_descriptor *prep_op(struct test_state *s, const dma_addr_t *src_dma,
					       const dma_addr_t *dst_dma, size_t src_off,
					       size_t dst_off, size_t len)
{
	struct dma_device *dd = s->chan->device;
	dma_addr_t srcs[MAX_SRCS], dsts[2];
	unsigned int i;

	if (s->t->op == OP_COPY)
		return dmaengine_prep_dma_memcpy(s->chan, dst_dma[0] + dst_off,
						 src_dma[0] + src_off, len, s->flags);
	for (i = 0; i < s->src_cnt; i++)
		srcs[i] = src_dma[i] + src_off;
	for (i = 0; i < s->dst_cnt; i++)
		dsts[i] = dst_dma[i] + dst_off;
	if (s->t->op == OP_XOR)
		return dd->device_prep_dma_xor(s->chan, dsts[0], srcs, s->src_cnt, len, s->flags);
	return dd->device_prep_dma_pq(s->chan, dsts, srcs, s->src_cnt, s->coefs, len, s->flags);
}

static struct test_result one_test(struct test_state *s, unsigned int n)
{
	struct test_thread *t = s->t;
	struct test_result r = { NULL, 0 };
	size_t len, src_off, dst_off;
	size_t amask = ~(s->align_bytes - 1);
	dma_addr_t src_dma[MAX_SRCS], dst_dma[2];
	struct dma_async_tx_descriptor *tx;
	unsigned long cb_mark = 0;
	bool timed_out = false;
	dma_cookie_t cookie;
	enum dma_status st;
	unsigned long errors;
	uint64_t t0;

	if (opt.transfer_size)
		len = opt.transfer_size;	/* < buf_size: checked at parse time */
	else if (opt.norandom)
		len = s->buf_size;
	else
		len = rnd32(&s->rng) % s->buf_size + 1;
	if (!opt.transfer_size) {
		len &= amask;
		if (!len)
			len = s->align_bytes;
	}
	if (opt.norandom) {
		src_off = 0;
		dst_off = 0;
	} else {
		src_off = (rnd32(&s->rng) % (s->buf_size - len + 1)) & amask;
		dst_off = (rnd32(&s->rng) % (s->buf_size - len + 1)) & amask;
	}
	s->total_len += len;

	if (!opt.noverify) {
		t0 = now_ns();
		fill_buffers(s, src_off, dst_off, len);
		s->fill_ns += now_ns() - t0;
	}

	r.msg = map_buffers(s, src_dma, dst_dma);
	if (r.msg)
		goto report;

	rwlock_rdlock(&t->tc->term_lock);
	tx = prep_op(s, src_dma, dst_dma, src_off, dst_off, len);
	if (!tx) {
		rwlock_unlock(&t->tc->term_lock);
		r.msg = "prep error";
		goto unmap_backoff;
	}

	if (!opt.polled) {
		mutex_lock(&t->lock);
		t->wake = false;
		cb_mark = t->callbacks;
		mutex_unlock(&t->lock);
		tx->callback = copy_done;
		tx->callback_param = t;
	}

	cookie = dmaengine_submit(tx);
	rwlock_unlock(&t->tc->term_lock);
	if (dma_submit_error(cookie)) {
		r.msg = "submit error";
		r.data = (unsigned long)-(long)cookie;
		goto unmap_backoff;
	}

	if (opt.polled) {
		st = wait_polled(s, cookie, &timed_out);
	} else {
		dma_async_issue_pending(s->chan);
		st = wait_callback(s, cookie, cb_mark, &timed_out);
	}

	if (timed_out) {
		/* No late callback or copy may touch what we reuse or free. */
		abort_channel(t);
		r.msg = "test timed out";
	} else if (!status_ok(st, s->no_order)) {
		if (st == DMA_ERROR) {
			/* Failed or aborted: wait until the engine has let go. */
			dmaengine_synchronize(s->chan);
			r.msg = "completion error status";
		} else {
			abort_channel(t);
			r.msg = "completion busy status";
		}
		r.data = (unsigned long)st;
	}
	unmap_buffers(s, src_dma, s->src_cnt, dst_dma, s->dst_cnt);
	if (r.msg)
		goto report;

	if (!opt.noverify) {
		t0 = now_ns();
		errors = verify_buffers(s, src_off, dst_off, len);
		s->cmp_ns += now_ns() - t0;
		if (errors) {
			r.msg = "data error";
			r.data = errors;
			goto report;
		}
	}
	if (opt.verbose)
		report(t, n, "test passed", src_off, dst_off, len, 0);
	return r;

unmap_backoff:
	unmap_buffers(s, src_dma, s->src_cnt, dst_dma, s->dst_cnt);
	report(t, n, r.msg, src_off, dst_off, len, r.data);
	sleep_ms(PREP_BACKOFF_MS);
	return r;
report:
	report(t, n, r.msg, src_off, dst_off, len, r.data);
	return r;
}

/* --------------------------------------------------------- test thread */

/* dmatest's min_odd(): the smaller of @x and @y, made odd by going down. */
static unsigned int min_odd(unsigned int x, unsigned int y)
{
	unsigned int v = x < y ? x : y;

	return v % 2 ? v : v - 1;
}

/*
 * Buffer counts and alignment of @t's operation on @dd (dmatest's rules).
 * Return: 0, or -EINVAL with a line saying why.
 */
static int op_setup(const struct test_thread *t, struct dma_device *dd, struct test_state *s,
		    int *align)
{
	int dev_align;

	switch (t->op) {
	case OP_XOR:
		s->src_cnt = min_odd(opt.xor_sources | 1, dd->max_xor);
		s->dst_cnt = 1;
		dev_align = (int)dd->xor_align;
		break;
	case OP_PQ:
		s->src_cnt = min_odd(opt.pq_sources | 1, (unsigned int)dma_maxpq(dd, 0));
		s->dst_cnt = 2;
		dev_align = (int)dd->pq_align;
		memset(s->coefs, 1, sizeof(s->coefs));
		break;
	default:
		s->src_cnt = 1;
		s->dst_cnt = 1;
		dev_align = (int)dd->copy_align;
		break;
	}
	if (!s->src_cnt || s->src_cnt > MAX_SRCS) {
		out(stdout, "udmatest: %s: cannot use %u sources\n", t->name, s->src_cnt);
		return -EINVAL;
	}
	*align = opt.alignment < 0 ? dev_align : opt.alignment;
	return 0;
}

static void thread_finished(void)
{
	mutex_lock(&done_lock);
	threads_running--;
	cond_signal(&done_cond);
	mutex_unlock(&done_lock);
}

static void *test_thread_fn(void *arg)
{
	struct test_thread *t = arg;
	struct dma_chan *chan = t->tc->chan;
	struct test_state s = {
		.t = t,
		.chan = chan,
		.dev = dmaengine_get_dma_device(chan),
		.buf_size = opt.buf_size,
	};
	unsigned int total = 0, failed = 0;
	unsigned long long iops_x100, kbs;
	uint64_t start = 0, runtime_ns = 0;
	size_t mem_align;
	unsigned int nsrc = 0, ndst = 0;
	void *mem;
	int align, rc, ret = 0;

	mutex_lock(&gate_lock);
	while (!gate_open)
		cond_wait(&gate_cond, &gate_lock);
	mutex_unlock(&gate_lock);

	ret = op_setup(t, chan->device, &s, &align);
	if (ret)
		goto summary;
	if (align < 0 || align > MAX_ALIGN_SHIFT) {
		out(stdout, "udmatest: %s: bad %s alignment %d\n", t->name, op_name[t->op], align);
		ret = -EINVAL;
		goto summary;
	}
	s.align_bytes = (size_t)1 << align;
	if (s.align_bytes > s.buf_size) {
		out(stdout, "udmatest: %s: %zu-byte buffer too small for %zu-byte alignment\n",
		    t->name, s.buf_size, s.align_bytes);
		ret = -EINVAL;
		goto summary;
	}
	mem_align = s.align_bytes < sizeof(void *) ? sizeof(void *) : s.align_bytes;
	for (; nsrc < s.src_cnt; nsrc++) {
		rc = posix_memalign(&mem, mem_align, s.buf_size);
		if (rc) {
			out(stdout, "udmatest: %s: cannot allocate the source buffer\n", t->name);
			ret = -rc;
			goto free_buffers;
		}
		s.src[nsrc] = mem;
	}
	for (; ndst < s.dst_cnt; ndst++) {
		rc = posix_memalign(&mem, mem_align, s.buf_size);
		if (rc) {
			out(stdout, "udmatest: %s: cannot allocate the destination buffer\n",
			    t->name);
			ret = -rc;
			goto free_buffers;
		}
		s.dst[ndst] = mem;
	}

	s.flags = opt.polled ? DMA_CTRL_ACK : (DMA_CTRL_ACK | DMA_PREP_INTERRUPT);
	s.no_order = dma_has_cap(DMA_COMPLETION_NO_ORDER, chan->device->cap_mask);
	s.rng = rng_seed(t->seq);

	start = now_ns();
	while (!atomic_load_explicit(&stop_requested, memory_order_relaxed) &&
	       (opt.iterations == 0 || total < opt.iterations)) {
		struct test_result r;

		total++;
		r = one_test(&s, total);
		if (r.msg)
			failed++;
		atomic_store_explicit(&t->tests, total, memory_order_relaxed);
		atomic_store_explicit(&t->failures, failed, memory_order_relaxed);
	}
	/* Filling and comparing are not the engine's time. */
	runtime_ns = now_ns() - start;
	if (s.fill_ns + s.cmp_ns < runtime_ns)
		runtime_ns -= s.fill_ns + s.cmp_ns;
	else
		runtime_ns = 0;

free_buffers:
	while (ndst)
		free(s.dst[--ndst]);
	while (nsrc)
		free(s.src[--nsrc]);
summary:
	iops_x100 = mul_div(total, 100ULL * 1000000ULL, runtime_ns / NSEC_PER_USEC);
	kbs = mul_div(s.total_len / 1024, 1000000ULL, runtime_ns / NSEC_PER_USEC);
	out(stdout, "udmatest: %s: summary %u tests, %u failures %llu.%02llu iops %llu KB/s (%d)\n",
	    t->name, total, failed, iops_x100 / 100, iops_x100 % 100, kbs, ret);

	t->total_tests = total;
	t->failed_tests = failed;
	t->ret = ret;
	thread_finished();
	return NULL;
}

/* ------------------------------------------------------------- channels */

static bool chan_filter(struct dma_chan *chan, void *param)
{
	const struct params *p = param;
	const struct dma_device *d = chan->device;

	if (p->channel[0] && strcmp(dma_chan_name(chan), p->channel) != 0)
		return false;
	if (p->device[0]) {
		bool by_name = d->udma_name && strcmp(d->udma_name, p->device) == 0;
		bool by_dev = d->dev && d->dev->init_name &&
			      strcmp(d->dev->init_name, p->device) == 0;

		if (!by_name && !by_dev)
			return false;
	}
	return true;
}

static int thread_init(struct test_thread *t, struct test_chan *tc, enum test_op op,
		       unsigned int i, unsigned int seq)
{
	int rc;

	t->tc = tc;
	t->op = op;
	t->seq = seq;
	snprintf(t->name, sizeof(t->name), "%s-%s%u", dma_chan_name(tc->chan), op_name[op], i);
	atomic_init(&t->tests, 0);
	atomic_init(&t->failures, 0);
	rc = pthread_mutex_init(&t->lock, NULL);
	if (rc)
		return rc;
	rc = cond_init_monotonic(&t->cond);
	if (rc) {
		if (pthread_mutex_destroy(&t->lock))
			out(stderr, "udmatest: %s: pthread_mutex_destroy failed\n", t->name);
		return rc;
	}
	return 0;
}

static void thread_destroy(struct test_thread *t)
{
	int rc;

	rc = pthread_cond_destroy(&t->cond);
	if (rc)
		out(stderr, "udmatest: %s: pthread_cond_destroy: %s\n", t->name, strerror(rc));
	rc = pthread_mutex_destroy(&t->lock);
	if (rc)
		out(stderr, "udmatest: %s: pthread_mutex_destroy: %s\n", t->name, strerror(rc));
}

static void rwlock_destroy(struct test_chan *tc)
{
	int rc = pthread_rwlock_destroy(&tc->term_lock);

	if (rc)
		out(stderr, "udmatest: %s: pthread_rwlock_destroy: %s\n",
		    dma_chan_name(tc->chan), strerror(rc));
}

/* Create thread @i of type @op on @tc. Return: 0, or a positive errno (logged). */
static int add_thread(struct test_chan *tc, enum test_op op, unsigned int i,
		      unsigned int *thread_seq)
{
	struct test_thread *t = &tc->threads[tc->nthreads];
	char comm[16];
	int rc;

	rc = thread_init(t, tc, op, i, (*thread_seq)++);
	if (rc) {
		out(stdout, "udmatest: Failed to set up thread %s-%s%u: %s\n",
		    dma_chan_name(tc->chan), op_name[op], i, strerror(rc));
		return rc;
	}
	mutex_lock(&done_lock);
	threads_running++;
	mutex_unlock(&done_lock);
	rc = pthread_create(&t->tid, NULL, test_thread_fn, t);
	if (rc) {
		mutex_lock(&done_lock);
		threads_running--;
		mutex_unlock(&done_lock);
		out(stdout, "udmatest: Failed to create thread %s: %s\n", t->name, strerror(rc));
		thread_destroy(t);
		return rc;
	}
	tc->nthreads++;
	/* Kernel-style thread name, cut to the 15 characters Linux keeps. */
	memcpy(comm, t->name, sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = '\0';
	rc = pthread_setname_np(t->tid, comm);
	if (rc && opt.verbose)
		out(stderr, "udmatest: %s: pthread_setname_np: %s\n", t->name, strerror(rc));
	return 0;
}

/*
 * Create the threads of @chan (they wait at the start gate): threads_per_chan
 * copy threads, and as many xor / pq threads when the channel has DMA_XOR /
 * DMA_PQ, as dmatest does.
 */
static int add_channel(struct dma_chan *chan, unsigned int *thread_seq,
		       struct test_chan **out_tc)
{
	struct test_chan *tc;
	unsigned int i, op;
	bool failed = false;
	int rc;

	if (!dma_has_cap(DMA_MEMCPY, chan->device->cap_mask)) {
		out(stdout, "udmatest: %s has no DMA_MEMCPY capability\n", dma_chan_name(chan));
		return -EINVAL;
	}
	tc = calloc(1, sizeof(*tc));
	if (!tc)
		return -ENOMEM;
	tc->chan = chan;
	rc = rwlock_init_writer_pref(&tc->term_lock);
	if (rc) {
		free(tc);
		return -rc;
	}
	tc->threads = calloc((size_t)opt.threads_per_chan * NR_OPS, sizeof(*tc->threads));
	if (!tc->threads) {
		rwlock_destroy(tc);
		free(tc);
		return -ENOMEM;
	}

	for (op = 0; op < NR_OPS && !failed; op++) {
		if (!dma_has_cap(op_cap[op], chan->device->cap_mask))
			continue;
		for (i = 0; i < opt.threads_per_chan && !failed; i++)
			failed = add_thread(tc, (enum test_op)op, i, thread_seq) != 0;
	}

	if (!tc->nthreads) {
		free(tc->threads);
		rwlock_destroy(tc);
		free(tc);
		return -EINVAL;
	}
	out(stdout, "udmatest: Added %u threads using %s\n", tc->nthreads, dma_chan_name(chan));
	*out_tc = tc;
	return 0;
}

/* After the threads have been joined: stop the channel, give it back. */
static void release_channel(struct test_chan *tc)
{
	unsigned int i;
	int rc;

	rc = dmaengine_terminate_sync(tc->chan);
	if (rc)
		out(stderr, "udmatest: %s: dmaengine_terminate_sync failed (%d)\n",
		    dma_chan_name(tc->chan), rc);
	dma_release_channel(tc->chan);
	/* Only now can no callback reach the thread structures. */
	for (i = 0; i < tc->nthreads; i++)
		thread_destroy(&tc->threads[i]);
	free(tc->threads);
	rwlock_destroy(tc);
	free(tc);
}

/* ------------------------------------------------------------ arguments */

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: udmatest [--name=value | name=value]...\n"
		"Test every DMA_MEMCPY channel (the userspace dmatest), with xor and pq\n"
		"threads too where the channel has DMA_XOR / DMA_PQ.\n"
		"Booleans take 0/1/y/n/on/off, or no value for 1.\n\n");
	for (i = 0; i < NR_PARAMS; i++) {
		const struct param_desc *d = &param_descs[i];
		char def[32];

		switch (d->type) {
		case P_STR:
			snprintf(def, sizeof(def), "\"%s\"", *(const char *const *)d->var);
			break;
		case P_UINT:
			snprintf(def, sizeof(def), "%u", *(const unsigned int *)d->var);
			break;
		case P_INT:
			snprintf(def, sizeof(def), "%d", *(const int *)d->var);
			break;
		case P_BOOL:
			snprintf(def, sizeof(def), "%d", *(const bool *)d->var);
			break;
		}
		fprintf(f, "  %-17s %s (default %s)\n", d->name, d->help, def);
	}
	fprintf(f,
		"\nExit status: 0 all tests passed, 1 failure or no channel, 2 bad arguments.\n"
		"SIGINT/SIGTERM stop the threads after their current test.\n");
}

static bool parse_bool(const char *v, bool *out_val)
{
	static const char *const yes[] = { "1", "y", "Y", "yes", "on", "true" };
	static const char *const no[] = { "0", "n", "N", "no", "off", "false" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(v, yes[i])) {
			*out_val = true;
			return true;
		}
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (!strcmp(v, no[i])) {
			*out_val = false;
			return true;
		}
	}
	return false;
}

static bool parse_number(const char *v, long long min, long long max, long long *out_val)
{
	char *end;
	long long x;

	if (!*v)
		return false;
	errno = 0;
	x = strtoll(v, &end, 0);
	if (errno || *end || x < min || x > max)
		return false;
	*out_val = x;
	return true;
}

/* "name" matches @len bytes of @s, '-' standing for '_'. */
static bool name_matches(const char *name, const char *s, size_t len)
{
	size_t i;

	if (strlen(name) != len)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i] == '-' ? '_' : s[i];

		if (c != name[i])
			return false;
	}
	return true;
}

static int parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
		    !strcmp(argv[i], "help")) {
			usage(stdout);
			exit(0);
		}
	}

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct param_desc *d = NULL;
		const char *eq, *val;
		size_t nlen, k;
		long long num;

		if (a[0] == '-' && a[1] == '-')
			a += 2;
		eq = strchr(a, '=');
		nlen = eq ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < NR_PARAMS; k++) {
			if (name_matches(param_descs[k].name, a, nlen)) {
				d = &param_descs[k];
				break;
			}
		}
		if (!d) {
			fprintf(stderr, "udmatest: unknown parameter '%s' (try --help)\n", argv[i]);
			return -1;
		}
		val = eq ? eq + 1 : NULL;
		if (!val && d->type != P_BOOL) {
			fprintf(stderr, "udmatest: parameter '%s' needs a value\n", d->name);
			return -1;
		}

		switch (d->type) {
		case P_STR:
			*(const char **)d->var = val;
			break;
		case P_BOOL:
			if (!val) {
				*(bool *)d->var = true;
			} else if (!parse_bool(val, d->var)) {
				fprintf(stderr, "udmatest: %s: '%s' is not a boolean\n", d->name, val);
				return -1;
			}
			break;
		case P_UINT:
		case P_INT:
			if (!parse_number(val, d->min, d->max, &num)) {
				fprintf(stderr, "udmatest: %s: '%s' is not a number in [%lld, %lld]\n",
					d->name, val, d->min, d->max);
				return -1;
			}
			if (d->type == P_UINT)
				*(unsigned int *)d->var = (unsigned int)num;
			else
				*(int *)d->var = (int)num;
			break;
		}
	}

	if (opt.transfer_size && opt.transfer_size >= opt.buf_size) {
		fprintf(stderr, "udmatest: %u-byte transfer size must be lower than %u-byte buffer size\n",
			opt.transfer_size, opt.buf_size);
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------------- main */

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_requested, 1);
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* A second signal gets the default action: kill a stuck run. */
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	if (sigemptyset(&sa.sa_mask))
		return -1;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct test_chan *chans = NULL, **tail = &chans, *tc = NULL, *next;
	unsigned int nchans = 0, nthreads = 0, thread_seq = 0, i;
	unsigned long long tests = 0, failures = 0;
	bool setup_error = false;
	dma_cap_mask_t mask;
	struct timespec deadline;
	uint64_t start, tick;
	int rc, status;

	if (parse_args(argc, argv))
		return 2;

	rc = cond_init_monotonic(&done_cond);
	if (rc) {
		fprintf(stderr, "udmatest: cannot set up a condition variable: %s\n", strerror(rc));
		return 1;
	}
	if (install_signals())
		fprintf(stderr, "udmatest: cannot install signal handlers: %s\n", strerror(errno));
	progress_enabled = isatty(STDERR_FILENO) == 1;
	stdout_tty = isatty(STDOUT_FILENO) == 1;
	udma_set_log_fn(log_sink, NULL);

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	for (;;) {
		struct dma_chan *chan = dma_request_channel(mask, chan_filter, &opt);

		if (!chan)
			break;
		rc = add_channel(chan, &thread_seq, &tc);
		if (rc) {
			out(stdout, "udmatest: cannot use %s (%d)\n", dma_chan_name(chan), rc);
			dma_release_channel(chan);
			setup_error = true;
			break;
		}
		*tail = tc;
		tail = &tc->next;
		nchans++;
		nthreads += tc->nthreads;
		if (opt.max_channels && nchans >= opt.max_channels)
			break;
	}

	if (!nchans) {
		out(stderr, "udmatest: no DMA_MEMCPY channel found\n");
		udma_set_log_fn(NULL, NULL);
		if (pthread_cond_destroy(&done_cond))
			fprintf(stderr, "udmatest: pthread_cond_destroy failed\n");
		return 1;
	}

	for (tc = chans; tc; tc = tc->next)
		out(stdout, "udmatest: Started %u threads using %s\n", tc->nthreads,
		    dma_chan_name(tc->chan));
	start = now_ns();
	mutex_lock(&gate_lock);
	gate_open = true;
	cond_broadcast(&gate_cond);
	mutex_unlock(&gate_lock);

	/* Wait for the threads; tick the progress line once a second. */
	tick = start + NSEC_PER_SEC;
	deadline = ns_to_timespec(tick);
	mutex_lock(&done_lock);
	while (threads_running) {
		if (!cond_timedwait(&done_cond, &done_lock, &deadline)) {
			mutex_unlock(&done_lock);
			show_progress(start, chans, false);
			mutex_lock(&done_lock);
			tick += NSEC_PER_SEC;
			deadline = ns_to_timespec(tick);
		}
	}
	mutex_unlock(&done_lock);
	show_progress(start, chans, true);

	for (tc = chans; tc; tc = tc->next) {
		for (i = 0; i < tc->nthreads; i++) {
			struct test_thread *t = &tc->threads[i];

			rc = pthread_join(t->tid, NULL);
			if (rc)
				die("pthread_join", rc);
			tests += t->total_tests;
			failures += t->failed_tests;
			if (t->ret)
				setup_error = true;
		}
	}

	for (tc = chans; tc; tc = next) {
		next = tc->next;
		release_channel(tc);
	}

	out(stdout, "udmatest: total: %llu tests, %llu failures across %u channels, %u threads\n",
	    tests, failures, nchans, nthreads);

	status = (failures || setup_error) ? 1 : 0;
	if (atomic_load(&stop_requested)) {
		out(stdout, "udmatest: stopped by signal\n");
		if (opt.iterations)
			status = 1;
	}

	udma_set_log_fn(NULL, NULL);
	rc = pthread_cond_destroy(&done_cond);
	if (rc)
		fprintf(stderr, "udmatest: pthread_cond_destroy: %s\n", strerror(rc));
	if (fflush(stdout) || ferror(stdout))
		status = 1;
	return status;
}
