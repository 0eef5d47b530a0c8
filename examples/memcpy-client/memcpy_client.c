/* SPDX-License-Identifier: MIT */
/*
 * memcpy_client.c - the smallest complete dmaengine client: one copy on a
 * DMA_MEMCPY channel, written exactly as kernel client code would be.
 * The README shows this file; the install check builds it out of tree.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <udmaengine/dmaengine.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int done;

static void copy_done(void *param, const struct dmaengine_result *result)
{
	(void)param;
	pthread_mutex_lock(&lock);
	done = result->result == DMA_TRANS_NOERROR ? 1 : -1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

int main(void)
{
	static char src[4096], dst[4096];
	struct dma_async_tx_descriptor *tx;
	dma_cap_mask_t mask;
	struct dma_chan *chan;
	dma_addr_t s, d;
	dma_cookie_t cookie;

	memset(src, 0x5a, sizeof(src));
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, NULL, NULL);
	if (!chan) {
		fprintf(stderr, "no DMA_MEMCPY channel\n");
		return 1;
	}
	s = dma_map_single(chan->device->dev, src, sizeof(src), DMA_TO_DEVICE);
	d = dma_map_single(chan->device->dev, dst, sizeof(dst), DMA_FROM_DEVICE);
	tx = dmaengine_prep_dma_memcpy(chan, d, s, sizeof(src),
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx)
		return 1;
	tx->callback_result = copy_done;
	cookie = dmaengine_submit(tx);
	if (dma_submit_error(cookie))
		return 1;
	dma_async_issue_pending(chan);

	pthread_mutex_lock(&lock);
	while (!done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);

	dmaengine_terminate_sync(chan);
	dma_unmap_single(chan->device->dev, s, sizeof(src), DMA_TO_DEVICE);
	dma_unmap_single(chan->device->dev, d, sizeof(dst), DMA_FROM_DEVICE);
	printf("%s: copied %zu bytes: %s\n", dma_chan_name(chan), sizeof(src),
	       done == 1 && !memcmp(src, dst, sizeof(src)) ? "ok" : "FAILED");
	dma_release_channel(chan);
	return done == 1 && !memcmp(src, dst, sizeof(src)) ? 0 : 1;
}
