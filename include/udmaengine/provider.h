/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/provider.h - the provider ("DMA controller driver") SDK.
 *
 * Not for clients. A provider fills a struct dma_device, lists its channels
 * (usually with vchan_init() from <udmaengine/virt-dma.h>) and registers it;
 * as a plugin it exports one entry point (UDMA_PROVIDER_DEFINE) that the
 * library's loader calls. This header also holds the kernel helpers providers
 * expect: cookie helpers (drivers/dma/dmaengine.h), callback helpers,
 * tasklets and spinlocks.
 *
 * Threads: every registered channel has one completion thread ("tasklet
 * thread", named udma-<chan>) owned by the core. Tasklets bound to the channel
 * run there, one at a time; client callbacks run there, outside every library
 * lock. udma_in_completion_context() is true on those threads.
 */
#ifndef UDMAENGINE_PROVIDER_H
#define UDMAENGINE_PROVIDER_H

#include <urcu/wfcqueue.h>
#include <udmaengine/dmaengine.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ spinlocks */

/*
 * spinlock_t - a non-sleeping lock for short critical sections, usable the
 * way kernel providers use vc->lock. A test-and-test-and-set lock on one int
 * with the compiler's __atomic builtins (acquire on lock, release on unlock),
 * so it needs no POSIX feature macro: the header compiles alone under strict
 * -std=c99 and from C++. The irqsave forms exist so kernel code ports
 * unchanged; @flags is set to 0 and otherwise unused. Not recursive. Never
 * call a client callback or anything that blocks while holding one.
 * Context: any thread; spin_lock() spins (never sleeps) while another holds it.
 */
typedef struct {
	int udma_locked; /* 0: free, 1: held */
} spinlock_t;

static inline void udma_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static inline int udma_spin_lock_init(spinlock_t *l)
{
	__atomic_store_n(&l->udma_locked, 0, __ATOMIC_RELAXED);
	return 0;
}

static inline void udma_spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->udma_locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->udma_locked, __ATOMIC_RELAXED))
			udma_cpu_relax();
}

static inline void udma_spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->udma_locked, 0, __ATOMIC_RELEASE);
}

#define spin_lock_init(l) udma_spin_lock_init(l)
#define spin_lock_destroy(l) ((void)(l))
#define spin_lock(l) udma_spin_lock(l)
#define spin_unlock(l) udma_spin_unlock(l)
#define spin_lock_bh(l) udma_spin_lock(l)
#define spin_unlock_bh(l) udma_spin_unlock(l)
#define spin_lock_irqsave(l, flags) do { (flags) = 0; udma_spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); udma_spin_unlock(l); } while (0)

/* ------------------------------------------------------------- tasklets */

/*
 * struct tasklet_struct - deferred work run on a channel's completion thread.
 * Bind it with udma_tasklet_setup() (vchan_init() does so for vc->task).
 * Scheduling an already scheduled tasklet is a no-op; a tasklet never runs
 * concurrently with itself or with other tasklets of the same channel.
 */
struct tasklet_struct {
	void (*callback)(struct tasklet_struct *t);
	struct dma_chan *udma_chan;     /* whose completion thread runs it */
	int udma_state;                 /* core-private: scheduled / running */
	struct cds_wfcq_node udma_node; /* core-private: run queue link */
};

/*
 * udma_tasklet_setup - bind @t to the completion thread of @chan, to run
 * @callback when scheduled. @chan must be registered before the first
 * tasklet_schedule(). Context: any thread (init time).
 */
UDMA_EXPORT void udma_tasklet_setup(struct tasklet_struct *t,
				    void (*callback)(struct tasklet_struct *),
				    struct dma_chan *chan);

/*
 * tasklet_schedule - make @t run soon on its channel's completion thread.
 * Wakes the thread only if it is asleep (no system call while it is busy).
 * Context: any thread, never blocks.
 */
UDMA_EXPORT void tasklet_schedule(struct tasklet_struct *t);

/*
 * tasklet_kill - wait until @t is neither scheduled nor running. The caller
 * must make sure nothing schedules it again meanwhile.
 * Context: may block; refused (logged, returns at once) on a completion thread.
 */
UDMA_EXPORT void tasklet_kill(struct tasklet_struct *t);

/*
 * udma_chan_sync_completion - wait until the tasklet run (if any) in
 * progress on @chan's completion thread when this was called has finished.
 * Runs started later are not waited for. This is the core of
 * dmaengine_synchronize(): after terminate removed descriptors from every
 * list, a run started later cannot touch them.
 * Return: 0, -EINVAL (@chan not registered), -EDEADLK on a completion
 * thread (nothing waited for).
 * Context: may block.
 */
UDMA_EXPORT int udma_chan_sync_completion(struct dma_chan *chan);

/* ------------------------------------------------------- registration */

/*
 * dma_async_device_register - make @device and its channels (already on
 * device->channels) available to clients. Starts one completion thread per
 * channel, assigns dev_id and chan_id, and names channels dma<N>chan<M>.
 * Return: 0; -EBUSY (@device is already registered); -EINVAL (NULL @device,
 * no dev, no channel, a capability without
 * its device_prep_* op, or no device_tx_status/device_issue_pending; the log
 * line names what is missing); -ENOMEM / -EAGAIN (allocation or thread
 * creation failed). Context: may block.
 */
UDMA_EXPORT int dma_async_device_register(struct dma_device *device);

/*
 * dma_async_device_unregister - withdraw @device. Refused with -EBUSY (and a
 * log line) while any channel is held by a client, or serves the public pool
 * and still carries async_tx work (descriptors queued, parked or done but
 * unacked; the kernel pins the provider's module instead): nothing is torn
 * down under a client. Idle pool channels just leave the pool. Otherwise stops the channels' completion threads, waits
 * for an RCU grace period (readers never see a freed device) and calls
 * device->device_release if set. Return: 0, -EINVAL (NULL or not
 * registered), -EBUSY, -EDEADLK (called on a completion thread).
 * Context: may block.
 */
UDMA_EXPORT int dma_async_device_unregister(struct dma_device *device);

/* ------------------------------------------------------ cookie helpers */

/* dma_async_tx_descriptor_init - tie @tx to @chan. Any context. */
static inline void dma_async_tx_descriptor_init(struct dma_async_tx_descriptor *tx,
						struct dma_chan *chan)
{
	tx->chan = chan;
}

/* dma_cookie_init - reset @chan's cookies (before registration). */
UDMA_EXPORT void dma_cookie_init(struct dma_chan *chan);

/*
 * dma_cookie_assign - give @tx the channel's next cookie (1..INT32_MAX, then
 * wraps to 1). Return: the cookie. Context: caller holds the channel lock.
 */
UDMA_EXPORT dma_cookie_t dma_cookie_assign(struct dma_async_tx_descriptor *tx);

/*
 * dma_cookie_complete - record @tx as completed successfully: its cookie
 * becomes the channel's completed_cookie and tx->cookie is zeroed.
 * Context: caller holds the channel lock.
 */
UDMA_EXPORT void dma_cookie_complete(struct dma_async_tx_descriptor *tx);

/*
 * udma_cookie_complete_result - dma_cookie_complete() with an outcome: any
 * @result other than DMA_TRANS_NOERROR makes the cookie read DMA_ERROR.
 * Context: caller holds the channel lock.
 */
UDMA_EXPORT void udma_cookie_complete_result(struct dma_async_tx_descriptor *tx,
					     enum dmaengine_tx_result result);

/*
 * udma_cookie_abort - record @tx (submitted, not completed) as aborted: its
 * cookie reads DMA_ERROR and tx->cookie is zeroed. Descriptors that were never
 * submitted (cookie 0) are ignored. Context: caller holds the channel lock.
 */
UDMA_EXPORT void udma_cookie_abort(struct dma_async_tx_descriptor *tx);

/*
 * udma_cookie_abort_all_done - after aborting every outstanding descriptor,
 * mark all cookies handed out so far as finished (completed_cookie = cookie).
 * Context: caller holds the channel lock.
 */
UDMA_EXPORT void udma_cookie_abort_all_done(struct dma_chan *chan);

/*
 * dma_cookie_status - the generic part of device_tx_status: fills @state's
 * last/used (residue 0) and returns DMA_COMPLETE, DMA_IN_PROGRESS or
 * DMA_ERROR (failed, aborted, or never handed out). Context: any thread,
 * lockless.
 */
UDMA_EXPORT enum dma_status dma_cookie_status(struct dma_chan *chan,
					      dma_cookie_t cookie,
					      struct dma_tx_state *state);

/*
 * udma_chan_stats_add_bytes - report that @chan's engine moved @bytes more
 * bytes (counted by udma_chan_get_stats() as bytes). Call it where the
 * engine knows the length: at completion (length minus residue), once per
 * batch, or per burst of a cyclic transfer. Inline: one relaxed atomic add
 * on the channel's completion-side cache line, no call. Providers that never
 * call it report 0 bytes. Context: any thread, never blocks, any lock held
 * or none.
 */
static inline void udma_chan_stats_add_bytes(struct dma_chan *chan, uint64_t bytes)
{
	__atomic_fetch_add(&chan->udma_bytes, bytes, __ATOMIC_RELAXED);
}

static inline void dma_set_tx_state(struct dma_tx_state *st, dma_cookie_t last,
				    dma_cookie_t used, uint32_t residue)
{
	if (st) {
		st->last = last;
		st->used = used;
		st->residue = residue;
	}
}

static inline void dma_set_residue(struct dma_tx_state *state, uint32_t residue)
{
	if (state)
		state->residue = residue;
}

static inline void dma_set_in_flight_bytes(struct dma_tx_state *state,
					   uint32_t in_flight_bytes)
{
	if (state)
		state->in_flight_bytes = in_flight_bytes;
}

/* ---------------------------------------------------- callback helpers */

struct dmaengine_desc_callback {
	dma_async_tx_callback callback;
	dma_async_tx_callback_result callback_result;
	void *callback_param;
};

/* Snapshot @tx's callback into @cb (under the channel lock). */
static inline void dmaengine_desc_get_callback(struct dma_async_tx_descriptor *tx,
					       struct dmaengine_desc_callback *cb)
{
	cb->callback = tx->callback;
	cb->callback_result = tx->callback_result;
	cb->callback_param = tx->callback_param;
}

/*
 * dmaengine_desc_callback_invoke - run a snapshotted callback, preferring
 * callback_result (given a NOERROR result when @result is NULL).
 * Context: completion thread, no lock held.
 */
static inline void dmaengine_desc_callback_invoke(struct dmaengine_desc_callback *cb,
						  const struct dmaengine_result *result)
{
	struct dmaengine_result dummy = { DMA_TRANS_NOERROR, 0 };

	if (cb->callback_result) {
		cb->callback_result(cb->callback_param, result ? result : &dummy);
	} else if (cb->callback) {
		cb->callback(cb->callback_param);
	}
}

static inline void dmaengine_desc_get_callback_invoke(struct dma_async_tx_descriptor *tx,
						      const struct dmaengine_result *result)
{
	struct dmaengine_desc_callback cb;

	dmaengine_desc_get_callback(tx, &cb);
	dmaengine_desc_callback_invoke(&cb, result);
}

static inline bool dmaengine_desc_callback_valid(struct dmaengine_desc_callback *cb)
{
	return cb->callback || cb->callback_result;
}

/* ------------------------------------------------------------- plugins */

/* Bumped whenever a provider-visible struct changes layout (2: cache-line
 * aligned members in dma_chan and virt_dma_chan). */
#define UDMA_PROVIDER_ABI_VERSION 3u
#define UDMA_PROVIDER_ENTRY_SYMBOL "udma_provider_entry"

/*
 * struct udma_provider - what a provider plugin (.so) describes itself with.
 * @abi_version: UDMA_PROVIDER_ABI_VERSION the plugin was built against; a
 *               mismatch makes the loader skip it (logged).
 * @name:        unique provider name ("sw-memcpy").
 * @probe:       register the provider's devices. @options is the text given
 *               for this provider in UDMA_PROVIDER_OPTIONS
 *               ("name:key=value,key=value;name2:..."), or "" (never NULL).
 *               Return 0 or a negative errno (the plugin is then unloaded).
 *               Called once, from the first thread that requests a channel,
 *               inside the library's one-time initialisation: it must not
 *               request channels itself.
 * @remove:      unregister everything probe registered. Called at process
 *               exit; channels still held by clients have been terminated.
 */
struct udma_provider {
	uint32_t abi_version;
	const char *name;
	int (*probe)(const char *options);
	void (*remove)(void);
};

typedef const struct udma_provider *(*udma_provider_entry_fn)(void);

/* Define the plugin's entry point for provider @p (a struct udma_provider). */
#define UDMA_PROVIDER_DEFINE(p) \
	UDMA_EXPORT const struct udma_provider *udma_provider_entry(void); \
	UDMA_EXPORT const struct udma_provider *udma_provider_entry(void) { return &(p); }

/*
 * udma_option_uint - parse "key=value" from a comma-separated @options string
 * (blanks before a key are skipped; the first "key=" wins). The value is an
 * unsigned number: decimal, 0x hex or 0 octal, starting with a digit (no
 * blank, no sign), fitting an unsigned long.
 * Return: 1 and *@out set when @key is present with a valid unsigned value;
 * 0 when absent (*@out untouched); -EINVAL when present but malformed, or
 * when an argument is NULL or @key is empty (logged). Context: any thread.
 */
UDMA_EXPORT int udma_option_uint(const char *options, const char *key,
				 unsigned long *out);

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_PROVIDER_H */
