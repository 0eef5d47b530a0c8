/* SPDX-License-Identifier: MIT */
/*
 * fuzz-api.c - libFuzzer target driving client API call sequences.
 *
 * Two devices are registered in-process once: sw-memcpy (its plugin source
 * compiled in and probed directly, "channels=2,pool=8") and the test mock
 * provider ("fuzzmock": memcpy, memset, slave, cyclic, pause, reuse;
 * automatic completion), plus a slave map entry fuzzdev/rx -> fuzzmock.
 * No plugin is loaded (UDMA_PLUGIN_PATH points nowhere).
 *
 * Each input is a byte program: up to MAX_OPS operations on NR_SLOTS channel
 * slots (request by mask+filter, by mask, by slave name; release; prep of
 * every kind with fuzzed lengths, flags, offsets inside two owned 4 KiB
 * buffers; submit; issue_pending; tx_status; slave_config with fuzzed
 * fields; pause/resume; terminate_async/sync; synchronize; set/clear reuse;
 * desc_free; ack; dma_sync_wait; calls the API must refuse). Callbacks count
 * themselves and check the blocking calls refuse in a callback. The harness
 * only touches a descriptor while the documented contract lets the client
 * own it.
 *
 * Checks (abort = a crash for libFuzzer): a cookie never changes once it
 * reads DMA_COMPLETE/DMA_ERROR; after a terminate no earlier cookie reads
 * DMA_IN_PROGRESS; at the end (terminate_sync + release of every channel)
 * every cookie reads DMA_COMPLETE with its callback run exactly once, or
 * DMA_ERROR with no callback (cyclic: DMA_ERROR); cookies on a channel
 * increase; calls with bad arguments return NULL/-errno; ASan/LSan/UBSan see
 * nothing wrong; no hang (libFuzzer -timeout).
 *
 * Threads: the fuzzer thread runs the program; callbacks run on the
 * channels' completion threads and touch only their struct sub (atomics).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <udmaengine/dmaengine.h>
#include <udmaengine/provider.h>

#include "fuzz-util.h"
#include "mock-provider.h"

/* sw_memcpy.c is compiled in: its plugin entry, called directly. */
const struct udma_provider *udma_provider_entry(void);

#define NR_SLOTS 4
#define MAX_RECS 48
#define MAX_SUBS 400
#define MAX_OPS 256
#define BUF_SIZE 4096

enum kind { K_SW, K_MOCK };

enum rec_state {
	R_DEAD,         /* not ours to touch */
	R_PREPARED,     /* ours: may be submitted */
	R_SUBMITTED,    /* engine's; see sub for when it is ours again */
	R_UNSYNCED,     /* reusable, aborted: ours after a synchronize */
	R_AWAIT_ACK,    /* without DMA_CTRL_ACK, done or aborted: ours to ack */
};

struct rec {
	struct dma_async_tx_descriptor *tx;
	int slot;
	enum rec_state st;
	bool reuse, ack, cyclic;
	int sub;             /* last submission, -1 */
	unsigned int issued; /* slot issue_gen at submit */
};

struct sub {
	struct dma_chan *chan;
	int slot;
	dma_cookie_t cookie;   /* atomic: read by the callback */
	bool has_cb, cyclic;
	int count;             /* atomic: callbacks run */
	int failed;            /* atomic: a callback reported an error result */
	int action;            /* what the callback tries (refused calls) */
	enum dma_status final; /* DMA_IN_PROGRESS until it read final */
};

struct slot {
	struct dma_chan *chan;
	enum kind kind;
	unsigned int issue_gen;
	dma_cookie_t last_cookie;
	bool paused;
};

static struct {
	struct slot slot[NR_SLOTS];
	struct rec rec[MAX_RECS];
	struct sub sub[MAX_SUBS];
	int nr_recs, nr_subs;
	dma_addr_t a, b; /* source and destination buffers, mapped */
	struct dma_chan *released; /* last released channel */
} S;

static unsigned char buf_a[BUF_SIZE] __attribute__((aligned(64)));
static unsigned char buf_b[BUF_SIZE] __attribute__((aligned(64)));
static struct mock_dev *mock;
static struct device fuzzdev = { .init_name = "fuzzdev" };
static long stat_submits, stat_complete, stat_error, stat_cyclic;

/* ------------------------------------------------------------ callbacks */

static void cb_common(struct sub *s, enum dmaengine_tx_result result)
{
	int n = __atomic_add_fetch(&s->count, 1, __ATOMIC_SEQ_CST);
	dma_cookie_t cookie = __atomic_load_n(&s->cookie, __ATOMIC_ACQUIRE);
	dma_cap_mask_t mask;

	FUZZ_CHECK(udma_in_completion_context());
	if (!s->cyclic) {
		FUZZ_CHECK(n == 1);
		/* by the time a callback runs, tx_status reports the outcome */
		FUZZ_CHECK(dmaengine_tx_status(s->chan, cookie, NULL) ==
			   (result == DMA_TRANS_NOERROR ? DMA_COMPLETE : DMA_ERROR));
	}
	if (result != DMA_TRANS_NOERROR)
		__atomic_store_n(&s->failed, 1, __ATOMIC_SEQ_CST);
	switch (s->action) {
	case 1: /* refused: logs and returns */
		dmaengine_synchronize(s->chan);
		break;
	case 2: /* refused: releases nothing */
		dma_release_channel(s->chan);
		break;
	case 3:
		dma_cap_zero(mask);
		dma_cap_set(DMA_MEMCPY, mask);
		FUZZ_CHECK(!dma_request_channel(mask, NULL, NULL));
		FUZZ_CHECK(IS_ERR(dma_request_chan_by_mask(&mask)));
		FUZZ_CHECK(IS_ERR(dma_request_chan(&fuzzdev, "rx")));
		break;
	case 4:
		FUZZ_CHECK(dma_sync_wait(s->chan, cookie) == DMA_ERROR);
		break;
	default:
		break;
	}
}

static void cb_result(void *param, const struct dmaengine_result *res)
{
	FUZZ_CHECK(res);
	cb_common(param, res->result);
}

static void cb_legacy(void *param)
{
	cb_common(param, DMA_TRANS_NOERROR);
}

/* ------------------------------------------------------------ helpers */

static bool mock_only_filter(struct dma_chan *chan, void *param)
{
	return chan->device == param;
}

static enum kind kind_of(struct dma_chan *chan)
{
	return chan->device == mock_dev_device(mock) ? K_MOCK : K_SW;
}

/* Read @s's status; check it never leaves a final state. */
static enum dma_status sub_status(struct sub *s)
{
	enum dma_status st = dmaengine_tx_status(s->chan, s->cookie, NULL);

	FUZZ_CHECK(st == DMA_COMPLETE || st == DMA_ERROR || st == DMA_IN_PROGRESS ||
		   st == DMA_PAUSED);
	if (s->final != DMA_IN_PROGRESS)
		FUZZ_CHECK(st == s->final);
	else if (st == DMA_COMPLETE || st == DMA_ERROR)
		s->final = st;
	FUZZ_CHECK(!(s->cyclic && st == DMA_COMPLETE));
	return st;
}

/* A descriptor record for a fresh prep; NULL when the table is full. */
static struct rec *new_rec(void)
{
	for (int i = 0; i < S.nr_recs; i++)
		if (S.rec[i].st == R_DEAD)
			return &S.rec[i];
	return S.nr_recs < MAX_RECS ? &S.rec[S.nr_recs++] : NULL;
}

static struct rec *pick_rec(struct fuzz_in *in, enum rec_state want)
{
	int n = 0, k;

	for (int i = 0; i < S.nr_recs; i++)
		n += S.rec[i].st == want;
	if (!n)
		return NULL;
	k = fuzz_u8(in) % n;
	for (int i = 0; i < S.nr_recs; i++)
		if (S.rec[i].st == want && !k--)
			return &S.rec[i];
	return NULL;
}

static struct slot *pick_slot(struct fuzz_in *in, int *idx)
{
	int i = fuzz_u8(in) % NR_SLOTS;

	if (idx)
		*idx = i;
	return &S.slot[i];
}

/* An offset and length inside a buffer: len 1..max_len (a few bad ones). */
static void pick_range(struct fuzz_in *in, size_t max_len, size_t *off, size_t *len)
{
	*len = 1 + fuzz_u32(in) % max_len;
	*off = fuzz_u32(in) % (BUF_SIZE - *len + 1);
}

static unsigned long pick_flags(struct fuzz_in *in)
{
	unsigned int f = fuzz_u8(in);

	/* mostly ACK, sometimes REUSE, sometimes neither; other bits as given */
	return (f & 0x80 ? 0 : DMA_CTRL_ACK) | (f & 0x40 ? DMA_CTRL_REUSE : 0) |
	       (f & 0x3d);
}

/* Record a prepared descriptor and give it a callback as the input says. */
static void prepared(struct fuzz_in *in, int slot, struct dma_async_tx_descriptor *tx,
		     bool cyclic)
{
	struct rec *r;

	if (!tx)
		return;
	FUZZ_CHECK(tx->chan == S.slot[slot].chan);
	r = new_rec();
	if (!r) /* table full: the channel reclaims it at terminate or release */
		return;
	memset(r, 0, sizeof(*r));
	r->tx = tx;
	r->slot = slot;
	r->st = R_PREPARED;
	r->reuse = dmaengine_desc_test_reuse(tx);
	r->ack = async_tx_test_ack(tx);
	r->cyclic = cyclic;
	r->sub = -1;
	(void)in;
}

/* A rec's submission ended (final status read): is the descriptor ours? */
static void rec_settle(struct rec *r)
{
	struct sub *s;
	enum dma_status st;

	if (r->st != R_SUBMITTED || r->sub < 0)
		return;
	s = &S.sub[r->sub];
	st = sub_status(s);
	if (st == DMA_IN_PROGRESS || st == DMA_PAUSED)
		return;
	if (r->reuse)
		r->st = st == DMA_COMPLETE ? R_PREPARED : R_UNSYNCED;
	else if (!r->ack)
		r->st = R_AWAIT_ACK;
	else
		r->st = R_DEAD;
}

/* ------------------------------------------------------------ operations */

static void op_request(struct fuzz_in *in)
{
	int i;
	struct slot *sl = pick_slot(in, &i);
	unsigned int how = fuzz_u8(in) % 4;
	struct dma_chan *chan = NULL;
	dma_cap_mask_t mask;

	if (sl->chan)
		return;
	dma_cap_zero(mask);
	switch (how) {
	case 0: /* any memcpy channel: sw-memcpy first, then the mock */
		dma_cap_set(DMA_MEMCPY, mask);
		chan = dma_request_channel(mask, NULL, NULL);
		break;
	case 1:
		dma_cap_set(DMA_SLAVE, mask);
		chan = dma_request_channel(mask, mock_only_filter, mock_dev_device(mock));
		if (chan)
			FUZZ_CHECK(kind_of(chan) == K_MOCK);
		break;
	case 2:
		dma_cap_set(DMA_MEMSET, mask);
		chan = dma_request_chan_by_mask(&mask);
		if (IS_ERR(chan)) {
			FUZZ_CHECK(PTR_ERR(chan) == -ENODEV);
			chan = NULL;
		}
		break;
	default:
		chan = dma_request_chan(&fuzzdev, "rx");
		if (IS_ERR(chan)) {
			FUZZ_CHECK(PTR_ERR(chan) == -EBUSY);
			chan = NULL;
		} else {
			FUZZ_CHECK(kind_of(chan) == K_MOCK);
		}
		break;
	}
	if (!chan)
		return;
	for (int j = 0; j < NR_SLOTS; j++)
		FUZZ_CHECK(S.slot[j].chan != chan); /* never handed out twice */
	sl->chan = chan;
	sl->kind = kind_of(chan);
	sl->paused = false;
	sl->last_cookie = 0;
	if (S.released == chan)
		S.released = NULL;
}

/* Every submission on @slot must have ended; callbacks ran as they should. */
static void check_ended(int slot)
{
	for (int i = 0; i < S.nr_subs; i++) {
		struct sub *s = &S.sub[i];
		enum dma_status st;
		int count;

		if (s->slot != slot || !s->chan)
			continue;
		st = sub_status(s);
		count = __atomic_load_n(&s->count, __ATOMIC_SEQ_CST);
		FUZZ_CHECK(st == DMA_COMPLETE || st == DMA_ERROR);
		if (s->cyclic) {
			FUZZ_CHECK(st == DMA_ERROR); /* runs until a terminate */
			stat_cyclic++;
		} else if (st == DMA_COMPLETE) {
			FUZZ_CHECK(count == (s->has_cb ? 1 : 0));
			stat_complete++;
		} else {
			/* aborted: no callback; failed: its one callback said so */
			FUZZ_CHECK(count == 0 || (count == 1 && s->failed));
			stat_error++;
		}
		s->chan = NULL; /* checked; the channel may go */
	}
}

static void forget_slot_recs(int slot)
{
	for (int i = 0; i < S.nr_recs; i++)
		if (S.rec[i].slot == slot)
			S.rec[i].st = R_DEAD;
}

static void release_slot(int i)
{
	struct slot *sl = &S.slot[i];

	if (!sl->chan)
		return;
	dma_release_channel(sl->chan);
	check_ended(i);
	forget_slot_recs(i);
	S.released = sl->chan;
	sl->chan = NULL;
}

/* After a terminate returned: no earlier cookie is in progress; recs move. */
static void after_terminate(int slot)
{
	for (int i = 0; i < S.nr_subs; i++) {
		struct sub *s = &S.sub[i];

		if (s->slot == slot && s->chan) {
			enum dma_status st = sub_status(s);

			FUZZ_CHECK(st == DMA_COMPLETE || st == DMA_ERROR);
		}
	}
	for (int i = 0; i < S.nr_recs; i++) {
		struct rec *r = &S.rec[i];

		if (r->slot != slot)
			continue;
		if (r->st == R_SUBMITTED)
			rec_settle(r);
		else if (r->st == R_PREPARED && !r->reuse)
			r->st = r->ack ? R_DEAD : R_AWAIT_ACK; /* reclaimed */
		else if (r->st == R_PREPARED && r->reuse)
			r->st = R_UNSYNCED; /* prepared again, maybe only after sync */
	}
}

static void after_synchronize(int slot)
{
	for (int i = 0; i < S.nr_recs; i++)
		if (S.rec[i].slot == slot && S.rec[i].st == R_UNSYNCED)
			S.rec[i].st = R_PREPARED;
}

static void op_prep(struct fuzz_in *in, unsigned int what)
{
	int i;
	struct slot *sl = pick_slot(in, &i);
	unsigned long flags = pick_flags(in);
	struct dma_async_tx_descriptor *tx = NULL;
	struct scatterlist dsg[4], ssg[4];
	size_t off, off2, len;
	bool cyclic = false;

	if (!sl->chan)
		return;
	switch (what) {
	case 0: /* memcpy A -> B */
		pick_range(in, BUF_SIZE, &off, &len);
		off2 = fuzz_u32(in) % (BUF_SIZE - len + 1);
		tx = dmaengine_prep_dma_memcpy(sl->chan, S.b + off2, S.a + off, len, flags);
		break;
	case 1: /* memset on B */
		pick_range(in, BUF_SIZE, &off, &len);
		tx = dmaengine_prep_dma_memset(sl->chan, S.b + off, (int)fuzz_u32(in), len,
					       flags);
		break;
	case 2: { /* slave_sg / slave_single (mock only has DMA_SLAVE) */
		unsigned int n = 1 + fuzz_u8(in) % 4;
		enum dma_transfer_direction dir = fuzz_u8(in) % 5;

		if (fuzz_u8(in) & 1) {
			pick_range(in, BUF_SIZE, &off, &len);
			tx = dmaengine_prep_slave_single(sl->chan, S.b + off, len, dir, flags);
		} else {
			sg_init_table(dsg, n);
			for (unsigned int k = 0; k < n; k++) {
				pick_range(in, BUF_SIZE / 4, &off, &len);
				sg_set_buf(&dsg[k], buf_b + off, (unsigned int)len);
			}
			FUZZ_CHECK(dma_map_sg(NULL, dsg, (int)n, DMA_BIDIRECTIONAL) == (int)n);
			tx = dmaengine_prep_slave_sg(sl->chan, dsg, n, dir, flags);
			dma_unmap_sg(NULL, dsg, (int)n, DMA_BIDIRECTIONAL);
		}
		if (dir != DMA_MEM_TO_DEV && dir != DMA_DEV_TO_MEM)
			FUZZ_CHECK(!tx);
		if (sl->kind == K_SW)
			FUZZ_CHECK(!tx);
		break;
	}
	case 3: { /* cyclic on B */
		size_t periods = 1 + fuzz_u8(in) % 8, period;

		period = 1 + fuzz_u32(in) % (BUF_SIZE / periods);
		len = period * periods;
		off = fuzz_u32(in) % (BUF_SIZE - len + 1);
		if (fuzz_u8(in) == 0xff)
			period++; /* does not divide: refused unless it happens to */
		tx = dmaengine_prep_dma_cyclic(sl->chan, S.b + off, len, period,
					       DMA_MEM_TO_DEV, flags);
		if (len % period)
			FUZZ_CHECK(!tx);
		cyclic = true;
		break;
	}
	case 4: { /* interleaved A -> B (sw-memcpy) */
		_Alignas(max_align_t) unsigned char raw[sizeof(struct dma_interleaved_template) +
							3 * sizeof(struct data_chunk)];
		struct dma_interleaved_template *xt = (void *)raw;
		unsigned int b = fuzz_u8(in);

		memset(raw, 0, sizeof(raw));
		xt->numf = 1 + fuzz_u8(in) % 4;
		xt->frame_size = 1 + fuzz_u8(in) % 3;
		for (size_t k = 0; k < xt->frame_size; k++) {
			xt->sgl[k].size = fuzz_u8(in) % 65;
			xt->sgl[k].icg = fuzz_u8(in) % 17;
			xt->sgl[k].dst_icg = fuzz_u8(in) % 17;
			xt->sgl[k].src_icg = fuzz_u8(in) % 17;
		}
		xt->src_inc = b & 1;
		xt->dst_inc = b & 2;
		xt->src_sgl = b & 4;
		xt->dst_sgl = b & 8;
		xt->dir = b & 0x10 ? DMA_MEM_TO_DEV : DMA_MEM_TO_MEM;
		/* at most 4 frames x 3 chunks x (64 + 16) bytes = 960 per side */
		xt->src_start = S.a + fuzz_u32(in) % (BUF_SIZE - 960);
		xt->dst_start = S.b + fuzz_u32(in) % (BUF_SIZE - 960);
		tx = dmaengine_prep_interleaved_dma(sl->chan, xt, flags);
		if (xt->dir != DMA_MEM_TO_MEM)
			FUZZ_CHECK(!tx);
		break;
	}
	default: { /* memcpy_sg: A cut one way, B another, same total */
		unsigned int ns = 1 + fuzz_u8(in) % 4, nd = 1 + fuzz_u8(in) % 4;
		size_t total = 0, left;

		sg_init_table(ssg, ns);
		for (unsigned int k = 0; k < ns; k++) {
			pick_range(in, BUF_SIZE / 8, &off, &len);
			sg_set_buf(&ssg[k], buf_a + off, (unsigned int)len);
			total += len;
		}
		if (nd > total)
			nd = (unsigned int)total;
		sg_init_table(dsg, nd);
		left = total;
		for (unsigned int k = 0; k < nd; k++) {
			/* at least one byte for each entry still to come */
			len = k + 1 == nd ? left : 1 + fuzz_u32(in) % (left - (nd - 1 - k));
			left -= len;
			if (k + 1 == nd && fuzz_u8(in) == 0xff)
				len++; /* totals differ: refused */
			off = fuzz_u32(in) % (BUF_SIZE - len + 1);
			sg_set_buf(&dsg[k], buf_b + off, (unsigned int)len);
		}
		if (dma_map_sg(NULL, ssg, (int)ns, DMA_TO_DEVICE) != (int)ns)
			break;
		if (dma_map_sg(NULL, dsg, (int)nd, DMA_FROM_DEVICE) == (int)nd) {
			tx = udma_prep_dma_memcpy_sg(sl->chan, dsg, nd, ssg, ns, flags);
			dma_unmap_sg(NULL, dsg, (int)nd, DMA_FROM_DEVICE);
		}
		dma_unmap_sg(NULL, ssg, (int)ns, DMA_TO_DEVICE);
		break;
	}
	}
	prepared(in, i, tx, cyclic);
}

static void op_submit(struct fuzz_in *in)
{
	struct rec *r = pick_rec(in, R_PREPARED);
	struct slot *sl;
	struct sub *s;
	unsigned int cbk = fuzz_u8(in);
	dma_cookie_t cookie;

	if (!r || S.nr_subs == MAX_SUBS)
		return;
	sl = &S.slot[r->slot];
	s = &S.sub[S.nr_subs];
	memset(s, 0, sizeof(*s));
	s->chan = sl->chan;
	s->slot = r->slot;
	s->cyclic = r->cyclic;
	s->final = DMA_IN_PROGRESS;
	s->action = (cbk >> 4) % 6;
	r->tx->callback = NULL;
	r->tx->callback_result = NULL;
	switch (cbk & 3) {
	case 1:
		r->tx->callback_result = cb_result;
		break;
	case 2:
		r->tx->callback = cb_legacy;
		break;
	case 3: /* both: only callback_result runs */
		r->tx->callback = cb_legacy;
		r->tx->callback_result = cb_result;
		break;
	default:
		break;
	}
	s->has_cb = cbk & 3;
	r->tx->callback_param = s;
	cookie = dmaengine_submit(r->tx);
	FUZZ_CHECK(cookie >= DMA_MIN_COOKIE);
	FUZZ_CHECK(!sl->last_cookie || cookie == sl->last_cookie + 1 ||
		   (sl->last_cookie == INT32_MAX && cookie == DMA_MIN_COOKIE));
	sl->last_cookie = cookie;
	__atomic_store_n(&s->cookie, cookie, __ATOMIC_RELEASE);
	S.nr_subs++;
	stat_submits++;
	r->sub = (int)(s - S.sub);
	r->issued = sl->issue_gen;
	r->st = !r->reuse && r->ack ? R_DEAD : R_SUBMITTED;
	/* rule a: nothing runs before issue_pending */
	FUZZ_CHECK(sub_status(s) == DMA_IN_PROGRESS || sub_status(s) == DMA_PAUSED);
}

/* A reusable descriptor submitted and not issued yet: a second submit fails. */
static void op_double_submit(struct fuzz_in *in)
{
	int start = fuzz_u8(in);

	for (int i = 0; i < S.nr_recs; i++) {
		struct rec *r = &S.rec[(i + start) % S.nr_recs];

		if (r->st == R_SUBMITTED && r->reuse &&
		    r->issued == S.slot[r->slot].issue_gen) {
			FUZZ_CHECK(dmaengine_submit(r->tx) == -EINVAL);
			return;
		}
	}
}

static void op_issue(struct fuzz_in *in)
{
	struct slot *sl = pick_slot(in, NULL);

	if (!sl->chan)
		return;
	dma_async_issue_pending(sl->chan);
	sl->issue_gen++;
}

static void op_status(struct fuzz_in *in)
{
	struct dma_tx_state state;
	dma_cookie_t last, used;
	struct sub *s;
	enum dma_status st;

	if (!S.nr_subs)
		return;
	s = &S.sub[fuzz_u8(in) % S.nr_subs];
	if (!s->chan)
		return;
	st = sub_status(s);
	if (st == DMA_PAUSED)
		FUZZ_CHECK(S.slot[s->slot].kind == K_MOCK);
	memset(&state, 0xa5, sizeof(state));
	(void)dmaengine_tx_status(s->chan, s->cookie, &state);
	FUZZ_CHECK(state.used >= s->cookie);
	(void)dma_async_is_tx_complete(s->chan, s->cookie, &last, &used);
	(void)dma_async_is_complete(s->cookie, last, used);
	for (int i = 0; i < S.nr_recs; i++)
		if (S.rec[i].sub == (int)(s - S.sub))
			rec_settle(&S.rec[i]);
}

static void op_config(struct fuzz_in *in)
{
	struct slot *sl = pick_slot(in, NULL);
	struct dma_slave_config cfg;
	int ret;

	if (!sl->chan)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.direction = fuzz_u8(in) % 6;
	cfg.src_addr = fuzz_u32(in);
	cfg.dst_addr = fuzz_u32(in);
	cfg.src_addr_width = (enum dma_slave_buswidth)(int8_t)fuzz_u8(in);
	cfg.dst_addr_width = (enum dma_slave_buswidth)(fuzz_u8(in) % 70);
	cfg.src_maxburst = fuzz_u32(in);
	cfg.dst_maxburst = fuzz_u8(in);
	cfg.device_fc = fuzz_u8(in) & 1;
	ret = dmaengine_slave_config(sl->chan, &cfg);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ENOSYS);
	if (sl->kind == K_SW)
		FUZZ_CHECK(ret == -ENOSYS);
}

static void op_pause(struct fuzz_in *in)
{
	struct slot *sl = pick_slot(in, NULL);
	bool pause = fuzz_u8(in) & 1;
	int ret;

	if (!sl->chan)
		return;
	ret = pause ? dmaengine_pause(sl->chan) : dmaengine_resume(sl->chan);
	if (sl->kind == K_SW) {
		FUZZ_CHECK(ret == -ENOSYS);
		return;
	}
	FUZZ_CHECK(ret == 0);
	sl->paused = pause;
}

static void op_terminate(struct fuzz_in *in, unsigned int how)
{
	int i;
	struct slot *sl = pick_slot(in, &i);

	if (!sl->chan)
		return;
	switch (how) {
	case 0:
		FUZZ_CHECK(dmaengine_terminate_async(sl->chan) == 0);
		after_terminate(i);
		break;
	case 1:
		FUZZ_CHECK(dmaengine_terminate_all(sl->chan) == 0);
		after_terminate(i);
		break;
	case 2:
		FUZZ_CHECK(dmaengine_terminate_sync(sl->chan) == 0);
		after_terminate(i);
		after_synchronize(i);
		break;
	default:
		dmaengine_synchronize(sl->chan);
		after_synchronize(i);
		break;
	}
}

static void op_reuse(struct fuzz_in *in)
{
	struct rec *r = pick_rec(in, R_PREPARED);
	unsigned int what = fuzz_u8(in) % 4;

	if (!r)
		return;
	switch (what) {
	case 0:
		FUZZ_CHECK(dmaengine_desc_set_reuse(r->tx) == 0);
		r->reuse = true;
		break;
	case 1:
		dmaengine_desc_clear_reuse(r->tx);
		r->reuse = false;
		break;
	case 2: {
		int ret = dmaengine_desc_free(r->tx);

		FUZZ_CHECK(ret == (r->reuse ? 0 : -EPERM));
		if (!ret)
			r->st = R_DEAD;
		break;
	}
	default:
		async_tx_ack(r->tx);
		r->ack = true;
		break;
	}
}

static void op_ack(struct fuzz_in *in)
{
	struct rec *r = pick_rec(in, R_AWAIT_ACK);

	if (!r) {
		/* settle what has finished, so acks and resubmits become possible */
		for (int i = 0; i < S.nr_recs; i++)
			rec_settle(&S.rec[i]);
		return;
	}
	async_tx_ack(r->tx);
	r->st = R_DEAD;
}

static void op_desc_free_busy(struct fuzz_in *in)
{
	struct rec *r = pick_rec(in, R_SUBMITTED);
	int ret;

	if (!r || !r->reuse)
		return;
	ret = dmaengine_desc_free(r->tx);
	FUZZ_CHECK(ret == 0 || ret == -EBUSY);
	if (r->issued == S.slot[r->slot].issue_gen)
		FUZZ_CHECK(ret == -EBUSY); /* queued, not issued: cannot be done */
	if (!ret) {
		rec_settle(r);
		r->st = R_DEAD;
	}
}

static void op_sync_wait(struct fuzz_in *in)
{
	enum dma_status st;
	struct sub *s;

	if (!S.nr_subs)
		return;
	s = &S.sub[fuzz_u8(in) % S.nr_subs];
	/* sw-memcpy only: a paused mock or a cyclic one would time out (5 s) */
	if (!s->chan || S.slot[s->slot].kind != K_SW || s->cyclic)
		return;
	S.slot[s->slot].issue_gen++;
	st = dma_sync_wait(s->chan, s->cookie);
	FUZZ_CHECK(st == DMA_COMPLETE || st == DMA_ERROR);
	FUZZ_CHECK(sub_status(s) == st);
}

static void op_caps(struct fuzz_in *in)
{
	struct slot *sl = pick_slot(in, NULL);
	struct dma_slave_caps caps;
	int ret;

	if (!sl->chan)
		return;
	ret = dma_get_slave_caps(sl->chan, &caps);
	FUZZ_CHECK(sl->kind == K_MOCK ? ret == 0 : ret == -ENXIO);
}

/* Calls the API must refuse, leaving everything working. */
static void op_bad(struct fuzz_in *in)
{
	int i;
	struct slot *sl = pick_slot(in, &i);
	struct dma_chan *c = sl->chan;
	struct scatterlist sg;
	unsigned int what = fuzz_u8(in) % 12;

	if (what >= 8 && S.released) {
		/* a channel no slot holds: every call refuses */
		for (int j = 0; j < NR_SLOTS; j++)
			if (S.slot[j].chan == S.released)
				return;
		c = S.released;
		switch (what) {
		case 8:
			dma_release_channel(c); /* double release */
			break;
		case 9:
			FUZZ_CHECK(!dmaengine_prep_dma_memcpy(c, S.b, S.a, 1, DMA_CTRL_ACK));
			break;
		case 10:
			FUZZ_CHECK(dmaengine_terminate_async(c) == -EINVAL);
			dma_async_issue_pending(c);
			break;
		default:
			FUZZ_CHECK(dmaengine_pause(c) == -EINVAL);
			break;
		}
		return;
	}
	switch (what) {
	case 0:
		FUZZ_CHECK(!dmaengine_prep_dma_memcpy(NULL, S.b, S.a, 1, DMA_CTRL_ACK));
		FUZZ_CHECK(dmaengine_submit(NULL) == -EINVAL);
		dma_async_issue_pending(NULL);
		FUZZ_CHECK(dmaengine_tx_status(NULL, 2, NULL) == DMA_ERROR);
		FUZZ_CHECK(dmaengine_terminate_async(NULL) == -EINVAL);
		FUZZ_CHECK(dmaengine_desc_free(NULL) == -EINVAL);
		FUZZ_CHECK(dmaengine_desc_set_reuse(NULL) == -EINVAL);
		dmaengine_synchronize(NULL);
		dma_release_channel(NULL);
		break;
	case 1:
		if (c)
			FUZZ_CHECK(!dmaengine_prep_dma_memcpy(c, S.b, S.a, 0, DMA_CTRL_ACK));
		break;
	case 2:
		if (c) {
			FUZZ_CHECK(!dmaengine_prep_dma_memcpy(c, 0, S.a, 1, DMA_CTRL_ACK));
			FUZZ_CHECK(!dmaengine_prep_dma_memset(c, DMA_MAPPING_ERROR, 0, 1,
							      DMA_CTRL_ACK));
		}
		break;
	case 3:
		if (c) {
			FUZZ_CHECK(!dmaengine_prep_slave_sg(c, NULL, 1, DMA_MEM_TO_DEV, 0));
			sg_init_one(&sg, buf_b, 16);
			FUZZ_CHECK(!dmaengine_prep_slave_sg(c, &sg, 0, DMA_MEM_TO_DEV, 0));
			FUZZ_CHECK(!dmaengine_prep_interleaved_dma(c, NULL, 0));
			FUZZ_CHECK(!udma_prep_dma_memcpy_sg(c, NULL, 1, &sg, 1, 0));
		}
		break;
	case 4:
		if (c) {
			FUZZ_CHECK(!dmaengine_prep_dma_cyclic(c, S.b, 64, 0, DMA_MEM_TO_DEV, 0));
			FUZZ_CHECK(!dmaengine_prep_dma_cyclic(c, S.b, 64, 48, DMA_MEM_TO_DEV, 0));
		}
		break;
	case 5:
		if (c) {
			FUZZ_CHECK(dmaengine_slave_config(c, NULL) == -EINVAL);
			FUZZ_CHECK(dma_get_slave_caps(c, NULL) == -EINVAL);
		}
		break;
	case 6:
		if (c) /* a cookie never handed out reads DMA_ERROR */
			FUZZ_CHECK(dmaengine_tx_status(c, INT32_MAX - 7, NULL) == DMA_ERROR);
		FUZZ_CHECK(dma_map_single(NULL, NULL, 1, DMA_TO_DEVICE) == DMA_MAPPING_ERROR);
		FUZZ_CHECK(dma_map_single(NULL, buf_a, 0, DMA_TO_DEVICE) == DMA_MAPPING_ERROR);
		break;
	default:
		if (c) { /* a descriptor that a provider never prepared */
			struct dma_async_tx_descriptor fake;

			memset(&fake, 0, sizeof(fake));
			FUZZ_CHECK(dmaengine_submit(&fake) == -EINVAL);
		}
		break;
	}
}

/* ------------------------------------------------------------ entry */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct udma_provider *sw = udma_provider_entry();
	struct mock_opts o = {
		.name = "fuzzmock", .nr_chans = 2, .pool_size = 8, .memcpy = true,
		.memset = true, .slave = true, .cyclic = true, .pause = true,
		.reuse = true,
	};

	(void)argc;
	(void)argv;
	setenv("UDMA_PLUGIN_PATH", "/nonexistent/udma-fuzz-no-plugins", 1);
	fuzz_log_init(getenv("FUZZ_VERBOSE") ? UDMA_LOG_DEBUG : UDMA_LOG_ERR);
	FUZZ_CHECK(sw->probe("channels=2,pool=8") == 0);
	mock = mock_dev_create(&o);
	FUZZ_CHECK(mock && mock_dev_register(mock) == 0);
	FUZZ_CHECK(udma_dma_slave_map_add("fuzzdev", "rx", "fuzzmock", NULL) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	memset(&S, 0, sizeof(S));
	S.a = dma_map_single(NULL, buf_a, BUF_SIZE, DMA_TO_DEVICE);
	S.b = dma_map_single(NULL, buf_b, BUF_SIZE, DMA_BIDIRECTIONAL);
	for (int ops = 0; in.n && ops < MAX_OPS; ops++) {
		unsigned int op = fuzz_u8(&in) % 24;

		switch (op) {
		case 0: case 1:
			op_request(&in);
			break;
		case 2: {
			int i;

			pick_slot(&in, &i);
			release_slot(i);
			break;
		}
		case 3: case 4: case 5: case 6: case 7: case 8:
			op_prep(&in, op - 3);
			break;
		case 9: case 10:
			op_submit(&in);
			break;
		case 11:
			op_issue(&in);
			break;
		case 12:
			op_status(&in);
			break;
		case 13:
			op_config(&in);
			break;
		case 14:
			op_pause(&in);
			break;
		case 15:
			op_terminate(&in, fuzz_u8(&in) % 4);
			break;
		case 16:
			op_reuse(&in);
			break;
		case 17:
			op_ack(&in);
			break;
		case 18:
			op_desc_free_busy(&in);
			break;
		case 19:
			op_sync_wait(&in);
			break;
		case 20:
			op_caps(&in);
			break;
		case 21:
			op_double_submit(&in);
			break;
		default:
			op_bad(&in);
			break;
		}
	}
	/* End: every channel terminated, synchronized and released; every
	 * cookie ended. */
	for (int i = 0; i < NR_SLOTS; i++) {
		if (S.slot[i].chan && (size & 1)) {
			FUZZ_CHECK(dmaengine_terminate_sync(S.slot[i].chan) == 0);
			after_terminate(i);
		}
		release_slot(i);
	}
	for (int i = 0; i < S.nr_subs; i++)
		FUZZ_CHECK(!S.sub[i].chan); /* every submission was checked */
	dma_unmap_single(NULL, S.a, BUF_SIZE, DMA_TO_DEVICE);
	dma_unmap_single(NULL, S.b, BUF_SIZE, DMA_BIDIRECTIONAL);
	return 0;
}

/* Totals for the CI log (libFuzzer's -print_final_stats covers the rest). */
__attribute__((destructor)) static void fuzz_api_stats(void)
{
	if (stat_submits)
		fprintf(stderr, "fuzz-api: %ld cookies submitted: %ld completed, %ld "
			"errored or aborted, %ld cyclic ended by a terminate, %ld lost\n",
			stat_submits, stat_complete, stat_error, stat_cyclic,
			stat_submits - stat_complete - stat_error - stat_cyclic);
}
