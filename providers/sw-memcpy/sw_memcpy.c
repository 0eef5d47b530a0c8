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
 * completes the batch under the lock with udma_vchan_cookie_complete_list(); the vchan
 * completion tasklet, next on the same thread, runs the callbacks.
 *
 * Terminate moves the active batch to desc_terminated (cookies aborted) and
 * bumps term_gen; the engine notices the change when its copy is done and,
 * since nothing else touches terminated descriptors, frees them itself.
 * vchan_synchronize() frees whatever is left once the engine's run is over.
 *
 * Besides memcpy and memset it serves scatterlist-to-scatterlist copies
 * (udma_prep_dma_memcpy_sg) and MEM_TO_MEM interleaved templates
 * (dmaengine_prep_interleaved_dma, cap DMA_INTERLEAVE). Prep stays free of
 * allocation: the work is stored in the pool descriptor, whose size is fixed.
 *  - memcpy_sg walks both lists once and records copy runs: one
 *    (dst, src, len) per stretch in which neither list changes entry, runs
 *    that continue the previous one on both sides merged into it. At most
 *    SW_MAX_RUNS (32) runs: an S-entry list against a D-entry list needs at
 *    most S + D - 1, so 16 against 16 always fits. A transfer that needs
 *    more is refused (NULL, logged). A single run is stored as a plain memcpy.
 *  - interleaved keeps the template: numf frames (any number) of
 *    frame_size <= SW_MAX_CHUNKS (8) chunks, each with the step each side's
 *    address takes after it, resolved at prep by the kernel's
 *    dmaengine_get_{src,dst}_icg() rule: the gap is the side's own
 *    src_icg/dst_icg when non-zero, else icg when the side's *_sgl is set,
 *    else 0; a side that does not increment (!*_inc) never moves - every
 *    chunk reads (writes) size bytes at its start address, like a FIFO
 *    window, and its gaps are ignored. Other directions, and larger frames,
 *    are refused (NULL, logged). A template with no gap on either side is
 *    stored as a plain memcpy.
 * RAID offload (DMA_XOR, DMA_XOR_VAL, DMA_PQ, DMA_PQ_VAL) is computed with
 * ISA-L on the engine, like a copy, SW_RAID_CHUNK (32 KiB) of every block at
 * a time (a terminate is noticed between pieces; P/Q stay in cache while a
 * continued syndrome accumulates into them):
 *  - xor: xor_gen; xor_val: xor_check (result: SUM_CHECK_P_RESULT when the
 *    sources do not XOR to zero).
 *  - pq: Q = sum scf[i] * src[i] in GF(2^8) (RAID-6 polynomial 0x11d), P =
 *    XOR of the sources. pq_gen when scf are the generator powers 1, 2, 4..
 *    and both are wanted; otherwise ec_encode_data over the coefficient rows
 *    {1, ..., 1} (P) and scf (Q) expanded by ec_init_tables (built per
 *    descriptor on the engine, into the channel's gftbls). DMA_PREP_CONTINUE
 *    (native: max_pq carries DMA_HAS_PQ_CONTINUE) accumulates into the
 *    existing P/Q with ec_encode_data_update. DMA_PREP_PQ_DISABLE_P/Q drop a
 *    row; its destination address is then not even read.
 *  - pq_val: recompute the enabled rows into the channel's scratch and
 *    compare (SUM_CHECK_P_RESULT / SUM_CHECK_Q_RESULT per mismatch).
 *  The sum_check_flags result is written by the engine when the work is done,
 *  before the descriptor completes; an aborted descriptor may leave it
 *  unwritten. Addresses and lengths must be 32-byte aligned (ISA-L's SIMD
 *  loads; xor_align = pq_align = DMAENGINE_ALIGN_32_BYTES). A destination
 *  may be one of the sources (the kernel's async_xor DROP_DST and the RAID-6
 *  recovery's in-place multiply do that): such an op is computed into the
 *  scratch and copied back piece by piece; a destination that overlaps a
 *  source at another address is refused. DMA_INTERRUPT descriptors do
 *  nothing but complete in order.
 * Bus addresses are translated (udma_dma_to_cpu) at prep: each sg entry
 * whole, and for a template the whole span each side touches. A
 * descriptor's total bytes count toward the engine's batch budget; the
 * engine checks for a terminate before every run and chunk, and every 1 MiB
 * within one, as for memcpy.
 *
 * Fault injection and strict mapping: when udma_xfer_active() says so, a
 * batch runs through sw_run_hooked(), which moves each descriptor piece by
 * piece through the udma_xfer_* hooks of <udmaengine/fault.h> (the hooks
 * may cut a descriptor short and set its tx_result); otherwise the plain
 * loop runs, at the cost of one call per batch.
 *
 * Touches the core only through <udmaengine/virt-dma.h> and <udmaengine/fault.h>.
 *
 * LOCKING: vc->lock guards the vchan lists, active, busy and term_gen
 * (term_gen is also read without the lock between 1 MiB chunks of a copy).
 * batch[], scratch and gftbls are used only by the engine tasklet (one
 * thread); scratch is allocated and freed with the channel's resources.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <isa-l/erasure_code.h>
#include <isa-l/raid.h>
#include <udmaengine/fault.h>
#include <udmaengine/virt-dma.h>

#define DEFAULT_CHANNELS 4
#define MAX_CHANNELS 64
#define DEFAULT_POOL 1024
#define ENGINE_BATCH 32
#define ENGINE_BATCH_BYTES (1u << 20)
/* Large transfers are copied in chunks so a terminate stops them early. */
#define ENGINE_CHUNK ((size_t)1 << 20)

/* Copy runs of a memcpy_sg, chunks per frame of an interleaved template. */
#define SW_MAX_RUNS 32
#define SW_MAX_CHUNKS 8

/* RAID offload: sources per xor / pq, bytes of each block per ISA-L call */
#define SW_MAX_XOR 16
#define SW_MAX_PQ 16
#define SW_MAX_SRCS (SW_MAX_XOR > SW_MAX_PQ ? SW_MAX_XOR : SW_MAX_PQ)
#define SW_RAID_ALIGN DMAENGINE_ALIGN_32_BYTES
#define SW_RAID_CHUNK ((size_t)32 << 10)

enum sw_op {
	SW_MEMCPY, SW_MEMSET, SW_MEMCPY_SG, SW_INTERLEAVED,
	SW_XOR, SW_XOR_VAL, SW_PQ, SW_PQ_VAL, SW_INTERRUPT
};

/* memcpy_sg: one stretch of both lists */
struct sw_run {
	char *dst;
	const char *src;
	size_t len;
};

/* interleaved: one chunk of a frame and how far each side moves after it */
struct sw_chunk {
	size_t size;
	size_t dst_step; /* size + dst gap, or 0 when dst does not increment */
	size_t src_step;
};

/* sw_raid.flags */
#define SW_RAID_CONTINUE (1u << 0) /* pq: P/Q also hold the previous partial result */
#define SW_RAID_BOUNCE (1u << 1)   /* an output is also a source: go through scratch */
#define SW_RAID_GFEXP (1u << 2)    /* pq: scf[i] = 2^i, pq_gen computes it */

/* xor, xor_val, pq, pq_val */
struct sw_raid {
	unsigned char *src[SW_MAX_SRCS];
	/* xor: out[0]; pq: P, Q; pq_val: the P, Q to check; NULL when disabled */
	unsigned char *out[2];
	enum sum_check_flags *result; /* xor_val, pq_val */
	size_t len;                   /* bytes per block */
	unsigned int src_cnt;
	unsigned int flags;           /* SW_RAID_* */
	unsigned char scf[SW_MAX_PQ];
};

struct sw_desc {
	struct virt_dma_desc vd;
	enum sw_op op;
	int value;
	void *dst;          /* memcpy, memset; interleaved: start */
	const void *src;    /* memcpy; interleaved: start */
	size_t len;         /* bytes written in all (the batch budget) */
	unsigned int nr;    /* memcpy_sg: runs; interleaved: chunks per frame */
	size_t numf;        /* interleaved: frames */
	union {
		struct sw_run run[SW_MAX_RUNS];
		struct sw_chunk chunk[SW_MAX_CHUNKS];
		struct sw_raid raid;
	} u;
};

struct sw_chan {
	struct virt_dma_chan vc;
	struct tasklet_struct engine;
	struct cds_list_head active;   /* vc->lock */
	bool busy;                     /* vc->lock: engine scheduled or running */
	unsigned long term_gen;        /* vc->lock */
	unsigned int pool_size;
	struct sw_desc *batch[ENGINE_BATCH]; /* engine only */
	/* engine only: 2 x SW_RAID_CHUNK for bounced and validated outputs */
	unsigned char *scratch;
	/* engine only: ec_init_tables() of a pq's coefficient rows */
	unsigned char gftbls[32 * SW_MAX_PQ * 2];
};

struct sw_dev {
	struct dma_device ddev;
	struct device dev;
	unsigned int nr_chans;
	struct sw_chan *chans;
};

static struct sw_dev *sw_device;

/* 2^i in GF(2^8): the coefficients pq_gen uses (the kernel's raid6_gfexp) */
static unsigned char sw_gfexp[SW_MAX_PQ];

static struct sw_chan *to_sw_chan(struct dma_chan *chan)
{
	return caa_container_of(to_virt_chan(chan), struct sw_chan, vc);
}

static struct sw_desc *to_sw_desc(struct virt_dma_desc *vd)
{
	return caa_container_of(vd, struct sw_desc, vd);
}

/* ------------------------------------------------------------- engine */

/*
 * Copy @len bytes a 1 MiB piece at a time, unless a terminate changes
 * term_gen from @gen first. Return: false when terminated.
 */
static bool sw_copy(struct sw_chan *c, unsigned long gen, char *dst, const char *src,
		    size_t len)
{
	for (size_t off = 0; off < len; off += ENGINE_CHUNK) {
		size_t n = len - off < ENGINE_CHUNK ? len - off : ENGINE_CHUNK;

		if (__atomic_load_n(&c->term_gen, __ATOMIC_RELAXED) != gen)
			return false;
		memcpy(dst + off, src + off, n);
	}
	return true;
}

/* The runs of a memcpy_sg. Return: false when terminated. */
static bool sw_do_sg(struct sw_chan *c, unsigned long gen, const struct sw_desc *d)
{
	for (unsigned int i = 0; i < d->nr; i++)
		if (!sw_copy(c, gen, d->u.run[i].dst, d->u.run[i].src, d->u.run[i].len))
			return false;
	return true;
}

/* numf frames of nr chunks. Return: false when terminated. */
static bool sw_do_interleaved(struct sw_chan *c, unsigned long gen, const struct sw_desc *d)
{
	size_t doff = 0, soff = 0;

	for (size_t f = 0; f < d->numf; f++) {
		for (unsigned int k = 0; k < d->nr; k++) {
			const struct sw_chunk *ch = &d->u.chunk[k];

			if (ch->size && !sw_copy(c, gen, (char *)d->dst + doff,
						 (const char *)d->src + soff, ch->size))
				return false;
			doff += ch->dst_step;
			soff += ch->src_step;
		}
	}
	return true;
}

static bool sw_terminated(struct sw_chan *c, unsigned long gen)
{
	return __atomic_load_n(&c->term_gen, __ATOMIC_RELAXED) != gen;
}

/* xor: out = src[0] ^ ... ^ src[n-1]. Return: false when terminated. */
static bool sw_do_xor(struct sw_chan *c, unsigned long gen, const struct sw_raid *r)
{
	bool bounce = r->flags & SW_RAID_BOUNCE;
	void *v[SW_MAX_XOR + 1];

	for (size_t off = 0, n; off < r->len; off += n) {
		n = r->len - off < SW_RAID_CHUNK ? r->len - off : SW_RAID_CHUNK;
		if (sw_terminated(c, gen))
			return false;
		for (unsigned int i = 0; i < r->src_cnt; i++)
			v[i] = r->src[i] + off;
		v[r->src_cnt] = bounce ? c->scratch : r->out[0] + off;
		/* cannot fail: >= 2 sources, 32-byte aligned (checked at prep) */
		xor_gen((int)r->src_cnt + 1, (int)n, v);
		if (bounce)
			memcpy(r->out[0] + off, c->scratch, n);
	}
	return true;
}

/* xor_val: does the XOR of the sources vanish? Return: false when terminated. */
static bool sw_do_xor_val(struct sw_chan *c, unsigned long gen, const struct sw_raid *r)
{
	void *v[SW_MAX_XOR];
	bool bad = false;

	for (size_t off = 0, n; off < r->len && !bad; off += n) {
		n = r->len - off < SW_RAID_CHUNK ? r->len - off : SW_RAID_CHUNK;
		if (sw_terminated(c, gen))
			return false;
		for (unsigned int i = 0; i < r->src_cnt; i++)
			v[i] = r->src[i] + off;
		bad = xor_check((int)r->src_cnt, (int)n, v) != 0;
	}
	*r->result = bad ? SUM_CHECK_P_RESULT : 0;
	return true;
}

/*
 * The enabled rows of P/Q (P first) over [off, off + n) into @outs: fresh,
 * or accumulated into what @outs hold when @cont. *@tables tells whether
 * c->gftbls already holds this descriptor's tables (built on first need).
 */
static void sw_pq_piece(struct sw_chan *c, const struct sw_raid *r, bool p, bool q,
			bool cont, size_t off, size_t n, unsigned char **outs, bool *tables)
{
	int k = (int)r->src_cnt, rows = p + q;
	unsigned char *s[SW_MAX_PQ];
	void *v[SW_MAX_PQ + 2];

	for (int i = 0; i < k; i++)
		s[i] = r->src[i] + off;
	if (!cont) {
		/* fast paths; each refuses (non-zero) what it cannot do, e.g. 1 source */
		memcpy(v, s, (size_t)k * sizeof(s[0]));
		v[k] = outs[0];
		v[k + 1] = outs[1];
		if (p && q && (r->flags & SW_RAID_GFEXP) && !pq_gen(k + 2, (int)n, v))
			return;
		if (p && !q && !xor_gen(k + 1, (int)n, v))
			return;
	}
	if (!*tables) {
		unsigned char a[2 * SW_MAX_PQ];

		if (p)
			memset(a, 1, (size_t)k);
		if (q)
			memcpy(a + (p ? k : 0), r->scf, (size_t)k);
		ec_init_tables(k, rows, a, c->gftbls);
		*tables = true;
	}
	if (!cont) {
		ec_encode_data((int)n, k, rows, c->gftbls, s, outs);
		return;
	}
	for (int i = 0; i < k; i++)
		ec_encode_data_update((int)n, k, rows, i, c->gftbls, s[i], outs);
}

/* pq: P and/or Q of the sources. Return: false when terminated. */
static bool sw_do_pq(struct sw_chan *c, unsigned long gen, const struct sw_raid *r)
{
	bool bounce = r->flags & SW_RAID_BOUNCE, cont = r->flags & SW_RAID_CONTINUE;
	bool p = r->out[0], q = r->out[1], tables = false;
	unsigned char *dst[2], *outs[2] = { NULL, NULL };
	int rows = 0;

	if (p)
		dst[rows++] = r->out[0];
	if (q)
		dst[rows++] = r->out[1];
	for (size_t off = 0, n; off < r->len; off += n) {
		n = r->len - off < SW_RAID_CHUNK ? r->len - off : SW_RAID_CHUNK;
		if (sw_terminated(c, gen))
			return false;
		for (int j = 0; j < rows; j++) {
			outs[j] = bounce ? c->scratch + (size_t)j * SW_RAID_CHUNK : dst[j] + off;
			if (bounce && cont)
				memcpy(outs[j], dst[j] + off, n);
		}
		sw_pq_piece(c, r, p, q, cont, off, n, outs, &tables);
		for (int j = 0; bounce && j < rows; j++)
			memcpy(dst[j] + off, outs[j], n);
	}
	return true;
}

/* pq_val: recompute the enabled rows and compare. Return: false when terminated. */
static bool sw_do_pq_val(struct sw_chan *c, unsigned long gen, const struct sw_raid *r)
{
	bool p = r->out[0], q = r->out[1], tables = false;
	unsigned int bad = 0, want = (p ? SUM_CHECK_P_RESULT : 0) | (q ? SUM_CHECK_Q_RESULT : 0);
	unsigned char *outs[2] = { c->scratch, c->scratch + SW_RAID_CHUNK };

	for (size_t off = 0, n; off < r->len && bad != want; off += n) {
		n = r->len - off < SW_RAID_CHUNK ? r->len - off : SW_RAID_CHUNK;
		if (sw_terminated(c, gen))
			return false;
		sw_pq_piece(c, r, p, q, false, off, n, outs, &tables);
		if (p && memcmp(outs[0], r->out[0] + off, n))
			bad |= SUM_CHECK_P_RESULT;
		if (q && memcmp(outs[p], r->out[1] + off, n))
			bad |= SUM_CHECK_Q_RESULT;
	}
	*r->result = (enum sum_check_flags)bad;
	return true;
}

/*
 * Every descriptor but a plain memcpy/memset. Out of line, to leave the plain
 * memcpy/memset loop as it was. Return: false when terminated.
 */
static __attribute__((noinline)) bool sw_do_walk(struct sw_chan *c, unsigned long gen,
						 const struct sw_desc *d)
{
	switch (d->op) {
	case SW_MEMCPY_SG:
		return sw_do_sg(c, gen, d);
	case SW_INTERLEAVED:
		return sw_do_interleaved(c, gen, d);
	case SW_XOR:
		return sw_do_xor(c, gen, &d->u.raid);
	case SW_XOR_VAL:
		return sw_do_xor_val(c, gen, &d->u.raid);
	case SW_PQ:
		return sw_do_pq(c, gen, &d->u.raid);
	case SW_PQ_VAL:
		return sw_do_pq_val(c, gen, &d->u.raid);
	default: /* SW_INTERRUPT: nothing to move */
		return true;
	}
}

/*
 * Fault injection and strict mapping (<udmaengine/fault.h>): the same work
 * as below, one piece at a time through udma_xfer_piece(), which may cut it
 * short. Return: 1 done, 0 failed (stopped after the allowed bytes), -1
 * terminated.
 */
static int sw_xmove(struct sw_chan *c, unsigned long gen, struct udma_xfer *x, char *dst,
		    const char *src, int value, size_t len)
{
	for (size_t off = 0; off < len; off += ENGINE_CHUNK) {
		size_t n = len - off < ENGINE_CHUNK ? len - off : ENGINE_CHUNK, m;

		if (__atomic_load_n(&c->term_gen, __ATOMIC_RELAXED) != gen)
			return -1;
		m = udma_xfer_piece(x, dst + off, src ? src + off : NULL, n);
		if (src)
			memcpy(dst + off, src + off, m);
		else
			memset(dst + off, value, m);
		if (m < n)
			return 0;
	}
	return 1;
}

/*
 * Strict mapping for a RAID op (SW_INTERRUPT touches nothing): sources are
 * read; xor and pq outputs written (a pq continuation reads them too);
 * xor_val/pq_val outputs only read. Return: false when a block is not
 * mapped for its access (x->result set and logged).
 */
static bool sw_raid_xcheck(struct udma_xfer *x, const struct sw_desc *d)
{
	const struct sw_raid *r = &d->u.raid;
	bool out_read, out_write;

	if (d->op < SW_XOR || d->op == SW_INTERRUPT)
		return true;
	for (unsigned int i = 0; i < r->src_cnt; i++)
		if (!udma_xfer_check(x, NULL, r->src[i], r->len))
			return false;
	out_write = d->op == SW_XOR || d->op == SW_PQ;
	out_read = !out_write || (d->op == SW_PQ && (r->flags & SW_RAID_CONTINUE));
	for (int k = 0; k < 2; k++) {
		if (!r->out[k])
			continue;
		if (!udma_xfer_check(x, out_write ? r->out[k] : NULL,
				     out_read ? r->out[k] : NULL, r->len))
			return false;
	}
	return true;
}

static int sw_xexec(struct sw_chan *c, unsigned long gen, struct udma_xfer *x,
		    const struct sw_desc *d)
{
	size_t doff = 0, soff = 0;
	int r = 1;

	switch (d->op) {
	case SW_MEMCPY:
		return sw_xmove(c, gen, x, d->dst, d->src, 0, d->len);
	case SW_MEMSET:
		return sw_xmove(c, gen, x, d->dst, NULL, d->value, d->len);
	case SW_MEMCPY_SG:
		for (unsigned int i = 0; i < d->nr && r == 1; i++)
			r = sw_xmove(c, gen, x, d->u.run[i].dst, d->u.run[i].src, 0,
				     d->u.run[i].len);
		return r;
	case SW_INTERLEAVED:
		for (size_t f = 0; f < d->numf && r == 1; f++) {
			for (unsigned int k = 0; k < d->nr && r == 1; k++) {
				const struct sw_chunk *ch = &d->u.chunk[k];

				if (ch->size)
					r = sw_xmove(c, gen, x, (char *)d->dst + doff,
						     (const char *)d->src + soff, 0, ch->size);
				doff += ch->dst_step;
				soff += ch->src_step;
			}
		}
		return r;
	default:
		/* RAID ops: every block's mapping checked first, then delays and
		 * whole-descriptor faults (no partial RAID results) */
		if (!sw_raid_xcheck(x, d) || udma_xfer_piece(x, NULL, NULL, x->len) < x->len) {
			x->done = 0; /* nothing moved */
			return 0;
		}
		return sw_do_walk(c, gen, d) ? 1 : -1;
	}
}

/*
 * The length a descriptor reports residue against: the bytes it transfers
 * (a RAID op: one block; DMA_INTERRUPT: none). d->len is the batch budget,
 * which for RAID ops counts every block touched.
 */
static size_t sw_xfer_len(const struct sw_desc *d)
{
	if (d->op == SW_INTERRUPT)
		return 0;
	return d->op >= SW_XOR ? d->u.raid.len : d->len;
}

/*
 * The batch through the fault hooks. *@moved: bytes transferred (what the
 * statistics count). Return: false when terminated.
 */
static __attribute__((noinline)) bool sw_run_hooked(struct sw_chan *c, unsigned long gen,
						    unsigned int n, size_t *moved)
{
	*moved = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct sw_desc *d = c->batch[i];
		struct udma_xfer x;

		udma_xfer_begin(&x, &c->vc.chan, &d->vd, sw_xfer_len(d));
		if (sw_xexec(c, gen, &x, d) < 0) {
			udma_xfer_cancel(&x);
			return false;
		}
		udma_xfer_end(&x);
		*moved += x.done;
	}
	return true;
}

static void sw_engine(struct tasklet_struct *t)
{
	struct sw_chan *c = caa_container_of(t, struct sw_chan, engine);
	struct virt_dma_chan *vc = &c->vc;
	unsigned int n = 0;
	size_t bytes = 0, moved = 0; /* batch budget; transferred (for the stats) */
	unsigned long gen;
	CDS_LIST_HEAD(stale);
	struct cds_list_head *first, *pos, *last = NULL;

	spin_lock(&vc->lock);
	/* Cut the first descriptors of desc_issued onto the (empty) active list. */
	first = vc->desc_issued.next;
	for (pos = first; pos != &vc->desc_issued && n < ENGINE_BATCH &&
	     bytes < ENGINE_BATCH_BYTES; pos = pos->next) {
		struct sw_desc *d = to_sw_desc(cds_list_entry(pos, struct virt_dma_desc, node));

		c->batch[n++] = d;
		bytes += d->len;
		moved += sw_xfer_len(d);
		last = pos;
	}
	if (!n) {
		c->busy = false;
		spin_unlock(&vc->lock);
		return;
	}
	vc->desc_issued.next = pos;
	pos->prev = &vc->desc_issued;
	c->active.next = first;
	first->prev = &c->active;
	c->active.prev = last;
	last->next = &c->active;
	gen = c->term_gen;
	spin_unlock(&vc->lock);

	if (caa_unlikely(udma_xfer_active(&vc->chan))) {
		sw_run_hooked(c, gen, n, &moved);
		goto copied;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct sw_desc *d = c->batch[i];

		if (caa_unlikely(d->op > SW_MEMSET)) {
			if (!sw_do_walk(c, gen, d))
				goto copied;
			continue;
		}
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
		/* tx_result is NOERROR from prep: hand the batch over as a whole */
		udma_vchan_cookie_complete_list(vc, &c->active);
		udma_chan_stats_add_bytes(&vc->chan, moved);
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

/* Take a pool descriptor for a prep; NULL (logged at debug level) when empty. */
static struct sw_desc *sw_desc_get(struct dma_chan *chan)
{
	struct sw_chan *c = to_sw_chan(chan);
	struct virt_dma_desc *vd = udma_vchan_desc_get(&c->vc);

	if (!vd) {
		udma_log(UDMA_LOG_DEBUG, __func__, "%s: all %u descriptors in use",
			 dma_chan_name(chan), c->pool_size);
		return NULL;
	}
	return to_sw_desc(vd);
}

/* Translate one sg entry; NULL (logged) when the device cannot. */
static char *sw_sg_cpu(struct dma_chan *chan, struct scatterlist *sg, const char *side,
		       unsigned int i)
{
	struct device *dev = chan->device->dev;
	char *p = udma_dma_to_cpu(dev, sg_dma_address(sg), sg_dma_len(sg));

	if (!p)
		udma_log(UDMA_LOG_ERR, "sw_prep_memcpy_sg",
			 "%s: %s entry %u (0x%llx, %u bytes) not mapped on %s",
			 dma_chan_name(chan), side, i, (unsigned long long)sg_dma_address(sg),
			 sg_dma_len(sg), dev_name(dev));
	return p;
}

static struct dma_async_tx_descriptor *sw_prep_memcpy_sg(struct dma_chan *chan,
							 struct scatterlist *dst_sg,
							 unsigned int dst_nents,
							 struct scatterlist *src_sg,
							 unsigned int src_nents,
							 unsigned long flags)
{
	struct sw_run run[SW_MAX_RUNS];
	unsigned int nr = 0, di = 0, si = 0;
	size_t dleft = 0, sleft = 0, total = 0;
	char *dp = NULL, *sp = NULL;
	struct sw_desc *d;

	for (;;) {
		size_t len;

		/* next entry of a side that is used up (skipping empty ones) */
		while (!dleft && di < dst_nents) {
			dp = sw_sg_cpu(chan, &dst_sg[di], "destination", di);
			if (!dp)
				return NULL;
			dleft = sg_dma_len(&dst_sg[di++]);
		}
		while (!sleft && si < src_nents) {
			sp = sw_sg_cpu(chan, &src_sg[si], "source", si);
			if (!sp)
				return NULL;
			sleft = sg_dma_len(&src_sg[si++]);
		}
		if (!dleft || !sleft)
			break;
		len = dleft < sleft ? dleft : sleft;
		if (nr && run[nr - 1].dst + run[nr - 1].len == dp &&
		    run[nr - 1].src + run[nr - 1].len == sp) {
			run[nr - 1].len += len;
		} else if (nr == SW_MAX_RUNS) {
			udma_log(UDMA_LOG_ERR, __func__,
				 "%s: %u destination and %u source entries need more than "
				 "%d copy runs", dma_chan_name(chan), dst_nents, src_nents,
				 SW_MAX_RUNS);
			return NULL;
		} else {
			run[nr].dst = dp;
			run[nr].src = sp;
			run[nr].len = len;
			nr++;
		}
		dp += len;
		sp += len;
		dleft -= len;
		sleft -= len;
		total += len;
	}
	/* the core checks the totals match; do not trust it blindly */
	if (dleft || sleft || !total) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: the lists do not hold the same, non-zero, "
			 "number of bytes", dma_chan_name(chan));
		return NULL;
	}

	d = sw_desc_get(chan);
	if (!d)
		return NULL;
	d->len = total;
	if (nr == 1) {
		d->op = SW_MEMCPY;
		d->dst = run[0].dst;
		d->src = run[0].src;
	} else {
		d->op = SW_MEMCPY_SG;
		d->nr = nr;
		memcpy(d->u.run, run, nr * sizeof(run[0]));
	}
	return vchan_tx_prep(&to_sw_chan(chan)->vc, &d->vd, flags);
}

/* The kernel's dmaengine_get_icg(): the gap one side skips after a chunk. */
static size_t sw_icg(bool inc, bool sgl, size_t icg, size_t side_icg)
{
	if (!inc)
		return 0;
	if (side_icg)
		return side_icg;
	return sgl ? icg : 0;
}

static struct dma_async_tx_descriptor *sw_prep_interleaved(struct dma_chan *chan,
							   struct dma_interleaved_template *xt,
							   unsigned long flags)
{
	struct device *dev = chan->device->dev;
	struct sw_chunk chunk[SW_MAX_CHUNKS];
	/* per frame: bytes, how far each side moves, where each side's data ends */
	size_t frame = 0, dstride = 0, sstride = 0, dend = 0, send = 0;
	size_t total, dspan, sspan;
	bool contiguous = xt->dst_inc && xt->src_inc; /* so far */
	void *dp, *sp;
	struct sw_desc *d;

	if (xt->dir != DMA_MEM_TO_MEM) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: direction %s not supported (MEM_TO_MEM "
			 "only)", dma_chan_name(chan), dmaengine_get_direction_text(xt->dir));
		return NULL;
	}
	if (!xt->numf || !xt->frame_size) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: empty template", dma_chan_name(chan));
		return NULL;
	}
	if (xt->frame_size > SW_MAX_CHUNKS) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: frame of %zu chunks (at most %d)",
			 dma_chan_name(chan), xt->frame_size, SW_MAX_CHUNKS);
		return NULL;
	}
	for (size_t k = 0; k < xt->frame_size; k++) {
		const struct data_chunk *in = &xt->sgl[k];
		struct sw_chunk *ch = &chunk[k];
		size_t dgap = sw_icg(xt->dst_inc, xt->dst_sgl, in->icg, in->dst_icg);
		size_t sgap = sw_icg(xt->src_inc, xt->src_sgl, in->icg, in->src_icg);
		bool ovf = false;
		size_t end;

		ch->size = in->size;
		ch->dst_step = 0;
		ch->src_step = 0;
		if (xt->dst_inc)
			ovf |= __builtin_add_overflow(in->size, dgap, &ch->dst_step);
		if (xt->src_inc)
			ovf |= __builtin_add_overflow(in->size, sgap, &ch->src_step);
		/* a side's data ends at the furthest chunk end so far */
		ovf |= __builtin_add_overflow(dstride, in->size, &end);
		dend = end > dend ? end : dend;
		ovf |= __builtin_add_overflow(sstride, in->size, &end);
		send = end > send ? end : send;
		ovf |= __builtin_add_overflow(frame, in->size, &frame);
		ovf |= __builtin_add_overflow(dstride, ch->dst_step, &dstride);
		ovf |= __builtin_add_overflow(sstride, ch->src_step, &sstride);
		if (ovf) {
			udma_log(UDMA_LOG_ERR, __func__, "%s: chunk %zu: sizes overflow",
				 dma_chan_name(chan), k);
			return NULL;
		}
		contiguous = contiguous && !dgap && !sgap;
	}
	/* bytes in all, and the span of each side: numf - 1 strides + one frame */
	if (__builtin_mul_overflow(xt->numf, frame, &total) ||
	    __builtin_mul_overflow(xt->numf - 1, dstride, &dspan) ||
	    __builtin_add_overflow(dspan, dend, &dspan) ||
	    __builtin_mul_overflow(xt->numf - 1, sstride, &sspan) ||
	    __builtin_add_overflow(sspan, send, &sspan)) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: %zu frames of %zu bytes overflow",
			 dma_chan_name(chan), xt->numf, frame);
		return NULL;
	}
	if (!total) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: template moves no bytes",
			 dma_chan_name(chan));
		return NULL;
	}
	dp = udma_dma_to_cpu(dev, xt->dst_start, dspan);
	sp = udma_dma_to_cpu(dev, xt->src_start, sspan);
	if (!dp || !sp) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: %s (0x%llx, %zu bytes) not mapped on %s",
			 dma_chan_name(chan), dp ? "source" : "destination",
			 (unsigned long long)(dp ? xt->src_start : xt->dst_start),
			 dp ? sspan : dspan, dev_name(dev));
		return NULL;
	}

	d = sw_desc_get(chan);
	if (!d)
		return NULL;
	d->dst = dp;
	d->src = sp;
	d->len = total;
	if (contiguous) {
		/* no gap, both sides advance: one plain copy */
		d->op = SW_MEMCPY;
	} else {
		d->op = SW_INTERLEAVED;
		d->numf = xt->numf;
		d->nr = (unsigned int)xt->frame_size;
		memcpy(d->u.chunk, chunk, xt->frame_size * sizeof(chunk[0]));
	}
	return vchan_tx_prep(&to_sw_chan(chan)->vc, &d->vd, flags);
}

/* ------------------------------------------------------ raid offload */

/*
 * Translate one 32-byte aligned block of a raid prep. NULL (logged as
 * @func, naming @what and @i) when unaligned or not mapped.
 */
static unsigned char *sw_raid_cpu(struct dma_chan *chan, const char *func, dma_addr_t addr,
				  size_t len, const char *what, unsigned int i)
{
	struct device *dev = chan->device->dev;
	size_t mask = ((size_t)1 << SW_RAID_ALIGN) - 1;
	unsigned char *p;

	if (addr & mask) {
		udma_log(UDMA_LOG_ERR, func, "%s: %s %u at 0x%llx is not %zu-byte aligned",
			 dma_chan_name(chan), what, i, (unsigned long long)addr, mask + 1);
		return NULL;
	}
	p = udma_dma_to_cpu(dev, addr, len);
	if (!p) {
		udma_log(UDMA_LOG_ERR, func, "%s: %s %u (0x%llx, %zu bytes) not mapped on %s",
			 dma_chan_name(chan), what, i, (unsigned long long)addr, len,
			 dev_name(dev));
		return NULL;
	}
	if ((uintptr_t)p & mask) {
		udma_log(UDMA_LOG_ERR, func, "%s: %s %u maps to %p, not %zu-byte aligned",
			 dma_chan_name(chan), what, i, (void *)p, mask + 1);
		return NULL;
	}
	return p;
}

/*
 * Check and translate what every raid prep shares: @src_cnt (@min..@max)
 * blocks of @len bytes at @src into r->src, and the outputs @out[j] named
 * @oname[j] (NULL name: no such output, r->out[j] = NULL) into r->out. An
 * output equal to a source sets SW_RAID_BOUNCE; one that overlaps a source,
 * or the other output, elsewhere is refused.
 * Return: true, or false (logged as @func).
 */
static bool sw_raid_check(struct dma_chan *chan, const char *func, struct sw_raid *r,
			  const dma_addr_t *out, const char *const oname[2],
			  const dma_addr_t *src, unsigned int src_cnt, unsigned int min,
			  unsigned int max, size_t len)
{
	size_t mask = ((size_t)1 << SW_RAID_ALIGN) - 1;

	if (!src || src_cnt < min || src_cnt > max) {
		udma_log(UDMA_LOG_ERR, func, "%s: %u sources%s (%u..%u)", dma_chan_name(chan),
			 src_cnt, src ? "" : " at NULL", min, max);
		return false;
	}
	if (!len || (len & mask) || len > UINT32_MAX) {
		udma_log(UDMA_LOG_ERR, func, "%s: length %zu is not a non-zero multiple of %zu "
			 "below 4 GiB", dma_chan_name(chan), len, mask + 1);
		return false;
	}
	r->flags = 0;
	r->src_cnt = src_cnt;
	r->len = len;
	for (unsigned int j = 0; j < 2; j++) {
		r->out[j] = NULL;
		if (oname[j] && !(r->out[j] = sw_raid_cpu(chan, func, out[j], len, oname[j], j)))
			return false;
	}
	for (unsigned int i = 0; i < src_cnt; i++) {
		r->src[i] = sw_raid_cpu(chan, func, src[i], len, "source", i);
		if (!r->src[i])
			return false;
	}
	if (r->out[0] && r->out[1] && r->out[0] < r->out[1] + len &&
	    r->out[1] < r->out[0] + len) {
		udma_log(UDMA_LOG_ERR, func, "%s: P and Q overlap", dma_chan_name(chan));
		return false;
	}
	for (unsigned int j = 0; j < 2; j++) {
		const unsigned char *o = r->out[j];

		for (unsigned int i = 0; o && i < src_cnt; i++) {
			if (o == r->src[i]) {
				r->flags |= SW_RAID_BOUNCE;
			} else if (o < r->src[i] + len && r->src[i] < o + len) {
				udma_log(UDMA_LOG_ERR, func, "%s: destination %u overlaps source %u "
					 "without being it", dma_chan_name(chan), j, i);
				return false;
			}
		}
	}
	return true;
}

/* Publish a checked raid op @r as a descriptor. NULL when the pool is empty. */
static struct dma_async_tx_descriptor *sw_raid_prep(struct dma_chan *chan, enum sw_op op,
						    const struct sw_raid *r, unsigned int nout,
						    unsigned long flags)
{
	struct sw_desc *d = sw_desc_get(chan);

	if (!d)
		return NULL;
	d->op = op;
	d->len = r->len * (r->src_cnt + nout); /* bytes touched: the batch budget */
	d->u.raid = *r;
	return vchan_tx_prep(&to_sw_chan(chan)->vc, &d->vd, flags);
}

static struct dma_async_tx_descriptor *sw_prep_xor(struct dma_chan *chan, dma_addr_t dst,
						   dma_addr_t *src, unsigned int src_cnt,
						   size_t len, unsigned long flags)
{
	static const char *const oname[2] = { "destination", NULL };
	const dma_addr_t out[2] = { dst, 0 };
	struct sw_raid r;

	if (!sw_raid_check(chan, __func__, &r, out, oname, src, src_cnt, 2, SW_MAX_XOR, len))
		return NULL;
	r.result = NULL;
	return sw_raid_prep(chan, SW_XOR, &r, 1, flags);
}

static struct dma_async_tx_descriptor *sw_prep_xor_val(struct dma_chan *chan,
						       dma_addr_t *src, unsigned int src_cnt,
						       size_t len, enum sum_check_flags *result,
						       unsigned long flags)
{
	static const char *const oname[2] = { NULL, NULL };
	struct sw_raid r;

	if (!result) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: NULL result", dma_chan_name(chan));
		return NULL;
	}
	if (!sw_raid_check(chan, __func__, &r, NULL, oname, src, src_cnt, 2, SW_MAX_XOR, len))
		return NULL;
	r.result = result;
	return sw_raid_prep(chan, SW_XOR_VAL, &r, 0, flags);
}

/*
 * What pq and pq_val share: the enabled outputs of @pq (P = pq[0], Q =
 * pq[1]; a disabled one is not looked at - async_tx leaves it unset) and the
 * coefficients. Return: false (logged) on bad input.
 */
static bool sw_pq_check(struct dma_chan *chan, const char *func, struct sw_raid *r,
			const dma_addr_t *pq, const dma_addr_t *src, unsigned int src_cnt,
			const unsigned char *scf, size_t len, unsigned long flags)
{
	const char *oname[2] = { flags & DMA_PREP_PQ_DISABLE_P ? NULL : "P",
				 flags & DMA_PREP_PQ_DISABLE_Q ? NULL : "Q" };

	if (!oname[0] && !oname[1]) {
		udma_log(UDMA_LOG_ERR, func, "%s: both P and Q disabled", dma_chan_name(chan));
		return false;
	}
	if (!pq || !scf) {
		udma_log(UDMA_LOG_ERR, func, "%s: NULL %s", dma_chan_name(chan),
			 pq ? "coefficients" : "destinations");
		return false;
	}
	if (!sw_raid_check(chan, func, r, pq, oname, src, src_cnt, 1, SW_MAX_PQ, len))
		return false;
	memcpy(r->scf, scf, src_cnt);
	if (!memcmp(scf, sw_gfexp, src_cnt))
		r->flags |= SW_RAID_GFEXP;
	return true;
}

static struct dma_async_tx_descriptor *sw_prep_pq(struct dma_chan *chan, dma_addr_t *dst,
						  dma_addr_t *src, unsigned int src_cnt,
						  const unsigned char *scf, size_t len,
						  unsigned long flags)
{
	struct sw_raid r;

	if (!sw_pq_check(chan, __func__, &r, dst, src, src_cnt, scf, len, flags))
		return NULL;
	if (flags & DMA_PREP_CONTINUE)
		r.flags |= SW_RAID_CONTINUE;
	r.result = NULL;
	return sw_raid_prep(chan, SW_PQ, &r, !!r.out[0] + !!r.out[1], flags);
}

static struct dma_async_tx_descriptor *sw_prep_pq_val(struct dma_chan *chan, dma_addr_t *pq,
						      dma_addr_t *src, unsigned int src_cnt,
						      const unsigned char *scf, size_t len,
						      enum sum_check_flags *pqres,
						      unsigned long flags)
{
	struct sw_raid r;

	if (!pqres || (flags & DMA_PREP_CONTINUE)) {
		udma_log(UDMA_LOG_ERR, __func__, "%s: %s", dma_chan_name(chan),
			 pqres ? "DMA_PREP_CONTINUE has no meaning for a check" : "NULL result");
		return NULL;
	}
	if (!sw_pq_check(chan, __func__, &r, pq, src, src_cnt, scf, len, flags))
		return NULL;
	/* only read: P/Q equal to a source need no bounce */
	r.flags &= ~SW_RAID_BOUNCE;
	r.result = pqres;
	return sw_raid_prep(chan, SW_PQ_VAL, &r, !!r.out[0] + !!r.out[1], flags);
}

static struct dma_async_tx_descriptor *sw_prep_interrupt(struct dma_chan *chan,
							 unsigned long flags)
{
	struct sw_desc *d = sw_desc_get(chan);

	if (!d)
		return NULL;
	d->op = SW_INTERRUPT;
	d->len = 0;
	return vchan_tx_prep(&to_sw_chan(chan)->vc, &d->vd, flags);
}

static void sw_issue_pending(struct dma_chan *chan)
{
	struct sw_chan *c = to_sw_chan(chan);
	bool start = false;

	spin_lock(&c->vc.lock);
	if (vchan_issue_pending(&c->vc) && !c->busy)
		start = c->busy = true;
	spin_unlock(&c->vc.lock);
	/* wake outside the lock: the woken engine's first act is to take it */
	if (start)
		tasklet_schedule(&c->engine);
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
	void *scratch;
	int ret;

	if (posix_memalign(&scratch, 64, 2 * SW_RAID_CHUNK))
		return -ENOMEM;
	ret = udma_vchan_pool_init(&c->vc, sizeof(struct sw_desc),
				   offsetof(struct sw_desc, vd), c->pool_size);
	if (ret) {
		free(scratch);
		return ret;
	}
	c->scratch = scratch;
	return ret;
}

static void sw_free_chan_resources(struct dma_chan *chan)
{
	struct sw_chan *c = to_sw_chan(chan);

	vchan_free_chan_resources(&c->vc);
	udma_vchan_pool_fini(&c->vc);
	free(c->scratch);
	c->scratch = NULL;
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
	sw_gfexp[0] = 1;
	for (unsigned int i = 1; i < SW_MAX_PQ; i++)
		sw_gfexp[i] = gf_mul(sw_gfexp[i - 1], 2);
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	/* channel structs have cache-line-aligned members */
	if (posix_memalign((void **)&sd->chans, 64, nr * sizeof(*sd->chans)))
		sd->chans = NULL;
	else
		memset(sd->chans, 0, nr * sizeof(*sd->chans));
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
	dma_cap_set(DMA_INTERLEAVE, dd->cap_mask);
	dma_cap_set(DMA_XOR, dd->cap_mask);
	dma_cap_set(DMA_XOR_VAL, dd->cap_mask);
	dma_cap_set(DMA_PQ, dd->cap_mask);
	dma_cap_set(DMA_PQ_VAL, dd->cap_mask);
	dma_cap_set(DMA_INTERRUPT, dd->cap_mask);
	dd->copy_align = DMAENGINE_ALIGN_1_BYTE;
	dd->fill_align = DMAENGINE_ALIGN_1_BYTE;
	dd->xor_align = SW_RAID_ALIGN;
	dd->pq_align = SW_RAID_ALIGN;
	dd->max_xor = SW_MAX_XOR;
	dma_set_maxpq(dd, SW_MAX_PQ, 1); /* continues a syndrome natively */
	dd->descriptor_reuse = true;
	dd->residue_granularity = DMA_RESIDUE_GRANULARITY_DESCRIPTOR;
	dd->device_alloc_chan_resources = sw_alloc_chan_resources;
	dd->device_free_chan_resources = sw_free_chan_resources;
	dd->device_prep_dma_memcpy = sw_prep_memcpy;
	dd->device_prep_dma_memset = sw_prep_memset;
	dd->device_prep_interleaved_dma = sw_prep_interleaved;
	dd->udma_device_prep_dma_memcpy_sg = sw_prep_memcpy_sg;
	dd->device_prep_dma_xor = sw_prep_xor;
	dd->device_prep_dma_xor_val = sw_prep_xor_val;
	dd->device_prep_dma_pq = sw_prep_pq;
	dd->device_prep_dma_pq_val = sw_prep_pq_val;
	dd->device_prep_dma_interrupt = sw_prep_interrupt;
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
	/* fault_* keys (doc/reliability.md) */
	if (udma_fault_device_options(dd, options)) {
		dma_async_device_unregister(dd);
		sw_free(sd);
		return -EINVAL;
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
