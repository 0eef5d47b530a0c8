/* SPDX-License-Identifier: MIT */
/*
 * skeleton.c - the smallest real provider plugin ("skeleton"), built out of
 * tree against the installed SDK. Copy it to start a provider of your own.
 *
 * One device with 2 channels (option channels=, 1..16), DMA_MEMCPY only.
 * Each channel is a virt-dma channel with a descriptor pool (option pool=,
 * default 256) filled when a client takes the channel, so prep never
 * allocates. The "hardware" is a tasklet of ours, the engine, bound to the
 * channel's completion thread: issue_pending moves the submitted batch to
 * desc_issued and schedules the engine if it is idle; the engine takes one
 * issued descriptor at a time under vc->lock, copies with the lock dropped,
 * and completes it with vchan_cookie_complete(), which queues it for the
 * vchan completion tasklet that commits the cookie and runs the client's
 * callback on the same thread.
 *
 * Terminate parks the descriptor being copied on desc_terminated
 * (vchan_terminate_vdesc: its cookie is aborted) and collects the rest with
 * vchan_get_all_descriptors(). The engine sees that its descriptor is no
 * longer "active" and leaves it alone; vchan_synchronize() waits for the
 * engine's run to end, then frees it.
 *
 * LOCKING: vc->lock guards the vchan lists, active and busy. The engine is
 * the only code that reads a descriptor's dst/src/len after prep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <udmaengine/virt-dma.h>

#define SKEL_CHANNELS 2
#define SKEL_MAX_CHANNELS 16
#define SKEL_POOL 256
#define SKEL_BATCH 16 /* descriptors per engine run, then let callbacks run */

struct skel_desc {
	struct virt_dma_desc vd;
	void *dst;
	const void *src;
	size_t len;
};

struct skel_chan {
	struct virt_dma_chan vc;
	struct tasklet_struct engine;
	struct skel_desc *active; /* vc->lock: being copied, NULL if none */
	bool busy;                /* vc->lock: engine scheduled or running */
	unsigned int pool_size;
};

struct skel_dev {
	struct dma_device ddev;
	struct device dev;
	unsigned int nr_chans;
	struct skel_chan *chans;
};

static struct skel_dev *skel;

static struct skel_chan *to_skel_chan(struct dma_chan *chan)
{
	return caa_container_of(to_virt_chan(chan), struct skel_chan, vc);
}

static struct skel_desc *to_skel_desc(struct virt_dma_desc *vd)
{
	return caa_container_of(vd, struct skel_desc, vd);
}

/* The engine: a tasklet on the channel's completion thread. */
static void skel_engine(struct tasklet_struct *t)
{
	struct skel_chan *c = caa_container_of(t, struct skel_chan, engine);
	struct virt_dma_chan *vc = &c->vc;

	for (unsigned int n = 0; n < SKEL_BATCH; n++) {
		struct virt_dma_desc *vd;
		struct skel_desc *d;

		spin_lock(&vc->lock);
		vd = vchan_next_desc(vc);
		if (!vd) {
			c->busy = false;
			spin_unlock(&vc->lock);
			return;
		}
		cds_list_del(&vd->node);
		d = to_skel_desc(vd);
		c->active = d;
		spin_unlock(&vc->lock);

		memcpy(d->dst, d->src, d->len);

		spin_lock(&vc->lock);
		if (c->active == d) {
			c->active = NULL;
			vchan_cookie_complete(vd); /* tx_result is NOERROR from prep */
		}
		/* else a terminate parked it on desc_terminated: not ours now */
		spin_unlock(&vc->lock);
	}
	/* More may be queued: run again after the callbacks queued meanwhile. */
	tasklet_schedule(&c->engine);
}

static struct dma_async_tx_descriptor *skel_prep_memcpy(struct dma_chan *chan,
							dma_addr_t dst, dma_addr_t src,
							size_t len, unsigned long flags)
{
	struct skel_chan *c = to_skel_chan(chan);
	struct device *dev = chan->device->dev;
	void *dptr = udma_dma_to_cpu(dev, dst, len);
	void *sptr = udma_dma_to_cpu(dev, src, len);
	struct virt_dma_desc *vd;
	struct skel_desc *d;

	/* everything that can fail is checked before a descriptor is taken */
	if (!dptr || !sptr) {
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
	d = to_skel_desc(vd);
	d->dst = dptr;
	d->src = sptr;
	d->len = len;
	return vchan_tx_prep(&c->vc, vd, flags);
}

static void skel_issue_pending(struct dma_chan *chan)
{
	struct skel_chan *c = to_skel_chan(chan);
	bool start = false;

	spin_lock(&c->vc.lock);
	if (vchan_issue_pending(&c->vc) && !c->busy)
		start = c->busy = true;
	spin_unlock(&c->vc.lock);
	if (start)
		tasklet_schedule(&c->engine);
}

/* Residue granularity DESCRIPTOR: the cookie alone says it all. */
static enum dma_status skel_tx_status(struct dma_chan *chan, dma_cookie_t cookie,
				      struct dma_tx_state *state)
{
	return dma_cookie_status(chan, cookie, state);
}

static int skel_terminate_all(struct dma_chan *chan)
{
	struct skel_chan *c = to_skel_chan(chan);
	CDS_LIST_HEAD(head);

	spin_lock(&c->vc.lock);
	if (c->active) {
		vchan_terminate_vdesc(&c->active->vd);
		c->active = NULL;
	}
	vchan_get_all_descriptors(&c->vc, &head);
	spin_unlock(&c->vc.lock);
	vchan_dma_desc_free_list(&c->vc, &head);
	return 0;
}

static void skel_synchronize(struct dma_chan *chan)
{
	vchan_synchronize(to_virt_chan(chan));
}

static int skel_alloc_chan_resources(struct dma_chan *chan)
{
	struct skel_chan *c = to_skel_chan(chan);

	return udma_vchan_pool_init(&c->vc, sizeof(struct skel_desc),
				    offsetof(struct skel_desc, vd), c->pool_size);
}

static void skel_free_chan_resources(struct dma_chan *chan)
{
	struct skel_chan *c = to_skel_chan(chan);

	vchan_free_chan_resources(&c->vc);
	udma_vchan_pool_fini(&c->vc);
}

static void skel_free(struct skel_dev *sd)
{
	for (unsigned int i = 0; i < sd->nr_chans; i++)
		spin_lock_destroy(&sd->chans[i].vc.lock);
	free(sd->chans);
	free(sd);
}

static int skel_probe(const char *options)
{
	unsigned long nr = SKEL_CHANNELS, pool = SKEL_POOL;
	struct dma_device *dd;
	struct skel_dev *sd;
	int ret;

	if (udma_option_uint(options, "channels", &nr) < 0 ||
	    udma_option_uint(options, "pool", &pool) < 0)
		return -EINVAL;
	if (!nr || nr > SKEL_MAX_CHANNELS || !pool || pool > 65536) {
		udma_log(UDMA_LOG_ERR, __func__, "channels must be 1..%d and pool 1..65536",
			 SKEL_MAX_CHANNELS);
		return -EINVAL;
	}
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	/* struct virt_dma_chan has cache-line-aligned members */
	if (posix_memalign((void **)&sd->chans, 64, nr * sizeof(*sd->chans))) {
		free(sd);
		return -ENOMEM;
	}
	memset(sd->chans, 0, nr * sizeof(*sd->chans));
	sd->nr_chans = (unsigned int)nr;
	sd->dev.init_name = "skeleton";

	dd = &sd->ddev;
	CDS_INIT_LIST_HEAD(&dd->channels);
	dd->dev = &sd->dev;
	dd->udma_name = "skeleton";
	dma_cap_zero(dd->cap_mask);
	dma_cap_set(DMA_MEMCPY, dd->cap_mask);
	dd->copy_align = DMAENGINE_ALIGN_1_BYTE;
	dd->descriptor_reuse = true;
	dd->residue_granularity = DMA_RESIDUE_GRANULARITY_DESCRIPTOR;
	dd->device_alloc_chan_resources = skel_alloc_chan_resources;
	dd->device_free_chan_resources = skel_free_chan_resources;
	dd->device_prep_dma_memcpy = skel_prep_memcpy;
	dd->device_issue_pending = skel_issue_pending;
	dd->device_tx_status = skel_tx_status;
	dd->device_terminate_all = skel_terminate_all;
	dd->device_synchronize = skel_synchronize;

	for (unsigned int i = 0; i < sd->nr_chans; i++) {
		struct skel_chan *c = &sd->chans[i];

		c->pool_size = (unsigned int)pool;
		vchan_init(&c->vc, dd);
		udma_tasklet_setup(&c->engine, skel_engine, &c->vc.chan);
	}
	ret = dma_async_device_register(dd);
	if (ret) {
		skel_free(sd);
		return ret;
	}
	skel = sd;
	return 0;
}

static void skel_remove(void)
{
	if (!skel)
		return;
	if (dma_async_device_unregister(&skel->ddev))
		return; /* still in use: leave it registered rather than free it */
	skel_free(skel);
	skel = NULL;
}

static const struct udma_provider skel_provider = {
	.abi_version = UDMA_PROVIDER_ABI_VERSION,
	.name = "skeleton",
	.probe = skel_probe,
	.remove = skel_remove,
};

UDMA_PROVIDER_DEFINE(skel_provider)
