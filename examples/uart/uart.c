/* SPDX-License-Identifier: MIT */
/*
 * uart.c - a UART-like link over slave_sg DMA: TX on one channel, RX on the
 * other, through two simulated peripherals joined by a wire.
 *
 *   uart [--baud N] [FILE]
 *
 * Sends FILE (or a built-in text) the way a serial driver does: the message
 * is cut into scatterlist entries (one per line, or equal pieces when there
 * are more than 64) and sent with one dmaengine_prep_slave_sg(DMA_MEM_TO_DEV)
 * to the "uart0-tx" peripheral, clocked at baud / 10 bytes per second (8N1).
 * What its device side transmits (the sink) goes down the wire into the
 * receive queue of "uart0-rx" (udma_periph_write), whose device side
 * produces it at the same clock; a dmaengine_prep_slave_sg(DMA_DEV_TO_MEM)
 * into three differently sized buffers receives it. Both channels are
 * requested by name (udma_dma_slave_map_add + dma_request_chan).
 *
 * The receiver is started once the wire holds 100 ms of data (or the whole
 * message): the simulated RX device, like a real one without flow control,
 * samples the line at its clock whether or not a byte is there, and the
 * margin covers the scheduling latency of the simulated transmitter.
 *
 * Exit status: 0 when the received bytes equal the message, 1 otherwise,
 * 2 for usage errors.
 *
 * Threads: main; the TX engine thread (sink -> wire); the completion
 * threads of both channels (one callback each).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <udmaengine/dmaengine.h>
#include <udmaengine/periph.h>

#define MAX_ENTRIES 64  /* cyclic-ring takes up to 64 scatterlist entries */
#define MAX_MESSAGE (1u << 20)
#define FIFO 4096       /* bytes; absorbs the simulated engines' latency */

static struct udma_periph *rx_dev;
static atomic_size_t wire_bytes;   /* moved TX -> RX */
static atomic_size_t wire_dropped; /* did not fit the RX queue */

struct done {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int count;
	uint32_t residue[2];
	int result[2];
};

static struct done done = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* TX device side: what the UART shifted out goes down the wire. */
static void tx_sink(void *ctx, const void *data, size_t len)
{
	size_t n = udma_periph_write(rx_dev, data, len);

	(void)ctx;
	atomic_fetch_add(&wire_bytes, n);
	if (n < len)
		atomic_fetch_add(&wire_dropped, len - n);
}

/* Completion callback of either transfer; @param is 0 (TX) or 1 (RX). */
static void xfer_done(void *param, const struct dmaengine_result *r)
{
	int which = (int)(intptr_t)param;

	pthread_mutex_lock(&done.lock);
	done.residue[which] = r->residue;
	done.result[which] = (int)r->result;
	done.count++;
	pthread_cond_broadcast(&done.cond);
	pthread_mutex_unlock(&done.lock);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { 0, (long)us * 1000L };

	nanosleep(&ts, NULL);
}

static size_t load_message(const char *path, char **msg)
{
	size_t len = 0;
	char *m = malloc(MAX_MESSAGE);

	if (!m)
		return 0;
	if (path) {
		FILE *f = fopen(path, "rb");

		if (!f) {
			fprintf(stderr, "uart: %s: %s\n", path, strerror(errno));
			free(m);
			return 0;
		}
		len = fread(m, 1, MAX_MESSAGE, f);
		if (!feof(f)) {
			fprintf(stderr, "uart: %s: longer than %u bytes\n", path, MAX_MESSAGE);
			len = 0;
		}
		fclose(f);
		if (!len)
			fprintf(stderr, "uart: %s: nothing to send\n", path);
	} else {
		for (int i = 1; i <= 60; i++)
			len += (size_t)snprintf(m + len, MAX_MESSAGE - len,
						"line %02d: the quick brown fox jumps over the "
						"lazy dog 0123456789\n", i);
	}
	if (!len) {
		free(m);
		return 0;
	}
	*msg = m;
	return len;
}

/* Cut @len bytes into at most MAX_ENTRIES pieces: lines, or equal chunks. */
static unsigned int cut(const char *m, size_t len, size_t *off, size_t *size)
{
	unsigned int n = 0;
	size_t start = 0, chunk;

	for (size_t i = 0; i < len && n <= MAX_ENTRIES; i++) {
		if (m[i] == '\n' || i + 1 == len) {
			if (n < MAX_ENTRIES) {
				off[n] = start;
				size[n] = i + 1 - start;
			}
			n++;
			start = i + 1;
		}
	}
	if (n <= MAX_ENTRIES)
		return n;
	chunk = (len + MAX_ENTRIES - 1) / MAX_ENTRIES;
	for (n = 0, start = 0; start < len; n++, start += chunk) {
		off[n] = start;
		size[n] = len - start < chunk ? len - start : chunk;
	}
	return n;
}

static struct udma_periph *make_uart(const char *name, uint64_t rate, size_t queue)
{
	struct udma_periph_config pc;

	memset(&pc, 0, sizeof(pc));
	pc.name = name;
	pc.fifo_depth = FIFO;
	pc.width = DMA_SLAVE_BUSWIDTH_1_BYTE;
	pc.rate = rate;
	pc.capture_size = queue;
	return udma_periph_create(&pc);
}

/* strerror() for a request's error; libc does not know EPROBE_DEFER. */
static const char *request_error(long err)
{
	return err == -EPROBE_DEFER ? "DMA device not registered (EPROBE_DEFER)" :
				      strerror((int)-err);
}

static int parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return (errno || end == s || *end || *v < lo || *v > hi) ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: uart [--baud N] [FILE]\n"
		"Sends FILE (default: a built-in text, at most 1 MiB) over a simulated\n"
		"UART link: slave_sg TX on one DMA channel, slave_sg RX on the other,\n"
		"and checks that what was received is what was sent.\n"
		"  --baud N   line rate, 8N1 (1200..12000000, default 921600)\n"
		"Needs the cyclic-ring provider (UDMA_PLUGIN_PATH for a build tree).\n");
}

int main(int argc, char **argv)
{
	static struct device uart0 = { .init_name = "uart0" };
	static size_t off[MAX_ENTRIES], size[MAX_ENTRIES];
	unsigned long baud = 921600;
	const char *path = NULL;
	struct dma_chan *tx_chan = NULL, *rx_chan = NULL;
	struct udma_periph *tx_dev = NULL;
	struct scatterlist tx_sg[MAX_ENTRIES], rx_sg[3];
	struct dma_async_tx_descriptor *txd, *rxd;
	struct dma_slave_config cfg;
	struct udma_periph_stats tst, rst;
	struct timespec dl;
	char *msg = NULL, *rx_buf = NULL;
	size_t len, rx_size[3], margin;
	unsigned int nents, rx_nents = 0;
	uint64_t rate, t0, t1;
	bool tx_mapped = false, rx_mapped = false;
	int ret = 1, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--baud") && i + 1 < argc) {
			if (parse_ulong(argv[++i], 1200, 12000000, &baud)) {
				usage();
				return 2;
			}
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			return 0;
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			usage();
			return 2;
		}
	}
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&done.cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	len = load_message(path, &msg);
	if (!len)
		return 2;
	rate = baud / 10; /* 8N1: ten bit times per byte */
	nents = cut(msg, len, off, size);
	rx_buf = calloc(1, len);
	if (!rx_buf)
		goto out;

	if (udma_dma_slave_map_add("uart0", "tx", "cyclic-ring", NULL) ||
	    udma_dma_slave_map_add("uart0", "rx", "cyclic-ring", NULL))
		goto out_map;
	tx_chan = dma_request_chan(&uart0, "tx");
	rx_chan = dma_request_chan(&uart0, "rx");
	if (IS_ERR(tx_chan) || IS_ERR(rx_chan)) {
		long err = IS_ERR(tx_chan) ? PTR_ERR(tx_chan) : PTR_ERR(rx_chan);

		fprintf(stderr, "uart: dma_request_chan(uart0, %s): %s%s\n",
			IS_ERR(tx_chan) ? "tx" : "rx", request_error(err),
			err == -EPROBE_DEFER ?
			"; is the cyclic-ring plugin loaded (UDMA_PLUGIN_PATH)?" : "");
		goto out_chan;
	}
	tx_dev = make_uart("uart0-tx", rate, 0);
	rx_dev = make_uart("uart0-rx", rate, len + FIFO);
	if (!tx_dev || !rx_dev)
		goto out_chan;
	udma_periph_set_sink(tx_dev, tx_sink, NULL);

	memset(&cfg, 0, sizeof(cfg));
	cfg.dst_addr = udma_periph_addr(tx_dev);
	cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_1_BYTE;
	cfg.dst_maxburst = 16;
	cfg.src_addr = udma_periph_addr(rx_dev);
	cfg.src_addr_width = DMA_SLAVE_BUSWIDTH_1_BYTE;
	cfg.src_maxburst = 16;
	if ((rc = dmaengine_slave_config(tx_chan, &cfg)) ||
	    (rc = dmaengine_slave_config(rx_chan, &cfg))) {
		fprintf(stderr, "uart: dmaengine_slave_config: %s\n", strerror(-rc));
		goto out_chan;
	}

	/* TX: one scatterlist entry per line */
	sg_init_table(tx_sg, nents);
	for (unsigned int i = 0; i < nents; i++)
		sg_set_buf(&tx_sg[i], msg + off[i], (unsigned int)size[i]);
	if (dma_map_sg(dmaengine_get_dma_device(tx_chan), tx_sg, (int)nents,
		       DMA_TO_DEVICE) != (int)nents)
		goto out_chan;
	tx_mapped = true;
	/* RX: three buffers of different sizes over one receive buffer */
	rx_size[0] = len / 4;
	rx_size[1] = len / 2;
	rx_size[2] = len - rx_size[0] - rx_size[1];
	sg_init_table(rx_sg, 3);
	for (size_t i = 0, at = 0; i < 3; at += rx_size[i], i++) {
		if (!rx_size[i])
			continue;
		sg_set_buf(&rx_sg[rx_nents++], rx_buf + at, (unsigned int)rx_size[i]);
	}
	sg_mark_end(&rx_sg[rx_nents - 1]);
	if (dma_map_sg(dmaengine_get_dma_device(rx_chan), rx_sg, (int)rx_nents,
		       DMA_FROM_DEVICE) != (int)rx_nents)
		goto out_chan;
	rx_mapped = true;

	txd = dmaengine_prep_slave_sg(tx_chan, tx_sg, nents, DMA_MEM_TO_DEV,
				      DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	rxd = dmaengine_prep_slave_sg(rx_chan, rx_sg, rx_nents, DMA_DEV_TO_MEM,
				      DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!txd || !rxd) {
		fprintf(stderr, "uart: cannot prepare the transfers\n");
		goto out_chan;
	}
	txd->callback_result = xfer_done;
	txd->callback_param = (void *)(intptr_t)0;
	rxd->callback_result = xfer_done;
	rxd->callback_param = (void *)(intptr_t)1;
	printf("uart: %zu bytes in %u TX entries (%s) at %lu baud 8N1, RX into %u "
	       "buffers; TX %s, RX %s\n", len, nents, path ? path : "built-in text", baud,
	       rx_nents, dma_chan_name(tx_chan), dma_chan_name(rx_chan));

	t0 = now_ns();
	if (dmaengine_submit(txd) < 0)
		goto out_chan;
	dma_async_issue_pending(tx_chan);
	/* start the receiver once the line holds 100 ms of data */
	margin = rate / 10 < len ? (size_t)(rate / 10) : len;
	while (atomic_load(&wire_bytes) < margin && now_ns() - t0 < 10000000000ull)
		sleep_us(200);
	if (dmaengine_submit(rxd) < 0)
		goto out_chan;
	dma_async_issue_pending(rx_chan);

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += (time_t)(len / rate) * 3 + 10;
	pthread_mutex_lock(&done.lock);
	while (done.count < 2)
		if (pthread_cond_timedwait(&done.cond, &done.lock, &dl))
			break;
	pthread_mutex_unlock(&done.lock);
	t1 = now_ns();
	dmaengine_terminate_sync(tx_chan);
	dmaengine_terminate_sync(rx_chan);
	dma_unmap_sg(dmaengine_get_dma_device(rx_chan), rx_sg, (int)rx_nents, DMA_FROM_DEVICE);
	rx_mapped = false;
	udma_periph_get_stats(tx_dev, &tst);
	udma_periph_get_stats(rx_dev, &rst);

	pthread_mutex_lock(&done.lock);
	printf("uart: %.1f ms; TX sent %llu bytes, wire %zu (%zu dropped), RX sampled %llu "
	       "bytes (the line idles after the message); RX overruns %llu\n", (double)(t1 - t0) / 1e6,
	       (unsigned long long)tst.bytes_to_device, atomic_load(&wire_bytes),
	       atomic_load(&wire_dropped), (unsigned long long)rst.bytes_from_device,
	       (unsigned long long)rst.overruns);
	if (done.count < 2) {
		fprintf(stderr, "uart: %s did not complete\n", done.count ? "a transfer" :
			"the transfers");
	} else if (done.residue[0] || done.residue[1] || done.result[0] || done.result[1]) {
		fprintf(stderr, "uart: transfers ended with residue %u/%u\n", done.residue[0],
			done.residue[1]);
	} else if (memcmp(rx_buf, msg, len)) {
		size_t i = 0;

		while (rx_buf[i] == msg[i])
			i++;
		fprintf(stderr, "uart: received byte %zu is 0x%02x, sent 0x%02x%s\n", i,
			(unsigned char)rx_buf[i], (unsigned char)msg[i],
			rst.overruns ? " (RX overrun)" : "");
	} else {
		printf("uart: verified: the %zu bytes received equal the %zu sent\n", len, len);
		ret = 0;
	}
	pthread_mutex_unlock(&done.lock);
out_chan:
	if (!IS_ERR_OR_NULL(tx_chan)) {
		dmaengine_terminate_sync(tx_chan);
		if (tx_mapped)
			dma_unmap_sg(dmaengine_get_dma_device(tx_chan), tx_sg, (int)nents,
				     DMA_TO_DEVICE);
		dma_release_channel(tx_chan);
	}
	if (!IS_ERR_OR_NULL(rx_chan)) {
		dmaengine_terminate_sync(rx_chan);
		if (rx_mapped)
			dma_unmap_sg(dmaengine_get_dma_device(rx_chan), rx_sg, (int)rx_nents,
				     DMA_FROM_DEVICE);
		dma_release_channel(rx_chan);
	}
	udma_periph_destroy(tx_dev);
	udma_periph_destroy(rx_dev);
out_map:
	udma_dma_slave_map_remove("uart0", "tx");
	udma_dma_slave_map_remove("uart0", "rx");
out:
	free(rx_buf);
	free(msg);
	return ret;
}
