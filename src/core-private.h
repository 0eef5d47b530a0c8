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
#include <udmaengine/fault.h>
#include <udmaengine/provider.h>
#include <urcu/list.h>

struct virt_dma_chan;

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

	/* completion context (completion-ctx.c) */
	struct virt_dma_chan *vchan;      /* [L] set by udma_vchan_pool_init: modes supported,
	                                   * udma_dump walks its lists (stats.c) */
	int ctx_mode;                     /* [A] enum udma_completion_mode */
	int ctx_pending;                  /* [A] 1: delivery work waits for a poll */
	int ctx_efd;                      /* [A] eventfd in UDMA_COMPLETION_EVENTFD, else -1 */
	int ctx_kickers;                  /* [A] kicks between loading ctx_efd and write() */
	int poll_busy;                    /* [A] 1: a poll (or a mode change) owns delivery */
	int32_t poll_seq;                 /* [A] odd while a poll pass runs callbacks */

	/* fault injection and strict mapping (fault.c) */
	int fault_on;                     /* [A] a fault is configured */
	struct udma_fault_config fault;   /* [A] fields stored/loaded one by one */
	uint64_t fault_rng;               /* [T] xorshift state */
	uint64_t fault_count;             /* [T] descriptors started since set */
	int fault_reseed;                 /* [A] set_fault asks the engine to restart */
	struct udma_fault_stats fault_stats; /* [A] relaxed counters */
	uint64_t fault_ring[64];          /* [A] (cookie << 32 | residue) of failures */
	unsigned int fault_ring_pos;      /* [C] */
	uint64_t strict_state;            /* [A] seq << 2 | killed << 1 | active */
	uintptr_t strict_cur[4];          /* [A] piece the engine moves: dst, dst end, src, src end */
	int strict_killed;                /* [A] that piece was unmapped under the engine */
	struct cds_list_head strict_node; /* on the strict channel list (fault.c lock) */

	/* client ownership */
	int releasing;                    /* [L] dma_release_channel in progress */
	char req_name[48];                /* [L] chan->name after dma_request_chan */
	int is_public;                    /* [L] held by the public pool (public-pool.c) */

	/* stats.c: who holds the channel, cold counters, state hints */
	int32_t thread_tid;               /* [A] Linux tid of the completion thread */
	int32_t holder_tid;               /* [L] tid of the requesting thread */
	uint64_t held_since_ns;           /* [L] CLOCK_MONOTONIC at the request */
	char holder_thread[16];           /* [L] its thread name at the request */
	char client_name[48];             /* [L] udma_chan_set_client_name() */
	int paused;                       /* [A] dmaengine_pause() succeeded, no resume since */
	uint64_t pool_empty;              /* [A] preps refused: descriptor pool empty */
};

struct udma_device_priv {
	int registered;                   /* [L] */
	int unregistering;                /* [L] public pool: do not take its channels */
	bool provider_private;            /* DMA_PRIVATE set by the provider at register */
};

/*
 * Core-private bits in dma_async_tx_descriptor.flags (above every
 * enum dma_ctrl_flags bit; vchan_tx_prep clears them), set with atomics:
 *   UDMA_CTRL_FAILED      the descriptor completed with an error or was
 *                         aborted (set before its cookie reads 0)
 *   UDMA_CTRL_DEP_FAILED  an async_tx parent failed: the completion path
 *                         reports this descriptor as DMA_TRANS_ABORTED
 */
#define UDMA_CTRL_FAILED (1u << 30)
#define UDMA_CTRL_DEP_FAILED (1u << 29)
#define UDMA_CTRL_PRIVATE_MASK (UDMA_CTRL_FAILED | UDMA_CTRL_DEP_FAILED)

static inline void udma__tx_set_flags(struct dma_async_tx_descriptor *tx, unsigned int bits)
{
	__atomic_fetch_or((unsigned int *)&tx->flags, bits, __ATOMIC_RELEASE);
}

static inline unsigned int udma__tx_flags(const struct dma_async_tx_descriptor *tx)
{
	return __atomic_load_n((const unsigned int *)&tx->flags, __ATOMIC_ACQUIRE);
}

static inline void udma__tx_mark_failed(struct dma_async_tx_descriptor *tx)
{
	udma__tx_set_flags(tx, UDMA_CTRL_FAILED);
}

/* logging shorthands */
#define udma_err(...) udma_log(UDMA_LOG_ERR, __func__, __VA_ARGS__)
#define udma_warn(...) udma_log(UDMA_LOG_WARNING, __func__, __VA_ARGS__)
#define udma_info(...) udma_log(UDMA_LOG_INFO, __func__, __VA_ARGS__)
#define udma_dbg(...) udma_log(UDMA_LOG_DEBUG, __func__, __VA_ARGS__)

/* tasklet.c */
/*
 * Core-private bit in tasklet_struct.udma_state: the tasklet is a vchan's
 * completion tasklet (vc->task), i.e. the one that runs client callbacks.
 * Set by vchan_init(); tasklet_schedule() routes it by completion mode.
 */
#define UDMA__TASKLET_DELIVERY 2
int udma__chan_thread_start(struct dma_chan *chan);
void udma__chan_thread_stop(struct dma_chan *chan);
void udma__chan_wait_seq_change(struct udma_chan_priv *p, int32_t *seq_addr, int32_t seq);
void udma__futex_wait(int32_t *addr, int32_t val);
void udma__futex_wake_all(int32_t *addr);
/* Mark the calling thread as running callbacks of @chan (NULL: not); returns
 * the previous mark. */
struct dma_chan *udma__set_completion_context(struct dma_chan *chan);

/* completion-ctx.c */
struct virt_dma_chan;
void udma__ctx_init(struct udma_chan_priv *p);
void udma__ctx_kick(struct udma_chan_priv *p, struct tasklet_struct *t);
void udma__ctx_release(struct dma_chan *chan);

/* virt-dma.c */
unsigned int udma__vchan_deliver(struct virt_dma_chan *vc, unsigned int max_callbacks,
				 bool *more);
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
unsigned int udma__nr_devices(void);
bool udma__device_registered(const char *name);
bool udma__find_provider_map(const char *devname, const char *slave, char *dev_out,
			     size_t size, void **param);
void udma__chan_set_slave(struct dma_chan *chan, struct device *dev, const char *name);

/* registry.c: the registry mutex and the device list (public-pool.c, stats.c) */
void udma__registry_lock(void);
void udma__registry_unlock(void);
struct cds_list_head *udma__device_list_locked(void);
int udma__chan_claim_public_locked(struct dma_chan *chan);
void udma__chan_release_public_locked(struct dma_chan *chan);

/* public-pool.c: called with the registry lock held */
void udma__pool_rebalance_locked(void);
/* Take @device's channels out of the pool for its unregistration; -EBUSY
 * (and they stay) while one still has async_tx work (udma__chan_async_busy). */
int udma__pool_remove_device_locked(struct dma_device *device);
/* Does @vc hold a descriptor a client may still wait for or reference
 * (virt-dma.c)? */
bool udma__vchan_holds_work(struct virt_dma_chan *vc);
void udma__pool_shutdown_locked(void);

/* async_tx.c: dma_run_dependencies(); @abandoned: @tx will never complete */
void udma__run_dependencies(struct dma_async_tx_descriptor *tx, bool abandoned);
/* sentinel in tx->next: dependencies have run, no child may attach */
#define UDMA_TX_DEPS_DONE ((struct dma_async_tx_descriptor *)1)
/* fault.c */
void udma__fault_chan_init(struct dma_chan *chan);
void udma__fault_chan_fini(struct dma_chan *chan);
void udma__fault_note(struct dma_chan *chan, dma_cookie_t cookie, uint32_t residue);
bool udma__fault_residue(struct udma_chan_priv *p, dma_cookie_t cookie, uint32_t *residue);
void udma__strict_unmapped(uintptr_t start, uintptr_t end);
/* dma_unmap_single() of a mapping no engine was given (a failed prep): no
 * in-flight check, callable inside a urcu-bp read-side section (mapping.c) */
void udma__unmap_unused(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir);
/* Undo and free unmap data that only ever held bidirectional mappings no
 * engine was given (async_tx's failed prep), inside a read-side section. */
struct dmaengine_unmap_data;
void udma__unmap_data_discard(struct dmaengine_unmap_data *u);

/* mapping.c */
extern int udma__strict_on;
int udma__strict_check(uintptr_t start, size_t len, bool write, uintptr_t *bad);

/* plugin.c */
void udma__init(void);
char *udma__provider_options(const char *all, const char *name);

/* log.c */
int udma__log_level_parse(const char *s);

/* slave-map.c */
int udma__slave_map_parse(const char *spec, const char *what);
void udma__slave_map_clear(void);

/* stats.c */
void udma__stats_chan_init(struct dma_chan *chan);
void udma__stats_claim(struct dma_chan *chan);
void udma__stats_unclaim(struct dma_chan *chan);
void udma__stats_env_init(void);
void udma__stats_exit(void);

#endif /* UDMA_CORE_PRIVATE_H */
