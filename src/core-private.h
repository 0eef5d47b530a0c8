/* SPDX-License-Identifier: MIT */
/*
 * core-private.h - declarations shared by the core's .c files; never
 * installed. Internal cross-file helpers carry the udma__ prefix.
 *
 * Per-channel core state (struct udma_chan_priv) is allocated at device
 * registration and freed at unregistration. Its fields are guarded as noted:
 *   [T]  touched only by the channel's completion thread
 *   [A]  atomics (__atomic builtins, which ThreadSanitizer models), any thread
 *   [L]  the registry mutex (registry.c)
 *   [C]  the channel lock of the provider (vc->lock) - cookie outcome bits
 */
#ifndef UDMA_CORE_PRIVATE_H
#define UDMA_CORE_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/wfcqueue.h>
#include <udmaengine/provider.h>

/* Cookie outcomes are remembered for this many most recent cookies. */
#define UDMA_COOKIE_WINDOW 65536u
/*
 * Entries (bytes) in the outcome ring. Twice the window: cookies run 1..INT32_MAX and
 * skip 0 at the wrap, so two cookies less than a window apart across the
 * wrap must still land on different entries.
 */
#define UDMA_COOKIE_RING (2u * UDMA_COOKIE_WINDOW)

struct udma_chan_priv {
	struct dma_chan *chan;

	/* completion thread */
	pthread_t thread;                 /* [L] */
	bool thread_started;              /* [L] */
	struct cds_wfcq_head rq_head;     /* scheduled tasklets, [A] enqueue */
	struct cds_wfcq_tail rq_tail;
	int32_t wake;                     /* [A] futex: -1 = thread asleep */
	int32_t run_seq;                  /* [A] odd while a tasklet runs */
	int32_t sync_waiters;             /* [A] threads waiting on run_seq */
	struct tasklet_struct *running;   /* [A] tasklet being run, or NULL */
	int stop;                         /* [A] ask the thread to exit */

	/* cookies */
	unsigned char *outcome;           /* [C] write, [A] read: 1 = error/aborted */
	int wrapped;                      /* [C] cookies wrapped past INT32_MAX */

	/* client ownership */
	int releasing;                    /* [L] dma_release_channel in progress */
	char req_name[48];                /* [L] chan->name after dma_request_chan */
};

struct udma_device_priv {
	int registered;                   /* [L] */
};

/* logging shorthands */
#define udma_err(...) udma_log(UDMA_LOG_ERR, __func__, __VA_ARGS__)
#define udma_warn(...) udma_log(UDMA_LOG_WARNING, __func__, __VA_ARGS__)
#define udma_info(...) udma_log(UDMA_LOG_INFO, __func__, __VA_ARGS__)
#define udma_dbg(...) udma_log(UDMA_LOG_DEBUG, __func__, __VA_ARGS__)

/* tasklet.c */
int udma__chan_thread_start(struct dma_chan *chan);
void udma__chan_thread_stop(struct dma_chan *chan);
void udma__chan_wait_seq_change(struct udma_chan_priv *p, int32_t seq);
/* In a child forked while completion threads ran: logs on behalf of @func. */
bool udma__forked_child(const char *func);
bool udma__forked_child_quiet(void);
int udma__live_threads(void);  /* completion threads started, not joined */

/* cookie.c */
int udma__cookie_priv_init(struct udma_chan_priv *p);
void udma__cookie_priv_fini(struct udma_chan_priv *p);

/* registry.c */
bool udma__chan_held(const struct dma_chan *chan);
void udma__exit_release_all(void);
bool udma__any_device(void);
bool udma__device_registered(const char *name);
bool udma__find_provider_map(const char *devname, const char *slave, char *dev_out,
			     size_t size, void **param);
void udma__chan_set_slave(struct dma_chan *chan, struct device *dev, const char *name);

/* plugin.c */
void udma__init(void);

#endif /* UDMA_CORE_PRIVATE_H */
