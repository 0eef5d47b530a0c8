/* SPDX-License-Identifier: MIT */
/*
 * pcm_playback.c - ALSA-style PCM playback through cyclic DMA.
 *
 *   pcm-playback IN.wav OUT.wav [--periods 4] [--period-ms 10] [--xrun-every N]
 *   pcm-playback --make-test-wav PATH
 *   pcm-playback --self-test
 *
 * Plays a 16-bit PCM WAV file (any channel count and rate) the way an ALSA
 * driver does: a ring of N periods in memory, a cyclic MEM_TO_DEV transfer
 * from the ring into a simulated codec (<udmaengine/periph.h>) clocked at the
 * file's byte rate (sample_rate x block_align), and a period callback that
 * refills the periods the DMA has read. The codec's sink records what it
 * played; at the end it is written to OUT.wav and checked against IN.wav.
 *
 * Pointers, as in ALSA (byte positions counted from the start of the
 * current transfer, not wrapped):
 *   hw   - how far the DMA has read: the position inside the ring from
 *          dmaengine_tx_status()'s residue (ring length - residue, exact to
 *          the burst), the number of whole rings from the codec's running
 *          byte counter (see update_hw());
 *   appl - how far the application has written.
 * The ring holds valid data for [hw, appl). The callback writes whole
 * periods while appl + period <= hw + ring, and fills the rest of the free
 * part with silence (ALSA's silence fill), so a late application makes the
 * codec play silence, not stale samples.
 *
 * XRUN: when hw reaches appl the DMA has read everything written. The
 * callback then stops the stream with dmaengine_terminate_async() and starts
 * a new cyclic transfer at once, from the callback, with no
 * dmaengine_synchronize() in between (which a callback may not call): the
 * XRUN-safe restart rule of doc/cyclic.md. The new transfer starts where the
 * application was (no input is skipped); the silence played while the
 * application was late is the XRUN's gap in OUT.wav, and codec FIFO bytes
 * flushed by the terminate are lost input. --xrun-every N makes the
 * application stall every N periods until an XRUN happens.
 *
 * Verification: OUT is cut into the segments between reported XRUNs; each
 * must equal the input between those positions, except that a segment may
 * lose at most the codec FIFO at its end, and a gap of bounded length may
 * precede the next. Anything else - an unreported gap, a duplicate, a
 * reordered or corrupted byte - fails (exit status 1).
 *
 * Threads: main thread (setup, wait, verify), the channel's completion
 * thread (period callbacks: refill, XRUN restart), the provider's engine
 * thread (codec sink). State shared with the callback is under pcm.lock.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <udmaengine/dmaengine.h>
#include <udmaengine/periph.h>

#define MAX_GAPS 4096

/* ------------------------------------------------------------- WAV files */

struct wav {
	unsigned int channels, rate, block_align;
	uint8_t *file;       /* the whole file */
	const uint8_t *data; /* PCM bytes inside it */
	size_t data_len;     /* whole frames */
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	uint8_t *b = NULL, *nb;

	if (!f) {
		fprintf(stderr, "pcm-playback: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		nb = realloc(b, cap);
		if (!nb) {
			fprintf(stderr, "pcm-playback: %s: out of memory\n", path);
			free(b);
			fclose(f);
			return -1;
		}
		b = nb;
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		fprintf(stderr, "pcm-playback: %s: read error\n", path);
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

/*
 * Parse a RIFF/WAVE file: walk the chunks (word-aligned), take "fmt " and
 * "data". Accept PCM (format 1, or WAVE_FORMAT_EXTENSIBLE with the PCM
 * sub-format) with 16 bits per sample; refuse anything else with a reason.
 */
static int wav_load(const char *path, struct wav *w)
{
	static const uint8_t pcm_guid_tail[14] = { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
						   0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };
	size_t len, off = 12;
	bool have_fmt = false;
	unsigned int bits = 0;

	memset(w, 0, sizeof(*w));
	if (read_file(path, &w->file, &len))
		return -1;
	if (len < 12 || memcmp(w->file, "RIFF", 4) || memcmp(w->file + 8, "WAVE", 4)) {
		fprintf(stderr, "pcm-playback: %s: not a RIFF/WAVE file\n", path);
		return -1;
	}
	while (off + 8 <= len) {
		const uint8_t *ck = w->file + off;
		size_t size = le32(ck + 4), avail = len - off - 8;

		if (!memcmp(ck, "fmt ", 4)) {
			unsigned int format;

			if (size < 16 || size > avail) {
				fprintf(stderr, "pcm-playback: %s: truncated fmt chunk\n", path);
				return -1;
			}
			format = le16(ck + 8);
			w->channels = le16(ck + 10);
			w->rate = le32(ck + 12);
			w->block_align = le16(ck + 20);
			bits = le16(ck + 22);
			if (format == 0xfffe) { /* WAVE_FORMAT_EXTENSIBLE */
				if (size < 40 || le16(ck + 24) < 22 ||
				    memcmp(ck + 34, pcm_guid_tail, sizeof(pcm_guid_tail)) ||
				    le16(ck + 32) != 1) {
					fprintf(stderr, "pcm-playback: %s: extensible format is "
						"not integer PCM\n", path);
					return -1;
				}
				if (le16(ck + 26) != 16) {
					fprintf(stderr, "pcm-playback: %s: %u valid bits per "
						"sample; only 16 is supported\n", path, le16(ck + 26));
					return -1;
				}
			} else if (format != 1) {
				fprintf(stderr, "pcm-playback: %s: format tag 0x%x is not PCM "
					"(compressed or float audio is not supported)\n", path, format);
				return -1;
			}
			have_fmt = true;
		} else if (!memcmp(ck, "data", 4)) {
			if (!have_fmt) {
				fprintf(stderr, "pcm-playback: %s: data chunk before fmt chunk\n", path);
				return -1;
			}
			if (size > avail) {
				fprintf(stderr, "pcm-playback: %s: data chunk claims %zu bytes, "
					"%zu present; playing those\n", path, size, avail);
				size = avail;
			}
			w->data = ck + 8;
			w->data_len = size;
			break;
		}
		if (size > avail)
			break;
		off += 8 + size + (size & 1);
	}
	if (!have_fmt || !w->data) {
		fprintf(stderr, "pcm-playback: %s: no %s chunk\n", path, have_fmt ? "data" : "fmt");
		return -1;
	}
	if (bits != 16) {
		fprintf(stderr, "pcm-playback: %s: %u bits per sample; only 16-bit PCM is "
			"supported\n", path, bits);
		return -1;
	}
	if (!w->channels || w->channels > 64 || w->block_align != w->channels * 2u ||
	    w->rate < 1000 || w->rate > 768000) {
		fprintf(stderr, "pcm-playback: %s: unsupported layout (%u channels, %u Hz, "
			"block_align %u)\n", path, w->channels, w->rate, w->block_align);
		return -1;
	}
	w->data_len -= w->data_len % w->block_align;
	if (!w->data_len) {
		fprintf(stderr, "pcm-playback: %s: no audio frames\n", path);
		return -1;
	}
	return 0;
}

static int wav_write(const char *path, unsigned int channels, unsigned int rate,
		     const uint8_t *data, size_t len)
{
	uint8_t h[44];
	FILE *f;
	bool ok;

	if (len > UINT32_MAX - 36) {
		fprintf(stderr, "pcm-playback: %s: too long for a WAV file\n", path);
		return -1;
	}
	memcpy(h, "RIFF", 4);
	put32(h + 4, (uint32_t)(36 + len));
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, 1);
	put16(h + 22, (uint16_t)channels);
	put32(h + 24, rate);
	put32(h + 28, rate * channels * 2);
	put16(h + 32, (uint16_t)(channels * 2));
	put16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put32(h + 40, (uint32_t)len);
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "pcm-playback: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fwrite(h, 1, sizeof(h), f) == sizeof(h) && fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok)
		fprintf(stderr, "pcm-playback: %s: write error\n", path);
	return ok ? 0 : -1;
}

/* A 2 s, 48 kHz, 16-bit stereo logarithmic sine sweep, 100 Hz -> 8 kHz. */
static int make_test_wav(const char *path)
{
	const unsigned int rate = 48000, frames = 2 * rate;
	const double f0 = 100.0, f1 = 8000.0, secs = (double)frames / rate;
	const double k = log(f1 / f0);
	uint8_t *pcm = malloc((size_t)frames * 4);
	int ret;

	if (!pcm)
		return -1;
	for (unsigned int n = 0; n < frames; n++) {
		double t = (double)n / rate;
		double phi = 2.0 * M_PI * f0 * secs / k * (exp(k * t / secs) - 1.0);

		put16(pcm + 4 * n, (uint16_t)(int16_t)lrint(12000.0 * sin(phi)));
		put16(pcm + 4 * n + 2, (uint16_t)(int16_t)lrint(12000.0 * cos(phi)));
	}
	ret = wav_write(path, 2, rate, pcm, (size_t)frames * 4);
	free(pcm);
	return ret;
}

/* ------------------------------------------------------------ playback */

struct gap {
	size_t in_pos;   /* input byte where playback resumed */
	size_t ahead;    /* hw - appl when detected: stale/silent bytes the DMA read */
	bool simulated;  /* forced by --xrun-every */
};

struct pcm {
	/* fixed after setup */
	struct dma_chan *chan;
	struct udma_periph *codec;
	const uint8_t *in;
	size_t in_len;
	uint8_t *ring;
	dma_addr_t ring_dma;
	size_t ring_len, period, fifo, block_align;
	uint64_t byte_rate;
	unsigned int xrun_every;

	pthread_mutex_t lock; /* everything below; the callback holds it */
	pthread_cond_t cond;
	long id;              /* transfer number, in callback_param */
	size_t base;          /* input byte at position 0 of this transfer */
	size_t hw, appl;      /* this transfer's pointers (see the top) */
	size_t silenced;      /* silence fill done up to this position */
	uint64_t consumed_base; /* codec's byte counter when this transfer began */
	unsigned long inconsistent;
	bool stalled;         /* the simulated application is late */
	unsigned long refills;   /* periods written */
	unsigned long periods;   /* periods the DMA read, all transfers */
	unsigned long callbacks;
	unsigned long stale_callbacks; /* of a transfer already stopped */
	unsigned long xruns, simulated;
	struct gap gaps[MAX_GAPS];
	unsigned long ngaps;
	bool done;
	bool end_xrun;        /* an XRUN after the last input byte was written */
	int error;            /* negative errno of a failed restart */

	/* codec output (engine thread writes) */
	pthread_mutex_t out_lock;
	uint8_t *out;
	size_t out_len, out_cap;
	bool out_oom;
};

/* The codec's sink: what the device played, in order (engine thread). */
static void codec_sink(void *ctx, const void *data, size_t len)
{
	struct pcm *s = ctx;

	pthread_mutex_lock(&s->out_lock);
	if (s->out_len + len > s->out_cap) {
		size_t cap = (s->out_len + len) * 2;
		uint8_t *nb = realloc(s->out, cap);

		if (!nb) {
			s->out_oom = true;
			pthread_mutex_unlock(&s->out_lock);
			return;
		}
		s->out = nb;
		s->out_cap = cap;
	}
	memcpy(s->out + s->out_len, data, len);
	s->out_len += len;
	pthread_mutex_unlock(&s->out_lock);
}

/* Copy @len bytes of the input from @in_pos into @dst, silence past the end. */
static void fetch(const struct pcm *s, uint8_t *dst, size_t in_pos, size_t len)
{
	size_t n = in_pos < s->in_len ? s->in_len - in_pos : 0;

	if (n > len)
		n = len;
	memcpy(dst, s->in + in_pos, n);
	memset(dst + n, 0, len - n);
}

/* Write the ring for stream positions [from, to) (to - from <= ring). */
static void ring_write(struct pcm *s, size_t from, size_t to, bool silence)
{
	while (from < to) {
		size_t slot = from % s->ring_len;
		size_t n = s->ring_len - slot < to - from ? s->ring_len - slot : to - from;

		if (silence)
			memset(s->ring + slot, 0, n);
		else
			fetch(s, s->ring + slot, s->base + from, n);
		from += n;
	}
}

/*
 * Update hw. The residue gives the position inside the ring exactly; how
 * many times the ring wrapped since the last look it cannot say (coalesced
 * callbacks, a stalled engine). The codec's running byte counter settles
 * it, as a driver reads a codec's frame counter: the DMA has pushed at
 * least what the codec consumed and at most that plus its FIFO (plus, right
 * after a restart, what the codec still took from the old transfer's FIFO).
 * With the FIFO at most a quarter of the ring that window holds one
 * candidate. Locked.
 */
static void update_hw(struct pcm *s, dma_cookie_t cookie)
{
	struct udma_periph_stats st1, st2;
	struct dma_tx_state st = { 0, 0, 0, 0 };
	uint64_t lo, x;
	size_t pos;

	udma_periph_get_stats(s->codec, &st1);
	dmaengine_tx_status(s->chan, cookie, &st);
	udma_periph_get_stats(s->codec, &st2);
	pos = st.residue >= s->ring_len ? 0 : s->ring_len - st.residue;
	lo = st1.bytes_to_device > s->consumed_base + s->fifo ?
	     st1.bytes_to_device - s->consumed_base - s->fifo : 0;
	if (lo < s->hw)
		lo = s->hw; /* never backwards */
	/* the smallest position >= lo that is at @pos in the ring */
	x = lo - lo % s->ring_len + pos;
	if (x < lo)
		x += s->ring_len;
	if (x > st2.bytes_to_device - s->consumed_base + s->fifo + s->ring_len / 2)
		s->inconsistent++; /* cannot happen if the model holds */
	s->periods += x / s->period - s->hw / s->period;
	s->hw = x;
}

static void period_cb(void *param, const struct dmaengine_result *r);
static dma_cookie_t cur_cookie; /* of transfer pcm.id; under pcm.lock */

/* Prefill the whole ring from input byte @base and start transfer @id. */
static int start_transfer(struct pcm *s, size_t base, long id)
{
	struct dma_async_tx_descriptor *tx;
	dma_cookie_t cookie;

	s->id = id;
	s->base = base;
	s->hw = 0;
	s->appl = s->ring_len;
	s->silenced = s->ring_len;
	s->stalled = false;
	{
		struct udma_periph_stats st;

		udma_periph_get_stats(s->codec, &st);
		s->consumed_base = st.bytes_to_device;
	}
	ring_write(s, 0, s->ring_len, false);
	tx = dmaengine_prep_dma_cyclic(s->chan, s->ring_dma, s->ring_len, s->period,
				       DMA_MEM_TO_DEV, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx)
		return -ENOMEM;
	tx->callback_result = period_cb;
	tx->callback_param = (void *)(intptr_t)id;
	cookie = dmaengine_submit(tx);
	if (cookie < 0)
		return cookie;
	cur_cookie = cookie;
	dma_async_issue_pending(s->chan);
	return 0;
}

static struct pcm pcm;

/*
 * Period callback (completion thread). Context: prep, submit, issue_pending,
 * tx_status and terminate_async are allowed here; synchronize is not.
 */
static void period_cb(void *param, const struct dmaengine_result *r)
{
	struct pcm *s = &pcm;
	long id = (long)(intptr_t)param;
	size_t end;
	int ret;

	(void)r;
	pthread_mutex_lock(&s->lock);
	s->callbacks++;
	if (id != s->id || s->done) {
		s->stale_callbacks++; /* must not happen: the terminate was ours */
		goto out;
	}
	update_hw(s, cur_cookie);
	end = s->in_len > s->base ? s->in_len - s->base : 0;

	if (s->hw >= s->appl) { /* XRUN: the DMA read everything we wrote */
		size_t resume = s->base + s->appl;

		s->xruns++;
		dmaengine_terminate_async(s->chan);
		if (resume >= s->in_len) { /* late at the very end: just stop */
			s->end_xrun = true;
			s->done = true;
			pthread_cond_broadcast(&s->cond);
			goto out;
		}
		if (s->ngaps < MAX_GAPS) {
			s->gaps[s->ngaps].in_pos = resume;
			s->gaps[s->ngaps].ahead = s->hw - s->appl;
			s->gaps[s->ngaps].simulated = s->stalled;
			s->ngaps++;
		}
		/* restart right here: no synchronize between (XRUN-safe rule) */
		ret = start_transfer(s, resume, id + 1);
		if (ret) {
			s->error = ret;
			s->done = true;
			pthread_cond_broadcast(&s->cond);
		}
		goto out;
	}
	if (s->hw >= end + s->fifo) {
		/* drained: every input byte was pushed and the FIFO has been
		 * refilled with silence since, so the codec has played them */
		dmaengine_terminate_async(s->chan);
		s->done = true;
		pthread_cond_broadcast(&s->cond);
		goto out;
	}
	if (!s->stalled) {
		while (s->appl + s->period <= s->hw + s->ring_len) {
			if (s->xrun_every && s->base + s->appl < s->in_len &&
			    s->refills && s->refills % s->xrun_every == 0) {
				s->stalled = true; /* late until the XRUN */
				s->simulated++;
				s->refills++;
				break;
			}
			ring_write(s, s->appl, s->appl + s->period, false);
			s->appl += s->period;
			s->refills++;
		}
	}
	/* silence fill of the rest of the free part (read before, not rewritten) */
	if (s->silenced < s->appl)
		s->silenced = s->appl;
	if (s->silenced < s->hw + s->ring_len) {
		ring_write(s, s->silenced, s->hw + s->ring_len, true);
		s->silenced = s->hw + s->ring_len;
	}
out:
	pthread_mutex_unlock(&s->lock);
}

/* ----------------------------------------------------------- verifying */

static size_t common_prefix(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* What the verifier found for one segment of the output. */
struct seg_info {
	size_t out_start; /* where the segment's first input byte is in OUT */
	size_t played;    /* how many of its input bytes follow there */
	size_t junk;      /* bytes played before it that are not input */
	bool junk_silent;
	size_t lost;      /* input bytes missing at its end */
};

static struct seg_info segs[MAX_GAPS + 1];

/*
 * Check @out against the input and the reported gaps (see the top) and
 * print one line per XRUN. Segment k (input bytes between XRUN k and k+1)
 * must appear in order, whole except for at most the codec FIFO at its end;
 * it starts after the previous segment's bytes and a gap of at most what
 * the DMA had read past the data when the XRUN was seen, plus two FIFOs and
 * a period. Where a segment ends is found from where the next one starts
 * (a byte of the next segment may equal the next input byte by chance).
 * Return: the number of output bytes that belong to the stream (the rest is
 * drain silence), or (size_t)-1 when the output is wrong.
 */
static size_t verify(const struct pcm *s, const uint8_t *out, size_t out_len)
{
	size_t o = 0, prev_need = 0;

	for (unsigned long k = 0; k <= s->ngaps; k++) {
		size_t start = k ? s->gaps[k - 1].in_pos : 0;
		size_t end = k < s->ngaps ? s->gaps[k].in_pos : s->in_len;
		size_t seg = end - start, need, p, p_min = 0, p_max = 0, c = 0;
		bool found = false;

		if (end < start) {
			fprintf(stderr, "pcm-playback: gaps out of order\n");
			return (size_t)-1;
		}
		/* a segment may lose at most the FIFO at its end (flushed by
		 * the XRUN's terminate); the last one loses nothing */
		need = (k < s->ngaps || s->end_xrun) ? (seg > s->fifo ? seg - s->fifo : 0) : seg;
		if (k) {
			p_min = segs[k - 1].out_start + prev_need;
			p_max = o + s->gaps[k - 1].ahead + 2 * s->fifo + s->period;
		}
		for (p = p_min; p <= p_max && p <= out_len; p++) {
			size_t avail = out_len - p;

			c = common_prefix(out + p, s->in + start, seg < avail ? seg : avail);
			if (c >= need && (c || !need)) {
				found = true;
				break;
			}
		}
		if (!found) {
			fprintf(stderr, "pcm-playback: output bytes %zu..%zu: input bytes %zu.. "
				"are not there", p_min, p_max, start);
			if (k)
				fprintf(stderr, " (after XRUN %lu, DMA %zu bytes past the data)",
					k, s->gaps[k - 1].ahead);
			fprintf(stderr, "\n");
			return (size_t)-1;
		}
		if (k) {
			struct seg_info *prev = &segs[k - 1];

			if (prev->played > p - prev->out_start)
				prev->played = p - prev->out_start;
			prev->lost = (start - (k > 1 ? s->gaps[k - 2].in_pos : 0)) - prev->played;
			segs[k].junk = p - (prev->out_start + prev->played);
			segs[k].junk_silent = all_zero(out + prev->out_start + prev->played,
						       segs[k].junk);
		} else {
			segs[k].junk = 0;
			segs[k].junk_silent = true;
		}
		segs[k].out_start = p;
		segs[k].played = c;
		segs[k].lost = seg - c;
		prev_need = need;
		o = p + c;
	}
	for (unsigned long k = 1; k <= s->ngaps; k++) {
		const struct gap *g = &s->gaps[k - 1];
		size_t lost = segs[k - 1].lost, junk = segs[k].junk;

		printf("  XRUN %lu at input byte %zu (%.3f s)%s: %zu input bytes lost (codec "
		       "FIFO flushed by the terminate), %zu bytes of %s played%s\n", k,
		       g->in_pos, (double)g->in_pos / (double)s->byte_rate,
		       g->simulated ? " [simulated]" : "", lost, junk,
		       segs[k].junk_silent ? "silence" : "stale data",
		       (lost | junk) % s->block_align ? " (not whole frames)" : "");
	}
	if (s->end_xrun)
		printf("  XRUN at the end of the input: %zu bytes lost\n", segs[s->ngaps].lost);
	else if (!all_zero(out + o, out_len - o)) {
		fprintf(stderr, "pcm-playback: %zu bytes after the last input byte are "
			"not silence\n", out_len - o);
		return (size_t)-1;
	}
	return o;
}

/*
 * Write the verified stream to @path, each segment starting on a frame
 * boundary: a gap that is not a whole number of frames gets silence
 * bytes added, so the channels stay in place after it.
 */
static int write_output(const struct pcm *s, const char *path, unsigned int channels,
			unsigned int rate, const uint8_t *out, size_t stream_len)
{
	size_t ba = s->block_align, len = 0, cap = stream_len + (s->ngaps + 2) * ba;
	uint8_t *buf = calloc(1, cap);
	int ret;

	if (!buf)
		return -1;
	for (unsigned long k = 0; k <= s->ngaps; k++) {
		/* the gap's bytes as played, then silence up to a frame boundary */
		if (k) {
			size_t from = segs[k - 1].out_start + segs[k - 1].played;

			memcpy(buf + len, out + from, segs[k].junk);
			len += segs[k].junk;
		}
		len += (ba - len % ba) % ba;
		memcpy(buf + len, out + segs[k].out_start, segs[k].played);
		len += segs[k].played;
	}
	len += (ba - len % ba) % ba;
	ret = wav_write(path, channels, rate, buf, len);
	if (!ret)
		printf("pcm-playback: %s: %zu bytes written\n", path, len);
	free(buf);
	return ret;
}

/* ---------------------------------------------------------------- main */

struct opts {
	const char *in_path, *out_path;
	unsigned int periods, period_ms, xrun_every;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: pcm-playback IN.wav OUT.wav [--periods N] [--period-ms MS] "
		"[--xrun-every N]\n"
		"       pcm-playback --make-test-wav PATH\n"
		"       pcm-playback --self-test\n"
		"Plays a 16-bit PCM WAV file through cyclic DMA into a simulated codec at\n"
		"the file's rate; OUT.wav gets what the codec played, checked against IN.\n"
		"  --periods N      periods in the DMA ring (2..64, default 4)\n"
		"  --period-ms MS   period length (1..1000 ms, default 10)\n"
		"  --xrun-every N   the application stalls every N periods until an XRUN\n"
		"Needs the cyclic-ring provider (UDMA_PLUGIN_PATH for a build tree).\n");
}

/* strerror() for a request's error; libc does not know EPROBE_DEFER. */
static const char *request_error(long err)
{
	return err == -EPROBE_DEFER ? "DMA device not registered (EPROBE_DEFER)" :
				      strerror((int)-err);
}

static int parse_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi)
		return -1;
	*v = (unsigned int)x;
	return 0;
}

static int play(const struct opts *o)
{
	static struct device pcm_dev = { .init_name = "pcm0" };
	struct udma_periph_config pc;
	struct dma_slave_config cfg;
	struct udma_periph_stats st;
	struct wav w;
	struct timespec dl;
	size_t frames_per_period, stream_len;
	unsigned int width;
	uint64_t wait_ms;
	int ret = 1, rc;

	if (wav_load(o->in_path, &w)) {
		free(w.file);
		return 2;
	}
	memset(&pcm, 0, sizeof(pcm));
	pthread_mutex_init(&pcm.lock, NULL);
	pthread_mutex_init(&pcm.out_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&pcm.cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	pcm.in = w.data;
	pcm.in_len = w.data_len;
	pcm.byte_rate = (uint64_t)w.rate * w.block_align;
	pcm.block_align = w.block_align;
	frames_per_period = (size_t)w.rate * o->period_ms / 1000;
	if (!frames_per_period)
		frames_per_period = 1;
	pcm.period = frames_per_period * w.block_align;
	pcm.ring_len = pcm.period * o->periods;
	pcm.xrun_every = o->xrun_every;
	/* one frame per FIFO word when a frame is 2, 4 or 8 bytes, else one sample */
	width = (w.block_align == 2 || w.block_align == 4 || w.block_align == 8) ?
		w.block_align : 2;
	/* FIFO: 8 ms of audio, at most a period and a quarter of the ring,
	 * whole frames and words */
	pcm.fifo = (size_t)(pcm.byte_rate / 125);
	if (pcm.fifo > pcm.period)
		pcm.fifo = pcm.period;
	if (pcm.fifo > pcm.ring_len / 4) /* see update_hw() */
		pcm.fifo = pcm.ring_len / 4;
	pcm.fifo -= pcm.fifo % ((size_t)w.block_align * width);
	if (pcm.fifo < (size_t)w.block_align * width * 2)
		pcm.fifo = (size_t)w.block_align * width * 2;
	printf("pcm-playback: %s: %u ch, %u Hz, 16-bit, %.3f s (%zu bytes)\n", o->in_path,
	       w.channels, w.rate, (double)w.data_len / (double)pcm.byte_rate, w.data_len);

	/* the channel, by name, through a slave map (kernel: DT "dmas") */
	rc = udma_dma_slave_map_add("pcm0", "playback", "cyclic-ring", NULL);
	if (rc && rc != -EEXIST) {
		fprintf(stderr, "pcm-playback: slave map: %s\n", strerror(-rc));
		goto out_wav;
	}
	pcm.chan = dma_request_chan(&pcm_dev, "playback");
	if (IS_ERR(pcm.chan)) {
		fprintf(stderr, "pcm-playback: dma_request_chan(pcm0, playback): %s%s\n",
			request_error(PTR_ERR(pcm.chan)),
			PTR_ERR(pcm.chan) == -EPROBE_DEFER ?
			"; is the cyclic-ring plugin loaded (UDMA_PLUGIN_PATH)?" : "");
		pcm.chan = NULL;
		goto out_wav;
	}

	memset(&pc, 0, sizeof(pc));
	pc.name = "codec";
	pc.fifo_depth = pcm.fifo;
	pc.width = (enum dma_slave_buswidth)width;
	pc.rate = pcm.byte_rate;
	pcm.codec = udma_periph_create(&pc);
	if (!pcm.codec)
		goto out_chan;
	pcm.ring_dma = 0;
	pcm.out_cap = w.data_len + pcm.ring_len * 4;
	pcm.out = malloc(pcm.out_cap);
	pcm.ring = aligned_alloc(64, (pcm.ring_len + 63) & ~(size_t)63);
	if (!pcm.out || !pcm.ring) {
		fprintf(stderr, "pcm-playback: out of memory\n");
		goto out_periph;
	}
	udma_periph_set_sink(pcm.codec, codec_sink, &pcm);

	memset(&cfg, 0, sizeof(cfg));
	cfg.dst_addr = udma_periph_addr(pcm.codec);
	cfg.dst_addr_width = (enum dma_slave_buswidth)width;
	/* burst: at most half the FIFO, so the DMA refills before it runs dry */
	cfg.dst_maxburst = pcm.fifo / width / 2 < 8 ? (uint32_t)(pcm.fifo / width / 2) : 8;
	if (!cfg.dst_maxburst)
		cfg.dst_maxburst = 1;
	rc = dmaengine_slave_config(pcm.chan, &cfg);
	if (rc) {
		fprintf(stderr, "pcm-playback: dmaengine_slave_config: %s\n", strerror(-rc));
		goto out_periph;
	}
	pcm.ring_dma = dma_map_single(dmaengine_get_dma_device(pcm.chan), pcm.ring,
				      pcm.ring_len, DMA_TO_DEVICE);
	if (dma_mapping_error(dmaengine_get_dma_device(pcm.chan), pcm.ring_dma)) {
		pcm.ring_dma = 0;
		goto out_periph;
	}
	printf("pcm-playback: %s (pcm0/playback), %u periods x %u ms (%zu bytes), "
	       "codec FIFO %zu bytes%s\n", dma_chan_name(pcm.chan), o->periods,
	       o->period_ms, pcm.period, pcm.fifo,
	       o->xrun_every ? ", simulated XRUNs" : "");

	pthread_mutex_lock(&pcm.lock);
	rc = start_transfer(&pcm, 0, 0);
	if (rc) {
		pthread_mutex_unlock(&pcm.lock);
		fprintf(stderr, "pcm-playback: cannot start the cyclic transfer: %s\n",
			strerror(-rc));
		goto out_periph;
	}
	/* wait: the audio's length, plus room for the XRUNs' gaps */
	wait_ms = w.data_len * 1000 / pcm.byte_rate * 3 + 10000;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += (time_t)(wait_ms / 1000);
	while (!pcm.done)
		if (pthread_cond_timedwait(&pcm.cond, &pcm.lock, &dl))
			break;
	if (!pcm.done)
		fprintf(stderr, "pcm-playback: playback did not finish in %llu ms\n",
			(unsigned long long)wait_ms);
	pthread_mutex_unlock(&pcm.lock);
	dmaengine_terminate_sync(pcm.chan); /* ordinary thread: may synchronize */
	udma_periph_get_stats(pcm.codec, &st);

	pthread_mutex_lock(&pcm.lock);
	printf("pcm-playback: %lu periods (%lu callbacks), %lu XRUNs (%lu simulated), "
	       "%llu underruns (%llu bytes)\n", pcm.periods, pcm.callbacks, pcm.xruns,
	       pcm.simulated, (unsigned long long)st.underruns,
	       (unsigned long long)st.underrun_bytes);
	if (!pcm.done || pcm.error || pcm.stale_callbacks || pcm.out_oom ||
	    pcm.ngaps >= MAX_GAPS || pcm.inconsistent) {
		fprintf(stderr, "pcm-playback: failed (error %d, %lu callbacks of stopped "
			"transfers, %lu inconsistent positions%s)\n", pcm.error,
			pcm.stale_callbacks, pcm.inconsistent,
			pcm.out_oom ? ", out of memory" : "");
		pthread_mutex_unlock(&pcm.lock);
		goto out_periph;
	}
	pthread_mutex_lock(&pcm.out_lock);
	stream_len = verify(&pcm, pcm.out, pcm.out_len);
	if (stream_len != (size_t)-1) {
		if (!write_output(&pcm, o->out_path, w.channels, w.rate, pcm.out, stream_len)) {
			printf("pcm-playback: verified: what the codec played equals %s except "
			       "for the %lu XRUN gap(s) reported%s\n", o->in_path, pcm.ngaps,
			       pcm.out_len > stream_len ?
			       " (drain silence after the end not written)" : "");
			ret = 0;
		}
	} else {
		fprintf(stderr, "pcm-playback: what the codec played does NOT match %s\n",
			o->in_path);
		wav_write(o->out_path, w.channels, w.rate, pcm.out,
			  pcm.out_len - pcm.out_len % w.block_align);
	}
	pthread_mutex_unlock(&pcm.out_lock);
	pthread_mutex_unlock(&pcm.lock);
out_periph:
	/* the engine must let go of the ring and the codec before they go */
	dmaengine_terminate_sync(pcm.chan);
	if (pcm.ring_dma)
		dma_unmap_single(dmaengine_get_dma_device(pcm.chan), pcm.ring_dma,
				 pcm.ring_len, DMA_TO_DEVICE);
	udma_periph_destroy(pcm.codec);
out_chan:
	dma_release_channel(pcm.chan);
out_wav:
	udma_dma_slave_map_remove("pcm0", "playback");
	free(pcm.ring);
	free(pcm.out);
	free(w.file);
	pthread_cond_destroy(&pcm.cond);
	pthread_mutex_destroy(&pcm.lock);
	pthread_mutex_destroy(&pcm.out_lock);
	return ret;
}

/* Write a sweep to a temporary file, play it with XRUNs, verify. */
static int self_test(void)
{
	char in[] = "/tmp/pcm-playback-in-XXXXXX", out[] = "/tmp/pcm-playback-out-XXXXXX";
	struct opts o = { in, out, 4, 10, 20 };
	int fd, ret;

	fd = mkstemp(in);
	if (fd < 0)
		return 1;
	close(fd);
	fd = mkstemp(out);
	if (fd < 0) {
		unlink(in);
		return 1;
	}
	close(fd);
	ret = make_test_wav(in) ? 1 : play(&o);
	if (!ret && (!pcm.simulated || pcm.xruns < pcm.simulated)) {
		fprintf(stderr, "pcm-playback: self-test: %lu simulated stalls, %lu XRUNs "
			"detected\n", pcm.simulated, pcm.xruns);
		ret = 1;
	}
	unlink(in);
	unlink(out);
	printf("pcm-playback: self-test %s\n", ret ? "FAILED" : "passed");
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = { NULL, NULL, 4, 10, 0 };
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--self-test") && argc == 2) {
			return self_test();
		} else if (!strcmp(a, "--make-test-wav") && argc == 3 && i == 1) {
			return make_test_wav(argv[2]) ? 1 : 0;
		} else if (!strcmp(a, "--periods") && i + 1 < argc) {
			if (parse_uint(argv[++i], 2, 64, &o.periods))
				goto bad;
		} else if (!strcmp(a, "--period-ms") && i + 1 < argc) {
			if (parse_uint(argv[++i], 1, 1000, &o.period_ms))
				goto bad;
		} else if (!strcmp(a, "--xrun-every") && i + 1 < argc) {
			if (parse_uint(argv[++i], 1, 1000000, &o.xrun_every))
				goto bad;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			return 0;
		} else if (a[0] != '-' && npos < 2) {
			if (npos++ == 0)
				o.in_path = a;
			else
				o.out_path = a;
		} else {
			goto bad;
		}
	}
	if (npos != 2)
		goto bad;
	return play(&o);
bad:
	usage();
	return 2;
}
