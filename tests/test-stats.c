/* SPDX-License-Identifier: MIT */
/*
 * test-stats.c - per-channel statistics, udma_dump() and the UDMA_DUMP /
 * UDMA_DUMP_SIGNAL environment hooks (integration suite: the mock provider
 * in-process plus the real sw-memcpy plugin).
 *
 * Covers: counters exact after known sequences on a manual mock channel
 * (completed, errors from a failing transfer, aborted by a terminate, never-
 * submitted descriptors not counted, bytes, pool exhaustion), the per-list
 * pending counts, the state (idle, busy, paused, terminating while a
 * synchronize waits for a blocked callback), holder and client name,
 * argument errors and the sized struct; the summary text (captured with
 * open_memstream, and a too small fmemopen buffer giving -EIO); counters
 * consistent under concurrent submitters with a concurrent reader (sw-memcpy;
 * also run under ThreadSanitizer); and, in child processes re-executing this
 * binary with a deadline, UDMA_DUMP=exit (stderr and UDMA_DUMP_FILE) and
 * UDMA_DUMP_SIGNAL=USR1 (twice, chaining to the program's own handler), and
 * that no signal is touched when no variable asks.
 *
 * Callbacks only record; the test thread waits with a deadline and asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <udmaengine/dmaengine.h>
#include "log-capture.h"
#include "mock-provider.h"
#include "test-util.h"

#define LEN 64
#define POOL 8u

extern char **environ;

static unsigned char src_buf[LEN], dst_buf[LEN];

/* --------------------------------------------------------------- helpers */

static struct udma_chan_stats get_stats(struct dma_chan *chan)
{
	struct udma_chan_stats st;

	memset(&st, 0xa5, sizeof(st));
	st.size = sizeof(st);
	assert_int_equal(udma_chan_get_stats(chan, &st), 0);
	assert_int_equal(st.size, sizeof(st));
	return st;
}

/* The summary as a string (caller frees). */
static char *dump_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(udma_dump(f), 0);
	fclose(f);
	return text;
}

static bool text_has(const char *text, const char *needle)
{
	if (strstr(text, needle))
		return true;
	fprintf(stderr, "summary lacks \"%s\":\n%s", needle, text);
	return false;
}

static struct dma_async_tx_descriptor *prep(struct dma_chan *chan)
{
	struct device *dev = dmaengine_get_dma_device(chan);

	return dmaengine_prep_dma_memcpy(chan, dma_map_single(dev, dst_buf, LEN, DMA_FROM_DEVICE),
					 dma_map_single(dev, src_buf, LEN, DMA_TO_DEVICE), LEN,
					 DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
}

static dma_cookie_t submit_one(struct dma_chan *chan)
{
	struct dma_async_tx_descriptor *tx = prep(chan);

	assert_non_null(tx);
	return dmaengine_submit(tx);
}

static struct mock_dev *mock_up(bool manual, struct dma_chan **chan)
{
	struct mock_opts o = {
		.name = "mock-stats", .nr_chans = 2, .pool_size = POOL, .memcpy = true,
		.pause = true, .manual = manual,
	};
	struct mock_dev *md = mock_dev_create(&o);

	assert_non_null(md);
	assert_int_equal(mock_dev_register(md), 0);
	*chan = mock_dev_request(md);
	assert_non_null(*chan);
	return md;
}

/* ------------------------------------------------ counters and state */

static void test_counters_exact(void **state)
{
	struct dma_chan *chan;
	struct mock_dev *md = mock_up(true, &chan);
	struct udma_chan_stats st;
	dma_cookie_t c;

	(void)state;
	st = get_stats(chan);
	assert_int_equal(st.submitted + st.completed + st.errors + st.aborted + st.bytes, 0);
	assert_int_equal(st.in_use, 1);
	assert_int_equal(st.client_tid, gettid());
	assert_int_equal(st.state, UDMA_CHAN_IDLE);
	assert_int_equal(st.lists_valid, 1);
	assert_int_equal(st.pool_size, POOL);
	assert_int_equal(st.pool_free, POOL);

	for (int i = 0; i < 5; i++)
		assert_true(submit_one(chan) > 0);
	st = get_stats(chan);
	assert_int_equal(st.submitted, 5);
	assert_int_equal(st.pending, 5);
	assert_int_equal(st.queued, 5); /* not issued yet: the classic hang */
	assert_int_equal(st.issued, 0);
	assert_int_equal(st.state, UDMA_CHAN_BUSY);
	assert_int_equal(st.pool_free, POOL - 5);

	dma_async_issue_pending(chan);
	st = get_stats(chan);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.issued, 5);

	/* two good, one failing transfer */
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_NOERROR), 0);
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_NOERROR), 0);
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_READ_FAILED), 0);
	assert_int_equal(mock_chan_flush(chan, TEST_DEADLINE_MS), 0);
	st = get_stats(chan);
	assert_int_equal(st.completed, 2);
	assert_int_equal(st.errors, 1);
	assert_int_equal(st.bytes, 2 * LEN); /* the failed one moved nothing */
	assert_int_equal(st.pending, 2);
	assert_int_equal(st.issued, 2);
	assert_int_equal(st.done, 0);

	/* engine done, callback not yet run: "done" */
	assert_int_equal(mock_chan_hold(chan, TEST_DEADLINE_MS), 0);
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_NOERROR), 0);
	st = get_stats(chan);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.issued, 1);
	assert_int_equal(st.pending, 2); /* counted at commit, not yet */
	assert_int_equal(st.state, UDMA_CHAN_BUSY);
	mock_chan_unhold(chan);
	assert_int_equal(mock_chan_flush(chan, TEST_DEADLINE_MS), 0);
	st = get_stats(chan);
	assert_int_equal(st.completed, 3);
	assert_int_equal(st.pending, 1);

	/* the rest is aborted by a terminate; a prepared one is not counted */
	assert_non_null(prep(chan));
	st = get_stats(chan);
	assert_int_equal(st.prepared, 1);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	st = get_stats(chan);
	assert_int_equal(st.submitted, 5);
	assert_int_equal(st.completed, 3);
	assert_int_equal(st.errors, 1);
	assert_int_equal(st.aborted, 1);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.prepared, 0);
	assert_int_equal(st.state, UDMA_CHAN_IDLE);
	assert_int_equal(st.pool_free, POOL);

	/* submitted then aborted before issue */
	c = submit_one(chan);
	assert_true(c > 0);
	assert_int_equal(dmaengine_terminate_sync(chan), 0);
	assert_int_equal(dmaengine_tx_status(chan, c, NULL), DMA_ERROR);
	st = get_stats(chan);
	assert_int_equal(st.submitted, 6);
	assert_int_equal(st.aborted, 2);
	assert_int_equal(st.submitted, st.completed + st.errors + st.aborted);

	/* pause / resume */
	assert_int_equal(dmaengine_pause(chan), 0);
	assert_int_equal(get_stats(chan).state, UDMA_CHAN_PAUSED);
	assert_int_equal(dmaengine_resume(chan), 0);
	assert_int_equal(get_stats(chan).state, UDMA_CHAN_IDLE);
	assert_int_equal(dmaengine_pause(chan), 0);
	assert_int_equal(dmaengine_terminate_sync(chan), 0); /* ends the pause */
	assert_int_equal(get_stats(chan).state, UDMA_CHAN_IDLE);

	/* pool exhaustion is counted */
	for (unsigned int i = 0; i < POOL; i++)
		assert_non_null(prep(chan));
	log_reset();
	assert_null(prep(chan));
	st = get_stats(chan);
	assert_int_equal(st.pool_empty, 1);
	assert_int_equal(st.prepared, POOL);
	assert_int_equal(st.pool_free, 0);

	/* counters survive release; the holder does not */
	dma_release_channel(chan);
	st = get_stats(chan);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.client_tid, 0);
	assert_string_equal(st.client, "");
	assert_int_equal(st.submitted, 6);
	assert_int_equal(st.pending, 0);
	mock_dev_destroy(md);
}

static struct counter cb_entered;
static int cb_release; /* atomic */

static void blocking_cb(void *param)
{
	(void)param;
	counter_add(&cb_entered, 1);
	while (!__atomic_load_n(&cb_release, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { 0, 200000 };

		nanosleep(&ts, NULL);
	}
}

static void *terminate_sync_thread(void *arg)
{
	dmaengine_terminate_sync(arg);
	return NULL;
}

/* The hang a user debugs: terminate_sync waiting for a callback that blocks. */
static void test_state_terminating(void **state)
{
	struct dma_chan *chan;
	struct mock_dev *md = mock_up(true, &chan);
	struct dma_async_tx_descriptor *tx;
	struct timespec dl;
	pthread_t th;
	char *text;
	bool seen = false;

	(void)state;
	counter_init(&cb_entered);
	__atomic_store_n(&cb_release, 0, __ATOMIC_RELEASE);
	tx = prep(chan);
	assert_non_null(tx);
	tx->callback = blocking_cb;
	assert_true(dmaengine_submit(tx) > 0);
	dma_async_issue_pending(chan);
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_NOERROR), 0);
	assert_true(counter_wait_ge(&cb_entered, 1, TEST_DEADLINE_MS));
	assert_int_equal(get_stats(chan).state, UDMA_CHAN_BUSY); /* in the callback */

	assert_int_equal(pthread_create(&th, NULL, terminate_sync_thread, chan), 0);
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += TEST_DEADLINE_MS / 1000;
	for (;;) {
		struct timespec now, ts = { 0, 100000 };

		if (get_stats(chan).state == UDMA_CHAN_TERMINATING) {
			seen = true;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > dl.tv_sec)
			break;
		nanosleep(&ts, NULL);
	}
	text = dump_text();
	__atomic_store_n(&cb_release, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	assert_true(seen);
	assert_true(text_has(text, "state terminating"));
	assert_true(text_has(text, "1 thread(s) waiting in dmaengine_synchronize"));
	assert_true(text_has(text, "completion thread"));
	assert_true(text_has(text, "running a tasklet or callback"));
	free(text);
	assert_int_equal(get_stats(chan).state, UDMA_CHAN_IDLE);
	dma_release_channel(chan);
	mock_dev_destroy(md);
	counter_destroy(&cb_entered);
}

/* ------------------------------------------------------------- summary */

static void test_dump_text(void **state)
{
	struct dma_chan *chan;
	struct mock_dev *md = mock_up(true, &chan);
	struct dma_device *dev = mock_dev_device(md);
	char line[256], *text;
	char small[64];
	FILE *f;

	(void)state;
	assert_int_equal(udma_chan_set_client_name(chan, "stats-test"), 0);
	for (int i = 0; i < 3; i++)
		assert_true(submit_one(chan) > 0);
	dma_async_issue_pending(chan);
	assert_true(submit_one(chan) > 0); /* submitted, not issued */
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_NOERROR), 0);
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_WRITE_FAILED), 0);
	assert_int_equal(mock_chan_flush(chan, TEST_DEADLINE_MS), 0);

	text = dump_text();
	assert_true(text_has(text, "udmaengine summary (pid "));
	snprintf(line, sizeof(line), "dma%d (mock-stats): number of channels: 2\n", dev->dev_id);
	assert_true(text_has(text, line));
	snprintf(line, sizeof(line), " %-13s| stats-test (thread %d \"", dma_chan_name(chan),
		 (int)gettid());
	assert_true(text_has(text, line));
	snprintf(line, sizeof(line), " dma%dchan1    | free\n", dev->dev_id);
	assert_true(text_has(text, line));
	assert_true(text_has(text, "     state busy; submitted 4, completed 1, errors 1, "
				   "aborted 0, pending 2; bytes 64\n"));
	assert_true(text_has(text, "     pending: 1 queued (not issued), 1 issued, 0 active, "
				   "0 done (callback not run)\n"));
	assert_true(text_has(text, "     descriptors: 0 terminated (not synchronized), "
				   "0 unacked, 0 prepared; pool 6/8 free, empty 0 times\n"));
	assert_true(text_has(text, "     cookies: last used 5, last completed 3; completion thread "));
	assert_true(text_has(text, "end of udmaengine summary\n"));
	free(text);

	/* a stream too small to hold it: -EIO, nothing crashes */
	f = fmemopen(small, sizeof(small), "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(udma_dump(f), -EIO);
	fclose(f);

	/* the name goes with the release */
	dma_release_channel(chan);
	text = dump_text();
	snprintf(line, sizeof(line), " %-13s| free\n", dma_chan_name(chan));
	assert_true(text_has(text, line));
	assert_null(strstr(text, "stats-test"));
	free(text);
	mock_dev_destroy(md);
}

static void test_bad_args(void **state)
{
	struct dma_chan *chan;
	struct mock_dev *md = mock_up(true, &chan);
	struct udma_chan_stats st;
	struct {
		struct udma_chan_stats st;
		uint64_t future[4];
	} bigger;

	(void)state;
	log_reset();
	st.size = sizeof(st);
	assert_int_equal(udma_chan_get_stats(NULL, &st), -EINVAL);
	assert_true(log_has("NULL channel"));
	assert_int_equal(udma_chan_get_stats(chan, NULL), -EINVAL);
	st.size = 0;
	assert_int_equal(udma_chan_get_stats(chan, &st), -EINVAL);
	assert_true(log_has("set out->size = sizeof(*out)"));
	assert_int_equal(udma_dump(NULL), -EINVAL);
	assert_true(log_has("udma_dump: NULL output stream"));
	assert_int_equal(udma_chan_set_client_name(NULL, "x"), -EINVAL);

	/* a caller built against a newer, bigger struct */
	memset(&bigger, 0xff, sizeof(bigger));
	bigger.st.size = sizeof(bigger);
	assert_int_equal(udma_chan_get_stats(chan, &bigger.st), 0);
	assert_int_equal(bigger.st.size, sizeof(struct udma_chan_stats));
	for (int i = 0; i < 4; i++)
		assert_int_equal(bigger.future[i], 0);
	assert_int_equal(bigger.st.in_use, 1);

	/* name: long names are cut, NULL clears, an unheld channel refuses */
	assert_int_equal(udma_chan_set_client_name(chan, "0123456789012345678901234567890123456789"
							 "0123456789"), 0);
	assert_int_equal(strlen(get_stats(chan).client), 47);
	assert_int_equal(udma_chan_set_client_name(chan, NULL), 0);
	assert_string_equal(get_stats(chan).client, "");
	dma_release_channel(chan);
	log_reset();
	assert_int_equal(udma_chan_set_client_name(chan, "late"), -EINVAL);
	assert_true(log_has("is not held by a client"));
	mock_dev_destroy(md);
}

/* ------------------------------------------------- concurrent submitters */

#define THREADS 4
#define PER_THREAD 1000
#define CLEN 256

struct submitter {
	struct dma_chan *chan;
	unsigned char *src, *dst;
	long retries;
};

static struct counter conc_done;
static int reader_stop;          /* atomic */
static long reader_violations;   /* atomic */
static long reader_rounds;       /* atomic */

static void conc_cb(void *param)
{
	(void)param;
	counter_add(&conc_done, 1);
}

static void *submitter_fn(void *arg)
{
	struct submitter *s = arg;
	struct device *dev = dmaengine_get_dma_device(s->chan);
	dma_addr_t d = dma_map_single(dev, s->dst, CLEN, DMA_FROM_DEVICE);
	dma_addr_t sr = dma_map_single(dev, s->src, CLEN, DMA_TO_DEVICE);

	for (int i = 0; i < PER_THREAD; i++) {
		struct dma_async_tx_descriptor *tx;

		while (!(tx = dmaengine_prep_dma_memcpy(s->chan, d, sr, CLEN,
							DMA_PREP_INTERRUPT | DMA_CTRL_ACK))) {
			s->retries++; /* pool empty: let the engine catch up */
			dma_async_issue_pending(s->chan);
			sched_yield();
		}
		tx->callback = conc_cb;
		if (dmaengine_submit(tx) < 0)
			__atomic_fetch_add(&reader_violations, 1000000, __ATOMIC_RELAXED);
		if (i % 8 == 7)
			dma_async_issue_pending(s->chan);
	}
	dma_async_issue_pending(s->chan);
	return NULL;
}

/* Reads while the submitters run: finished never exceeds submitted, counters
 * never go down. Records violations; never asserts (not the test thread). */
static void *reader_fn(void *arg)
{
	struct dma_chan *chan = arg;
	struct udma_chan_stats prev = { .size = sizeof(prev) };

	udma_chan_get_stats(chan, &prev);
	while (!__atomic_load_n(&reader_stop, __ATOMIC_ACQUIRE)) {
		struct udma_chan_stats st = { .size = sizeof(st) };
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		if (udma_chan_get_stats(chan, &st) ||
		    st.completed + st.errors + st.aborted + st.pending != st.submitted ||
		    st.submitted < prev.submitted || st.completed < prev.completed ||
		    st.bytes < prev.bytes)
			__atomic_fetch_add(&reader_violations, 1, __ATOMIC_RELAXED);
		prev = st;
		f = open_memstream(&text, &len);
		if (f) {
			if (udma_dump(f))
				__atomic_fetch_add(&reader_violations, 1, __ATOMIC_RELAXED);
			fclose(f);
			free(text);
		}
		__atomic_fetch_add(&reader_rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_concurrent_submitters(void **state)
{
	static unsigned char bufs[THREADS][2][CLEN];
	struct submitter s[THREADS];
	pthread_t th[THREADS], rd;
	struct udma_chan_stats before, after;
	dma_cap_mask_t mask;
	struct dma_chan *chan;

	(void)state;
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, NULL, NULL); /* sw-memcpy (or a free mock) */
	assert_non_null(chan);
	counter_init(&conc_done);
	before = get_stats(chan);
	__atomic_store_n(&reader_stop, 0, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&rd, NULL, reader_fn, chan), 0);
	for (int i = 0; i < THREADS; i++) {
		s[i] = (struct submitter){ chan, bufs[i][0], bufs[i][1], 0 };
		assert_int_equal(pthread_create(&th[i], NULL, submitter_fn, &s[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	assert_true(counter_wait_ge(&conc_done, THREADS * PER_THREAD, 4 * TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	/* let the reader see the finished state at least once more */
	{
		long r = __atomic_load_n(&reader_rounds, __ATOMIC_ACQUIRE);

		while (__atomic_load_n(&reader_rounds, __ATOMIC_ACQUIRE) < r + 2)
			sched_yield();
	}
	__atomic_store_n(&reader_stop, 1, __ATOMIC_RELEASE);
	pthread_join(rd, NULL);

	after = get_stats(chan);
	assert_int_equal(__atomic_load_n(&reader_violations, __ATOMIC_RELAXED), 0);
	assert_int_equal(after.submitted - before.submitted, THREADS * PER_THREAD);
	assert_int_equal(after.completed - before.completed, THREADS * PER_THREAD);
	assert_int_equal(after.errors, before.errors);
	assert_int_equal(after.aborted, before.aborted);
	assert_int_equal(after.pending, 0);
	assert_int_equal(after.bytes - before.bytes, (uint64_t)THREADS * PER_THREAD * CLEN);
	assert_int_equal(after.state, UDMA_CHAN_IDLE);
	dma_release_channel(chan);
	counter_destroy(&conc_done);
}

/* ------------------------------------------ environment: child processes */

static char self_exe[4096];

/*
 * Run this binary as "@mode" with @extra_env added; its stdin is a pipe
 * (*@in_fd), stdout and stderr are pipes (*@out_fd, *@err_fd).
 */
static pid_t spawn_child(const char *mode, const char *const *extra_env, int *in_fd,
			 int *out_fd, int *err_fd)
{
	int pin[2], pout[2], perr[2];
	posix_spawn_file_actions_t fa;
	char *argv[] = { self_exe, (char *)mode, NULL };
	char *envp[256];
	size_t n = 0;
	pid_t pid;

	for (char **e = environ; *e && n < 200; e++)
		if (strncmp(*e, "UDMA_DUMP", 9))
			envp[n++] = *e;
	for (const char *const *e = extra_env; *e; e++)
		envp[n++] = (char *)*e;
	envp[n] = NULL;
	assert_int_equal(pipe2(pin, O_CLOEXEC), 0);
	assert_int_equal(pipe2(pout, O_CLOEXEC), 0);
	assert_int_equal(pipe2(perr, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
	assert_int_equal(posix_spawn(&pid, self_exe, &fa, NULL, argv, envp), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	*in_fd = pin[1];
	*out_fd = pout[0];
	*err_fd = perr[0];
	return pid;
}

static long ms_left(const struct timespec *dl)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (dl->tv_sec - now.tv_sec) * 1000 + (dl->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * Append what @fd delivers to @buf until @needle occurs @times times (NULL:
 * until EOF) or the deadline passes. Return: true when reached.
 */
static bool read_until(int fd, char *buf, size_t size, const char *needle, int times,
		       const struct timespec *dl)
{
	size_t len = strlen(buf);

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long left = ms_left(dl);
		ssize_t n;

		if (needle) {
			int seen = 0;

			for (const char *p = strstr(buf, needle); p; p = strstr(p + 1, needle))
				seen++;
			if (seen >= times)
				return true;
		}
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return false;
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			return needle == NULL;
		len += (size_t)n;
		buf[len] = '\0';
	}
}

/* Wait for the child to exit; kill it at the deadline. Return its status. */
static int reap(pid_t pid, const struct timespec *dl)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 2000000 };

		if (r == pid)
			return status;
		if (ms_left(dl) <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
}

static void deadline_in(struct timespec *dl, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, dl);
	dl->tv_sec += ms / 1000;
	dl->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (dl->tv_nsec >= 1000000000L) {
		dl->tv_sec++;
		dl->tv_nsec -= 1000000000L;
	}
}

#define CHILD_DEADLINE_MS (6 * TEST_DEADLINE_MS)

static void test_env_exit_dump(void **state)
{
	static char err[65536];
	const char *env[] = { "UDMA_DUMP=exit", NULL };
	char path[] = "/tmp/udma-stats-dump-XXXXXX";
	char file_env[64];
	const char *env_file[] = { "UDMA_DUMP=exit", file_env, NULL };
	struct timespec dl;
	int in, out, errfd, status, fd;
	pid_t pid;

	(void)state;
	deadline_in(&dl, CHILD_DEADLINE_MS);
	pid = spawn_child("--child-exit", env, &in, &out, &errfd);
	err[0] = '\0';
	assert_true(read_until(errfd, err, sizeof(err), NULL, 0, &dl));
	status = reap(pid, &dl);
	close(in);
	close(out);
	close(errfd);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(text_has(err, "udmaengine summary (pid "));
	assert_true(text_has(err, "| child-exit (thread "));
	assert_true(text_has(err, "state idle; submitted 3, completed 3, errors 0, aborted 0, "
				  "pending 0; bytes 192\n"));
	assert_true(text_has(err, "end of udmaengine summary\n"));

	/* UDMA_DUMP_FILE: appended there, not on stderr */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(file_env, sizeof(file_env), "UDMA_DUMP_FILE=%s", path);
	deadline_in(&dl, CHILD_DEADLINE_MS);
	pid = spawn_child("--child-exit", env_file, &in, &out, &errfd);
	err[0] = '\0';
	assert_true(read_until(errfd, err, sizeof(err), NULL, 0, &dl));
	status = reap(pid, &dl);
	close(in);
	close(out);
	close(errfd);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_null(strstr(err, "udmaengine summary"));
	{
		FILE *f = fopen(path, "r");
		size_t n;

		assert_non_null(f);
		n = fread(err, 1, sizeof(err) - 1, f);
		err[n] = '\0';
		fclose(f);
	}
	unlink(path);
	assert_true(text_has(err, "| child-exit (thread "));
	assert_true(text_has(err, "end of udmaengine summary\n"));
}

static void test_env_signal_dump(void **state)
{
	static char err[65536], out_text[4096];
	const char *env[] = { "UDMA_DUMP_SIGNAL=USR1", NULL };
	struct timespec dl;
	int in, out, errfd, status;
	pid_t pid;

	(void)state;
	deadline_in(&dl, CHILD_DEADLINE_MS);
	pid = spawn_child("--child-signal", env, &in, &out, &errfd);
	out_text[0] = err[0] = '\0';
	assert_true(read_until(out, out_text, sizeof(out_text), "ready\n", 1, &dl));
	kill(pid, SIGUSR1);
	assert_true(read_until(errfd, err, sizeof(err), "end of udmaengine summary\n", 1, &dl));
	kill(pid, SIGUSR1);
	assert_true(read_until(errfd, err, sizeof(err), "end of udmaengine summary\n", 2, &dl));
	close(in); /* the child exits on EOF */
	assert_true(read_until(out, out_text, sizeof(out_text), NULL, 0, &dl));
	status = reap(pid, &dl);
	close(out);
	close(errfd);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(text_has(err, "| child-signal (thread "));
	assert_true(text_has(err, "submitted 2, completed 2, errors 0, aborted 0, pending 0"));
	/* the program's own handler still ran, once per signal */
	assert_true(text_has(out_text, "app handler: 2\n"));
}

/* No variable: the library leaves every signal alone. */
static void test_env_no_signal_stolen(void **state)
{
	struct sigaction sa;
	dma_cap_mask_t mask;
	struct dma_chan *chan;

	(void)state;
	assert_null(getenv("UDMA_DUMP_SIGNAL"));
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, NULL, NULL); /* the library is initialised */
	assert_non_null(chan);
	dma_release_channel(chan);
	assert_int_equal(sigaction(SIGUSR1, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);
}

/* --------------------------------------------------- child entry points */

static struct dma_chan *child_chan(const char *name, int copies)
{
	dma_cap_mask_t mask;
	struct dma_chan *chan;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, NULL, NULL);
	if (!chan || udma_chan_set_client_name(chan, name))
		return NULL;
	for (int i = 0; i < copies; i++) {
		struct dma_async_tx_descriptor *tx = prep(chan);

		if (!tx || dma_sync_wait(chan, dmaengine_submit(tx)) != DMA_COMPLETE)
			return NULL;
	}
	return chan;
}

/* Exit still holding the channel: the exit dump shows the holder. */
static int child_exit(void)
{
	return child_chan("child-exit", 3) ? 0 : 2;
}

static int app_signals; /* atomic */

static void app_handler(int signo)
{
	(void)signo;
	__atomic_fetch_add(&app_signals, 1, __ATOMIC_RELAXED);
}

static int child_signal(void)
{
	struct sigaction sa;
	struct dma_chan *chan;
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_handler; /* installed before the library's */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	chan = child_chan("child-signal", 2);
	if (!chan)
		return 2;
	printf("ready\n");
	fflush(stdout);
	/*
	 * Wait for EOF on stdin. Polling with a timeout, not one blocking
	 * read: ThreadSanitizer delivers a signal that arrives during a
	 * restarted blocking call only when the call returns.
	 */
	for (;;) {
		struct pollfd pfd = { 0, POLLIN, 0 };

		if (poll(&pfd, 1, 10) > 0 && read(0, &c, 1) <= 0)
			break;
	}
	printf("app handler: %d\n", __atomic_load_n(&app_signals, __ATOMIC_RELAXED));
	fflush(stdout);
	dma_release_channel(chan);
	return 0;
}

/* ---------------------------------------------------------------- main */

static int group_setup(void **state)
{
	(void)state;
	udma_set_log_fn(log_sink, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	udma_set_log_fn(NULL, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_exact),
		cmocka_unit_test(test_state_terminating),
		cmocka_unit_test(test_dump_text),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_concurrent_submitters),
		cmocka_unit_test(test_env_no_signal_stolen),
		cmocka_unit_test(test_env_exit_dump),
		cmocka_unit_test(test_env_signal_dump),
	};
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], "--child-exit"))
		return child_exit();
	if (argc > 1 && !strcmp(argv[1], "--child-signal"))
		return child_signal();
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		return 1;
	self_exe[n] = '\0';
	return cmocka_run_group_tests_name("stats", tests, group_setup, group_teardown);
}
