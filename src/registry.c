/* SPDX-License-Identifier: MIT */
/*
 * registry.c - registered devices and exclusive channel ownership.
 *
 * Devices live on udma_device_list, an RCU list (liburcu-bp): writers hold
 * udma_list_lock and use cds_list_add_tail_rcu/cds_list_del_rcu; lookups that
 * do not claim anything may walk it under urcu_bp_read_lock() without
 * blocking. A device's channel list is immutable while it is registered.
 *
 * LOCKING
 *   udma_list_lock (pthread mutex) protects: the device list (writers),
 *   dev_id allocation, every chan->client_count change, device->privatecnt,
 *   the DMA_PRIVATE bit, udma_chan_priv.releasing and the registered flag.
 *   The request filter and device_alloc_chan_resources run under it (as in
 *   the kernel); so filters must not call request/release/register APIs.
 *   dma_release_channel drops it while it terminates and waits for callbacks,
 *   so a slow callback never blocks other threads' requests.
 *   Release also puts the channel back into the tasklet completion mode
 *   (udma__ctx_release, completion-ctx.c) after terminate and synchronize.
 *
 *   chan->client_count is also read without the lock (atomic load) by the
 *   hot-path argument checks in client.c: a channel is usable while > 0.
 *
 *   The public channel pool (public-pool.c) claims free channels with
 *   udma__chan_claim_public_locked (client_count 1, udma_chan_priv.is_public)
 *   and is rebalanced under this lock after a register, an unregister and a
 *   private release; a private request never takes a public channel.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <urcu-bp.h>
#include <urcu/rculist.h>

#include "core-private.h"

static pthread_mutex_t udma_list_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(udma_device_list);
static int udma_next_dev_id;

void udma__registry_lock(void)
{
	pthread_mutex_lock(&udma_list_lock);
}

void udma__registry_unlock(void)
{
	pthread_mutex_unlock(&udma_list_lock);
}

struct cds_list_head *udma__device_list_locked(void)
{
	return &udma_device_list;
}

bool udma__chan_held(const struct dma_chan *chan)
{
	return __atomic_load_n(&chan->client_count, __ATOMIC_ACQUIRE) > 0;
}

/* RCU reader: never blocks. */
bool udma__any_device(void)
{
	bool any;

	urcu_bp_read_lock();
	any = rcu_dereference(udma_device_list.next) != &udma_device_list;
	urcu_bp_read_unlock();
	return any;
}

/* RCU reader: how many devices are registered. Never blocks. */
unsigned int udma__nr_devices(void)
{
	struct dma_device *device;
	unsigned int n = 0;

	urcu_bp_read_lock();
	cds_list_for_each_entry_rcu(device, &udma_device_list, global_node)
		n++;
	urcu_bp_read_unlock();
	return n;
}

/* RCU reader: is a device with this udma_name registered? Never blocks. */
bool udma__device_registered(const char *name)
{
	struct dma_device *device;
	bool found = false;

	urcu_bp_read_lock();
	cds_list_for_each_entry_rcu(device, &udma_device_list, global_node) {
		if (device->udma_name && !strcmp(device->udma_name, name)) {
			found = true;
			break;
		}
	}
	urcu_bp_read_unlock();
	return found;
}

/*
 * The providers' own slave maps (dma_device.filter.map): the DMA device and
 * param routed to (@devname, @slave). Under the registry mutex.
 */
bool udma__find_provider_map(const char *devname, const char *slave, char *dev_out,
			     size_t size, void **param)
{
	struct dma_device *device;
	bool found = false;

	pthread_mutex_lock(&udma_list_lock);
	cds_list_for_each_entry(device, &udma_device_list, global_node) {
		for (int i = 0; device->udma_name && i < device->filter.mapcnt; i++) {
			const struct dma_slave_map *m = &device->filter.map[i];

			if (m->devname && m->slave && !strcmp(m->devname, devname) &&
			    !strcmp(m->slave, slave)) {
				snprintf(dev_out, size, "%s", device->udma_name);
				*param = m->param;
				found = true;
				goto out;
			}
		}
	}
out:
	pthread_mutex_unlock(&udma_list_lock);
	return found;
}

/* After dma_request_chan: record the client device and the request name. */
void udma__chan_set_slave(struct dma_chan *chan, struct device *dev, const char *name)
{
	pthread_mutex_lock(&udma_list_lock);
	chan->slave = dev;
	snprintf(chan->udma_priv->req_name, sizeof(chan->udma_priv->req_name), "dma:%s", name);
	chan->name = chan->udma_priv->req_name;
	pthread_mutex_unlock(&udma_list_lock);
}

/* ------------------------------------------------------------ register */

static const struct {
	enum dma_transaction_type cap;
	size_t op_offset;
	const char *op_name;
} cap_ops[] = {
#define CAP_OP(cap, op) { cap, offsetof(struct dma_device, op), #op }
	CAP_OP(DMA_MEMCPY, device_prep_dma_memcpy),
	CAP_OP(DMA_XOR, device_prep_dma_xor),
	CAP_OP(DMA_XOR_VAL, device_prep_dma_xor_val),
	CAP_OP(DMA_PQ, device_prep_dma_pq),
	CAP_OP(DMA_PQ_VAL, device_prep_dma_pq_val),
	CAP_OP(DMA_MEMSET, device_prep_dma_memset),
	CAP_OP(DMA_MEMSET_SG, device_prep_dma_memset_sg),
	CAP_OP(DMA_INTERRUPT, device_prep_dma_interrupt),
	CAP_OP(DMA_SLAVE, device_prep_slave_sg),
	CAP_OP(DMA_CYCLIC, device_prep_dma_cyclic),
	CAP_OP(DMA_INTERLEAVE, device_prep_interleaved_dma),
#undef CAP_OP
};

static int validate_device(struct dma_device *device)
{
	const char *name = device->udma_name ? device->udma_name : dev_name(device->dev);

	if (!device->dev) {
		udma_err("device %s has no dev", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(cap_ops) / sizeof(cap_ops[0]); i++) {
		void *op;

		if (!dma_has_cap(cap_ops[i].cap, device->cap_mask))
			continue;
		memcpy(&op, (char *)device + cap_ops[i].op_offset, sizeof(op));
		if (!op) {
			udma_err("device %s advertises capability %d without %s",
				 name, (int)cap_ops[i].cap, cap_ops[i].op_name);
			return -EINVAL;
		}
	}
	if (!device->device_tx_status) {
		udma_err("device %s has no device_tx_status", name);
		return -EINVAL;
	}
	if (!device->device_issue_pending) {
		udma_err("device %s has no device_issue_pending", name);
		return -EINVAL;
	}
	if (cds_list_empty(&device->channels)) {
		udma_err("device %s has no channels", name);
		return -EINVAL;
	}
	return 0;
}

static void chan_teardown(struct dma_chan *chan)
{
	if (!chan->udma_priv)
		return;
	udma__chan_thread_stop(chan);
	udma__ctx_release(chan);
	udma__fault_chan_fini(chan);
	udma__cookie_priv_fini(chan->udma_priv);
	free(chan->udma_priv);
	chan->udma_priv = NULL;
}

static int chan_setup(struct dma_device *device, struct dma_chan *chan, int id)
{
	struct udma_chan_priv *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->chan = chan;
	udma__ctx_init(p);
	chan->udma_priv = p;
	chan->device = device;
	chan->chan_id = id;
	chan->client_count = 0;
	snprintf(chan->udma_name, sizeof(chan->udma_name), "dma%dchan%d",
		 device->dev_id, id);
	udma__stats_chan_init(chan);
	ret = udma__cookie_priv_init(p);
	if (!ret)
		udma__fault_chan_init(chan);
	if (!ret)
		ret = udma__chan_thread_start(chan);
	if (ret)
		chan_teardown(chan);
	return ret;
}

UDMA_EXPORT int dma_async_device_register(struct dma_device *device)
{
	struct dma_chan *chan;
	int ret, id = 0;

	if (!device) {
		udma_err("NULL device");
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL;
	if (device->udma_priv) {
		udma_err("device %s is already registered",
			 device->udma_name ? device->udma_name : dev_name(device->dev));
		return -EBUSY;
	}
	ret = validate_device(device);
	if (ret)
		return ret;
	device->udma_priv = calloc(1, sizeof(*device->udma_priv));
	if (!device->udma_priv)
		return -ENOMEM;

	pthread_mutex_lock(&udma_list_lock);
	device->dev_id = udma_next_dev_id++;
	device->chancnt = 0;
	device->privatecnt = 0;
	cds_list_for_each_entry(chan, &device->channels, device_node) {
		ret = chan_setup(device, chan, id++);
		if (ret)
			goto undo;
		device->chancnt++;
	}
	device->udma_priv->registered = 1;
	device->udma_priv->provider_private = dma_has_cap(DMA_PRIVATE, device->cap_mask);
	cds_list_add_tail_rcu(&device->global_node, &udma_device_list);
	udma__pool_rebalance_locked();
	pthread_mutex_unlock(&udma_list_lock);
	udma_info("registered %s as dma%d with %u channels",
		  device->udma_name ? device->udma_name : dev_name(device->dev),
		  device->dev_id, device->chancnt);
	return 0;

undo:
	cds_list_for_each_entry(chan, &device->channels, device_node)
		chan_teardown(chan);
	pthread_mutex_unlock(&udma_list_lock);
	free(device->udma_priv);
	device->udma_priv = NULL;
	return ret;
}

UDMA_EXPORT int dma_async_device_unregister(struct dma_device *device)
{
	struct dma_chan *chan;

	if (!device) {
		udma_err("NULL device");
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL;
	if (udma_in_completion_context()) {
		udma_err("cannot unregister a device from a completion callback");
		return -EDEADLK;
	}
	pthread_mutex_lock(&udma_list_lock);
	if (!device->udma_priv || !device->udma_priv->registered) {
		pthread_mutex_unlock(&udma_list_lock);
		udma_err("device %p is not registered", (void *)device);
		return -EINVAL;
	}
	/* may drop the lock meanwhile */
	if (udma__pool_remove_device_locked(device)) {
		pthread_mutex_unlock(&udma_list_lock);
		return -EBUSY;
	}
	cds_list_for_each_entry(chan, &device->channels, device_node) {
		if (chan->client_count || chan->udma_priv->releasing) {
			device->udma_priv->unregistering = 0;
			udma__pool_rebalance_locked();
			pthread_mutex_unlock(&udma_list_lock);
			udma_err("dma%d: channel %s is still held by a client",
				 device->dev_id, chan->udma_name);
			return -EBUSY;
		}
	}
	device->udma_priv->registered = 0;
	cds_list_del_rcu(&device->global_node);
	pthread_mutex_unlock(&udma_list_lock);

	urcu_bp_synchronize_rcu();
	cds_list_for_each_entry(chan, &device->channels, device_node)
		chan_teardown(chan);
	free(device->udma_priv);
	device->udma_priv = NULL;
	if (device->device_release)
		device->device_release(device);
	return 0;
}

/* ------------------------------------------------------ request/release */

static bool caps_match(const dma_cap_mask_t *want, const struct dma_device *device)
{
	return (want->bits[0] & ~device->cap_mask.bits[0] &
		~(1UL << DMA_PRIVATE)) == 0;
}

/* Allocate @chan's resources and mark it held. Called with udma_list_lock held. */
static int chan_alloc(struct dma_chan *chan)
{
	struct dma_device *device = chan->device;

	if (device->device_alloc_chan_resources) {
		int ret = device->device_alloc_chan_resources(chan);

		if (ret < 0) {
			udma_err("%s: device_alloc_chan_resources failed: %d",
				 chan->udma_name, ret);
			return ret;
		}
	}
	udma__stats_claim(chan);
	__atomic_store_n(&chan->client_count, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Claim @chan for the public pool (no DMA_PRIVATE). Lock held. */
int udma__chan_claim_public_locked(struct dma_chan *chan)
{
	int ret = chan_alloc(chan);

	if (!ret)
		__atomic_store_n(&chan->udma_priv->is_public, 1, __ATOMIC_RELEASE);
	return ret;
}

/* Claim @chan for a client. Called with udma_list_lock held. */
static int chan_claim(struct dma_chan *chan)
{
	struct dma_device *device = chan->device;
	int ret = chan_alloc(chan);

	if (ret)
		return ret;
	device->privatecnt++;
	dma_cap_set(DMA_PRIVATE, device->cap_mask);
	return 0;
}

UDMA_EXPORT struct dma_chan *__dma_request_channel(const dma_cap_mask_t *mask,
						   dma_filter_fn fn, void *fn_param,
						   struct device_node *np)
{
	struct dma_device *device;
	struct dma_chan *chan;

	if (!mask) {
		udma_err("NULL capability mask");
		return NULL;
	}
	if (udma__forked_child(__func__))
		return NULL;
	if (np) {
		udma_err("device_node lookups are not supported (np must be NULL)");
		return NULL;
	}
	if (udma_in_completion_context()) {
		udma_err("channel requests may block; not allowed in a completion callback");
		return NULL;
	}
	udma__init();

	pthread_mutex_lock(&udma_list_lock);
	cds_list_for_each_entry(device, &udma_device_list, global_node) {
		if (!caps_match(mask, device))
			continue;
		cds_list_for_each_entry(chan, &device->channels, device_node) {
			if (chan->client_count || chan->udma_priv->releasing)
				continue;
			if (fn && !fn(chan, fn_param))
				continue;
			if (chan_claim(chan))
				continue;
			pthread_mutex_unlock(&udma_list_lock);
			udma_dbg("%s taken", chan->udma_name);
			return chan;
		}
	}
	pthread_mutex_unlock(&udma_list_lock);
	udma_dbg("no free channel matches the request");
	return NULL;
}

UDMA_EXPORT struct dma_chan *dma_request_chan_by_mask(const dma_cap_mask_t *mask)
{
	struct dma_chan *chan;

	if (!mask) {
		udma_err("NULL capability mask");
		return ERR_PTR(-ENODEV);
	}
	if (udma__forked_child(__func__))
		return ERR_PTR(-ENODEV);
	chan = __dma_request_channel(mask, NULL, NULL, NULL);
	if (chan)
		return chan;
	return ERR_PTR(udma__any_device() ? -ENODEV : -EPROBE_DEFER);
}

/*
 * Stop everything on @chan and give its resources back. The caller has marked
 * it releasing (so nobody else claims or releases it) and holds no lock.
 */
static void chan_quiesce_and_free(struct dma_chan *chan)
{
	struct dma_device *device = chan->device;

	if (device->device_terminate_all)
		device->device_terminate_all(chan);
	if (device->device_synchronize)
		device->device_synchronize(chan);
	else
		udma_chan_sync_completion(chan);
	if (device->device_free_chan_resources)
		device->device_free_chan_resources(chan);
	udma__ctx_release(chan); /* back to the tasklet mode, eventfd closed */
}

static void chan_unclaim(struct dma_chan *chan)
{
	struct dma_device *device = chan->device;

	chan->udma_priv->releasing = 0;
	chan->slave = NULL;
	chan->name = NULL;
	udma__stats_unclaim(chan);
	__atomic_store_n(&chan->client_count, 0, __ATOMIC_RELEASE);
	if (chan->udma_priv->is_public) {
		__atomic_store_n(&chan->udma_priv->is_public, 0, __ATOMIC_RELEASE);
		return;
	}
	if (device->privatecnt && --device->privatecnt == 0)
		dma_cap_clear(DMA_PRIVATE, device->cap_mask);
}

/*
 * Release a held channel: called and returns with udma_list_lock held, but
 * drops it while terminating and waiting for callbacks. Marking it releasing
 * first keeps everyone else from claiming or releasing it meanwhile.
 */
static void chan_release_locked(struct dma_chan *chan)
{
	chan->udma_priv->releasing = 1;
	/* From here on the hot-path checks see the channel as not held. */
	__atomic_store_n(&chan->client_count, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&udma_list_lock);
	chan_quiesce_and_free(chan);
	pthread_mutex_lock(&udma_list_lock);
	chan_unclaim(chan);
}

/*
 * Give a public channel back (public-pool.c, which has unpublished it): as a
 * private release, lock dropped meanwhile.
 */
void udma__chan_release_public_locked(struct dma_chan *chan)
{
	chan_release_locked(chan);
}

UDMA_EXPORT void dma_release_channel(struct dma_chan *chan)
{
	if (!chan) {
		udma_err("NULL channel");
		return;
	}
	if (udma__forked_child(__func__))
		return;
	if (udma_in_completion_context()) {
		udma_err("%s: dma_release_channel may block; not released from a "
			 "completion callback", chan->udma_name);
		return;
	}
	pthread_mutex_lock(&udma_list_lock);
	if (!chan->udma_priv || chan->client_count != 1 || chan->udma_priv->releasing) {
		pthread_mutex_unlock(&udma_list_lock);
		udma_err("%s: channel is not held (double release?)", dma_chan_name(chan));
		return;
	}
	if (chan->udma_priv->is_public) {
		pthread_mutex_unlock(&udma_list_lock);
		udma_err("%s: channel belongs to the public pool (dmaengine_get); "
			 "not released", chan->udma_name);
		return;
	}
	chan_release_locked(chan);
	udma__pool_rebalance_locked(); /* the pool may take it now */
	pthread_mutex_unlock(&udma_list_lock);
	udma_dbg("%s released", chan->udma_name);
}

/*
 * At process exit: terminate and release every channel a client still holds,
 * so providers can unregister. Never called on a completion thread.
 */
void udma__exit_release_all(void)
{
	struct dma_device *device;
	struct dma_chan *chan;

	pthread_mutex_lock(&udma_list_lock);
	udma__pool_shutdown_locked();
	cds_list_for_each_entry(device, &udma_device_list, global_node) {
		cds_list_for_each_entry(chan, &device->channels, device_node) {
			if (chan->client_count != 1 || chan->udma_priv->releasing)
				continue;
			udma_dbg("%s still held at exit; releasing it", chan->udma_name);
			chan_release_locked(chan);
		}
	}
	pthread_mutex_unlock(&udma_list_lock);
}
