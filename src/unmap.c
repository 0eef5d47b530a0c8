/* SPDX-License-Identifier: MIT */
/*
 * unmap.c - struct dmaengine_unmap_data: the mappings a descriptor holds and
 * undoes when it ends (the kernel's dmaengine_get_unmap_data /
 * dmaengine_unmap_put; dma_set_unmap and dma_descriptor_unmap are inline in
 * dmaengine.h). async_tx maps the pages it is given and attaches them here;
 * virt-dma drops the descriptor's reference when the descriptor completes
 * (before its callback) or is thrown away (terminate, release).
 *
 * One allocation per unmap data: the struct, then map_cnt addresses (the
 * kernel keeps mempools of 2/16/128/256 entries; malloc here, and only when a
 * mapping needs undoing: see async_tx.c). No lock: the reference count is
 * atomic and the last holder unmaps and frees.
 */
#include <stdlib.h>

#include "core-private.h"

#define UNMAP_MAX 256 /* the kernel's largest pool */

UDMA_EXPORT struct dmaengine_unmap_data *dmaengine_get_unmap_data(struct device *dev, int nr,
								  unsigned int flags)
{
	struct dmaengine_unmap_data *u;

	(void)flags;
	if (nr < 1 || nr > UNMAP_MAX) {
		udma_err("%s: %d addresses (1..%d)", dev_name(dev), nr, UNMAP_MAX);
		return NULL;
	}
	u = calloc(1, sizeof(*u) + (size_t)nr * sizeof(u->addr[0]));
	if (!u) {
		udma_err("%s: out of memory for %d addresses", dev_name(dev), nr);
		return NULL;
	}
	u->addr = (dma_addr_t *)(u + 1);
	u->map_cnt = (uint16_t)nr;
	u->dev = dev;
	u->udma_refcount = 1;
	return u;
}

/* Undo every mapping: to-device ones, from-device ones, then bidirectional. */
static void unmap_all(struct dmaengine_unmap_data *u)
{
	unsigned int i = 0, end;

	if ((unsigned int)u->to_cnt + u->from_cnt + u->bidi_cnt > u->map_cnt) {
		udma_err("%s: %u + %u + %u addresses recorded, room for %u: none unmapped",
			 dev_name(u->dev), u->to_cnt, u->from_cnt, u->bidi_cnt, u->map_cnt);
		return;
	}
	for (end = u->to_cnt; i < end; i++)
		dma_unmap_single(u->dev, u->addr[i], u->len, DMA_TO_DEVICE);
	for (end += u->from_cnt; i < end; i++)
		dma_unmap_single(u->dev, u->addr[i], u->len, DMA_FROM_DEVICE);
	for (end += u->bidi_cnt; i < end; i++)
		if (u->addr[i])
			dma_unmap_single(u->dev, u->addr[i], u->len, DMA_BIDIRECTIONAL);
}

void udma__unmap_data_discard(struct dmaengine_unmap_data *u)
{
	if (!u)
		return;
	for (unsigned int i = 0; i < u->bidi_cnt && i < u->map_cnt; i++)
		udma__unmap_unused(u->dev, u->addr[i], u->len, DMA_BIDIRECTIONAL);
	free(u);
}

UDMA_EXPORT void dmaengine_unmap_put(struct dmaengine_unmap_data *unmap)
{
	if (!unmap || __atomic_sub_fetch(&unmap->udma_refcount, 1, __ATOMIC_ACQ_REL))
		return;
	unmap_all(unmap);
	free(unmap);
}
