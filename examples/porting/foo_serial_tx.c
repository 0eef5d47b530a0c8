// SPDX-License-Identifier: MIT
/*
 * foo_serial_tx.c - the userspace port of kernel/foo_serial_tx.c, the TX
 * path of a made-up "foo" serial port (doc/porting.md shows the diff).
 * The dmaengine calls are unchanged; what changed is around them: includes,
 * the struct device, where the FIFO address comes from, a completion shim,
 * allocation, and main() in place of the platform driver. The port's TX
 * FIFO is a simulated peripheral served by the cyclic-ring provider; the
 * channel is found by name through a slave map, as a board file would map
 * it. main() sends three messages and checks that the device side received
 * exactly those bytes. Exit status 0 on success.
 *
 * Threads: main; the channel's completion thread runs foo_tx_complete; the
 * provider's engine thread runs the peripheral's sink (fifo_sink).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <udmaengine/dmaengine.h>
#include <udmaengine/periph.h>
#include "foo_kcompat.h"

#define FOO_BUF_SIZE	4096

struct foo_port {
	struct device *dev;
	struct dma_chan *tx_chan;
	phys_addr_t fifo_addr;
	struct completion tx_done;
	int tx_result;
	char *buf;
};

/* Completion callback: the transfer is over (done or failed). */
static void foo_tx_complete(void *param, const struct dmaengine_result *res)
{
	struct foo_port *port = param;

	port->tx_result = res->result == DMA_TRANS_NOERROR ? 0 : -EIO;
	complete(&port->tx_done);
}

/* Send @len bytes of @data and wait for the DMA to have pushed them. */
static int foo_tx(struct foo_port *port, const void *data, size_t len)
{
	struct device *dma_dev = dmaengine_get_dma_device(port->tx_chan);
	struct dma_async_tx_descriptor *desc;
	dma_addr_t addr;
	int ret = 0;

	if (len > FOO_BUF_SIZE)
		return -EINVAL;
	memcpy(port->buf, data, len);
	addr = dma_map_single(dma_dev, port->buf, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dma_dev, addr))
		return -ENOMEM;
	desc = dmaengine_prep_slave_single(port->tx_chan, addr, len, DMA_MEM_TO_DEV,
					   DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!desc) {
		ret = -EBUSY;
		goto unmap;
	}
	desc->callback_result = foo_tx_complete;
	desc->callback_param = port;
	reinit_completion(&port->tx_done);
	if (dma_submit_error(dmaengine_submit(desc))) {
		ret = -EIO;
		goto unmap;
	}
	dma_async_issue_pending(port->tx_chan);
	if (!wait_for_completion_timeout(&port->tx_done, msecs_to_jiffies(1000))) {
		dev_err(port->dev, "tx timed out\n");
		dmaengine_terminate_sync(port->tx_chan);
		ret = -ETIMEDOUT;
	} else {
		ret = port->tx_result;
	}
unmap:
	dma_unmap_single(dma_dev, addr, len, DMA_TO_DEVICE);
	return ret;
}

static int foo_probe(struct device *dev, struct udma_periph *fifo)
{
	struct dma_slave_config cfg = { 0 };
	struct foo_port *port;
	int ret;

	port = calloc(1, sizeof(*port));
	if (!port)
		return -ENOMEM;
	port->buf = malloc(FOO_BUF_SIZE);
	if (!port->buf) {
		free(port);
		return -ENOMEM;
	}
	port->dev = dev;
	init_completion(&port->tx_done);

	port->fifo_addr = udma_periph_addr(fifo);

	port->tx_chan = dma_request_chan(dev, "tx");
	if (IS_ERR(port->tx_chan)) {
		ret = (int)PTR_ERR(port->tx_chan);
		dev_err(dev, "no tx channel: %s\n", strerror(-ret));
		goto err_free;
	}

	cfg.direction = DMA_MEM_TO_DEV;
	cfg.dst_addr = port->fifo_addr;
	cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_1_BYTE;
	cfg.dst_maxburst = 8;
	ret = dmaengine_slave_config(port->tx_chan, &cfg);
	if (ret) {
		dma_release_channel(port->tx_chan);
		goto err_free;
	}
	dev->driver_data = port;
	return 0;
err_free:
	free(port->buf);
	free(port);
	return ret;
}

static void foo_remove(struct device *dev)
{
	struct foo_port *port = dev->driver_data;

	dmaengine_terminate_sync(port->tx_chan);
	dma_release_channel(port->tx_chan);
	free(port->buf);
	free(port);
	dev->driver_data = NULL;
}

/* ---- in place of the platform driver: the "board" and a test ---- */

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static char rx[3 * FOO_BUF_SIZE];
static size_t rx_len;

/* The device side of the FIFO: what the port shifted out. Engine thread. */
static void fifo_sink(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	pthread_mutex_lock(&rx_lock);
	if (len > sizeof(rx) - rx_len)
		len = sizeof(rx) - rx_len;
	memcpy(rx + rx_len, data, len);
	rx_len += len;
	pthread_mutex_unlock(&rx_lock);
}

static size_t received(void)
{
	size_t n;

	pthread_mutex_lock(&rx_lock);
	n = rx_len;
	pthread_mutex_unlock(&rx_lock);
	return n;
}

int main(void)
{
	static struct device foo_dev = { .init_name = "foo-serial.0" };
	const struct udma_periph_config fifo_cfg = {
		.name = "foo-tx-fifo", .fifo_depth = 64,
		.width = DMA_SLAVE_BUSWIDTH_1_BYTE, .rate = 1000000, /* bytes/s */
	};
	static char msg[3][FOO_BUF_SIZE];
	size_t len[3] = { 6, 1000, FOO_BUF_SIZE }, sent = 0;
	struct udma_periph *fifo;
	struct timespec t0, now;
	int ret;

	/* the board file: which DMA device serves foo-serial.0's "tx" */
	ret = udma_dma_slave_map_add("foo-serial.0", "tx", "cyclic-ring", NULL);
	if (ret && ret != -EEXIST)
		return 1;
	fifo = udma_periph_create(&fifo_cfg);
	if (!fifo)
		return 1;
	udma_periph_set_sink(fifo, fifo_sink, NULL);

	ret = foo_probe(&foo_dev, fifo);
	if (ret) {
		udma_periph_destroy(fifo);
		return 1;
	}
	memcpy(msg[0], "hello\n", 6);
	for (size_t i = 1; i < 3; i++)
		for (size_t k = 0; k < len[i]; k++)
			msg[i][k] = (char)('a' + (i * 7 + k) % 26);
	for (size_t i = 0; i < 3 && !ret; i++) {
		ret = foo_tx(foo_dev.driver_data, msg[i], len[i]);
		sent += len[i];
	}
	/* the device plays out its FIFO after the DMA is done: wait for it */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!ret && received() < sent) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 5)
			break;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	foo_remove(&foo_dev);
	udma_periph_destroy(fifo);
	if (ret) {
		fprintf(stderr, "foo_tx: %s\n", strerror(-ret));
		return 1;
	}
	if (rx_len != sent || memcmp(rx, msg[0], len[0]) ||
	    memcmp(rx + len[0], msg[1], len[1]) || memcmp(rx + len[0] + len[1], msg[2], len[2])) {
		fprintf(stderr, "device received %zu bytes, not the %zu sent\n", rx_len, sent);
		return 1;
	}
	printf("foo-serial.0: 3 messages, %zu bytes, received intact\n", sent);
	return 0;
}
