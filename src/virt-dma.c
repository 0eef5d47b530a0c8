/* SPDX-License-Identifier: MIT */
/*
 * virt-dma.c - the vchan helper: descriptor pool, list moves, and the
 * completion tasklet that commits cookies and runs client callbacks.
 *
 * LOCKING: vc->lock (spinlock) guards the five lists, the pool, the unacked
 * list, vc->cyclic and each descriptor's udma_state. Client callbacks and
 * provider desc_free hooks run with no lock held.
 *
 * The completion tasklet (vchan_complete) takes vc->lock once per descriptor
 * that has a callback: under the lock it retires the previous descriptor,
 * commits the next one's cookie and snapshots its callback; it then drops the
 * lock and calls back. A terminate (which takes the same lock) therefore
 * either aborts a descriptor before its commit - no callback, DMA_ERROR - or
 * comes after it, while at most that one callback is running. Descriptors
 * without a callback are committed and retired in bulk under one lock hold.
 * One run handles at most COMPLETE_BUDGET descriptors and reschedules itself,
 * so a run - and so dmaengine_synchronize() - is bounded even when callbacks
 * keep submitting work.
 *
 * async_tx: after a descriptor's callback (or, without one, when a dependant
 * is attached) the tasklet calls dma_run_dependencies(), outside the lock, so
 * every virt-dma provider runs async_tx chains without code of its own.
 * vchan_vdesc_fini does the same for descriptors thrown away (terminate,
 * release), whose dependants then complete as DMA_TRANS_ABORTED.
 *
 * Unmap data (tx->unmap, set by async_tx with dma_set_unmap): dropped with
 * no lock held - before the callback of a completed descriptor, in
 * vchan_vdesc_fini for one thrown away, in vchan_tx_desc_free for one freed
 * unsubmitted - so its mappings are undone exactly once.
 *
 * Completion context: that delivery code is udma__vchan_deliver(). The
 * tasklet runs it on the completion thread in the default mode; in the
 * polled/eventfd modes udma_chan_poll() runs it on the client's thread
 * (completion-ctx.c), and the tasklet, if it still runs, only hands over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core-private.h"
#include <udmaengine/virt-dma.h>

#define COMPLETE_BUDGET 64

/*
 * udma_state is written under vc->lock, except one store: vchan_tx_prep()
 * publishes OWNED -> PREPARED for a pool descriptor without the lock. So
 * every access is atomic.
 */
static unsigned int vd_state(const struct virt_dma_desc *vd)
{
	return __atomic_load_n(&vd->udma_state, __ATOMIC_ACQUIRE);
}

static void vd_set_state(struct virt_dma_desc *vd, unsigned int state)
{
	__atomic_store_n(&vd->udma_state, state, __ATOMIC_RELEASE);
}

static void *pool_entry(struct virt_dma_chan *vc, unsigned int i)
{
	return (char *)vc->udma_pool_mem + (size_t)i * vc->udma_desc_size;
}

static struct virt_dma_desc *pool_vd(struct virt_dma_chan *vc, void *entry)
{
	return (struct virt_dma_desc *)((char *)entry + vc->udma_vd_offset);
}

static bool from_pool(struct virt_dma_chan *vc, struct virt_dma_desc *vd)
{
	char *p = (char *)vd - vc->udma_vd_offset;
	char *base = vc->udma_pool_mem;

	return base && p >= base &&
	       p < base + (size_t)vc->udma_pool_count * vc->udma_desc_size;
}

static void vchan_complete(struct tasklet_struct *t);
static void reap_acked_locked(struct virt_dma_chan *vc, struct cds_list_head *out);
static void desc_free_external(struct virt_dma_chan *vc, struct virt_dma_desc *vd);

UDMA_EXPORT void vchan_init(struct virt_dma_chan *vc, struct dma_device *dmadev)
{
	dma_cookie_init(&vc->chan);
	spin_lock_init(&vc->lock);
	CDS_INIT_LIST_HEAD(&vc->desc_allocated);
	CDS_INIT_LIST_HEAD(&vc->desc_submitted);
	CDS_INIT_LIST_HEAD(&vc->desc_issued);
	CDS_INIT_LIST_HEAD(&vc->desc_completed);
	CDS_INIT_LIST_HEAD(&vc->desc_terminated);
	CDS_INIT_LIST_HEAD(&vc->udma_desc_pool);
	CDS_INIT_LIST_HEAD(&vc->udma_desc_unacked);
	vc->cyclic = NULL;
	vc->udma_pool_mem = NULL;
	vc->udma_pool_count = 0;
	vc->udma_pool_free = 0;
	udma_tasklet_setup(&vc->task, vchan_complete, &vc->chan);
	vc->task.udma_state = UDMA__TASKLET_DELIVERY; /* runs client callbacks */
	vc->chan.device = dmadev;
	cds_list_add_tail(&vc->chan.device_node, &dmadev->channels);
}

/* ------------------------------------------------------------------ pool */

UDMA_EXPORT int udma_vchan_pool_init(struct virt_dma_chan *vc, size_t desc_size,
				     size_t vd_offset, unsigned int count)
{
	void *mem;

	if (!count || desc_size < vd_offset + sizeof(struct virt_dma_desc)) {
		udma_err("%s: bad pool geometry (%u x %zu bytes, vd at %zu)",
			 vc->chan.udma_name, count, desc_size, vd_offset);
		return -EINVAL;
	}
	if (vc->udma_pool_mem) {
		udma_err("%s: pool already initialised", vc->chan.udma_name);
		return -EINVAL;
	}
	/* keep descriptors on their own cache lines */
	desc_size = (desc_size + 63) & ~(size_t)63;
	if (posix_memalign(&mem, 64, desc_size * count))
		return -ENOMEM;
	memset(mem, 0, desc_size * count);

	spin_lock(&vc->lock);
	vc->udma_pool_mem = mem;
	vc->udma_desc_size = desc_size;
	vc->udma_vd_offset = vd_offset;
	vc->udma_pool_count = count;
	vc->udma_pool_free = count;
	/* under the registry mutex (channel request): vchan delivery for the
	 * completion modes, and udma_dump walks the lists */
	if (vc->chan.udma_priv)
		vc->chan.udma_priv->vchan = vc;
	for (unsigned int i = 0; i < count; i++) {
		struct virt_dma_desc *vd = pool_vd(vc, pool_entry(vc, i));

		vd_set_state(vd, UDMA_VD_FREE);
		cds_list_add_tail(&vd->node, &vc->udma_desc_pool);
	}
	spin_unlock(&vc->lock);
	return 0;
}

UDMA_EXPORT void udma_vchan_pool_fini(struct virt_dma_chan *vc)
{
	void *mem;

	unsigned int in_use;

	spin_lock(&vc->lock);
	in_use = vc->udma_pool_mem ? vc->udma_pool_count - vc->udma_pool_free : 0;
	mem = vc->udma_pool_mem;
	vc->udma_pool_mem = NULL;
	vc->udma_pool_count = 0;
	vc->udma_pool_free = 0;
	CDS_INIT_LIST_HEAD(&vc->udma_desc_pool);
	spin_unlock(&vc->lock);
	if (in_use)
		udma_err("%s: %u descriptors still in use when the pool is freed",
			 vc->chan.udma_name, in_use);
	free(mem);
}

UDMA_EXPORT struct virt_dma_desc *udma_vchan_desc_get(struct virt_dma_chan *vc)
{
	struct virt_dma_desc *vd = NULL, *ext, *n;
	CDS_LIST_HEAD(freeq);

	spin_lock(&vc->lock);
	/* Empty pool: take back what the client has acked since completion. */
	if (cds_list_empty(&vc->udma_desc_pool) && !cds_list_empty(&vc->udma_desc_unacked))
		reap_acked_locked(vc, &freeq);
	if (!cds_list_empty(&vc->udma_desc_pool)) {
		vd = cds_list_first_entry(&vc->udma_desc_pool, struct virt_dma_desc, node);
		cds_list_del(&vd->node);
		/*
		 * Tracked on desc_allocated already, as OWNED: terminate leaves
		 * it alone until vchan_tx_prep() publishes it PREPARED, which
		 * then needs no lock (one lock round trip per prep, not two).
		 */
		vd_set_state(vd, UDMA_VD_OWNED);
		cds_list_add_tail(&vd->node, &vc->desc_allocated);
		vc->udma_pool_free--;
	} else if (vc->chan.udma_priv) {
		/* cold: prep fails fast; udma_chan_get_stats() reports it */
		__atomic_fetch_add(&vc->chan.udma_priv->pool_empty, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&vc->lock);
	cds_list_for_each_entry_safe(ext, n, &freeq, node) {
		cds_list_del(&ext->node);
		desc_free_external(vc, ext);
	}
	return vd;
}

/* Return a pool descriptor. Caller holds vc->lock. */
static void pool_put_locked(struct virt_dma_chan *vc, struct virt_dma_desc *vd)
{
	vd_set_state(vd, UDMA_VD_FREE);
	cds_list_add(&vd->node, &vc->udma_desc_pool);
	vc->udma_pool_free++;
}

/*
 * Retire a finished descriptor (on no list). Caller holds vc->lock.
 * Return: true when the provider's desc_free must be called after unlocking.
 */
static bool retire_locked(struct virt_dma_chan *vc, struct virt_dma_desc *vd)
{
	unsigned int flags = __atomic_load_n((unsigned int *)&vd->tx.flags,
					     __ATOMIC_ACQUIRE);

	if (flags & DMA_CTRL_REUSE) {
		vd_set_state(vd, UDMA_VD_PREPARED);
		cds_list_add_tail(&vd->node, &vc->desc_allocated);
		return false;
	}
	if (!(flags & DMA_CTRL_ACK)) {
		vd_set_state(vd, UDMA_VD_DONE);
		cds_list_add_tail(&vd->node, &vc->udma_desc_unacked);
		return false;
	}
	if (from_pool(vc, vd)) {
		pool_put_locked(vc, vd);
		return false;
	}
	return true;
}

/* Free unacked descriptors the client has acked since. Caller holds vc->lock. */
static void reap_acked_locked(struct virt_dma_chan *vc, struct cds_list_head *out)
{
	struct virt_dma_desc *vd, *n;

	cds_list_for_each_entry_safe(vd, n, &vc->udma_desc_unacked, node) {
		if (!async_tx_test_ack(&vd->tx))
			continue;
		cds_list_del(&vd->node);
		if (retire_locked(vc, vd))
			cds_list_add_tail(&vd->node, out);
	}
}

static void desc_free_external(struct virt_dma_chan *vc, struct virt_dma_desc *vd)
{
	if (vc->desc_free)
		vc->desc_free(vd);
	else
		udma_err("%s: descriptor %p is not from the pool and there is no "
			 "desc_free", vc->chan.udma_name, (void *)vd);
}

/* ------------------------------------------------------------ prep/submit */

UDMA_EXPORT struct dma_async_tx_descriptor *vchan_tx_prep(struct virt_dma_chan *vc,
							  struct virt_dma_desc *vd,
							  unsigned long tx_flags)
{
	struct dma_async_tx_descriptor *tx = &vd->tx;

	dma_async_tx_descriptor_init(tx, &vc->chan);
	tx->cookie = 0;
	tx->flags = (enum dma_ctrl_flags)(tx_flags & ~(unsigned long)UDMA_CTRL_PRIVATE_MASK);
	tx->phys = 0;
	tx->tx_submit = vchan_tx_submit;
	tx->desc_free = vchan_tx_desc_free;
	tx->callback = NULL;
	tx->callback_result = NULL;
	tx->callback_param = NULL;
	tx->unmap = NULL;
	tx->desc_metadata_mode = DESC_METADATA_NONE;
	tx->metadata_ops = NULL;
	tx->next = NULL;
	tx->parent = NULL;
	vd->tx_result.result = DMA_TRANS_NOERROR;
	vd->tx_result.residue = 0;

	if (vd_state(vd) == UDMA_VD_OWNED) {
		/* from udma_vchan_desc_get(): already on desc_allocated */
		vd_set_state(vd, UDMA_VD_PREPARED);
		return tx;
	}
	spin_lock(&vc->lock);
	vd_set_state(vd, UDMA_VD_PREPARED);
	cds_list_add_tail(&vd->node, &vc->desc_allocated);
	spin_unlock(&vc->lock);
	return tx;
}

UDMA_EXPORT dma_cookie_t vchan_tx_submit(struct dma_async_tx_descriptor *tx)
{
	struct virt_dma_chan *vc = to_virt_chan(tx->chan);
	struct virt_dma_desc *vd = to_virt_desc(tx);
	dma_cookie_t cookie;

	spin_lock(&vc->lock);
	if (vd_state(vd) != UDMA_VD_PREPARED) {
		unsigned int state = vd_state(vd);

		spin_unlock(&vc->lock);
		udma_err("%s: descriptor %p is not in the prepared state (%u): "
			 "submitted twice, or already freed", vc->chan.udma_name,
			 (void *)tx, state);
		return -EINVAL;
	}
	cookie = dma_cookie_assign(tx);
	/* a reused descriptor starts clean: its last run may have failed */
	vd->tx_result.result = DMA_TRANS_NOERROR;
	vd->tx_result.residue = 0;
	vd_set_state(vd, UDMA_VD_QUEUED);
	cds_list_del(&vd->node);
	cds_list_add_tail(&vd->node, &vc->desc_submitted);
	spin_unlock(&vc->lock);
	return cookie;
}

UDMA_EXPORT int vchan_tx_desc_free(struct dma_async_tx_descriptor *tx)
{
	struct virt_dma_chan *vc = to_virt_chan(tx->chan);
	struct virt_dma_desc *vd = to_virt_desc(tx);
	struct dmaengine_unmap_data *unmap;
	bool external = false;

	spin_lock(&vc->lock);
	if (vd_state(vd) != UDMA_VD_PREPARED) {
		spin_unlock(&vc->lock);
		udma_err("%s: descriptor %p is queued; terminate or wait for it first",
			 vc->chan.udma_name, (void *)tx);
		return -EBUSY;
	}
	cds_list_del(&vd->node);
	unmap = tx->unmap;
	tx->unmap = NULL;
	if (from_pool(vc, vd))
		pool_put_locked(vc, vd);
	else
		external = true;
	spin_unlock(&vc->lock);
	dmaengine_unmap_put(unmap);
	if (external)
		desc_free_external(vc, vd);
	return 0;
}

UDMA_EXPORT struct virt_dma_desc *vchan_find_desc(struct virt_dma_chan *vc,
						  dma_cookie_t cookie)
{
	struct virt_dma_desc *vd;

	cds_list_for_each_entry(vd, &vc->desc_issued, node)
		if (vd->tx.cookie == cookie)
			return vd;
	return NULL;
}

/* ------------------------------------------------------------ completion */

UDMA_EXPORT void vchan_cookie_complete(struct virt_dma_desc *vd)
{
	struct virt_dma_chan *vc = to_virt_chan(vd->tx.chan);

	cds_list_add_tail(&vd->node, &vc->desc_completed);
	tasklet_schedule(&vc->task);
}

UDMA_EXPORT void vchan_cyclic_callback(struct virt_dma_desc *vd)
{
	struct virt_dma_chan *vc = to_virt_chan(vd->tx.chan);

	vc->cyclic = vd;
	tasklet_schedule(&vc->task);
}

/*
 * Deliver completions: commit cookies and run callbacks, at most
 * COMPLETE_BUDGET descriptors and @max_callbacks callbacks. *@more: work is
 * left. Return: callbacks run. Called by the tasklet or by udma_chan_poll(),
 * never by both at once (completion-ctx.c).
 */
unsigned int udma__vchan_deliver(struct virt_dma_chan *vc, unsigned int max_callbacks,
				 bool *more_out)
{
	struct virt_dma_desc *prev = NULL; /* called back, not yet retired */
	unsigned int budget = COMPLETE_BUDGET, called = 0;

	for (;;) {
		struct dmaengine_desc_callback cb;
		struct dmaengine_result result;
		struct dmaengine_unmap_data *unmap = NULL;
		struct virt_dma_desc *vd, *external = NULL;
		CDS_LIST_HEAD(freeq);
		bool more, reused = false;

		spin_lock(&vc->lock);
		if (prev && retire_locked(vc, prev))
			external = prev;
		prev = NULL;
		if (!cds_list_empty(&vc->udma_desc_unacked))
			reap_acked_locked(vc, &freeq);

		if (called == max_callbacks) {
			more = vc->cyclic || !cds_list_empty(&vc->desc_completed);
			spin_unlock(&vc->lock);
			if (external)
				desc_free_external(vc, external);
			vchan_dma_desc_free_list(vc, &freeq);
			*more_out = more;
			return called;
		}
		if (vc->cyclic) {
			vd = vc->cyclic;
			vc->cyclic = NULL;
			dmaengine_desc_get_callback(&vd->tx, &cb);
			result = vd->tx_result;
			spin_unlock(&vc->lock);
			if (external)
				desc_free_external(vc, external);
			vchan_dma_desc_free_list(vc, &freeq);
			dmaengine_desc_callback_invoke(&cb, &result);
			called++;
			continue;
		}

		/*
		 * Descriptors without a callback, unmap data or async_tx
		 * dependant: commit and retire in bulk. Closing tx->next
		 * (UDMA_TX_DEPS_DONE) with a compare-and-swap tells a concurrent
		 * async_tx attach that the descriptor is done; if a dependant got
		 * there first, it is run like a callback, outside the lock.
		 * Unmap data is dropped outside the lock too (an unmap may
		 * block), before the callback, as in the kernel.
		 */
		vd = NULL;
		while (budget && !cds_list_empty(&vc->desc_completed)) {
			struct dma_async_tx_descriptor *none = NULL;

			vd = cds_list_first_entry(&vc->desc_completed,
						  struct virt_dma_desc, node);
			cds_list_del(&vd->node);
			budget--;
			/*
			 * Copy the callback before committing the cookie: once
			 * tx_status reads DMA_COMPLETE a client may take a
			 * reusable descriptor back and set a new callback for
			 * its next submission (found by fuzz-api).
			 */
			dmaengine_desc_get_callback(&vd->tx, &cb);
			/* a failure's residue stays readable through tx_status
			 * (the engine's failures, not inherited async_tx ones) */
			if (udma__tx_flags(&vd->tx) & UDMA_CTRL_DEP_FAILED)
				vd->tx_result.result = DMA_TRANS_ABORTED;
			else if (vd->tx_result.result != DMA_TRANS_NOERROR)
				udma__fault_note(&vc->chan, vd->tx.cookie, vd->tx_result.residue);
			udma_cookie_complete_result(&vd->tx, vd->tx_result.result);
			if (dmaengine_desc_callback_valid(&cb) || vd->tx.unmap ||
			    !__atomic_compare_exchange_n(&vd->tx.next, &none,
							 UDMA_TX_DEPS_DONE, false,
							 __ATOMIC_ACQ_REL,
							 __ATOMIC_ACQUIRE)) {
				/*
				 * A reusable descriptor is prepared again before
				 * its callback runs, so the callback may resubmit
				 * it (terminate never frees reusable ones).
				 */
				unmap = vd->tx.unmap;
				vd->tx.unmap = NULL;
				if (dmaengine_desc_test_reuse(&vd->tx)) {
					result = vd->tx_result;
					retire_locked(vc, vd);
					reused = true;
				}
				break;
			}
			if (retire_locked(vc, vd))
				cds_list_add_tail(&vd->node, &freeq);
			vd = NULL;
		}
		more = !cds_list_empty(&vc->desc_completed);
		if (vd && !reused)
			result = vd->tx_result;
		spin_unlock(&vc->lock);

		if (external)
			desc_free_external(vc, external);
		vchan_dma_desc_free_list(vc, &freeq);
		if (vd) {
			dmaengine_unmap_put(unmap);
			/* only callbacks count against the poll budget */
			if (dmaengine_desc_callback_valid(&cb))
				called++;
			dmaengine_desc_callback_invoke(&cb, &result);
			if (!reused)
				udma__run_dependencies(&vd->tx, false);
			prev = reused ? NULL : vd;
			continue;
		}
		*more_out = more;
		return called;
	}
}

static void vchan_complete(struct tasklet_struct *t)
{
	struct virt_dma_chan *vc = caa_container_of(t, struct virt_dma_chan, task);
	struct udma_chan_priv *p = vc->chan.udma_priv;
	bool more;

	/* Queued before the channel left the tasklet mode: hand over, deliver nothing. */
	if (caa_unlikely(__atomic_load_n(&p->ctx_mode, __ATOMIC_SEQ_CST) !=
			 UDMA_COMPLETION_TASKLET)) {
		udma__ctx_kick(p, t);
		return;
	}
	udma__vchan_deliver(vc, UDMA_POLL_ALL, &more);
	if (more)
		tasklet_schedule(t); /* budget used up: let others run */
}

/* ------------------------------------------------------------- terminate */

UDMA_EXPORT void vchan_terminate_vdesc(struct virt_dma_desc *vd)
{
	struct virt_dma_chan *vc = to_virt_chan(vd->tx.chan);

	udma_cookie_abort(&vd->tx);
	vd_set_state(vd, UDMA_VD_TERMINATED);
	cds_list_add_tail(&vd->node, &vc->desc_terminated);
	if (vc->cyclic == vd)
		vc->cyclic = NULL;
}

UDMA_EXPORT void vchan_get_all_descriptors(struct virt_dma_chan *vc,
					   struct cds_list_head *head)
{
	struct cds_list_head *lists[] = {
		&vc->desc_allocated, &vc->desc_submitted, &vc->desc_issued,
		&vc->desc_completed,
	};
	struct virt_dma_desc *vd, *n;

	/* A pool descriptor still being prepared (OWNED) stays where it is. */
	cds_list_for_each_entry_safe(vd, n, &vc->desc_allocated, node) {
		if (vd_state(vd) == UDMA_VD_OWNED)
			continue;
		cds_list_del(&vd->node);
		cds_list_add_tail(&vd->node, head);
	}
	for (size_t i = 1; i < sizeof(lists) / sizeof(lists[0]); i++) {
		cds_list_for_each_entry(vd, lists[i], node)
			udma_cookie_abort(&vd->tx);
		udma_list_splice_tail_init(lists[i], head);
	}
	cds_list_for_each_entry(vd, head, node)
		vd_set_state(vd, UDMA_VD_OWNED);
	vc->cyclic = NULL;
	udma_cookie_abort_all_done(&vc->chan);
}

bool udma__vchan_holds_work(struct virt_dma_chan *vc)
{
	struct virt_dma_desc *vd;
	bool busy;

	spin_lock(&vc->lock);
	busy = !cds_list_empty(&vc->desc_submitted) || !cds_list_empty(&vc->desc_issued) ||
	       !cds_list_empty(&vc->desc_completed) || !cds_list_empty(&vc->desc_terminated) ||
	       vc->cyclic;
	/* prepared, not submitted: a parked async_tx child */
	cds_list_for_each_entry(vd, &vc->desc_allocated, node) {
		if (busy)
			break;
		busy = vd_state(vd) == UDMA_VD_PREPARED;
	}
	/* done but not acked: the client may still pass it as depend_tx (an
	 * acked one waits only to be reaped) */
	cds_list_for_each_entry(vd, &vc->udma_desc_unacked, node) {
		if (busy)
			break;
		busy = !async_tx_test_ack(&vd->tx);
	}
	spin_unlock(&vc->lock);
	return busy;
}

UDMA_EXPORT void vchan_vdesc_fini(struct virt_dma_desc *vd)
{
	struct virt_dma_chan *vc = to_virt_chan(vd->tx.chan);
	bool external = false;

	struct dma_async_tx_descriptor *me = &vd->tx, *parent;

	/* its mappings are undone (not its buffers' owner's: async_tx's) */
	dma_descriptor_unmap(&vd->tx);
	/*
	 * A parked async_tx child thrown away before its parent ran it (its
	 * channel left the pool with the chain unfinished, a client error):
	 * detach it, or the parent, on another channel, would later submit
	 * freed memory. The parent is alive: it clears ->parent when it runs
	 * its dependencies.
	 */
	parent = __atomic_load_n(&vd->tx.parent, __ATOMIC_ACQUIRE);
	if (parent) {
		__atomic_compare_exchange_n(&parent->next, &me, NULL, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
		__atomic_store_n(&vd->tx.parent, NULL, __ATOMIC_RELEASE);
	}
	/* an async_tx dependant of a descriptor thrown away inherits the failure */
	udma__run_dependencies(&vd->tx, true);
	spin_lock(&vc->lock);
	external = retire_locked(vc, vd);
	spin_unlock(&vc->lock);
	if (external)
		desc_free_external(vc, vd);
}

UDMA_EXPORT void vchan_dma_desc_free_list(struct virt_dma_chan *vc,
					  struct cds_list_head *head)
{
	struct virt_dma_desc *vd, *n;

	(void)vc;
	cds_list_for_each_entry_safe(vd, n, head, node) {
		cds_list_del(&vd->node);
		vchan_vdesc_fini(vd);
	}
}

UDMA_EXPORT int udma_vchan_terminate_all(struct virt_dma_chan *vc)
{
	CDS_LIST_HEAD(head);

	spin_lock(&vc->lock);
	vchan_get_all_descriptors(vc, &head);
	spin_unlock(&vc->lock);
	vchan_dma_desc_free_list(vc, &head);
	return 0;
}

UDMA_EXPORT void vchan_synchronize(struct virt_dma_chan *vc)
{
	CDS_LIST_HEAD(head);
	struct virt_dma_desc *vd;

	if (udma_chan_sync_completion(&vc->chan))
		return;
	spin_lock(&vc->lock);
	cds_list_for_each_entry(vd, &vc->desc_terminated, node)
		vd_set_state(vd, UDMA_VD_OWNED);
	udma_list_splice_tail_init(&vc->desc_terminated, &head);
	spin_unlock(&vc->lock);
	vchan_dma_desc_free_list(vc, &head);
}

UDMA_EXPORT void vchan_free_chan_resources(struct virt_dma_chan *vc)
{
	CDS_LIST_HEAD(head);
	struct virt_dma_desc *vd;

	spin_lock(&vc->lock);
	vchan_get_all_descriptors(vc, &head);
	udma_list_splice_tail_init(&vc->desc_allocated, &head); /* OWNED ones too */
	udma_list_splice_tail_init(&vc->desc_terminated, &head);
	udma_list_splice_tail_init(&vc->udma_desc_unacked, &head);
	cds_list_for_each_entry(vd, &head, node) {
		/* the channel is going away: free everything, whatever its flags */
		dmaengine_desc_clear_reuse(&vd->tx);
		async_tx_ack(&vd->tx);
		vd_set_state(vd, UDMA_VD_OWNED);
	}
	spin_unlock(&vc->lock);
	vchan_dma_desc_free_list(vc, &head);
}
