/* SPDX-License-Identifier: MIT */
/*
 * skeleton_client.c - exercises the skeleton provider the way a client
 * would: takes a DMA_MEMCPY channel of the DMA device named "skeleton"
 * (a filter on udma_name), runs 2000 copies of varied sizes with callbacks
 * and checks every byte, then submits a batch, terminates it once its first
 * copy is done and checks that every cookie ended completed (with the right
 * data) or aborted, never in progress, and that work issued after the
 * terminate still runs.
 * Exit status 0 when all of that holds; a line on stderr says what failed.
 *
 * Run: UDMA_PLUGIN_PATH=/path/to/udma-skeleton.so ./skeleton-client
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <udmaengine/dmaengine.h>

#define COPIES 2000
#define MAX_LEN 65536
#define BATCH 64
#define BIG (256 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned int done, failed;

/* Completion callback: runs on the channel's completion thread. */
static void copy_done(void *param, const struct dmaengine_result *res)
{
	(void)param;
	pthread_mutex_lock(&lock);
	done++;
	if (res->result != DMA_TRANS_NOERROR)
		failed++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

/* Wait until @n callbacks have run, for at most 10 s. Return: 0 or -ETIMEDOUT. */
static int wait_done(unsigned int n)
{
	struct timespec dl;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 10;
	pthread_mutex_lock(&lock);
	while (done < n && ret == 0)
		ret = pthread_cond_timedwait(&cond, &lock, &dl);
	pthread_mutex_unlock(&lock);
	return done >= n ? 0 : -ETIMEDOUT;
}

static bool is_skeleton(struct dma_chan *chan, void *param)
{
	const char *name = chan->device->udma_name;

	return name && strcmp(name, (const char *)param) == 0;
}

static dma_cookie_t copy(struct dma_chan *chan, dma_addr_t dst, dma_addr_t src, size_t len,
			 bool with_callback)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(chan, dst, src, len, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx)
		return -ENOMEM;
	if (with_callback)
		tx->callback_result = copy_done;
	return dmaengine_submit(tx);
}

int main(void)
{
	unsigned char *src = malloc(BATCH * BIG), *dst = malloc(BATCH * BIG);
	dma_cookie_t cookies[BATCH];
	unsigned int completed = 0, aborted = 0;
	struct timespec t0, now;
	dma_cap_mask_t mask;
	struct dma_chan *chan;
	struct device *dev;
	dma_addr_t s, d;
	int ret = 1;

	if (!src || !dst)
		return 1;
	for (size_t i = 0; i < (size_t)BATCH * BIG; i++)
		src[i] = (unsigned char)(i * 131 + 7);

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, is_skeleton, "skeleton");
	if (!chan) {
		fprintf(stderr, "skeleton-client: no DMA_MEMCPY channel of device \"skeleton\" "
			"(is UDMA_PLUGIN_PATH set to the plugin?)\n");
		goto out_free;
	}
	dev = dmaengine_get_dma_device(chan);
	s = dma_map_single(dev, src, BATCH * BIG, DMA_TO_DEVICE);
	d = dma_map_single(dev, dst, BATCH * BIG, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, s) || dma_mapping_error(dev, d)) {
		fprintf(stderr, "skeleton-client: mapping failed\n");
		goto out_release;
	}

	/* 1. copies of varied sizes and offsets, in batches, each verified */
	srand(1);
	for (unsigned int i = 0; i < COPIES; i += 16) {
		size_t off[16], len[16];

		memset(dst, 0, MAX_LEN * 2);
		for (unsigned int k = 0; k < 16; k++) {
			off[k] = (size_t)k * (MAX_LEN / 8);
			len[k] = 1 + (size_t)rand() % (MAX_LEN / 8);
			if (dma_submit_error(copy(chan, d + off[k], s + off[k] + k, len[k], true))) {
				fprintf(stderr, "skeleton-client: prep/submit failed\n");
				goto out_unmap;
			}
		}
		dma_async_issue_pending(chan);
		if (wait_done(i + 16)) {
			fprintf(stderr, "skeleton-client: copies %u..%u did not complete in 10 s\n",
				i, i + 15);
			goto out_unmap;
		}
		for (unsigned int k = 0; k < 16; k++) {
			if (memcmp(dst + off[k], src + off[k] + k, len[k])) {
				fprintf(stderr, "skeleton-client: copy %u: data mismatch\n", i + k);
				goto out_unmap;
			}
		}
	}
	if (failed) {
		fprintf(stderr, "skeleton-client: %u copies reported an error\n", failed);
		goto out_unmap;
	}

	/* 2. terminate a batch in flight: every cookie completed or aborted */
	for (unsigned int k = 0; k < BATCH; k++) {
		cookies[k] = copy(chan, d + (dma_addr_t)k * BIG, s + (dma_addr_t)k * BIG, BIG, false);
		if (dma_submit_error(cookies[k])) {
			fprintf(stderr, "skeleton-client: batch prep/submit failed\n");
			goto out_unmap;
		}
	}
	dma_async_issue_pending(chan);
	/* let the engine get going, so the terminate catches it mid-batch */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (dmaengine_tx_status(chan, cookies[0], NULL) == DMA_IN_PROGRESS) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 10) {
			fprintf(stderr, "skeleton-client: the first copy of the batch never ended\n");
			goto out_unmap;
		}
	}
	if (dmaengine_terminate_sync(chan)) {
		fprintf(stderr, "skeleton-client: terminate_sync failed\n");
		goto out_unmap;
	}
	for (unsigned int k = 0; k < BATCH; k++) {
		enum dma_status st = dmaengine_tx_status(chan, cookies[k], NULL);

		if (st == DMA_COMPLETE) {
			completed++;
			if (memcmp(dst + (size_t)k * BIG, src + (size_t)k * BIG, BIG)) {
				fprintf(stderr, "skeleton-client: completed copy %u has wrong data\n", k);
				goto out_unmap;
			}
		} else if (st == DMA_ERROR) {
			aborted++;
		} else {
			fprintf(stderr, "skeleton-client: cookie %d still in progress after "
				"terminate_sync\n", cookies[k]);
			goto out_unmap;
		}
	}

	/* 3. work issued after the terminate runs normally */
	if (dma_submit_error(copy(chan, d, s + 1, 4096, true))) {
		fprintf(stderr, "skeleton-client: prep after terminate failed\n");
		goto out_unmap;
	}
	dma_async_issue_pending(chan);
	if (wait_done(COPIES + 1) || failed || memcmp(dst, src + 1, 4096)) {
		fprintf(stderr, "skeleton-client: the copy issued after terminate did not complete\n");
		goto out_unmap;
	}
	printf("skeleton-client: %s: %d copies verified; terminate: %u completed, %u aborted, "
	       "0 lost\n", dma_chan_name(chan), COPIES + 1, completed, aborted);
	ret = 0;
out_unmap:
	dmaengine_terminate_sync(chan);
	dma_unmap_single(dev, s, BATCH * BIG, DMA_TO_DEVICE);
	dma_unmap_single(dev, d, BATCH * BIG, DMA_FROM_DEVICE);
out_release:
	dma_release_channel(chan);
out_free:
	free(src);
	free(dst);
	return ret;
}
