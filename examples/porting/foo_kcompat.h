/* SPDX-License-Identifier: MIT */
/*
 * foo_kcompat.h - the kernel services foo_serial_tx.c used besides
 * dmaengine, rebuilt on pthreads for its port: dev_err, msecs_to_jiffies and
 * struct completion. libudmaengine does not provide these (it is a
 * dmaengine library, not a kernel emulation); a port brings its own, as
 * here, or rewrites the calls. doc/porting.md lists them.
 */
#ifndef FOO_KCOMPAT_H
#define FOO_KCOMPAT_H

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <udmaengine/dma-mapping.h>

#define dev_err(dev, fmt, ...) fprintf(stderr, "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define msecs_to_jiffies(ms) (ms)

struct completion {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
};

static inline void init_completion(struct completion *c)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
	c->done = 0;
}

static inline void reinit_completion(struct completion *c)
{
	pthread_mutex_lock(&c->lock);
	c->done = 0;
	pthread_mutex_unlock(&c->lock);
}

/* Any thread, including a completion callback. */
static inline void complete(struct completion *c)
{
	pthread_mutex_lock(&c->lock);
	c->done = 1;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Return: 0 on timeout, else non-zero (as the kernel's). May block. */
static inline unsigned long wait_for_completion_timeout(struct completion *c, unsigned long ms)
{
	struct timespec dl;
	int done;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += (time_t)(ms / 1000);
	dl.tv_nsec += (long)(ms % 1000) * 1000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&c->lock);
	while (!c->done && pthread_cond_timedwait(&c->cond, &c->lock, &dl) == 0)
		;
	done = c->done;
	pthread_mutex_unlock(&c->lock);
	return (unsigned long)done;
}

#endif /* FOO_KCOMPAT_H */
