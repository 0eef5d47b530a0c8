/* SPDX-License-Identifier: MIT */
/*
 * async_tx.c - the async_tx operations (async_memcpy, async_xor*,
 * async_gen_syndrome, async_syndrome_val, RAID-6 recovery,
 * async_trigger_callback), their dependency chains, and the synchronous CPU
 * path (ISA-L) used when no public channel can serve an operation.
 *
 * One operation = one struct op (what to compute, on plain addresses) handed
 * to run_op(): inside one liburcu-bp read-side section it picks a channel
 * (depend_tx's channel when its device has the capability, else
 * dma_find_channel()), preps on it and submits through async_tx_submit();
 * when there is no channel, or the prep refuses (alignment, too many
 * sources, pool empty), it waits for depend_tx (bounded) and computes on the
 * CPU in the caller's context, then calls the callback and returns NULL.
 *
 * Chains. A child is never submitted before its parent has completed: it is
 * attached to the parent's tx->next with a compare-and-swap and submitted by
 * dma_run_dependencies() when the parent completes (the core's virt-dma
 * completion path calls it for every provider), on whatever channel the
 * child was prepared on - so a chain may cross channels and providers with
 * no CPU waiting and no interrupt descriptor. dma_run_dependencies() closes
 * tx->next with UDMA_TX_DEPS_DONE; an attach that finds it knows the parent
 * is done and submits the child itself. While attached and not yet
 * submitted ("parked") a child's cookie reads -EBUSY, as in the kernel.
 * A child of a failed or aborted parent gets UDMA_CTRL_DEP_FAILED: it still
 * runs (so every descriptor ends through its provider) and completes as
 * DMA_TRANS_ABORTED, and the flag propagates down the chain.
 *
 * LOCKING: no lock of its own. tx->next, tx->parent, tx->cookie and the
 * private flag bits are accessed with atomics. A parent is never recycled
 * while a child may attach: it is unacked until the attach has happened
 * (async_tx_submit acks it afterwards), and vchan keeps unacked descriptors.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu-bp.h>
#include <isa-l/erasure_code.h>
#include <isa-l/gf_vect_mul.h>
#include <isa-l/raid.h>

#include "core-private.h"
#include <udmaengine/async_tx.h>

#define MAX_SRC UDMA_ASYNC_TX_MAX_SRC
#define CHECK_CHUNK 4096

/* ------------------------------------------------------------ GF tables */

static pthread_once_t gf_once = PTHREAD_ONCE_INIT;
static unsigned char gfexp[MAX_SRC];  /* {02}^i: Q coefficient of data block i */
static unsigned char ones[MAX_SRC + 1];

static void gf_init(void)
{
	gfexp[0] = 1;
	for (int i = 1; i < MAX_SRC; i++)
		gfexp[i] = gf_mul(gfexp[i - 1], 2);
	memset(ones, 1, sizeof(ones));
}

/* -------------------------------------------------------------- CPU path */

static bool aligned32(const void *p)
{
	return ((uintptr_t)p & 31) == 0;
}

static bool overlap(const void *a, const void *b, size_t len)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y + len && y < x + len;
}

/*
 * dst = sum coef[i] * src[i] over GF(2^8); dst may be one of the sources.
 * ISA-L's ec_encode_data is not in-place safe: a length that is not a
 * multiple of 32 is finished by running the last vector again over bytes it
 * has already written. So when dst overlaps a source, each piece is computed
 * into a stack buffer first (pieces read only bytes not yet written).
 */
static void cpu_dot(void *dst, void **src, const unsigned char *coef, int n, size_t len)
{
	unsigned char tbl[(MAX_SRC + 1) * 32], bounce[CHECK_CHUNK];
	size_t max_piece = 1u << 30;

	if (n == 0) {
		memset(dst, 0, len);
		return;
	}
	for (int i = 0; i < n; i++) {
		gf_vect_mul_init(coef[i], &tbl[32 * i]);
		if (overlap(dst, src[i], len))
			max_piece = sizeof(bounce);
	}
	for (size_t done = 0; done < len;) {
		size_t piece = len - done > max_piece ? max_piece : len - done;
		unsigned char *s[MAX_SRC + 1];
		unsigned char *out = (unsigned char *)dst + done;
		unsigned char *d = max_piece == sizeof(bounce) ? bounce : out;

		for (int i = 0; i < n; i++)
			s[i] = (unsigned char *)src[i] + done;
		ec_encode_data((int)piece, n, 1, tbl, s, &d);
		if (d != out)
			memcpy(out, d, piece);
		done += piece;
	}
}

/* dst = xor of src[0..n-1]; dst may be one of the sources. */
static void cpu_xor(void *dst, void **src, int n, size_t len)
{
	void *arr[MAX_SRC + 2];
	bool fast = n >= 2 && len % 32 == 0 && len <= INT_MAX && aligned32(dst);

	if (n == 1) {
		if (dst != src[0])
			memmove(dst, src[0], len);
		return;
	}
	for (int i = 0; i < n; i++) {
		arr[i] = src[i];
		fast = fast && aligned32(src[i]);
	}
	arr[n] = dst;
	if (fast && xor_gen(n + 1, (int)len, arr) == 0)
		return;
	cpu_dot(dst, src, ones, n, len);
}

/* P = xor, Q = sum coef[i] * src[i]; either may be NULL. */
static void cpu_pq(void *p, void *q, void **src, const unsigned char *coef, int n,
		   size_t len)
{
	if (p && q && n >= 2 && len % 32 == 0 && len <= INT_MAX && aligned32(p) &&
	    aligned32(q) && !memcmp(coef, gfexp, (size_t)n)) {
		void *arr[MAX_SRC + 2];
		bool fast = true;

		for (int i = 0; i < n; i++) {
			arr[i] = src[i];
			fast = fast && aligned32(src[i]);
		}
		arr[n] = p;
		arr[n + 1] = q;
		if (fast && pq_gen(n + 2, (int)len, arr) == 0)
			return;
	}
	if (p)
		cpu_xor(p, src, n, len);
	if (q)
		cpu_dot(q, src, coef, n, len);
}

static bool all_zero(const unsigned char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* Recompute P (xor) and/or Q of the sources chunk by chunk and compare with
 * @p / @q (NULL: not checked; for xor_val @p == NULL and @check_zero). */
static enum sum_check_flags cpu_check(const void *p, const void *q, void **src,
				      const unsigned char *coef, int n, size_t len,
				      bool check_zero)
{
	unsigned char tmp[CHECK_CHUNK] __attribute__((aligned(64)));
	enum sum_check_flags res = 0;

	for (size_t off = 0; off < len; off += CHECK_CHUNK) {
		size_t piece = len - off < CHECK_CHUNK ? len - off : CHECK_CHUNK;
		void *s[MAX_SRC];

		for (int i = 0; i < n; i++)
			s[i] = (unsigned char *)src[i] + off;
		if (p || check_zero) {
			if (n)
				cpu_xor(tmp, s, n, piece);
			else
				memset(tmp, 0, piece);
			if (check_zero ? !all_zero(tmp, piece)
				       : memcmp(tmp, (const unsigned char *)p + off, piece))
				res |= SUM_CHECK_P_RESULT;
		}
		if (q) {
			cpu_dot(tmp, s, coef, n, piece);
			if (memcmp(tmp, (const unsigned char *)q + off, piece))
				res |= SUM_CHECK_Q_RESULT;
		}
	}
	return res;
}

/* ------------------------------------------------------------ operations */

struct op {
	enum dma_transaction_type type; /* MEMCPY, XOR, XOR_VAL, PQ, PQ_VAL */
	void *dst[2];                   /* memcpy/xor: dst[0]; pq(_val): P, Q */
	int nsrc;
	size_t len;
	enum sum_check_flags *res;      /* *_VAL */
	bool dst_in_sum;                /* the destination's old content is a term */
	bool cpu_only;
	void *src[MAX_SRC + 1];
	unsigned char coef[MAX_SRC + 1];
};

static void cpu_exec(struct op *op)
{
	switch (op->type) {
	case DMA_MEMCPY:
		memmove(op->dst[0], op->src[0], op->len);
		break;
	case DMA_XOR:
		if (op->dst_in_sum)
			op->src[op->nsrc++] = op->dst[0];
		if (op->nsrc == 0)
			memset(op->dst[0], 0, op->len);
		else
			cpu_xor(op->dst[0], op->src, op->nsrc, op->len);
		break;
	case DMA_XOR_VAL:
		*op->res = cpu_check(NULL, NULL, op->src, NULL, op->nsrc, op->len, true);
		break;
	case DMA_PQ:
		if (op->dst_in_sum) {
			/* P ^= xor(src), Q ^= sum: each destination is one more term */
			for (int k = 0; k < 2; k++) {
				if (!op->dst[k])
					continue;
				op->src[op->nsrc] = op->dst[k];
				op->coef[op->nsrc] = 1;
				if (k == 0)
					cpu_xor(op->dst[0], op->src, op->nsrc + 1, op->len);
				else
					cpu_dot(op->dst[1], op->src, op->coef, op->nsrc + 1, op->len);
			}
		} else {
			cpu_pq(op->dst[0], op->dst[1], op->src, op->coef, op->nsrc, op->len);
		}
		break;
	case DMA_PQ_VAL:
		*op->res = cpu_check(op->dst[0], op->dst[1], op->src, op->coef, op->nsrc,
				     op->len, false);
		break;
	default:
		break;
	}
}

/* Call @submit's callback in the caller's context with @result. */
static void complete_sync(struct async_submit_ctl *submit, enum dmaengine_tx_result result)
{
	struct dmaengine_result r = { result, 0 };

	if (submit->udma_cb_result)
		submit->udma_cb_result(submit->cb_param, &r);
	else if (submit->cb_fn)
		submit->cb_fn(submit->cb_param);
}

/* Kernel BUG_ON cases: the parent must be unacked and childless. */
static bool depend_ok(struct dma_async_tx_descriptor *depend)
{
	struct dma_async_tx_descriptor *next;

	if (async_tx_test_ack(depend)) {
		udma_err("depend_tx %p is already acked (it may have been recycled)",
			 (void *)depend);
		return false;
	}
	next = __atomic_load_n(&depend->next, __ATOMIC_ACQUIRE);
	if (next && next != UDMA_TX_DEPS_DONE) {
		udma_err("depend_tx %p already has a child (one child per parent)",
			 (void *)depend);
		return false;
	}
	return true;
}

/* Give up on an operation: no work done, callback with DMA_TRANS_ABORTED. */
static struct dma_async_tx_descriptor *fail_op(struct async_submit_ctl *submit, int *err,
					       int why)
{
	if (submit->depend_tx && !async_tx_test_ack(submit->depend_tx))
		async_tx_ack(submit->depend_tx);
	complete_sync(submit, DMA_TRANS_ABORTED);
	if (err)
		*err = why;
	return NULL;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	nanosleep(&ts, NULL);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

UDMA_EXPORT int udma_async_tx_wait(struct dma_async_tx_descriptor *tx)
{
	int64_t deadline = now_ns() + (int64_t)UDMA_ASYNC_TX_WAIT_MS * 1000000LL;
	long backoff = 1000;

	if (!tx) {
		udma_err("NULL descriptor");
		return -EINVAL;
	}
	if (udma__forked_child(__func__))
		return -EINVAL;
	for (;;) {
		dma_cookie_t cookie = __atomic_load_n(&tx->cookie, __ATOMIC_ACQUIRE);

		if (cookie == 0)
			return (udma__tx_flags(tx) & UDMA_CTRL_FAILED) ? -EIO : 0;
		if (cookie > 0) {
			enum dma_status st = dmaengine_tx_status(tx->chan, cookie, NULL);

			if (st == DMA_COMPLETE)
				return (udma__tx_flags(tx) & UDMA_CTRL_FAILED) ? -EIO : 0;
			if (st == DMA_ERROR)
				return -EIO;
		} else if (cookie != -EBUSY) {
			return -EIO;
		}
		if (udma_in_completion_context()) {
			udma_err("descriptor %p is not finished and a completion callback "
				 "cannot wait for it", (void *)tx);
			return -EDEADLK;
		}
		if (now_ns() > deadline) {
			udma_err("descriptor %p not finished after %d ms", (void *)tx,
				 UDMA_ASYNC_TX_WAIT_MS);
			return -ETIMEDOUT;
		}
		if (cookie == -EBUSY)
			dma_issue_pending_all(); /* parked: its ancestors must run */
		else
			dma_async_issue_pending(tx->chan);
		sleep_ns(backoff);
		if (backoff < 1000000)
			backoff *= 2;
	}
}

UDMA_EXPORT void async_tx_quiesce(struct dma_async_tx_descriptor **tx)
{
	int rc;

	if (!tx || !*tx)
		return;
	if (async_tx_test_ack(*tx))
		udma_err("descriptor %p is already acked; the kernel would BUG here",
			 (void *)*tx);
	rc = udma_async_tx_wait(*tx);
	if (rc)
		udma_err("descriptor %p did not complete cleanly: %d", (void *)*tx, rc);
	async_tx_ack(*tx);
	*tx = NULL;
}

void udma__run_dependencies(struct dma_async_tx_descriptor *tx, bool abandoned)
{
	struct dma_async_tx_descriptor *dep;
	struct dma_chan *chan;
	dma_cookie_t cookie;

	dep = __atomic_exchange_n(&tx->next, UDMA_TX_DEPS_DONE, __ATOMIC_ACQ_REL);
	if (!dep || dep == UDMA_TX_DEPS_DONE)
		return;
	if (abandoned || (udma__tx_flags(tx) & UDMA_CTRL_FAILED))
		udma__tx_set_flags(dep, UDMA_CTRL_DEP_FAILED);
	chan = dep->chan;
	cookie = dmaengine_submit(dep);
	__atomic_store_n(&dep->parent, NULL, __ATOMIC_RELEASE);
	if (cookie < 0) {
		udma_err("%s: could not submit the dependant of %p: %d",
			 dma_chan_name(chan), (void *)tx, cookie);
		udma__tx_mark_failed(dep);
		__atomic_store_n(&dep->cookie, 0, __ATOMIC_RELEASE);
		udma__run_dependencies(dep, true);
		return;
	}
	dma_async_issue_pending(chan);
}

UDMA_EXPORT void dma_run_dependencies(struct dma_async_tx_descriptor *tx)
{
	if (!tx) {
		udma_err("NULL descriptor");
		return;
	}
	udma__run_dependencies(tx, false);
}

/* Queue prepared @tx behind @submit->depend_tx (or now), then the acks. */
static void tx_submit_chained(struct dma_async_tx_descriptor *tx,
			      struct async_submit_ctl *submit)
{
	struct dma_async_tx_descriptor *depend = submit->depend_tx;

	tx->callback = submit->cb_fn;
	tx->callback_result = submit->udma_cb_result;
	tx->callback_param = submit->cb_param;

	if (depend) {
		struct dma_async_tx_descriptor *expected = NULL;

		__atomic_store_n(&tx->cookie, -EBUSY, __ATOMIC_RELAXED);
		__atomic_store_n(&tx->parent, depend, __ATOMIC_RELAXED);
		if (!__atomic_compare_exchange_n(&depend->next, &expected, tx, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			/* the parent is done (or, a caller bug, got another child) */
			if (expected != UDMA_TX_DEPS_DONE) {
				udma_err("depend_tx %p got another child meanwhile; %p "
					 "runs unordered and reports an abort",
					 (void *)depend, (void *)tx);
				udma__tx_set_flags(tx, UDMA_CTRL_DEP_FAILED);
			} else if (udma__tx_flags(depend) & UDMA_CTRL_FAILED) {
				udma__tx_set_flags(tx, UDMA_CTRL_DEP_FAILED);
			}
			__atomic_store_n(&tx->parent, NULL, __ATOMIC_RELEASE);
			if (dmaengine_submit(tx) < 0)
				udma_err("could not submit %p", (void *)tx);
		}
	} else if (dmaengine_submit(tx) < 0) {
		udma_err("could not submit %p", (void *)tx);
	}
	if (submit->flags & ASYNC_TX_ACK)
		async_tx_ack(tx);
	if (depend)
		async_tx_ack(depend);
}

/*
 * Mappings that need undoing: strict mapping records them, and a device with
 * an unmap hook (IOMMU) holds them. Identity mappings are left alone, so the
 * usual path allocates nothing.
 */
static bool unmap_needed(struct device *dev)
{
	return udma_strict_mapping_enabled() ||
	       (dev && dev->dma_ops && dev->dma_ops->unmap_single);
}

/* Map @len bytes at @p for @chan's device, recorded in @u when not NULL. */
static dma_addr_t map(struct dma_chan *chan, struct dmaengine_unmap_data *u, void *p,
		      size_t len)
{
	dma_addr_t a = dma_map_single(chan->device->dev, p, len, DMA_BIDIRECTIONAL);

	if (u && !dma_mapping_error(chan->device->dev, a))
		u->addr[u->bidi_cnt++] = a;
	return a;
}

static bool ptr_aligned(enum dmaengine_alignment a, const void *p)
{
	return dmaengine_check_align(a, (size_t)(uintptr_t)p, 0, 0);
}

/* Can @chan's device take @op's source count at all? */
static bool count_ok(struct dma_device *dev, const struct op *op)
{
	int n = op->nsrc + (op->type == DMA_XOR && op->dst_in_sum);

	switch (op->type) {
	case DMA_MEMCPY:
		return true;
	case DMA_XOR:
	case DMA_XOR_VAL:
		return n >= 2 && n <= dev->max_xor;
	case DMA_PQ:
		if (op->dst_in_sum) /* a continuation: P and Q accumulate */
			return dma_dev_has_pq_continue(dev) && n >= 1 &&
			       n <= dma_maxpq(dev, DMA_PREP_CONTINUE);
		return n >= 1 && n <= dma_maxpq(dev, 0);
	case DMA_PQ_VAL:
		return n >= 1 && n <= dma_maxpq(dev, 0);
	default:
		return false;
	}
}

/*
 * Prep @op on @chan. NULL: this channel cannot do it (use the CPU). When the
 * mappings need undoing they are recorded in unmap data attached to the
 * descriptor (dropped by virt-dma when it ends); on failure what was mapped
 * is undone here, still inside the caller's read-side section (the device
 * stays alive), without waiting: no engine has seen those mappings.
 */
static struct dma_async_tx_descriptor *prep_on(struct dma_chan *chan, struct op *op,
					       struct async_submit_ctl *submit)
{
	struct dma_device *dev = chan->device;
	struct dma_async_tx_descriptor *tx = NULL;
	struct dmaengine_unmap_data *u = NULL;
	unsigned long flags = 0;
	dma_addr_t src[MAX_SRC + 1], dst[2] = { 0, 0 };
	enum dmaengine_alignment align;
	int n = op->nsrc, ndst = !!op->dst[0] + !!op->dst[1];

	if (submit->cb_fn || submit->udma_cb_result)
		flags |= DMA_PREP_INTERRUPT;
	if (submit->flags & ASYNC_TX_FENCE)
		flags |= DMA_PREP_FENCE;
	align = op->type == DMA_MEMCPY ? dev->copy_align :
		(op->type == DMA_XOR || op->type == DMA_XOR_VAL) ? dev->xor_align : dev->pq_align;
	if (!count_ok(dev, op) || !dmaengine_check_align(align, 0, 0, op->len))
		return NULL;
	for (int k = 0; k < 2; k++)
		if (op->dst[k] && !ptr_aligned(align, op->dst[k]))
			return NULL;
	for (int i = 0; i < n; i++)
		if (!ptr_aligned(align, op->src[i]))
			return NULL;
	if (unmap_needed(dev->dev)) {
		if (n + ndst > UINT8_MAX) /* bidi_cnt is 8 bits, as in the kernel */
			return NULL;
		u = dmaengine_get_unmap_data(dev->dev, n + ndst, 0);
		if (!u)
			return NULL;
		u->len = op->len;
	}
	for (int k = 0; k < 2; k++) {
		if (!op->dst[k])
			continue;
		dst[k] = map(chan, u, op->dst[k], op->len);
		if (dma_mapping_error(dev->dev, dst[k]))
			goto out;
	}
	for (int i = 0; i < n; i++) {
		src[i] = map(chan, u, op->src[i], op->len);
		if (dma_mapping_error(dev->dev, src[i]))
			goto out;
	}
	switch (op->type) {
	case DMA_MEMCPY:
		tx = dev->device_prep_dma_memcpy(chan, dst[0], src[0], op->len, flags);
		break;
	case DMA_XOR:
		if (op->dst_in_sum)
			src[n++] = dst[0];
		tx = dev->device_prep_dma_xor(chan, dst[0], src, (unsigned int)n, op->len, flags);
		break;
	case DMA_XOR_VAL:
		tx = dev->device_prep_dma_xor_val(chan, src, (unsigned int)n, op->len, op->res,
						  flags);
		break;
	default: /* DMA_PQ, DMA_PQ_VAL (count_ok) */
		if (!op->dst[0])
			flags |= DMA_PREP_PQ_DISABLE_P;
		if (!op->dst[1])
			flags |= DMA_PREP_PQ_DISABLE_Q;
		if (op->type == DMA_PQ && op->dst_in_sum)
			flags |= DMA_PREP_CONTINUE;
		if (op->type == DMA_PQ)
			tx = dev->device_prep_dma_pq(chan, dst, src, (unsigned int)n, op->coef,
						     op->len, flags);
		else
			tx = dev->device_prep_dma_pq_val(chan, dst, src, (unsigned int)n,
							 op->coef, op->len, op->res, flags);
		break;
	}
out:
	if (tx && u) {
		dma_set_unmap(tx, u);
		dmaengine_unmap_put(u); /* the descriptor's reference remains */
	} else {
		udma__unmap_data_discard(u);
	}
	return tx;
}

static struct dma_chan *find_channel(enum dma_transaction_type type,
				     struct dma_async_tx_descriptor *depend)
{
	if (depend && depend->chan && dma_has_cap(type, depend->chan->device->cap_mask))
		return depend->chan;
	return dma_find_channel(type);
}

UDMA_EXPORT struct dma_chan *__async_tx_find_channel(struct async_submit_ctl *submit,
						     enum dma_transaction_type tx_type)
{
	return find_channel(tx_type, submit ? submit->depend_tx : NULL);
}

UDMA_EXPORT void async_tx_submit(struct dma_chan *chan, struct dma_async_tx_descriptor *tx,
				 struct async_submit_ctl *submit)
{
	if (!tx || !submit || !tx->chan || (chan && chan != tx->chan)) {
		udma_err("bad arguments (chan %s, tx %p, submit %p)", dma_chan_name(chan),
			 (void *)tx, (void *)submit);
		return;
	}
	if (submit->depend_tx && !depend_ok(submit->depend_tx)) {
		/* not queued behind a bad parent: run unordered, report an abort */
		udma__tx_set_flags(tx, UDMA_CTRL_DEP_FAILED);
		submit->depend_tx = NULL;
	}
	tx_submit_chained(tx, submit);
}

/*
 * Run one operation: offloaded when a channel takes it, else on the CPU.
 * *@err (may be NULL) gets a negative errno when the operation was given up.
 */
static struct dma_async_tx_descriptor *run_op(struct op *op, struct async_submit_ctl *submit,
					      int *err)
{
	struct dma_async_tx_descriptor *depend = submit->depend_tx, *tx = NULL;
	int rc;

	pthread_once(&gf_once, gf_init);
	if (depend && !depend_ok(depend))
		return fail_op(submit, err, -EINVAL);
	if (!op->cpu_only) {
		struct dma_chan *chan;

		/* a channel found here cannot be released before the submit */
		urcu_bp_read_lock();
		chan = find_channel(op->type, depend);
		if (chan)
			tx = prep_on(chan, op, submit);
		if (tx)
			tx_submit_chained(tx, submit);
		urcu_bp_read_unlock();
		if (tx)
			return tx;
	}
	if (depend) {
		rc = udma_async_tx_wait(depend);
		async_tx_ack(depend);
		if (rc)
			return fail_op(submit, err, rc);
	}
	cpu_exec(op);
	complete_sync(submit, DMA_TRANS_NOERROR);
	return NULL;
}

/* A chain of internal operations ending with the caller's submit. */
struct chain {
	struct async_submit_ctl *user;
	struct dma_async_tx_descriptor *tx;
	int err;
	bool user_done; /* the caller's callback has run (or its op is queued) */
};

static void chain_step(struct chain *c, struct op *op, bool last)
{
	struct async_submit_ctl s;

	if (c->err)
		return;
	if (last) {
		s = *c->user;
		s.depend_tx = c->tx;
		c->user_done = true;
	} else {
		init_async_submit(&s, ASYNC_TX_FENCE, c->tx, NULL, NULL, NULL);
	}
	c->tx = run_op(op, &s, &c->err);
}

static struct dma_async_tx_descriptor *chain_end(struct chain *c)
{
	if (c->err && !c->user_done) {
		struct async_submit_ctl s = *c->user;

		s.depend_tx = NULL;
		complete_sync(&s, DMA_TRANS_ABORTED);
	}
	return c->err ? NULL : c->tx;
}

static void *addr(struct page *page, unsigned int off)
{
	return (char *)page_address(page) + off;
}

static bool check_submit(struct async_submit_ctl *submit, const char *fn)
{
	if (!submit) {
		udma_log(UDMA_LOG_ERR, fn, "NULL async_submit_ctl");
		return false;
	}
	return true;
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_memcpy(struct page *dest, struct page *src, unsigned int dest_offset,
	     unsigned int src_offset, size_t len, struct async_submit_ctl *submit)
{
	struct op op = { .type = DMA_MEMCPY, .nsrc = 1, .len = len };

	if (!check_submit(submit, __func__))
		return NULL;
	if (!dest || !src || !len) {
		udma_err("NULL page or zero length");
		return fail_op(submit, NULL, -EINVAL);
	}
	op.dst[0] = addr(dest, dest_offset);
	op.src[0] = addr(src, src_offset);
	return run_op(&op, submit, NULL);
}

/*
 * How many sources one operation of a split chain may take on the channel a
 * @type operation would run on: max_xor for an XOR; for P+Q the continuation
 * limit, and only on a device that continues a syndrome natively
 * (DMA_HAS_PQ_CONTINUE). 0: no split (no such channel).
 */
static int split_limit(enum dma_transaction_type type, struct async_submit_ctl *submit)
{
	struct dma_chan *chan;
	int lim = 0;

	urcu_bp_read_lock();
	chan = find_channel(type, submit->depend_tx);
	if (chan && type == DMA_XOR)
		lim = chan->device->max_xor;
	else if (chan && dma_dev_has_pq_continue(chan->device))
		lim = dma_maxpq(chan->device, DMA_PREP_CONTINUE);
	urcu_bp_read_unlock();
	return lim;
}

/*
 * An XOR or P+Q with more sources than one operation of the channel takes
 * (@lim), as a chain of partial operations into the destination(s), as the
 * kernel does. XOR: the first sums up to @lim terms (the old destination
 * among them unless ZERO_DST/DROP_DST), each next one the destination and
 * up to @lim - 1 further sources. P+Q: up to @lim sources each, every step
 * after the first with DMA_PREP_CONTINUE (P and Q accumulate). Only the last
 * carries the caller's callback, flags and result; a step no channel takes
 * runs on the CPU in order. A destination that is also a source after the
 * first step would be read after being written: then the CPU does it whole.
 */
static struct dma_async_tx_descriptor *split_run(struct op *all, int lim,
						 struct async_submit_ctl *submit, int *err)
{
	struct chain c = { .user = submit, .tx = submit->depend_tx };
	struct op op;
	int next = 0;

	for (int i = lim - (all->type == DMA_XOR && all->dst_in_sum); i < all->nsrc; i++)
		for (int k = 0; k < 2; k++)
			if (all->dst[k] && overlap(all->dst[k], all->src[i], all->len)) {
				all->cpu_only = true;
				return run_op(all, submit, err);
			}

	while (next < all->nsrc && !c.err) {
		memset(&op, 0, offsetof(struct op, src));
		op.type = all->type;
		op.len = all->len;
		op.dst[0] = all->dst[0];
		op.dst[1] = all->dst[1];
		op.dst_in_sum = next ? true : all->dst_in_sum;
		op.nsrc = lim - (op.type == DMA_XOR && op.dst_in_sum);
		if (op.nsrc > all->nsrc - next)
			op.nsrc = all->nsrc - next;
		memcpy(op.src, all->src + next, (size_t)op.nsrc * sizeof(op.src[0]));
		memcpy(op.coef, all->coef + next, (size_t)op.nsrc);
		next += op.nsrc;
		chain_step(&c, &op, next == all->nsrc);
	}
	if (err && c.err)
		*err = c.err;
	return chain_end(&c);
}

static struct dma_async_tx_descriptor *
xor_common(enum dma_transaction_type type, struct page *dest, unsigned int offset,
	   struct page **src_list, unsigned int *src_offset, int src_cnt, size_t len,
	   enum sum_check_flags *result, struct async_submit_ctl *submit, int *err)
{
	struct op op = { .type = type, .len = len, .res = result };

	if (!src_list || !len || src_cnt < 1 || src_cnt > MAX_SRC ||
	    (type == DMA_XOR && !dest) || (type == DMA_XOR_VAL && (!result || src_cnt < 2))) {
		udma_err("bad arguments (dest %p, src_list %p, src_cnt %d, len %zu, result %p)",
			 (void *)dest, (void *)src_list, src_cnt, len, (void *)result);
		return fail_op(submit, err, -EINVAL);
	}
	for (int i = 0; i < src_cnt; i++) {
		if (!src_list[i])
			continue; /* the kernel skips NULL sources */
		op.src[op.nsrc++] = addr(src_list[i], src_offset ? src_offset[i] : offset);
	}
	if (type == DMA_XOR) {
		int lim;

		op.dst[0] = addr(dest, offset);
		op.dst_in_sum = !(submit->flags & (ASYNC_TX_XOR_ZERO_DST | ASYNC_TX_XOR_DROP_DST));
		op.cpu_only = op.nsrc + op.dst_in_sum < 2;
		lim = op.cpu_only ? 0 : split_limit(DMA_XOR, submit);
		if (lim >= 2 && op.nsrc + op.dst_in_sum > lim)
			return split_run(&op, lim, submit, err);
	} else {
		op.cpu_only = op.nsrc < 2;
	}
	return run_op(&op, submit, err);
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_xor_offs(struct page *dest, unsigned int offset, struct page **src_list,
	       unsigned int *src_offset, int src_cnt, size_t len,
	       struct async_submit_ctl *submit)
{
	if (!check_submit(submit, __func__))
		return NULL;
	return xor_common(DMA_XOR, dest, offset, src_list, src_offset, src_cnt, len,
			  NULL, submit, NULL);
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_xor(struct page *dest, struct page **src_list, unsigned int offset,
	  int src_cnt, size_t len, struct async_submit_ctl *submit)
{
	return async_xor_offs(dest, offset, src_list, NULL, src_cnt, len, submit);
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_xor_val_offs(struct page *dest, unsigned int offset, struct page **src_list,
		   unsigned int *src_offset, int src_cnt, size_t len,
		   enum sum_check_flags *result, struct async_submit_ctl *submit)
{
	if (!check_submit(submit, __func__))
		return NULL;
	return xor_common(DMA_XOR_VAL, dest, offset, src_list, src_offset, src_cnt, len,
			  result, submit, NULL);
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_xor_val(struct page *dest, struct page **src_list, unsigned int offset,
	      int src_cnt, size_t len, enum sum_check_flags *result,
	      struct async_submit_ctl *submit)
{
	return async_xor_val_offs(dest, offset, src_list, NULL, src_cnt, len, result,
				  submit);
}

/* Fill @op's sources with the data blocks of a stripe, skipping NULL and @skip_a/b. */
static void stripe_sources(struct op *op, struct page **blocks, unsigned int *offsets,
			   int disks, int skip_a, int skip_b)
{
	pthread_once(&gf_once, gf_init);
	for (int i = 0; i < disks - 2; i++) {
		if (!blocks[i] || i == skip_a || i == skip_b)
			continue;
		op->src[op->nsrc] = addr(blocks[i], offsets ? offsets[i] : 0);
		op->coef[op->nsrc++] = gfexp[i];
	}
}

static bool stripe_ok(struct page **blocks, int disks, size_t len)
{
	if (!blocks || disks < 3 || disks > MAX_SRC || !len) {
		udma_err("bad stripe (blocks %p, %d disks, len %zu)", (void *)blocks, disks, len);
		return false;
	}
	return true;
}

static struct dma_async_tx_descriptor *
gen_syndrome(struct page **blocks, unsigned int *offsets, int disks, size_t len,
	     struct async_submit_ctl *submit, int *err)
{
	struct op op = { .type = DMA_PQ, .len = len };
	int lim;

	if (!stripe_ok(blocks, disks, len) || (!blocks[disks - 2] && !blocks[disks - 1])) {
		udma_err("no P and no Q to generate");
		return fail_op(submit, err, -EINVAL);
	}
	for (int k = 0; k < 2; k++)
		if (blocks[disks - 2 + k])
			op.dst[k] = addr(blocks[disks - 2 + k], offsets ? offsets[disks - 2 + k] : 0);
	stripe_sources(&op, blocks, offsets, disks, -1, -1);
	/* PQ_XOR_DST is a continuation: offloaded where the device continues
	 * natively, else on the CPU */
	op.dst_in_sum = submit->flags & ASYNC_TX_PQ_XOR_DST;
	op.cpu_only = op.nsrc == 0;
	lim = op.cpu_only ? 0 : split_limit(DMA_PQ, submit);
	if (lim >= 1 && op.nsrc > lim)
		return split_run(&op, lim, submit, err);
	return run_op(&op, submit, err);
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_gen_syndrome(struct page **blocks, unsigned int *offsets, int src_cnt,
		   size_t len, struct async_submit_ctl *submit)
{
	if (!check_submit(submit, __func__))
		return NULL;
	return gen_syndrome(blocks, offsets, src_cnt, len, submit, NULL);
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_syndrome_val(struct page **blocks, unsigned int *offsets, int src_cnt,
		   size_t len, enum sum_check_flags *pqres, struct page *spare,
		   unsigned int s_off, struct async_submit_ctl *submit)
{
	struct op op = { .type = DMA_PQ_VAL, .len = len, .res = pqres };

	(void)spare;
	(void)s_off;
	if (!check_submit(submit, __func__))
		return NULL;
	if (!stripe_ok(blocks, src_cnt, len) || !pqres ||
	    (!blocks[src_cnt - 2] && !blocks[src_cnt - 1])) {
		udma_err("nothing to check, or NULL pqres");
		return fail_op(submit, NULL, -EINVAL);
	}
	for (int k = 0; k < 2; k++)
		if (blocks[src_cnt - 2 + k])
			op.dst[k] = addr(blocks[src_cnt - 2 + k],
					 offsets ? offsets[src_cnt - 2 + k] : 0);
	stripe_sources(&op, blocks, offsets, src_cnt, -1, -1);
	return run_op(&op, submit, NULL);
}

/* ------------------------------------------------------- RAID-6 recovery */

/*
 * Would recovery run on a channel? Only when a PQ channel takes every block
 * of the stripe (alignment, source count); otherwise the CPU rebuilds.
 */
static bool recov_offloads(struct async_submit_ctl *submit, struct page **ptrs,
			   unsigned int *offs, int disks, size_t len)
{
	struct dma_chan *chan;
	bool ok = true;

	urcu_bp_read_lock();
	chan = find_channel(DMA_PQ, submit->depend_tx);
	if (!chan || disks - 2 > dma_maxpq(chan->device, 0))
		ok = false;
	for (int i = 0; ok && i < disks; i++)
		if (ptrs[i])
			ok = dmaengine_check_align(chan->device->pq_align,
						   (size_t)(uintptr_t)addr(ptrs[i], offs ? offs[i] : 0),
						   0, len);
	urcu_bp_read_unlock();
	return ok;
}

/* CPU recovery: out[r] = sum coef[r * n + j] * src[j], one pass. */
static struct dma_async_tx_descriptor *recov_cpu(struct async_submit_ctl *submit, void **out,
						 void **src, unsigned char *coef, int n,
						 size_t len)
{
	unsigned char tbl[2 * (MAX_SRC + 1) * 32];

	if (submit->depend_tx) {
		int rc = udma_async_tx_wait(submit->depend_tx);

		async_tx_ack(submit->depend_tx);
		if (rc)
			return fail_op(submit, NULL, rc);
	}
	ec_init_tables(n, 2, coef, tbl);
	for (size_t done = 0; done < len;) {
		size_t piece = len - done > (1u << 30) ? (1u << 30) : len - done;
		unsigned char *s[MAX_SRC + 1], *o[2];

		for (int j = 0; j < n; j++)
			s[j] = (unsigned char *)src[j] + done;
		o[0] = (unsigned char *)out[0] + done;
		o[1] = (unsigned char *)out[1] + done;
		ec_encode_data((int)piece, n, 2, tbl, s, o);
		done += piece;
	}
	complete_sync(submit, DMA_TRANS_NOERROR);
	return NULL;
}

static bool recov_args_ok(int disks, size_t bytes, struct page **ptrs, int faila, int failb)
{
	if (!stripe_ok(ptrs, disks, bytes) || disks < 4 || faila < 0 ||
	    faila >= disks - 2 || failb < -1 || failb >= disks - 2 || faila == failb ||
	    !ptrs[faila] || (failb >= 0 && !ptrs[failb]) || !ptrs[disks - 1] ||
	    (failb >= 0 && !ptrs[disks - 2])) {
		udma_err("bad recovery arguments (%d disks, failed %d and %d)",
			 disks, faila, failb);
		return false;
	}
	return true;
}

/*
 * Rebuild out[0] and out[1] as out[r] = sum coef[r * n + j] * src[j]: on the
 * CPU in one ec_encode_data pass, or as a chain of two PQ operations with P
 * disabled (the engine's "sum product") - two passes over the survivors
 * instead of the kernel's five-step chain (syndrome, two xors, product, xor).
 */
static struct dma_async_tx_descriptor *recov_run(struct async_submit_ctl *submit,
						 bool offload, void **out, void **src,
						 unsigned char *coef, int n, size_t len)
{
	struct chain c = { .user = submit, .tx = submit->depend_tx };
	struct op op;

	if (!offload)
		return recov_cpu(submit, out, src, coef, n, len);
	for (int r = 1; r >= 0; r--) {
		memset(&op, 0, offsetof(struct op, src));
		op.type = DMA_PQ;
		op.len = len;
		op.dst[1] = out[r];
		op.nsrc = n;
		memcpy(op.src, src, (size_t)n * sizeof(src[0]));
		memcpy(op.coef, coef + (size_t)r * n, (size_t)n);
		chain_step(&c, &op, r == 0);
	}
	return chain_end(&c);
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_raid6_2data_recov(int src_num, size_t bytes, int faila, int failb,
			struct page **ptrs, unsigned int *offs,
			struct async_submit_ctl *submit)
{
	unsigned char coef[2 * (MAX_SRC + 1)], ga, gb, c1, c2;
	void *src[MAX_SRC + 1], *out[2];
	struct op op;
	int n;

	if (!check_submit(submit, __func__))
		return NULL;
	if (faila > failb) {
		int t = faila;

		faila = failb;
		failb = t;
	}
	if (!recov_args_ok(src_num, bytes, ptrs, faila, failb))
		return fail_op(submit, NULL, -EINVAL);
	pthread_once(&gf_once, gf_init);
#define OFF(i) (offs ? offs[i] : 0)
	out[0] = addr(ptrs[faila], OFF(faila));
	out[1] = addr(ptrs[failb], OFF(failb));
	/*
	 * With Pxy, Qxy the syndrome of the surviving data:
	 * Db = c1 (P + Pxy) + c2 (Q + Qxy), Da = (P + Pxy) + Db, where
	 * c2 = 1 / (ga + gb), c1 = ga c2 (ga = {02}^faila): both are linear in
	 * P, Q and each surviving D_i.
	 */
	ga = gfexp[faila];
	gb = gfexp[failb];
	c2 = gf_inv(ga ^ gb);
	c1 = gf_mul(ga, c2);
	memset(&op, 0, offsetof(struct op, src));
	stripe_sources(&op, ptrs, offs, src_num, faila, failb);
	n = op.nsrc + 2;
	for (int j = 0; j < op.nsrc; j++) {
		unsigned char cb = (unsigned char)(c1 ^ gf_mul(c2, op.coef[j]));

		src[j] = op.src[j];
		coef[j] = (unsigned char)(1 ^ cb);
		coef[n + j] = cb;
	}
	src[n - 2] = addr(ptrs[src_num - 2], OFF(src_num - 2));
	coef[n - 2] = (unsigned char)(1 ^ c1);
	coef[2 * n - 2] = c1;
	src[n - 1] = addr(ptrs[src_num - 1], OFF(src_num - 1));
	coef[n - 1] = c2;
	coef[2 * n - 1] = c2;
	return recov_run(submit, recov_offloads(submit, ptrs, offs, src_num, bytes),
			 out, src, coef, n, bytes);
}

UDMA_EXPORT struct dma_async_tx_descriptor *
async_raid6_datap_recov(int src_num, size_t bytes, int faila, struct page **ptrs,
			unsigned int *offs, struct async_submit_ctl *submit)
{
	unsigned char coef[2 * (MAX_SRC + 1)], ia;
	void *src[MAX_SRC + 1], *out[2];
	struct op op;
	int n;

	if (!check_submit(submit, __func__))
		return NULL;
	if (!recov_args_ok(src_num, bytes, ptrs, faila, -1) || !ptrs[src_num - 2])
		return fail_op(submit, NULL, -EINVAL);
	pthread_once(&gf_once, gf_init);
	out[0] = addr(ptrs[faila], OFF(faila));
	out[1] = addr(ptrs[src_num - 2], OFF(src_num - 2));
	/* Da = (Q + Qx) / ga with Qx the Q of the surviving data; P = Px + Da */
	ia = gf_inv(gfexp[faila]);
	memset(&op, 0, offsetof(struct op, src));
	stripe_sources(&op, ptrs, offs, src_num, faila, -1);
	n = op.nsrc + 1;
	for (int j = 0; j < op.nsrc; j++) {
		unsigned char ca = gf_mul(ia, op.coef[j]);

		src[j] = op.src[j];
		coef[j] = ca;
		coef[n + j] = (unsigned char)(1 ^ ca);
	}
	src[n - 1] = addr(ptrs[src_num - 1], OFF(src_num - 1));
	coef[n - 1] = ia;
	coef[2 * n - 1] = ia;
#undef OFF
	return recov_run(submit, recov_offloads(submit, ptrs, offs, src_num, bytes),
			 out, src, coef, n, bytes);
}

/* ------------------------------------------------------------- callbacks */

UDMA_EXPORT struct dma_async_tx_descriptor *async_trigger_callback(struct async_submit_ctl *submit)
{
	struct dma_async_tx_descriptor *depend, *tx = NULL;
	struct dma_device *dev;

	if (!check_submit(submit, __func__))
		return NULL;
	depend = submit->depend_tx;
	if (depend && !depend_ok(depend))
		return fail_op(submit, NULL, -EINVAL);
	if (depend) {
		dev = depend->chan->device;
		if (dma_has_cap(DMA_INTERRUPT, dev->cap_mask) && dev->device_prep_dma_interrupt)
			tx = dev->device_prep_dma_interrupt(depend->chan, DMA_PREP_INTERRUPT);
		if (tx) {
			tx_submit_chained(tx, submit);
			return tx;
		}
		/* no interrupt descriptor on the parent's device: wait for it */
		if (udma_async_tx_wait(depend)) {
			async_tx_ack(depend);
			complete_sync(submit, DMA_TRANS_ABORTED);
			return NULL;
		}
		async_tx_ack(depend);
	}
	complete_sync(submit, DMA_TRANS_NOERROR);
	return NULL;
}
