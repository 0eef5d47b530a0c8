/* SPDX-License-Identifier: MIT */
/*
 * test-stress.c - threads x channels doing random operations; every
 * submitted cookie must end exactly once.
 *
 * NTHREADS threads share NCHANS sw-memcpy channels. A held channel travels
 * with its "context" (the test's record of its outstanding descriptors): a
 * thread requests a channel, works on it, and either releases it or parks
 * it for another thread to pick up (hand-off, outstanding work included).
 * Operations, chosen at random: request, release, park/pick up, prep+submit
 * of 0..32 copies (1 byte .. 64 KiB, a few with callbacks that call
 * dmaengine_terminate_async themselves), issue_pending, terminate_async,
 * synchronize, terminate_sync, and waiting for completion.
 *
 * Invariant, checked whenever a descriptor is resolved (after a synchronize,
 * terminate_sync or release, and at the end): its cookie reads DMA_COMPLETE,
 * its callback ran exactly once and its data arrived - or it reads
 * DMA_ERROR and no callback ever ran. None stays in progress after a
 * terminate_sync or release, a final state never changes, cookies of a
 * channel strictly increase, and the totals add up. Tracking structs and
 * buffers belong to the test and are freed only after the descriptor was
 * resolved behind a synchronize or release.
 *
 * Bounded by iterations and wall time: UDMA_STRESS_SECONDS (default 5).
 * Worker threads never assert; the main thread does after joining them.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <udmaengine/dmaengine.h>

#include "test-util.h"

#define NTHREADS 4
#define NCHANS 4
#define MAX_HELD 2          /* contexts one thread holds at a time */
#define MAX_OUT 160         /* outstanding descriptors before a forced wait */
#define MAX_SUBMIT 32
#define MAX_LEN (64u << 10)
#define ITERATIONS 200000
#define DEFAULT_SECONDS 5

/* ------------------------------------------------------------ tracking */

struct ctx;

struct track {
	struct track *next;
	struct ctx *ctx;
	dma_cookie_t cookie;
	size_t len;
	uint8_t *src, *dst;
	bool has_cb;
	bool term_in_cb;           /* its callback calls terminate_async */
	enum dma_status seen;      /* status read before a synchronize */
	atomic_int cbs;            /* callbacks run */
};

struct ctx {
	struct dma_chan *chan;     /* set once */
	struct track *out;         /* submitted, not resolved: owner thread only */
	int nout;
	atomic_int inside;         /* a callback of this channel is running */
};

/* ------------------------------------------------------------ results */

static atomic_long st_submitted, st_completed, st_aborted, st_callbacks;
static atomic_long st_cb_completed; /* completed tracks that had a callback */
static atomic_long st_requests, st_releases, st_handoffs, st_terminates, st_cb_terminates;
static atomic_long st_errors, st_submit_refused, st_bytes;
static atomic_long st_log_expected, st_log_unexpected;
static atomic_int cb_concurrent;

static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;
static char msgs[8][240];
static int nmsgs;

static void error_at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void error_at(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&st_errors, 1);
	pthread_mutex_lock(&msg_lock);
	if (nmsgs < 8) {
		va_start(ap, fmt);
		vsnprintf(msgs[nmsgs++], sizeof(msgs[0]), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&msg_lock);
}

static char unexpected_log[240];

/*
 * Expected log lines: a callback's terminate_async while another thread
 * releases its channel ("not held"), and the submit of a descriptor that a
 * callback's terminate reclaimed between prep and submit ("not in the
 * prepared state"). Anything else is a finding.
 */
static void log_sink(int level, const char *func, const char *msg, void *ud)
{
	(void)level;
	(void)ud;
	if ((!strcmp(func, "dmaengine_terminate_async") && strstr(msg, "not held")) ||
	    (!strcmp(func, "vchan_tx_submit") && strstr(msg, "prepared state"))) {
		atomic_fetch_add(&st_log_expected, 1);
		return;
	}
	if (atomic_fetch_add(&st_log_unexpected, 1) == 0)
		snprintf(unexpected_log, sizeof(unexpected_log), "%s: %s", func, msg);
}

/* per channel (by chan_id): last cookie handed out, for monotonicity */
static atomic_int last_cookie[NCHANS];

/* a random pattern the sources are cut from */
static uint8_t pattern[2 * MAX_LEN];

/* ------------------------------------------------------------ parking */

static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctx *parked[NCHANS];

static void park(struct ctx *c)
{
	pthread_mutex_lock(&park_lock);
	for (int i = 0; i < NCHANS; i++) {
		if (!parked[i]) {
			parked[i] = c;
			c = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&park_lock);
	if (c)
		error_at("no parking slot (more than %d contexts?)", NCHANS);
}

static struct ctx *unpark(void)
{
	struct ctx *c = NULL;

	pthread_mutex_lock(&park_lock);
	for (int i = 0; i < NCHANS && !c; i++) {
		if (parked[i]) {
			c = parked[i];
			parked[i] = NULL;
		}
	}
	pthread_mutex_unlock(&park_lock);
	return c;
}

/* ----------------------------------------------------------- callbacks */

static void track_cb(void *param)
{
	struct track *t = param;
	struct ctx *c = t->ctx;

	if (atomic_exchange(&c->inside, 1))
		atomic_store(&cb_concurrent, 1);
	atomic_fetch_add(&t->cbs, 1);
	atomic_fetch_add(&st_callbacks, 1);
	if (t->term_in_cb) {
		/* -EINVAL (logged) when another thread is releasing the channel */
		if (dmaengine_terminate_async(c->chan) == 0)
			atomic_fetch_add(&st_cb_terminates, 1);
	}
	atomic_store(&c->inside, 0);
}

/* ------------------------------------------------------------ resolving */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void track_free(struct track *t)
{
	free(t->src);
	free(t->dst);
	free(t);
}

/*
 * Check a descriptor whose final status @st was read before a synchronize
 * (or after a release) and free it. Its callback, if it had one and the
 * cookie completed, has returned.
 */
static void resolve(struct ctx *c, struct track *t, enum dma_status st, const char *when)
{
	enum dma_status again = dmaengine_tx_status(c->chan, t->cookie, NULL);
	int cbs = atomic_load(&t->cbs);

	if (again != st)
		error_at("%s cookie %d: final status %d changed to %d (%s)",
			 dma_chan_name(c->chan), t->cookie, st, again, when);
	if (st == DMA_COMPLETE) {
		if (cbs != (t->has_cb ? 1 : 0))
			error_at("%s cookie %d: completed with %d callbacks, want %d (%s)",
				 dma_chan_name(c->chan), t->cookie, cbs, t->has_cb ? 1 : 0, when);
		if (memcmp(t->dst, t->src, t->len))
			error_at("%s cookie %d: completed but %zu bytes not copied (%s)",
				 dma_chan_name(c->chan), t->cookie, t->len, when);
		atomic_fetch_add(&st_completed, 1);
		if (t->has_cb)
			atomic_fetch_add(&st_cb_completed, 1);
		atomic_fetch_add(&st_bytes, (long)t->len);
	} else if (st == DMA_ERROR) {
		if (cbs)
			error_at("%s cookie %d: aborted but %d callbacks ran (%s)",
				 dma_chan_name(c->chan), t->cookie, cbs, when);
		atomic_fetch_add(&st_aborted, 1);
	} else {
		error_at("%s cookie %d: unexpected final status %d (%s)",
			 dma_chan_name(c->chan), t->cookie, st, when);
	}
	track_free(t);
}

/*
 * Snapshot, synchronize, resolve what was final before the synchronize.
 * @must_be_final: after a terminate (or release) nothing may be in progress.
 * @released: the channel was released before the call (no synchronize).
 */
static void settle(struct ctx *c, bool must_be_final, bool released, const char *when)
{
	struct track **pp;

	for (struct track *t = c->out; t; t = t->next) {
		t->seen = dmaengine_tx_status(c->chan, t->cookie, NULL);
		if (t->seen == DMA_IN_PROGRESS && must_be_final)
			error_at("%s cookie %d: still in progress after %s",
				 dma_chan_name(c->chan), t->cookie, when);
	}
	if (!released) {
		dmaengine_synchronize(c->chan);
		/* with everything final, no callback may run any more */
		if (must_be_final && atomic_load(&c->inside))
			error_at("%s: a callback is running after dmaengine_synchronize (%s)",
				 dma_chan_name(c->chan), when);
	}
	pp = &c->out;
	while (*pp) {
		struct track *t = *pp;

		if (t->seen == DMA_IN_PROGRESS && !must_be_final) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		c->nout--;
		resolve(c, t, t->seen == DMA_IN_PROGRESS ? DMA_ERROR : t->seen, when);
	}
}

/* Issue and wait (bounded) until nothing is in progress, then settle. */
static void wait_all(struct ctx *c)
{
	uint64_t end = now_ns() + (uint64_t)TEST_DEADLINE_MS * 1000000u;

	dma_async_issue_pending(c->chan);
	for (struct track *t = c->out; t; t = t->next) {
		while (dmaengine_tx_status(c->chan, t->cookie, NULL) == DMA_IN_PROGRESS) {
			if (now_ns() > end) {
				error_at("%s cookie %d: not done %u ms after issue_pending",
					 dma_chan_name(c->chan), t->cookie, TEST_DEADLINE_MS);
				dmaengine_terminate_sync(c->chan);
				break;
			}
			sched_yield();
		}
	}
	settle(c, true, false, "wait");
}

/* ----------------------------------------------------------- operations */

static size_t random_len(unsigned int *seed)
{
	unsigned int r = (unsigned int)rand_r(seed);

	if (r % 8 == 0)
		return 1 + (size_t)(rand_r(seed) % MAX_LEN);      /* up to 64 KiB */
	if (r % 8 < 3)
		return 1 + (size_t)(rand_r(seed) % 64);           /* tiny */
	return 1 + (size_t)(rand_r(seed) % 4096);
}

static void submit_some(struct ctx *c, unsigned int *seed)
{
	struct device *dev = dmaengine_get_dma_device(c->chan);
	int n = rand_r(seed) % (MAX_SUBMIT + 1);

	for (int i = 0; i < n; i++) {
		struct dma_async_tx_descriptor *tx;
		struct track *t = calloc(1, sizeof(*t));
		size_t off;
		unsigned long flags = DMA_CTRL_ACK;
		int id = c->chan->chan_id;
		int prev;

		if (!t)
			return;
		t->ctx = c;
		t->len = random_len(seed);
		t->src = malloc(t->len);
		t->dst = malloc(t->len);
		if (!t->src || !t->dst) {
			track_free(t);
			return;
		}
		off = (size_t)rand_r(seed) % MAX_LEN;
		memcpy(t->src, pattern + off, t->len);
		memset(t->dst, 0, t->len);
		t->dst[0] = (uint8_t)~t->src[0]; /* never equal before the copy */
		t->has_cb = rand_r(seed) % 8 != 0;
		t->term_in_cb = t->has_cb && rand_r(seed) % 97 == 0;
		atomic_store(&t->cbs, 0);
		if (t->has_cb)
			flags |= DMA_PREP_INTERRUPT;

		tx = dmaengine_prep_dma_memcpy(c->chan,
					       dma_map_single(dev, t->dst, t->len, DMA_FROM_DEVICE),
					       dma_map_single(dev, t->src, t->len, DMA_TO_DEVICE),
					       t->len, flags);
		if (!tx) { /* pool busy */
			track_free(t);
			return;
		}
		if (t->has_cb) {
			tx->callback = track_cb;
			tx->callback_param = t;
		}
		t->cookie = dmaengine_submit(tx);
		if (t->cookie < DMA_MIN_COOKIE) {
			/* a callback's terminate reclaimed it between prep and submit */
			atomic_fetch_add(&st_submit_refused, 1);
			track_free(t);
			continue;
		}
		prev = atomic_exchange(&last_cookie[id], t->cookie);
		if (t->cookie <= prev)
			error_at("%s: cookie %d handed out after %d", dma_chan_name(c->chan),
				 t->cookie, prev);
		atomic_fetch_add(&st_submitted, 1);
		t->next = c->out;
		c->out = t;
		c->nout++;
	}
}

static struct ctx *acquire(void)
{
	struct ctx *c = unpark();
	dma_cap_mask_t mask;
	struct dma_chan *chan;

	if (c) {
		atomic_fetch_add(&st_handoffs, 1);
		return c;
	}
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, NULL, NULL);
	if (!chan)
		return NULL; /* all taken: fine */
	if (chan->chan_id < 0 || chan->chan_id >= NCHANS) {
		error_at("unexpected channel id %d", chan->chan_id);
		dma_release_channel(chan);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		dma_release_channel(chan);
		return NULL;
	}
	c->chan = chan;
	atomic_fetch_add(&st_requests, 1);
	return c;
}

static void release(struct ctx *c, bool terminate_first)
{
	if (terminate_first) {
		if (dmaengine_terminate_sync(c->chan))
			error_at("%s: terminate_sync failed", dma_chan_name(c->chan));
		settle(c, true, false, "terminate_sync before release");
		dma_release_channel(c->chan);
	} else {
		/* release aborts what is queued and waits for callbacks */
		dma_release_channel(c->chan);
		if (atomic_load(&c->inside))
			error_at("%s: a callback is running after dma_release_channel",
				 dma_chan_name(c->chan));
		settle(c, true, true, "release");
	}
	if (c->out || c->nout)
		error_at("%d descriptors left unresolved at release", c->nout);
	atomic_fetch_add(&st_releases, 1);
	free(c);
}

/* ---------------------------------------------------------------- worker */

static uint64_t deadline_ns;

struct worker {
	pthread_t thread;
	unsigned int seed;
	long iterations;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ctx *held[MAX_HELD] = { NULL };
	int nheld = 0;

	for (long it = 0; it < ITERATIONS && now_ns() < deadline_ns; it++) {
		int r = rand_r(&w->seed) % 100;
		int h;
		struct ctx *c;

		w->iterations++;
		if (!nheld || (r >= 96 && nheld < MAX_HELD)) {
			c = acquire();
			if (c)
				held[nheld++] = c;
			else
				sched_yield();
			continue;
		}
		h = rand_r(&w->seed) % nheld;
		c = held[h];
		if (c->nout > MAX_OUT) {
			wait_all(c);
			continue;
		}
		if (r < 35) {
			submit_some(c, &w->seed);
		} else if (r < 55) {
			dma_async_issue_pending(c->chan);
		} else if (r < 63) {
			if (dmaengine_terminate_async(c->chan))
				error_at("%s: terminate_async failed", dma_chan_name(c->chan));
			atomic_fetch_add(&st_terminates, 1);
		} else if (r < 68) {
			if (dmaengine_terminate_sync(c->chan))
				error_at("%s: terminate_sync failed", dma_chan_name(c->chan));
			atomic_fetch_add(&st_terminates, 1);
			settle(c, true, false, "terminate_sync");
		} else if (r < 76) {
			settle(c, false, false, "synchronize");
		} else if (r < 86) {
			wait_all(c);
		} else if (r < 91) {
			held[h] = held[--nheld];
			park(c);
		} else {
			held[h] = held[--nheld];
			release(c, rand_r(&w->seed) & 1);
		}
	}
	while (nheld)
		release(held[--nheld], rand_r(&w->seed) & 1);
	return NULL;
}

static void test_stress(void **state)
{
	const char *env = getenv("UDMA_STRESS_SECONDS");
	double seconds = env ? atof(env) : DEFAULT_SECONDS;
	struct worker workers[NTHREADS];
	unsigned int seed = 0xC0FFEEu;
	long iters = 0;
	struct ctx *c;

	(void)state;
	if (seconds <= 0)
		seconds = DEFAULT_SECONDS;
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)rand_r(&seed);
	udma_set_log_fn(log_sink, NULL);
	deadline_ns = now_ns() + (uint64_t)(seconds * 1e9);
	for (int i = 0; i < NTHREADS; i++) {
		memset(&workers[i], 0, sizeof(workers[i]));
		workers[i].seed = 1000u + (unsigned int)i * 7919u;
		assert_int_equal(pthread_create(&workers[i].thread, NULL, worker_main,
						&workers[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(workers[i].thread, NULL);
		iters += workers[i].iterations;
	}
	while ((c = unpark()))
		release(c, true);
	udma_set_log_fn(NULL, NULL);

	for (int i = 0; i < nmsgs; i++)
		print_message("  error: %s\n", msgs[i]);
	if (atomic_load(&st_log_unexpected))
		print_message("  unexpected log (%ld): %s\n", atomic_load(&st_log_unexpected),
			      unexpected_log);
	print_message("  %ld iterations: %ld submitted = %ld completed + %ld aborted; "
		      "%ld callbacks; %ld MiB copied\n", iters, atomic_load(&st_submitted),
		      atomic_load(&st_completed), atomic_load(&st_aborted),
		      atomic_load(&st_callbacks), atomic_load(&st_bytes) >> 20);
	print_message("  %ld requests, %ld releases, %ld hand-offs, %ld terminates (+%ld "
		      "from callbacks), %ld submits refused after a callback's terminate, "
		      "%ld expected log lines\n", atomic_load(&st_requests),
		      atomic_load(&st_releases), atomic_load(&st_handoffs),
		      atomic_load(&st_terminates), atomic_load(&st_cb_terminates),
		      atomic_load(&st_submit_refused), atomic_load(&st_log_expected));

	assert_int_equal(atomic_load(&st_errors), 0);
	assert_int_equal(atomic_load(&cb_concurrent), 0);
	assert_int_equal(atomic_load(&st_log_unexpected), 0);
	assert_true(atomic_load(&st_submitted) > 0);
	assert_int_equal(atomic_load(&st_submitted),
			 atomic_load(&st_completed) + atomic_load(&st_aborted));
	/* every callback belongs to exactly one completed descriptor */
	assert_int_equal(atomic_load(&st_callbacks), atomic_load(&st_cb_completed));
	assert_true(atomic_load(&st_completed) > 0);
	assert_true(atomic_load(&st_aborted) > 0);
	assert_int_equal(atomic_load(&st_requests), atomic_load(&st_releases));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress),
	};

	setenv("UDMA_PROVIDER_OPTIONS", "sw-memcpy:pool=1024,channels=4", 1);
	return cmocka_run_group_tests_name("stress", tests, NULL, NULL);
}
