/* SPDX-License-Identifier: MIT */
/*
 * public-pool.c - the public (shared) memory-to-memory channel pool:
 * dmaengine_get / dmaengine_put, dma_find_channel, dma_issue_pending_all.
 *
 * While at least one dmaengine_get() reference exists, the pool holds every
 * free channel of every registered device that offers an async_tx operation
 * (DMA_MEMCPY, DMA_XOR, DMA_PQ, DMA_XOR_VAL or DMA_PQ_VAL) and was not
 * registered with DMA_PRIVATE. Granularity is the channel, not the device
 * (the kernel's): channels a client took with dma_request_channel() stay
 * private, the device's other channels join the pool, and a channel released
 * privately joins it at once. A private request never takes a channel the
 * pool holds (doc/async_tx.md says why).
 *
 * Lookups use a table indexed by CPU and operation type, published with
 * release/acquire atomics (rcu_assign_pointer / rcu_dereference semantics in
 * a form ThreadSanitizer models) and read inside a liburcu-bp read-side
 * section: dma_find_channel() takes no lock and never blocks. Every change
 * builds a new table (each type's capable channels dealt round-robin over the
 * CPUs, so one CPU's types land on the same channel when it can serve them
 * all), publishes it, waits for a grace period (urcu_bp_synchronize_rcu),
 * frees the old one and only then releases channels that left the pool - so
 * no lookup that started before can return a released channel.
 *
 * LOCKING: the registry's udma_list_lock (registry.c) guards pool_refcount,
 * every table change and every claim/release; the registry calls the
 * *_locked hooks below with it held. Readers take no lock.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/sysinfo.h>
#include <urcu-bp.h>

#include "core-private.h"

/* Operation types with a table column: DMA_MEMCPY .. DMA_INTERRUPT. */
#define POOL_TYPES ((unsigned int)DMA_PRIVATE)

struct pool_table {
	unsigned int nr_cpus;
	unsigned int nr_chans;
	struct dma_chan **chans;  /* every public channel, for issue_pending_all */
	struct dma_chan *map[];   /* [cpu * POOL_TYPES + type], NULL: none */
};

static struct pool_table *pool_table; /* published: atomics, RCU-reclaimed */
static long pool_refcount;            /* [L] dmaengine_get references */

static const enum dma_transaction_type async_caps[] = {
	DMA_MEMCPY, DMA_XOR, DMA_PQ, DMA_XOR_VAL, DMA_PQ_VAL,
};

static bool device_is_public(const struct dma_device *device)
{
	const struct udma_device_priv *p = device->udma_priv;

	if (!p || !p->registered || p->unregistering || p->provider_private)
		return false;
	for (size_t i = 0; i < sizeof(async_caps) / sizeof(async_caps[0]); i++)
		if (dma_has_cap(async_caps[i], device->cap_mask))
			return true;
	return false;
}

static bool chan_is_public(const struct dma_chan *chan)
{
	return chan->udma_priv && chan->udma_priv->is_public &&
	       !chan->udma_priv->releasing;
}

/* Reclaim a table nobody can read any more (after a grace period). Named in
 * tests/tsan.supp: ThreadSanitizer does not model RCU grace periods. */
__attribute__((noinline)) static void pool_table_free_rcu(struct pool_table *t)
{
	free(t);
}

static void pool_publish(struct pool_table *t)
{
	struct pool_table *old = __atomic_load_n(&pool_table, __ATOMIC_RELAXED);

	if (!old && !t)
		return;
	__atomic_store_n(&pool_table, t, __ATOMIC_RELEASE);
	urcu_bp_synchronize_rcu();
	pool_table_free_rcu(old);
}

/* Build the table of the channels the pool holds. NULL: none, or no memory. */
static struct pool_table *pool_build_locked(void)
{
	struct cds_list_head *list = udma__device_list_locked();
	struct dma_device *device;
	struct dma_chan *chan;
	struct pool_table *t;
	unsigned int nr = 0, nr_cpus = (unsigned int)get_nprocs_conf();

	cds_list_for_each_entry(device, list, global_node) {
		if (!device_is_public(device))
			continue;
		cds_list_for_each_entry(chan, &device->channels, device_node)
			nr += chan_is_public(chan);
	}
	if (!nr)
		return NULL;
	if (!nr_cpus)
		nr_cpus = 1;
	t = calloc(1, sizeof(*t) + (size_t)nr_cpus * POOL_TYPES * sizeof(t->map[0]) +
		      nr * sizeof(t->chans[0]));
	if (!t) {
		udma_err("out of memory: public channel table not rebuilt");
		return NULL;
	}
	t->nr_cpus = nr_cpus;
	t->chans = (struct dma_chan **)&t->map[(size_t)nr_cpus * POOL_TYPES];
	cds_list_for_each_entry(device, list, global_node) {
		if (!device_is_public(device))
			continue;
		cds_list_for_each_entry(chan, &device->channels, device_node)
			if (chan_is_public(chan))
				t->chans[t->nr_chans++] = chan;
	}
	for (unsigned int type = 0; type < POOL_TYPES; type++) {
		unsigned int capable = 0, k = 0;

		for (unsigned int i = 0; i < t->nr_chans; i++)
			capable += (unsigned int)dma_has_cap((enum dma_transaction_type)type,
							      t->chans[i]->device->cap_mask);
		if (!capable)
			continue;
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
			unsigned int want = cpu % capable, seen = 0;

			for (k = 0; k < t->nr_chans; k++) {
				chan = t->chans[k];
				if (!dma_has_cap((enum dma_transaction_type)type,
						 chan->device->cap_mask))
					continue;
				if (seen++ == want)
					break;
			}
			t->map[(size_t)cpu * POOL_TYPES + type] = chan;
		}
	}
	return t;
}

/* Release every public channel that left the pool (lock dropped meanwhile). */
static void pool_release_stale_locked(void)
{
	struct dma_device *device;
	struct dma_chan *chan;

again:
	cds_list_for_each_entry(device, udma__device_list_locked(), global_node) {
		bool keep = pool_refcount > 0 && device_is_public(device);

		cds_list_for_each_entry(chan, &device->channels, device_node) {
			if (keep || !chan_is_public(chan))
				continue;
			udma_dbg("%s leaves the public pool", chan->udma_name);
			udma__chan_release_public_locked(chan); /* drops the lock */
			goto again; /* the device list may have changed */
		}
	}
}

void udma__pool_rebalance_locked(void)
{
	struct dma_device *device;
	struct dma_chan *chan;

	if (pool_refcount > 0) {
		cds_list_for_each_entry(device, udma__device_list_locked(), global_node) {
			if (!device_is_public(device))
				continue;
			cds_list_for_each_entry(chan, &device->channels, device_node) {
				if (chan->client_count || chan->udma_priv->releasing)
					continue;
				if (!udma__chan_claim_public_locked(chan))
					udma_dbg("%s joins the public pool", chan->udma_name);
			}
		}
	}
	pool_publish(pool_refcount > 0 ? pool_build_locked() : NULL);
	pool_release_stale_locked();
}

/*
 * async_tx work a pool channel still carries: cookies not yet finished, or
 * (virt-dma) descriptors a client may still wait for or hold - a parked
 * child, an unacked completed parent it will pass as depend_tx.
 */
static bool chan_async_busy(struct dma_chan *chan)
{
	uint64_t finished = __atomic_load_n(&chan->udma_completed, __ATOMIC_ACQUIRE) +
			    __atomic_load_n(&chan->udma_errors, __ATOMIC_ACQUIRE) +
			    __atomic_load_n(&chan->udma_aborted, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&chan->udma_submitted, __ATOMIC_ACQUIRE) != finished)
		return true;
	return chan->udma_priv->vchan && udma__vchan_holds_work(chan->udma_priv->vchan);
}

/*
 * The kernel pins a provider's module while dmaengine_get() references use
 * its channels; here a device whose pool channels still carry async_tx work
 * refuses to unregister. The device first leaves the lookup table and a
 * grace period passes, so no operation can be starting on it while it is
 * checked; then its channels are released, or it rejoins the pool.
 */
int udma__pool_remove_device_locked(struct dma_device *device)
{
	struct dma_chan *chan;

	device->udma_priv->unregistering = 1;
	pool_publish(pool_refcount > 0 ? pool_build_locked() : NULL);
	cds_list_for_each_entry(chan, &device->channels, device_node) {
		struct dma_chan *c;

		if (!chan_is_public(chan) || !chan_async_busy(chan))
			continue;
		device->udma_priv->unregistering = 0;
		udma__pool_rebalance_locked();
		/* a dma_issue_pending_all() that ran while the device was out of
		 * the table skipped its channels: issue them now, or work its
		 * client submitted and issued would wait for ever (found by the
		 * soak: a memcpy stuck 20 s, then a crash at dmaengine_put) */
		cds_list_for_each_entry(c, &device->channels, device_node)
			if (chan_is_public(c))
				dma_async_issue_pending(c);
		udma_err("dma%d: channel %s is in use by async_tx (public pool, outstanding "
			 "or unacked descriptors): not unregistered", device->dev_id,
			 chan->udma_name);
		return -EBUSY;
	}
	pool_release_stale_locked();
	return 0;
}

void udma__pool_shutdown_locked(void)
{
	pool_refcount = 0;
	udma__pool_rebalance_locked();
}

/* ------------------------------------------------------------ client API */

UDMA_EXPORT void dmaengine_get(void)
{
	if (udma__forked_child(__func__))
		return;
	if (udma_in_completion_context()) {
		udma_err("dmaengine_get may block; not allowed in a completion callback");
		return;
	}
	udma__init();
	udma__registry_lock();
	if (pool_refcount++ == 0)
		udma__pool_rebalance_locked();
	udma__registry_unlock();
}

UDMA_EXPORT void dmaengine_put(void)
{
	if (udma__forked_child(__func__))
		return;
	if (udma_in_completion_context()) {
		udma_err("dmaengine_put may block; not allowed in a completion callback");
		return;
	}
	udma__registry_lock();
	if (pool_refcount <= 0) {
		udma__registry_unlock();
		udma_err("dmaengine_put without a matching dmaengine_get");
		return;
	}
	if (--pool_refcount == 0)
		udma__pool_rebalance_locked();
	udma__registry_unlock();
}

UDMA_EXPORT struct dma_chan *dma_find_channel(enum dma_transaction_type tx_type)
{
	struct pool_table *t;
	struct dma_chan *chan = NULL;

	/* a forked child gets no channel, so async_tx runs on the CPU there */
	if ((unsigned int)tx_type >= POOL_TYPES || udma__forked_child_quiet())
		return NULL;
	urcu_bp_read_lock();
	t = __atomic_load_n(&pool_table, __ATOMIC_ACQUIRE);
	if (t) {
		int cpu = sched_getcpu();

		if (cpu < 0)
			cpu = 0;
		chan = t->map[((unsigned int)cpu % t->nr_cpus) * POOL_TYPES + tx_type];
	}
	urcu_bp_read_unlock();
	return chan;
}

UDMA_EXPORT void dma_issue_pending_all(void)
{
	struct pool_table *t;

	if (udma__forked_child(__func__))
		return;
	urcu_bp_read_lock();
	t = __atomic_load_n(&pool_table, __ATOMIC_ACQUIRE);
	for (unsigned int i = 0; t && i < t->nr_chans; i++)
		dma_async_issue_pending(t->chans[i]);
	urcu_bp_read_unlock();
}

UDMA_EXPORT int udma_public_channels(struct dma_chan **chans, unsigned int max)
{
	struct pool_table *t;
	int n = 0;

	if (!chans && max) {
		udma_err("NULL array");
		return -EINVAL;
	}
	urcu_bp_read_lock();
	t = __atomic_load_n(&pool_table, __ATOMIC_ACQUIRE);
	for (unsigned int i = 0; t && i < t->nr_chans; i++, n++)
		if (i < max)
			chans[i] = t->chans[i];
	urcu_bp_read_unlock();
	return n;
}
