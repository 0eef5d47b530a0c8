/* SPDX-License-Identifier: MIT */
/*
 * test-util.h - helpers shared by the tests: waiting on a counter with a
 * deadline (never sleep-and-hope), and small buffer utilities.
 *
 * Callbacks run on completion threads and must not call cmocka asserts:
 * they bump a struct counter (counter_add); the test thread waits with
 * counter_wait_ge() and asserts afterwards.
 */
#ifndef UDMA_TEST_UTIL_H
#define UDMA_TEST_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct counter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long value;
};

static inline void counter_init(struct counter *c)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
	c->value = 0;
}

static inline void counter_destroy(struct counter *c)
{
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

static inline void counter_add(struct counter *c, long n)
{
	pthread_mutex_lock(&c->lock);
	c->value += n;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static inline long counter_get(struct counter *c)
{
	long v;

	pthread_mutex_lock(&c->lock);
	v = c->value;
	pthread_mutex_unlock(&c->lock);
	return v;
}

/* Wait until the counter reaches @target or @timeout_ms passes. */
static inline bool counter_wait_ge(struct counter *c, long target, unsigned int timeout_ms)
{
	struct timespec dl;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	while (c->value < target)
		if (pthread_cond_timedwait(&c->cond, &c->lock, &dl))
			break;
	ok = c->value >= target;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

/* Generous deadline for anything that should take microseconds (slow CI). */
#define TEST_DEADLINE_MS 10000u

#endif /* UDMA_TEST_UTIL_H */
