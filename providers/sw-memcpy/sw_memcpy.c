/* SPDX-License-Identifier: MIT */
/*
 * sw_memcpy.c - the software memcpy/memset provider ("sw-memcpy").
 *
 * One device with N channels (option channels=, default 4), each a virt-dma
 * channel with a pre-allocated descriptor pool (option pool=, default 1024).
 * The "hardware" of a channel is its engine tasklet, which runs on the
 * channel's completion thread: dma_async_issue_pending() moves the whole
 * submitted batch to desc_issued and, if the engine is idle, schedules it
 * (one tasklet_schedule per batch, which makes a system call only when the
 * thread sleeps). The engine takes up to ENGINE_BATCH descriptors under
 * vc->lock onto its active list, copies them with the lock dropped, then
 * completes them under the lock with vchan_cookie_complete(); the vchan
 * completion tasklet, next on the same thread, runs the callbacks.
 *
 * Terminate moves the active batch to desc_terminated (cookies aborted) and
 * bumps term_gen; the engine notices the change when its copy is done and,
 * since nothing else touches terminated descriptors, frees them itself.
 * vchan_synchronize() frees whatever is left once the engine's run is over.
 *
 * Touches the core only through <udmaengine/virt-dma.h>.
 *
 * LOCKING: vc->lock guards the vchan lists, active, busy and term_gen
 * (term_gen is also read without the lock between 1 MiB chunks of a copy).
 * batch[]/nr_batch are used only by the engine tasklet (one thread).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <udmaengine/virt-dma.h>

#define DEFAULT_CHANNELS 4
#define MAX_CHANNELS 64
#define DEFAULT_POOL 1024
#define ENGINE_BATCH 32
#define ENGINE_BATCH_BYTES (1u << 20)
/* Large transfers are copied in chunks so a terminate stops them early. */
#define ENGINE_CHUNK ((size_t)1 << 20)

enum sw_op { SW_MEMCPY, SW_MEMSET };

struct sw_desc {
	struct virt_dma_desc vd;
	enum sw_op op;
	int value;
	void *dst;
	const void *src;
	size_t len;
};

struct sw_chan {
	struct virt_dma_chan vc;
	struct tasklet_struct engine;
	struct cds_list_head active;   /* vc->lock */
	bool busy;                     /* vc->lock: engine scheduled or running */
	unsigned long term_gen;        /* vc->lock */
	unsigned int pool_size;
	struct sw_desc *batch[ENGINE_BATCH]; /* engine only */
};

struct sw_dev {
	struct dma_device ddev;
	struct device dev;
	unsigned int nr_chans;
	struct sw_chan *chans;
};

static struct sw_dev *sw_device;

static struct sw_chan *to_sw_chan(struct dma_chan *chan)
{
	return caa_container_of(to_virt_chan(chan), struct sw_chan, vc);
}

static struct sw_desc *to_sw_desc(struct virt_dma_desc *vd)
{
	return caa_container_of(vd, struct sw_desc, vd);
}

/* ------------------------------------------------------------- engine */

static void sw_engine(struct tasklet_struct *t)
{
	struct sw_chan *c = caa_container_of(t, struct sw_chan, engine);
	struct virt_dma_chan *vc = &c->vc;
	unsigned int n = 0;
	size_t bytes = 0;
	unsigned long gen;
	CDS_LIST_HEAD(stale);

	spin_lock(&vc->lock);
	while (n < ENGINE_BATCH && bytes < ENGINE_BATCH_BYTES) {
		struct virt_dma_desc *vd = vchan_next_desc(vc);

		if (!vd)
			break;
		cds_list_del(&vd->node);
		cds_list_add_tail(&vd->node, &c->active);
		c->batch[n++] = to_sw_desc(vd);
		bytes += to_sw_desc(vd)->len;
	}
	if (!n) {
		c->busy = false;
		spin_unlock(&vc->lock);
		return;
	}
	gen = c->term_gen;
	spin_unlock(&vc->lock);

	for (unsigned int i = 0; i < n; i++) {
		struct sw_desc *d = c->batch[i];

		for (size_t off = 0; off < d->len; off += ENGINE_CHUNK) {
			size_t len = d->len - off < ENGINE_CHUNK ? d->len - off : ENGINE_CHUNK;

			/* terminated: the rest of the batch is aborted anyway */
			if (__atomic_load_n(&c->term_gen, __ATOMIC_RELAXED) != gen)
				goto copied;
			if (d->op == SW_MEMCPY)
				memcpy((char *)d->dst + off, (const char *)d->src + off, len);
			else
				memset((char *)d->dst + off, d->value, len);
		}
	}
copied:

	spin_lock(&vc->lock);
	if (gen == c->term_gen) {
		for (unsigned int i = 0; i < n; i++) {
			struct virt_dma_desc *vd = &c->batch[i]->vd;

			cds_list_del(&vd->node);
			vd->tx_result.result = DMA_TRANS_NOERROR;
			vd->tx_result.residue = 0;
			vchan_cookie_complete(vd);
		}
	} else {
		/* Terminated while copying: only this engine touches them. */
		udma_list_splice_tail_init(&vc->desc_terminated, &stale);
	}
	/* More work: run again after the completion tasklet. */
	if (vchan_next_desc(vc))
		tasklet_schedule(&c->engine);
	else
		c->busy = false;
	spin_unlock(&vc->lock);
	vchan_dma_desc_free_list(vc, &stale);
}

/* ---------------------------------------------------------------- ops */

static struct dma_async_tx_descriptor *sw_prep(struct dma_chan *chan, enum sw_op op,
					       dma_addr_t dst, dma_addr_t src,
					       int value, size_t len,
					       unsigned long flags)
{
	struct sw_chan *c = to_sw_chan(chan);
	struct device *dev = chan->device->dev;
	struct virt_dma_desc *vd;
	struct sw_desc *d;
	void *dptr, *sptr = NULL;

	dptr = udma_dma_to_cpu(dev, dst, len);
	if (op == SW_MEMCPY)
		sptr = udma_dma_to_cpu(dev, src, len);
	if (!dptr || (op == SW_MEMCPY && !sptr)) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: address not mapped on %s",
			 dma_chan_name(chan), dev_name(dev));
		return NULL;
	}
	vd = udma_vchan_desc_get(&c->vc);
	if (!vd) {
		udma_log(UDMA_LOG_DEBUG, __func__, "%s: all %u descriptors in use",
			 dma_chan_name(chan), c->pool_size);
		return NULL;
	}
	d = to_sw_desc(vd);
	d->op = op;
	d->dst = dptr;
	d->src = sptr;
	d->value = value & 0xff;
	d->len = len;
	return vchan_tx_prep(&c->vc, vd, flags);
}

static struct dma_async_tx_descriptor *sw_prep_memcpy(struct dma_chan *chan,
						      dma_addr_t dst, dma_addr_t src,
						      size_t len, unsigned long flags)
{
	return sw_prep(chan, SW_MEMCPY, dst, src, 0, len, flags);
}

static struct dma_async_tx_descriptor *sw_prep_memset(struct dma_chan *chan,
						      dma_addr_t dst, int value,
						      size_t len, unsigned long flags)
{
	return sw_prep(chan, SW_MEMSET, dst, 0, value, len, flags);
}

static void sw_issue_pending(struct dma_chan *chan)
{
	struct sw_chan *c = to_sw_chan(chan);

	spin_lock(&c->vc.lock);
	if (vchan_issue_pending(&c->vc) && !c->busy) {
		c->busy = true;
		tasklet_schedule(&c->engine);
	}
	spin_unlock(&c->vc.lock);
}

/*
 * Residue granularity is DESCRIPTOR: a transfer is done or not, and the
 * residue is always 0, so status is the lockless cookie check alone (polled
 * clients call this in a loop; it must not contend with the engine).
 */
static enum dma_status sw_tx_status(struct dma_chan *chan, dma_cookie_t cookie,
				    struct dma_tx_state *state)
{
	return dma_cookie_status(chan, cookie, state);
}

static int sw_terminate_all(struct dma_chan *chan)
{
	struct sw_chan *c = to_sw_chan(chan);
	struct virt_dma_desc *vd, *n;
	CDS_LIST_HEAD(head);

	spin_lock(&c->vc.lock);
	cds_list_for_each_entry_safe(vd, n, &c->active, node) {
		cds_list_del(&vd->node);
		vchan_terminate_vdesc(vd);
	}
	__atomic_store_n(&c->term_gen, c->term_gen + 1, __ATOMIC_RELAXED);
	vchan_get_all_descriptors(&c->vc, &head);
	spin_unlock(&c->vc.lock);
	vchan_dma_desc_free_list(&c->vc, &head);
	return 0;
}

static void sw_synchronize(struct dma_chan *chan)
{
	vchan_synchronize(to_virt_chan(chan));
}

static int sw_alloc_chan_resources(struct dma_chan *chan)
{
	struct sw_chan *c = to_sw_chan(chan);

	return udma_vchan_pool_init(&c->vc, sizeof(struct sw_desc),
				    offsetof(struct sw_desc, vd), c->pool_size);
}

static void sw_free_chan_resources(struct dma_chan *chan)
{
	struct sw_chan *c = to_sw_chan(chan);

	vchan_free_chan_resources(&c->vc);
	udma_vchan_pool_fini(&c->vc);
}

/* ------------------------------------------------------------ plugin */

static void sw_free(struct sw_dev *sd)
{
	for (unsigned int i = 0; i < sd->nr_chans; i++)
		spin_lock_destroy(&sd->chans[i].vc.lock);
	free(sd->chans);
	free(sd);
}

static int sw_probe(const char *options)
{
	unsigned long nr = DEFAULT_CHANNELS, pool = DEFAULT_POOL;
	struct sw_dev *sd;
	int ret;

	if (udma_option_uint(options, "channels", &nr) < 0 ||
	    udma_option_uint(options, "pool", &pool) < 0)
		return -EINVAL;
	if (!nr || nr > MAX_CHANNELS || !pool || pool > (1u << 20)) {
		udma_log(UDMA_LOG_ERR, __func__,
			 "channels must be 1..%d and pool 1..%u (got %lu, %lu)",
			 MAX_CHANNELS, 1u << 20, nr, pool);
		return -EINVAL;
	}
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	sd->chans = calloc(nr, sizeof(*sd->chans));
	if (!sd->chans) {
		free(sd);
		return -ENOMEM;
	}
	sd->nr_chans = (unsigned int)nr;
	sd->dev.init_name = "sw-memcpy";

	struct dma_device *dd = &sd->ddev;

	CDS_INIT_LIST_HEAD(&dd->channels);
	dd->dev = &sd->dev;
	dd->udma_name = "sw-memcpy";
	dma_cap_zero(dd->cap_mask);
	dma_cap_set(DMA_MEMCPY, dd->cap_mask);
	dma_cap_set(DMA_MEMSET, dd->cap_mask);
	dd->copy_align = DMAENGINE_ALIGN_1_BYTE;
	dd->fill_align = DMAENGINE_ALIGN_1_BYTE;
	dd->descriptor_reuse = true;
	dd->residue_granularity = DMA_RESIDUE_GRANULARITY_DESCRIPTOR;
	dd->device_alloc_chan_resources = sw_alloc_chan_resources;
	dd->device_free_chan_resources = sw_free_chan_resources;
	dd->device_prep_dma_memcpy = sw_prep_memcpy;
	dd->device_prep_dma_memset = sw_prep_memset;
	dd->device_issue_pending = sw_issue_pending;
	dd->device_tx_status = sw_tx_status;
	dd->device_terminate_all = sw_terminate_all;
	dd->device_synchronize = sw_synchronize;

	for (unsigned int i = 0; i < sd->nr_chans; i++) {
		struct sw_chan *c = &sd->chans[i];

		c->pool_size = (unsigned int)pool;
		CDS_INIT_LIST_HEAD(&c->active);
		vchan_init(&c->vc, dd);
		udma_tasklet_setup(&c->engine, sw_engine, &c->vc.chan);
	}
	ret = dma_async_device_register(dd);
	if (ret) {
		sw_free(sd);
		return ret;
	}
	sw_device = sd;
	return 0;
}

static void sw_remove(void)
{
	if (!sw_device)
		return;
	if (dma_async_device_unregister(&sw_device->ddev))
		return; /* still in use: leave it registered rather than free it */
	sw_free(sw_device);
	sw_device = NULL;
}

static const struct udma_provider sw_memcpy_provider = {
	.abi_version = UDMA_PROVIDER_ABI_VERSION,
	.name = "sw-memcpy",
	.probe = sw_probe,
	.remove = sw_remove,
};

UDMA_PROVIDER_DEFINE(sw_memcpy_provider)
