/* SPDX-License-Identifier: MIT */
/*
 * mock-provider.c - the in-process test provider described in
 * mock-provider.h. Uses only the public provider SDK (virt-dma.h), the way
 * providers/sw-memcpy/sw_memcpy.c does.
 *
 * LOCKING: vc->lock guards the vchan lists, mc->paused, mc->cfg/has_cfg.
 * Transfers are executed under vc->lock (they are small test buffers), so a
 * terminate never races with a running copy and there is no "active"
 * descriptor outside the vchan lists. mc->sync (mutex) + mc->cond guard the
 * hold and flush-marker handshakes with the completion thread. Counters and
 * mc->allocated are atomics.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock-provider.h"

#define DEFAULT_POOL 64

enum mock_op { OP_MEMCPY, OP_MEMSET, OP_SLAVE, OP_CYCLIC, OP_XOR, OP_INTERRUPT };

#define MOCK_MAX_XOR 8

struct mock_desc {
	struct virt_dma_desc vd;
	enum mock_op op;
	void *dst;
	const void *src;
	int value;
	size_t len;
	unsigned int xor_cnt;              /* OP_XOR: dst = xor of xor_src[] */
	const void *xor_src[MOCK_MAX_XOR];
};

struct mock_chan {
	struct virt_dma_chan vc;
	struct mock_dev *md;
	struct tasklet_struct engine; /* automatic mode executor */
	struct tasklet_struct marker; /* mock_chan_flush */
	struct tasklet_struct holder; /* mock_chan_hold */
	bool paused;                  /* vc->lock */
	bool has_cfg;                 /* vc->lock */
	struct dma_slave_config cfg;  /* vc->lock */
	int allocated;                /* atomic */
	long counts[MOCK_NR_HOOKS];   /* atomic */

	pthread_mutex_t sync;
	pthread_cond_t cond;
	unsigned long marker_seq;     /* sync */
	bool holding;                 /* sync: the holder tasklet is parked */
	bool hold_release;            /* sync */
	bool hold_active;             /* sync: hold requested, not yet ended */
};

struct mock_dev {
	struct dma_device ddev;
	struct device dev;
	struct mock_opts opts;
	unsigned int nr_chans;
	struct mock_chan *chans;
	int fail_alloc;               /* atomic */
	bool registered;
	long counts[MOCK_NR_HOOKS];   /* atomic */
};

static struct mock_chan *to_mock_chan(struct dma_chan *chan)
{
	return caa_container_of(to_virt_chan(chan), struct mock_chan, vc);
}

static struct mock_desc *to_mock_desc(struct virt_dma_desc *vd)
{
	return caa_container_of(vd, struct mock_desc, vd);
}

static void count(struct mock_chan *mc, enum mock_hook h)
{
	__atomic_fetch_add(&mc->counts[h], 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&mc->md->counts[h], 1, __ATOMIC_SEQ_CST);
}

static void deadline_after(struct timespec *dl, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, dl);
	dl->tv_sec += ms / 1000;
	dl->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (dl->tv_nsec >= 1000000000L) {
		dl->tv_sec++;
		dl->tv_nsec -= 1000000000L;
	}
}

/* ------------------------------------------------------------ execution */

/* Execute @vd's transfer and queue it for completion. Caller holds vc->lock. */
static void complete_locked(struct mock_chan *mc, struct virt_dma_desc *vd,
			    enum dmaengine_tx_result result)
{
	struct mock_desc *d = to_mock_desc(vd);

	if (d->op == OP_CYCLIC) {
		vchan_cyclic_callback(vd); /* stays issued */
		return;
	}
	cds_list_del(&vd->node);
	if (result == DMA_TRANS_NOERROR) {
		if (d->op == OP_MEMCPY)
			memcpy(d->dst, d->src, d->len);
		else if (d->op == OP_MEMSET)
			memset(d->dst, d->value, d->len);
		else if (d->op == OP_XOR)
			for (size_t b = 0; b < d->len; b++) {
				unsigned char x = 0;

				for (unsigned int i = 0; i < d->xor_cnt; i++)
					x ^= ((const unsigned char *)d->xor_src[i])[b];
				((unsigned char *)d->dst)[b] = x;
			}
	}
	vd->tx_result.result = result;
	vd->tx_result.residue = result == DMA_TRANS_NOERROR ? 0 : (uint32_t)d->len;
	udma_chan_stats_add_bytes(vd->tx.chan, d->len - vd->tx_result.residue);
	count(mc, MOCK_EXECUTED);
	vchan_cookie_complete(vd);
}

static void mock_engine(struct tasklet_struct *t)
{
	struct mock_chan *mc = caa_container_of(t, struct mock_chan, engine);
	struct virt_dma_desc *vd;

	spin_lock(&mc->vc.lock);
	while (!mc->paused && (vd = vchan_next_desc(&mc->vc))) {
		if (to_mock_desc(vd)->op == OP_CYCLIC) {
			vchan_cyclic_callback(vd); /* one period per issue */
			break;
		}
		complete_locked(mc, vd, DMA_TRANS_NOERROR);
	}
	spin_unlock(&mc->vc.lock);
}

static void mock_marker(struct tasklet_struct *t)
{
	struct mock_chan *mc = caa_container_of(t, struct mock_chan, marker);

	pthread_mutex_lock(&mc->sync);
	mc->marker_seq++;
	pthread_cond_broadcast(&mc->cond);
	pthread_mutex_unlock(&mc->sync);
}

static void mock_holder(struct tasklet_struct *t)
{
	struct mock_chan *mc = caa_container_of(t, struct mock_chan, holder);

	pthread_mutex_lock(&mc->sync);
	mc->holding = true;
	pthread_cond_broadcast(&mc->cond);
	while (!mc->hold_release)
		pthread_cond_wait(&mc->cond, &mc->sync);
	mc->holding = false;
	mc->hold_active = false;
	pthread_cond_broadcast(&mc->cond);
	pthread_mutex_unlock(&mc->sync);
}

/* ------------------------------------------------------------ hooks */

static bool chan_allocated(struct mock_chan *mc)
{
	if (__atomic_load_n(&mc->allocated, __ATOMIC_ACQUIRE))
		return true;
	count(mc, MOCK_VIOLATION);
	return false;
}

static struct dma_async_tx_descriptor *mock_prep(struct dma_chan *chan,
						 enum mock_op op, void *dst,
						 const void *src, int value,
						 size_t len, unsigned long flags)
{
	struct mock_chan *mc = to_mock_chan(chan);
	struct virt_dma_desc *vd;
	struct mock_desc *d;

	if (!chan_allocated(mc))
		return NULL;
	vd = udma_vchan_desc_get(&mc->vc);
	if (!vd)
		return NULL;
	d = to_mock_desc(vd);
	d->op = op;
	d->dst = dst;
	d->src = src;
	d->value = value & 0xff;
	d->len = len;
	return vchan_tx_prep(&mc->vc, vd, flags);
}

static struct dma_async_tx_descriptor *mock_prep_memcpy(struct dma_chan *chan,
							dma_addr_t dst, dma_addr_t src,
							size_t len, unsigned long flags)
{
	struct device *dev = chan->device->dev;
	void *d = udma_dma_to_cpu(dev, dst, len);
	void *s = udma_dma_to_cpu(dev, src, len);

	count(to_mock_chan(chan), MOCK_PREP_MEMCPY);
	if (!d || !s)
		return NULL;
	return mock_prep(chan, OP_MEMCPY, d, s, 0, len, flags);
}

static struct dma_async_tx_descriptor *mock_prep_xor(struct dma_chan *chan,
						     dma_addr_t dst, dma_addr_t *src,
						     unsigned int src_cnt, size_t len,
						     unsigned long flags)
{
	struct mock_chan *mc = to_mock_chan(chan);
	struct device *dev = chan->device->dev;
	struct virt_dma_desc *vd;
	struct mock_desc *d;
	void *dp = udma_dma_to_cpu(dev, dst, len);

	count(mc, MOCK_PREP_XOR);
	if (!dp || src_cnt < 2 || src_cnt > MOCK_MAX_XOR || !chan_allocated(mc))
		return NULL;
	vd = udma_vchan_desc_get(&mc->vc);
	if (!vd)
		return NULL;
	d = to_mock_desc(vd);
	d->op = OP_XOR;
	d->dst = dp;
	d->src = NULL;
	d->len = len;
	d->xor_cnt = src_cnt;
	for (unsigned int i = 0; i < src_cnt; i++)
		d->xor_src[i] = udma_dma_to_cpu(dev, src[i], len);
	return vchan_tx_prep(&mc->vc, vd, flags);
}

static struct dma_async_tx_descriptor *mock_prep_interrupt(struct dma_chan *chan,
							   unsigned long flags)
{
	count(to_mock_chan(chan), MOCK_PREP_INTERRUPT);
	return mock_prep(chan, OP_INTERRUPT, NULL, NULL, 0, 0, flags);
}

static struct dma_async_tx_descriptor *mock_prep_memset(struct dma_chan *chan,
							dma_addr_t dst, int value,
							size_t len, unsigned long flags)
{
	void *d = udma_dma_to_cpu(chan->device->dev, dst, len);

	count(to_mock_chan(chan), MOCK_PREP_MEMSET);
	if (!d)
		return NULL;
	return mock_prep(chan, OP_MEMSET, d, NULL, value, len, flags);
}

static struct dma_async_tx_descriptor *mock_prep_slave_sg(struct dma_chan *chan,
							  struct scatterlist *sgl,
							  unsigned int sg_len,
							  enum dma_transfer_direction dir,
							  unsigned long flags, void *context)
{
	struct scatterlist *sg;
	size_t len = 0;
	unsigned int i;

	(void)dir;
	(void)context;
	count(to_mock_chan(chan), MOCK_PREP_SLAVE);
	for_each_sg(sgl, sg, sg_len, i) {
		if (!sg)
			return NULL;
		len += sg_dma_len(sg);
	}
	/* No device on the other side: a slave transfer moves no memory. */
	return mock_prep(chan, OP_SLAVE, NULL, NULL, 0, len, flags);
}

static struct dma_async_tx_descriptor *mock_prep_cyclic(struct dma_chan *chan,
							dma_addr_t buf, size_t buf_len,
							size_t period_len,
							enum dma_transfer_direction dir,
							unsigned long flags)
{
	(void)buf;
	(void)period_len;
	(void)dir;
	count(to_mock_chan(chan), MOCK_PREP_CYCLIC);
	return mock_prep(chan, OP_CYCLIC, NULL, NULL, 0, buf_len, flags);
}

static int mock_config(struct dma_chan *chan, struct dma_slave_config *cfg)
{
	struct mock_chan *mc = to_mock_chan(chan);

	count(mc, MOCK_CONFIG);
	spin_lock(&mc->vc.lock);
	mc->cfg = *cfg;
	mc->has_cfg = true;
	spin_unlock(&mc->vc.lock);
	return 0;
}

static void mock_caps(struct dma_chan *chan, struct dma_slave_caps *caps)
{
	(void)caps;
	count(to_mock_chan(chan), MOCK_CAPS);
}

static int mock_pause(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);

	count(mc, MOCK_PAUSE);
	spin_lock(&mc->vc.lock);
	mc->paused = true;
	spin_unlock(&mc->vc.lock);
	return 0;
}

static int mock_resume(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);
	bool kick;

	count(mc, MOCK_RESUME);
	spin_lock(&mc->vc.lock);
	mc->paused = false;
	kick = !mc->md->opts.manual && vchan_next_desc(&mc->vc);
	spin_unlock(&mc->vc.lock);
	if (kick)
		tasklet_schedule(&mc->engine);
	return 0;
}

static int mock_terminate_all(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);

	count(mc, MOCK_TERMINATE);
	return udma_vchan_terminate_all(&mc->vc);
}

static void mock_synchronize(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);

	count(mc, MOCK_SYNCHRONIZE);
	vchan_synchronize(&mc->vc);
}

static void mock_issue_pending(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);
	bool kick;

	count(mc, MOCK_ISSUE);
	spin_lock(&mc->vc.lock);
	kick = vchan_issue_pending(&mc->vc) && !mc->paused && !mc->md->opts.manual;
	spin_unlock(&mc->vc.lock);
	if (kick)
		tasklet_schedule(&mc->engine);
}

static enum dma_status mock_tx_status(struct dma_chan *chan, dma_cookie_t cookie,
				      struct dma_tx_state *state)
{
	struct mock_chan *mc = to_mock_chan(chan);
	struct virt_dma_desc *vd;
	enum dma_status status;
	uint32_t residue = 0;

	count(mc, MOCK_TX_STATUS);
	status = dma_cookie_status(chan, cookie, state);
	if (status != DMA_IN_PROGRESS)
		return status;
	spin_lock(&mc->vc.lock);
	if (mc->paused)
		status = DMA_PAUSED;
	vd = vchan_find_desc(&mc->vc, cookie);
	if (!vd) {
		cds_list_for_each_entry(vd, &mc->vc.desc_submitted, node)
			if (vd->tx.cookie == cookie)
				break;
		if (&vd->node == &mc->vc.desc_submitted)
			vd = NULL;
	}
	if (vd)
		residue = (uint32_t)to_mock_desc(vd)->len;
	spin_unlock(&mc->vc.lock);
	dma_set_residue(state, residue);
	return status;
}

static int mock_alloc_chan_resources(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);
	struct mock_dev *md = mc->md;
	int err = __atomic_load_n(&md->fail_alloc, __ATOMIC_ACQUIRE);
	int ret = 0;

	count(mc, MOCK_ALLOC);
	if (err)
		return err;
	if (__atomic_load_n(&mc->allocated, __ATOMIC_ACQUIRE))
		count(mc, MOCK_VIOLATION);
	if (!mc->vc.udma_pool_mem)
		ret = udma_vchan_pool_init(&mc->vc, sizeof(struct mock_desc),
					   offsetof(struct mock_desc, vd),
					   md->opts.pool_size);
	if (ret)
		return ret;
	spin_lock(&mc->vc.lock);
	mc->paused = false;
	spin_unlock(&mc->vc.lock);
	__atomic_store_n(&mc->allocated, 1, __ATOMIC_RELEASE);
	return 0;
}

static void mock_free_chan_resources(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);

	count(mc, MOCK_FREE);
	if (!__atomic_exchange_n(&mc->allocated, 0, __ATOMIC_ACQ_REL))
		count(mc, MOCK_VIOLATION);
	vchan_free_chan_resources(&mc->vc);
	if (!mc->md->opts.keep_pool)
		udma_vchan_pool_fini(&mc->vc);
}

static void mock_device_release(struct dma_device *dev)
{
	struct mock_dev *md = caa_container_of(dev, struct mock_dev, ddev);

	__atomic_fetch_add(&md->counts[MOCK_RELEASE], 1, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------ device */

struct mock_dev *mock_dev_create(const struct mock_opts *o)
{
	static const struct mock_opts defaults = { .nr_chans = 1, .memcpy = true };
	struct mock_dev *md;
	struct dma_device *dd;

	if (!o)
		o = &defaults;
	md = calloc(1, sizeof(*md));
	if (!md)
		return NULL;
	md->opts = *o;
	if (!md->opts.name)
		md->opts.name = "mock";
	if (!md->opts.pool_size)
		md->opts.pool_size = DEFAULT_POOL;
	md->nr_chans = o->nr_chans;
	if (md->nr_chans) {
		if (posix_memalign((void **)&md->chans, 64, md->nr_chans * sizeof(*md->chans)))
			md->chans = NULL;
		else
			memset(md->chans, 0, md->nr_chans * sizeof(*md->chans));
		if (!md->chans) {
			free(md);
			return NULL;
		}
	}
	md->dev.init_name = md->opts.name;

	dd = &md->ddev;
	CDS_INIT_LIST_HEAD(&dd->channels);
	dd->dev = &md->dev;
	dd->udma_name = md->opts.name;
	dma_cap_zero(dd->cap_mask);
	if (o->memcpy) {
		dma_cap_set(DMA_MEMCPY, dd->cap_mask);
		dd->device_prep_dma_memcpy = mock_prep_memcpy;
	}
	if (o->xor) {
		dma_cap_set(DMA_XOR, dd->cap_mask);
		dd->device_prep_dma_xor = mock_prep_xor;
		dd->max_xor = MOCK_MAX_XOR;
	}
	if (o->interrupt) {
		dma_cap_set(DMA_INTERRUPT, dd->cap_mask);
		dd->device_prep_dma_interrupt = mock_prep_interrupt;
	}
	if (o->memset) {
		dma_cap_set(DMA_MEMSET, dd->cap_mask);
		dd->device_prep_dma_memset = mock_prep_memset;
	}
	if (o->slave) {
		dma_cap_set(DMA_SLAVE, dd->cap_mask);
		dd->device_prep_slave_sg = mock_prep_slave_sg;
	}
	if (o->cyclic) {
		dma_cap_set(DMA_CYCLIC, dd->cap_mask);
		dd->device_prep_dma_cyclic = mock_prep_cyclic;
	}
	if (o->slave || o->cyclic) {
		dd->device_config = mock_config;
		dd->device_caps = mock_caps;
		dd->directions = (1u << DMA_MEM_TO_DEV) | (1u << DMA_DEV_TO_MEM);
		dd->src_addr_widths = (1u << DMA_SLAVE_BUSWIDTH_1_BYTE) |
				      (1u << DMA_SLAVE_BUSWIDTH_2_BYTES) |
				      (1u << DMA_SLAVE_BUSWIDTH_4_BYTES);
		dd->dst_addr_widths = dd->src_addr_widths;
		dd->max_burst = 16;
	}
	if (o->pause) {
		dd->device_pause = mock_pause;
		dd->device_resume = mock_resume;
	}
	if (!o->no_terminate)
		dd->device_terminate_all = mock_terminate_all;
	if (!o->no_synchronize)
		dd->device_synchronize = mock_synchronize;
	dd->descriptor_reuse = o->reuse;
	dd->residue_granularity = DMA_RESIDUE_GRANULARITY_DESCRIPTOR;
	dd->copy_align = DMAENGINE_ALIGN_1_BYTE;
	dd->fill_align = DMAENGINE_ALIGN_1_BYTE;
	dd->device_alloc_chan_resources = mock_alloc_chan_resources;
	dd->device_free_chan_resources = mock_free_chan_resources;
	dd->device_issue_pending = mock_issue_pending;
	dd->device_tx_status = mock_tx_status;
	dd->device_release = mock_device_release;

	for (unsigned int i = 0; i < md->nr_chans; i++) {
		struct mock_chan *mc = &md->chans[i];
		pthread_condattr_t attr;

		mc->md = md;
		pthread_mutex_init(&mc->sync, NULL);
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&mc->cond, &attr);
		pthread_condattr_destroy(&attr);
		vchan_init(&mc->vc, dd);
		udma_tasklet_setup(&mc->engine, mock_engine, &mc->vc.chan);
		udma_tasklet_setup(&mc->marker, mock_marker, &mc->vc.chan);
		udma_tasklet_setup(&mc->holder, mock_holder, &mc->vc.chan);
	}
	return md;
}

int mock_dev_register(struct mock_dev *md)
{
	int ret = dma_async_device_register(&md->ddev);

	if (!ret)
		md->registered = true;
	return ret;
}

int mock_dev_unregister(struct mock_dev *md)
{
	int ret = dma_async_device_unregister(&md->ddev);

	if (!ret)
		md->registered = false;
	return ret;
}

void mock_dev_destroy(struct mock_dev *md)
{
	if (!md)
		return;
	if (md->registered && mock_dev_unregister(md)) {
		udma_log(UDMA_LOG_ERR, __func__, "mock %s still in use: leaked",
			 md->opts.name);
		return;
	}
	for (unsigned int i = 0; i < md->nr_chans; i++) {
		struct mock_chan *mc = &md->chans[i];

		if (mc->vc.udma_pool_mem)
			udma_vchan_pool_fini(&mc->vc);
		spin_lock_destroy(&mc->vc.lock);
		pthread_cond_destroy(&mc->cond);
		pthread_mutex_destroy(&mc->sync);
	}
	free(md->chans);
	free(md);
}

struct dma_device *mock_dev_device(struct mock_dev *md)
{
	return &md->ddev;
}

struct dma_chan *mock_dev_chan(struct mock_dev *md, unsigned int i)
{
	return i < md->nr_chans ? &md->chans[i].vc.chan : NULL;
}

unsigned int mock_dev_nr_chans(const struct mock_dev *md)
{
	return md->nr_chans;
}

long mock_dev_count(const struct mock_dev *md, enum mock_hook h)
{
	return __atomic_load_n(&md->counts[h], __ATOMIC_SEQ_CST);
}

long mock_chan_count(struct dma_chan *chan, enum mock_hook h)
{
	return __atomic_load_n(&to_mock_chan(chan)->counts[h], __ATOMIC_SEQ_CST);
}

void mock_dev_fail_alloc(struct mock_dev *md, int err)
{
	__atomic_store_n(&md->fail_alloc, err, __ATOMIC_RELEASE);
}

bool mock_filter(struct dma_chan *chan, void *param)
{
	struct mock_dev *md = param;

	return chan->device == &md->ddev;
}

struct dma_chan *mock_dev_request(struct mock_dev *md)
{
	dma_cap_mask_t mask;

	/* the core flips DMA_PRIVATE in cap_mask atomically at request time */
	mask.bits[0] = __atomic_load_n(&md->ddev.cap_mask.bits[0], __ATOMIC_RELAXED) &
		       ~(1UL << DMA_PRIVATE);
	return dma_request_channel(mask, mock_filter, md);
}

/* ------------------------------------------------------------ manual */

static bool is_mock_chan(struct dma_chan *chan)
{
	return chan && chan->device &&
	       chan->device->device_issue_pending == mock_issue_pending;
}

int mock_complete_next(struct dma_chan *chan, enum dmaengine_tx_result result)
{
	struct mock_chan *mc;
	struct virt_dma_desc *vd;

	if (!is_mock_chan(chan))
		return -EINVAL;
	mc = to_mock_chan(chan);
	spin_lock(&mc->vc.lock);
	vd = vchan_next_desc(&mc->vc);
	if (vd)
		complete_locked(mc, vd, result);
	spin_unlock(&mc->vc.lock);
	return vd ? 0 : -ENOENT;
}

unsigned int mock_chan_issued(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);
	struct virt_dma_desc *vd;
	unsigned int n = 0;

	spin_lock(&mc->vc.lock);
	cds_list_for_each_entry(vd, &mc->vc.desc_issued, node)
		n++;
	spin_unlock(&mc->vc.lock);
	return n;
}

int mock_chan_flush(struct dma_chan *chan, unsigned int timeout_ms)
{
	struct mock_chan *mc = to_mock_chan(chan);
	struct timespec dl;

	deadline_after(&dl, timeout_ms);
	for (;;) {
		unsigned long target;
		bool idle;
		int ret = 0;

		pthread_mutex_lock(&mc->sync);
		target = mc->marker_seq + 1;
		pthread_mutex_unlock(&mc->sync);
		tasklet_schedule(&mc->marker);
		pthread_mutex_lock(&mc->sync);
		while (mc->marker_seq < target && !ret)
			ret = pthread_cond_timedwait(&mc->cond, &mc->sync, &dl);
		if (mc->marker_seq >= target)
			ret = 0;
		pthread_mutex_unlock(&mc->sync);
		if (ret)
			return -ETIMEDOUT;
		/* The completion tasklet may have rescheduled itself (budget). */
		spin_lock(&mc->vc.lock);
		idle = cds_list_empty(&mc->vc.desc_completed) && !mc->vc.cyclic;
		spin_unlock(&mc->vc.lock);
		if (idle)
			return 0;
	}
}

int mock_chan_hold(struct dma_chan *chan, unsigned int timeout_ms)
{
	struct mock_chan *mc = to_mock_chan(chan);
	struct timespec dl;
	int ret = 0;

	pthread_mutex_lock(&mc->sync);
	if (mc->hold_active) {
		pthread_mutex_unlock(&mc->sync);
		return -EBUSY;
	}
	mc->hold_active = true;
	mc->hold_release = false;
	pthread_mutex_unlock(&mc->sync);

	tasklet_schedule(&mc->holder);
	deadline_after(&dl, timeout_ms);
	pthread_mutex_lock(&mc->sync);
	while (!mc->holding && !ret)
		ret = pthread_cond_timedwait(&mc->cond, &mc->sync, &dl);
	if (mc->holding)
		ret = 0;
	pthread_mutex_unlock(&mc->sync);
	return ret ? -ETIMEDOUT : 0;
}

void mock_chan_unhold(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);

	pthread_mutex_lock(&mc->sync);
	mc->hold_release = true;
	pthread_cond_broadcast(&mc->cond);
	pthread_mutex_unlock(&mc->sync);
}

void mock_chan_set_cookie(struct dma_chan *chan, dma_cookie_t cookie)
{
	struct mock_chan *mc = to_mock_chan(chan);

	spin_lock(&mc->vc.lock);
	__atomic_store_n(&chan->cookie, cookie, __ATOMIC_RELEASE);
	__atomic_store_n(&chan->completed_cookie, cookie, __ATOMIC_RELEASE);
	spin_unlock(&mc->vc.lock);
}

bool mock_chan_last_config(struct dma_chan *chan, struct dma_slave_config *out)
{
	struct mock_chan *mc = to_mock_chan(chan);
	bool has;

	spin_lock(&mc->vc.lock);
	has = mc->has_cfg;
	if (has && out)
		*out = mc->cfg;
	spin_unlock(&mc->vc.lock);
	return has;
}

bool mock_chan_paused(struct dma_chan *chan)
{
	struct mock_chan *mc = to_mock_chan(chan);
	bool p;

	spin_lock(&mc->vc.lock);
	p = mc->paused;
	spin_unlock(&mc->vc.lock);
	return p;
}
