/* SPDX-License-Identifier: MIT */
/*
 * capture.c - ALSA-style capture through cyclic DEV_TO_MEM DMA from a
 * simulated ADC, verified sample for sample.
 *
 *   capture [--seconds S] [--rate HZ] [--periods N] [--period-ms MS] [--out FILE.wav]
 *
 * The ADC (<udmaengine/periph.h>) is a stereo 16-bit converter clocked at
 * rate x 4 bytes/s. Its source callback produces a known signal: the left
 * channel a 1 kHz sine (from a table, so it is exact), the right channel a
 * 16-bit frame counter. A cyclic DEV_TO_MEM transfer fills a ring of N
 * periods; each period callback computes the hardware pointer from the
 * residue and copies the periods the DMA has filled since the last callback
 * out of the ring (the application pointer follows). Because the counter
 * numbers every frame, the check at the end proves that no frame was lost,
 * repeated or reordered, and the sine proves the bytes are intact.
 *
 * A late callback is detected, not hidden: if the DMA has come round to the
 * region being copied (the application fell a whole ring behind), the
 * capture counts an XRUN and the verification fails.
 *
 * Exit status: 0 when the captured stream equals the ADC's signal and the
 * ADC reported no overrun; 1 otherwise; 2 for usage errors.
 *
 * Threads: main (setup, wait, verify), the completion thread (period
 * callbacks), the provider's engine thread (ADC source). The callback's
 * state is under cap.lock.
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

#include <udmaengine/dmaengine.h>
#include <udmaengine/periph.h>

#define FRAME 4 /* bytes: left and right 16-bit samples */

struct capture {
	struct dma_chan *chan;
	dma_cookie_t cookie;
	uint8_t *ring;
	size_t ring_len, period;

	/* ADC side: engine thread only */
	uint64_t adc_pos; /* bytes produced */

	pthread_mutex_t lock; /* below */
	pthread_cond_t cond;
	uint8_t *out;     /* captured stream */
	size_t out_len, out_cap;
	size_t appl;      /* ring position copied up to */
	unsigned long callbacks, periods, xruns;
	bool done;
};

static struct capture cap;
static int16_t sine_table[48]; /* one 1 kHz cycle at 48 kHz; scaled to the rate */
static unsigned int sine_len;

/* Byte @b of the ADC's stream. */
static uint8_t adc_byte(uint64_t b)
{
	uint64_t n = b / FRAME;
	uint16_t v;

	if ((b % FRAME) < 2)
		v = (uint16_t)sine_table[n % sine_len];
	else
		v = (uint16_t)n;
	return (b & 1) ? (uint8_t)(v >> 8) : (uint8_t)v;
}

/* ADC source: the device produces @len bytes (engine thread). */
static size_t adc_source(void *ctx, void *data, size_t len)
{
	struct capture *c = ctx;
	uint8_t *d = data;

	for (size_t i = 0; i < len; i++)
		d[i] = adc_byte(c->adc_pos++);
	return len;
}

/*
 * Period callback (completion thread): copy what the DMA filled since the
 * last one. The residue in @r is the position when the callback was
 * committed, always on a period boundary.
 */
static void period_cb(void *param, const struct dmaengine_result *r)
{
	struct capture *c = param;
	struct dma_tx_state st = { 0, 0, 0, 0 };
	size_t hw, n, start;

	pthread_mutex_lock(&c->lock);
	c->callbacks++;
	if (c->done)
		goto out;
	hw = r->residue >= c->ring_len ? 0 : c->ring_len - r->residue;
	n = (hw + c->ring_len - c->appl) % c->ring_len;
	if (!n)
		n = c->ring_len; /* a whole ring since the last callback */
	start = c->appl;
	if (c->out_len + n > c->out_cap) {
		c->done = true; /* enough */
		pthread_cond_broadcast(&c->cond);
		goto out;
	}
	for (size_t done = 0; done < n;) {
		size_t pos = (start + done) % c->ring_len;
		size_t chunk = c->ring_len - pos < n - done ? c->ring_len - pos : n - done;

		memcpy(c->out + c->out_len, c->ring + pos, chunk);
		c->out_len += chunk;
		done += chunk;
	}
	c->appl = hw;
	c->periods += n / c->period;
	/* was any of it overwritten while we copied? The DMA writes at the
	 * current position; it must not have passed start + ring since. */
	dmaengine_tx_status(c->chan, c->cookie, &st);
	{
		size_t now = st.residue >= c->ring_len ? 0 : c->ring_len - st.residue;
		size_t ahead = (now + c->ring_len - hw) % c->ring_len; /* past hw */

		if (n == c->ring_len || ahead + n > c->ring_len)
			c->xruns++;
	}
out:
	pthread_mutex_unlock(&c->lock);
}

static int wav_write(const char *path, unsigned int rate, const uint8_t *data, size_t len)
{
	uint8_t h[44] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0";
	uint32_t v[] = { (uint32_t)(36 + len), rate, rate * FRAME, (uint32_t)len };
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f) {
		fprintf(stderr, "capture: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		static const int at[] = { 4, 24, 28, 40 };

		for (int j = 0; j < 4; j++)
			h[at[i] + j] = (uint8_t)(v[i] >> (8 * j));
	}
	h[32] = FRAME;
	h[34] = 16;
	memcpy(h + 36, "data", 4);
	ok = fwrite(h, 1, sizeof(h), f) == sizeof(h) && fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok)
		fprintf(stderr, "capture: %s: write error\n", path);
	return ok ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: capture [--seconds S] [--rate HZ] [--periods N] [--period-ms MS] "
		"[--out FILE.wav]\n"
		"Captures a known signal (1 kHz sine left, frame counter right) from a\n"
		"simulated stereo 16-bit ADC through cyclic DMA and verifies every frame.\n"
		"  --seconds S     capture length (1..60, default 2)\n"
		"  --rate HZ       sample rate (8000..192000, default 48000)\n"
		"  --periods N     periods in the DMA ring (2..64, default 4)\n"
		"  --period-ms MS  period length (1..1000, default 10)\n"
		"  --out FILE.wav  also write what was captured\n"
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

int main(int argc, char **argv)
{
	static struct device adc_dev = { .init_name = "adc0" };
	unsigned int seconds = 2, rate = 48000, periods = 4, period_ms = 10;
	const char *out_path = NULL;
	struct udma_periph_config pc;
	struct udma_periph_stats st;
	struct dma_slave_config cfg;
	struct dma_async_tx_descriptor *tx;
	struct udma_periph *adc = NULL;
	struct timespec dl;
	pthread_condattr_t ca;
	dma_addr_t ring_dma = 0;
	size_t frames, bad_at = (size_t)-1, fifo;
	int ret = 1, rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (!strcmp(a, "--seconds") && more) {
			if (parse_uint(argv[++i], 1, 60, &seconds))
				goto bad;
		} else if (!strcmp(a, "--rate") && more) {
			if (parse_uint(argv[++i], 8000, 192000, &rate))
				goto bad;
		} else if (!strcmp(a, "--periods") && more) {
			if (parse_uint(argv[++i], 2, 64, &periods))
				goto bad;
		} else if (!strcmp(a, "--period-ms") && more) {
			if (parse_uint(argv[++i], 1, 1000, &period_ms))
				goto bad;
		} else if (!strcmp(a, "--out") && more) {
			out_path = argv[++i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			return 0;
		} else {
			goto bad;
		}
	}

	/* the 1 kHz sine at this rate, as exact 16-bit values */
	sine_len = rate / 1000 < sizeof(sine_table) / sizeof(sine_table[0]) ?
		   rate / 1000 : (unsigned int)(sizeof(sine_table) / sizeof(sine_table[0]));
	for (unsigned int i = 0; i < sine_len; i++)
		sine_table[i] = (int16_t)lrint(16000.0 * sin(2.0 * M_PI * i / sine_len));

	memset(&cap, 0, sizeof(cap));
	pthread_mutex_init(&cap.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cap.cond, &ca);
	pthread_condattr_destroy(&ca);
	frames = (size_t)rate * period_ms / 1000;
	cap.period = (frames ? frames : 1) * FRAME;
	cap.ring_len = cap.period * periods;
	cap.out_cap = (size_t)rate * FRAME * seconds;
	cap.out = malloc(cap.out_cap);
	cap.ring = aligned_alloc(64, (cap.ring_len + 63) & ~(size_t)63);
	if (!cap.out || !cap.ring) {
		fprintf(stderr, "capture: out of memory\n");
		goto out_free;
	}

	rc = udma_dma_slave_map_add("adc0", "rx", "cyclic-ring", NULL);
	if (rc && rc != -EEXIST) {
		fprintf(stderr, "capture: slave map: %s\n", strerror(-rc));
		goto out_free;
	}
	cap.chan = dma_request_chan(&adc_dev, "rx");
	if (IS_ERR(cap.chan)) {
		fprintf(stderr, "capture: dma_request_chan(adc0, rx): %s%s\n",
			request_error(PTR_ERR(cap.chan)),
			PTR_ERR(cap.chan) == -EPROBE_DEFER ?
			"; is the cyclic-ring plugin loaded (UDMA_PLUGIN_PATH)?" : "");
		cap.chan = NULL;
		goto out_map;
	}

	/* the ADC: FIFO of 64 ms of frames (it absorbs the engine thread's
	 * scheduling latency, which reaches several ms on a loaded VM or under
	 * sanitizers), the DMA burst at most half of it */
	fifo = (size_t)rate * FRAME / 16;
	fifo -= fifo % FRAME;
	memset(&pc, 0, sizeof(pc));
	pc.name = "adc";
	pc.fifo_depth = fifo;
	pc.width = DMA_SLAVE_BUSWIDTH_4_BYTES;
	pc.rate = (uint64_t)rate * FRAME;
	adc = udma_periph_create(&pc);
	if (!adc)
		goto out_chan;
	udma_periph_set_source(adc, adc_source, &cap);

	memset(&cfg, 0, sizeof(cfg));
	cfg.src_addr = udma_periph_addr(adc);
	cfg.src_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES;
	cfg.src_maxburst = fifo / FRAME / 2 < 8 ? (uint32_t)(fifo / FRAME / 2) : 8;
	rc = dmaengine_slave_config(cap.chan, &cfg);
	if (rc) {
		fprintf(stderr, "capture: dmaengine_slave_config: %s\n", strerror(-rc));
		goto out_chan;
	}
	ring_dma = dma_map_single(dmaengine_get_dma_device(cap.chan), cap.ring, cap.ring_len,
				  DMA_FROM_DEVICE);
	if (dma_mapping_error(dmaengine_get_dma_device(cap.chan), ring_dma)) {
		ring_dma = 0;
		goto out_chan;
	}
	tx = dmaengine_prep_dma_cyclic(cap.chan, ring_dma, cap.ring_len, cap.period,
				       DMA_DEV_TO_MEM, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx) {
		fprintf(stderr, "capture: cannot prepare the cyclic transfer\n");
		goto out_chan;
	}
	tx->callback_result = period_cb;
	tx->callback_param = &cap;
	printf("capture: %s (adc0/rx), %u Hz stereo 16-bit, %u periods x %u ms, %u s\n",
	       dma_chan_name(cap.chan), rate, periods, period_ms, seconds);
	pthread_mutex_lock(&cap.lock);
	cap.cookie = dmaengine_submit(tx);
	if (cap.cookie < 0) {
		pthread_mutex_unlock(&cap.lock);
		goto out_chan;
	}
	dma_async_issue_pending(cap.chan);

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += (time_t)seconds * 3 + 10;
	while (!cap.done)
		if (pthread_cond_timedwait(&cap.cond, &cap.lock, &dl))
			break;
	pthread_mutex_unlock(&cap.lock);
	dmaengine_terminate_sync(cap.chan);
	udma_periph_get_stats(adc, &st);

	pthread_mutex_lock(&cap.lock);
	for (size_t i = 0; i < cap.out_len; i++) {
		if (cap.out[i] != adc_byte(i)) {
			bad_at = i;
			break;
		}
	}
	printf("capture: %zu frames in %lu periods (%lu callbacks), %lu XRUNs, ADC "
	       "overruns %llu\n", cap.out_len / FRAME, cap.periods, cap.callbacks, cap.xruns,
	       (unsigned long long)st.overruns);
	if (!cap.done)
		fprintf(stderr, "capture: did not finish in time\n");
	else if (bad_at != (size_t)-1)
		fprintf(stderr, "capture: frame %zu differs from what the ADC produced "
			"(byte %zu)\n", bad_at / FRAME, bad_at);
	else if (cap.xruns || st.overruns)
		fprintf(stderr, "capture: data was lost\n");
	else {
		printf("capture: verified: every frame equals the ADC's signal (sine + "
		       "counter, frames 0..%zu)\n", cap.out_len / FRAME - 1);
		ret = 0;
	}
	if (out_path && wav_write(out_path, rate, cap.out, cap.out_len))
		ret = 1;
	pthread_mutex_unlock(&cap.lock);
out_chan:
	dmaengine_terminate_sync(cap.chan);
	if (ring_dma)
		dma_unmap_single(dmaengine_get_dma_device(cap.chan), ring_dma, cap.ring_len,
				 DMA_FROM_DEVICE);
	udma_periph_destroy(adc);
	dma_release_channel(cap.chan);
out_map:
	udma_dma_slave_map_remove("adc0", "rx");
out_free:
	free(cap.ring);
	free(cap.out);
	pthread_cond_destroy(&cap.cond);
	pthread_mutex_destroy(&cap.lock);
	return ret;
bad:
	usage();
	return 2;
}
