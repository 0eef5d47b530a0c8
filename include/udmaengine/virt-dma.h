/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/virt-dma.h - the virtual channel ("vchan") helper for providers.
 *
 * Same model as the kernel's drivers/dma/virt-dma.h: a provider embeds
 * struct virt_dma_chan in its channel and struct virt_dma_desc in its
 * descriptor; a descriptor moves between lists under vc->lock:
 *
 *   pool --prep--> desc_allocated --submit--> desc_submitted --issue_pending-->
 *   desc_issued --(provider takes it: active)--> vchan_cookie_complete() -->
 *   desc_completed --tasklet: commit + callback--> pool, or desc_allocated
 *   when DMA_CTRL_REUSE (before its callback runs, so the callback may
 *   resubmit it), or udma_desc_unacked until async_tx_ack() (also after an
 *   abort; reaped by the next completion pass or when the pool runs dry).
 *
 * Differences from the kernel, each on purpose:
 *  - Descriptors come from a per-channel pool (udma_vchan_pool_init() in
 *    device_alloc_chan_resources, udma_vchan_desc_get() in prep): prep never
 *    allocates and fails fast (NULL) when the pool is empty. A provider may
 *    still allocate its own descriptors and set vc->desc_free.
 *  - A cookie is committed (completed_cookie advanced) by the tasklet right
 *    before its callback starts, one descriptor at a time under vc->lock, so a
 *    terminate either happens before the commit (descriptor aborted, no
 *    callback, DMA_ERROR) or after it (callback already started).
 *  - vchan_get_all_descriptors() aborts the cookies it collects and leaves
 *    desc_terminated alone: the engine may still touch those until
 *    vchan_synchronize() (or the provider itself) frees them.
 *
 * Locking: vc->lock (a spinlock) guards the lists, vc->cyclic, the pool and
 * every descriptor's udma_state. Functions marked "caller holds vc->lock"
 * must be called with it held; callbacks and desc_free never run under it.
 */
#ifndef UDMAENGINE_VIRT_DMA_H
#define UDMAENGINE_VIRT_DMA_H

#include <udmaengine/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/* udma_state values of a virt_dma_desc (core-private meaning). */
enum udma_vd_state {
	UDMA_VD_FREE = 0,  /* in the pool */
	UDMA_VD_OWNED,     /* handed to the provider by udma_vchan_desc_get() */
	UDMA_VD_PREPARED,  /* on desc_allocated */
	UDMA_VD_QUEUED,    /* submitted, issued, active or completed */
	UDMA_VD_DONE,      /* completed, waiting for async_tx_ack() */
	UDMA_VD_TERMINATED /* on desc_terminated */
};

struct virt_dma_desc {
	struct dma_async_tx_descriptor tx;
	struct dmaengine_result tx_result; /* handed to callback_result */
	struct cds_list_head node;         /* protected by vc->lock */
	unsigned int udma_state;           /* enum udma_vd_state, vc->lock */
};

struct virt_dma_chan {
	struct dma_chan chan;
	/* scheduling state written by every tasklet_schedule: own line */
	struct tasklet_struct task UDMA_CACHELINE_ALIGNED;
	void (*desc_free)(struct virt_dma_desc *vd); /* NULL: pool descriptors */

	/* the lock and the lists it guards share a line, apart from the rest */
	spinlock_t lock UDMA_CACHELINE_ALIGNED;

	struct cds_list_head desc_allocated;
	struct cds_list_head desc_submitted;
	struct cds_list_head desc_issued;
	struct cds_list_head desc_completed;
	struct cds_list_head desc_terminated;

	struct virt_dma_desc *cyclic;

	/* udma additions: the descriptor pool and completed-but-unacked list */
	struct cds_list_head udma_desc_pool;
	struct cds_list_head udma_desc_unacked;
	void *udma_pool_mem;
	size_t udma_desc_size;
	size_t udma_vd_offset;
	unsigned int udma_pool_count;
	unsigned int udma_pool_free;
};

static inline struct virt_dma_chan *to_virt_chan(struct dma_chan *chan)
{
	return caa_container_of(chan, struct virt_dma_chan, chan);
}

static inline struct virt_dma_desc *to_virt_desc(struct dma_async_tx_descriptor *tx)
{
	return caa_container_of(tx, struct virt_dma_desc, tx);
}

/* Append all of @add to the tail of @head and empty @add. */
static inline void udma_list_splice_tail_init(struct cds_list_head *add,
					      struct cds_list_head *head)
{
	if (add->next != add) {
		add->next->prev = head->prev;
		head->prev->next = add->next;
		add->prev->next = head;
		head->prev = add->prev;
		CDS_INIT_LIST_HEAD(add);
	}
}

/*
 * vchan_init - initialise @vc (cookies, lock, lists, tasklet) and append its
 * channel to @dmadev->channels. Call before dma_async_device_register().
 */
UDMA_EXPORT void vchan_init(struct virt_dma_chan *vc, struct dma_device *dmadev);

/*
 * udma_vchan_pool_init - allocate @count descriptors of @desc_size bytes
 * whose struct virt_dma_desc sits @vd_offset bytes into each. Call from
 * device_alloc_chan_resources. Return: 0, -EINVAL (size too small, @count 0),
 * -ENOMEM. Context: may block.
 */
UDMA_EXPORT int udma_vchan_pool_init(struct virt_dma_chan *vc, size_t desc_size,
				     size_t vd_offset, unsigned int count);

/*
 * udma_vchan_pool_fini - free the pool. Call from device_free_chan_resources
 * after vchan_free_chan_resources(). Context: may block.
 */
UDMA_EXPORT void udma_vchan_pool_fini(struct virt_dma_chan *vc);

/*
 * udma_vchan_desc_get - take a descriptor from the pool for a prep.
 * Return: the descriptor (its provider struct is at vd - vd_offset, contents
 * undefined), or NULL when the pool is empty. The descriptor is tracked on
 * desc_allocated as OWNED until vchan_tx_prep() publishes it: every
 * descriptor taken must go through vchan_tx_prep() (check what can fail
 * before taking it). Context: any thread, never
 * blocks (takes vc->lock).
 */
UDMA_EXPORT struct virt_dma_desc *udma_vchan_desc_get(struct virt_dma_chan *vc);

/*
 * vchan_tx_prep - finish a prep: reset @vd's transaction fields, set
 * @tx_flags and the submit/free hooks, and track it on desc_allocated.
 * Return: &vd->tx. Context: any thread (takes vc->lock).
 */
UDMA_EXPORT struct dma_async_tx_descriptor *vchan_tx_prep(struct virt_dma_chan *vc,
							  struct virt_dma_desc *vd,
							  unsigned long tx_flags);

/*
 * vchan_tx_submit - tx_submit hook: assign the cookie and queue on
 * desc_submitted. Return: the cookie, or -EINVAL when @tx is not in the
 * prepared state (double submit; logged). Context: any thread.
 */
UDMA_EXPORT dma_cookie_t vchan_tx_submit(struct dma_async_tx_descriptor *tx);

/*
 * vchan_tx_desc_free - desc_free hook for reusable descriptors: return a
 * prepared descriptor to the pool. Return: 0, -EBUSY when still queued.
 */
UDMA_EXPORT int vchan_tx_desc_free(struct dma_async_tx_descriptor *tx);

/*
 * vchan_find_desc - the issued descriptor with @cookie, or NULL.
 * Context: caller holds vc->lock.
 */
UDMA_EXPORT struct virt_dma_desc *vchan_find_desc(struct virt_dma_chan *vc,
						  dma_cookie_t cookie);

/*
 * vchan_issue_pending - move submitted descriptors to desc_issued.
 * Return: true when desc_issued is not empty. Context: caller holds vc->lock.
 */
static inline bool vchan_issue_pending(struct virt_dma_chan *vc)
{
	udma_list_splice_tail_init(&vc->desc_submitted, &vc->desc_issued);
	return vc->desc_issued.next != &vc->desc_issued;
}

/* vchan_next_desc - first issued descriptor or NULL. Caller holds vc->lock. */
static inline struct virt_dma_desc *vchan_next_desc(struct virt_dma_chan *vc)
{
	if (vc->desc_issued.next == &vc->desc_issued)
		return NULL;
	return cds_list_first_entry(&vc->desc_issued, struct virt_dma_desc, node);
}

/*
 * vchan_cookie_complete - the engine finished @vd (which the provider has
 * taken off desc_issued): queue it for the tasklet, which commits its cookie
 * (with vd->tx_result) and runs its callback. Context: caller holds vc->lock.
 */
UDMA_EXPORT void vchan_cookie_complete(struct virt_dma_desc *vd);

/*
 * udma_vchan_cookie_complete_list - vchan_cookie_complete() for every
 * descriptor on @done (in order, each with its tx_result), as one list splice
 * and one tasklet_schedule(). @done is left empty.
 * Context: caller holds vc->lock.
 */
static inline void udma_vchan_cookie_complete_list(struct virt_dma_chan *vc,
						   struct cds_list_head *done)
{
	udma_list_splice_tail_init(done, &vc->desc_completed);
	tasklet_schedule(&vc->task);
}

/*
 * vchan_cyclic_callback - a period of cyclic @vd elapsed: schedule its
 * callback. Several periods before the tasklet runs give one callback.
 * Context: caller holds vc->lock.
 */
UDMA_EXPORT void vchan_cyclic_callback(struct virt_dma_desc *vd);

/*
 * vchan_terminate_vdesc - park the active descriptor @vd on desc_terminated
 * (freed by vchan_synchronize()), abort its cookie and cancel a pending
 * cyclic callback. Context: caller holds vc->lock.
 */
UDMA_EXPORT void vchan_terminate_vdesc(struct virt_dma_desc *vd);

/*
 * vchan_get_all_descriptors - move every allocated, submitted, issued and
 * completed descriptor to @head, abort their cookies and cancel a pending
 * cyclic callback. Context: caller holds vc->lock.
 */
UDMA_EXPORT void vchan_get_all_descriptors(struct virt_dma_chan *vc,
					   struct cds_list_head *head);

/*
 * vchan_dma_desc_free_list - release every descriptor on @head (reusable ones
 * go back to desc_allocated). Context: any thread, vc->lock NOT held.
 */
UDMA_EXPORT void vchan_dma_desc_free_list(struct virt_dma_chan *vc,
					  struct cds_list_head *head);

/* vchan_vdesc_fini - release one descriptor (not on any list). No lock held. */
UDMA_EXPORT void vchan_vdesc_fini(struct virt_dma_desc *vd);

/*
 * udma_vchan_terminate_all - the usual device_terminate_all body for a
 * provider with no active descriptor of its own: collect and free everything.
 * Return: 0. Context: any thread.
 */
UDMA_EXPORT int udma_vchan_terminate_all(struct virt_dma_chan *vc);

/*
 * vchan_synchronize - wait for the completion thread (udma_chan_sync_completion)
 * then free desc_terminated. Context: may block.
 */
UDMA_EXPORT void vchan_synchronize(struct virt_dma_chan *vc);

/*
 * vchan_free_chan_resources - free every descriptor of @vc, reusable and
 * unacked ones included. Context: may block (device_free_chan_resources).
 */
UDMA_EXPORT void vchan_free_chan_resources(struct virt_dma_chan *vc);

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_VIRT_DMA_H */
