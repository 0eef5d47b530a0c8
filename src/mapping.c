/* SPDX-License-Identifier: MIT */
/*
 * mapping.c - the DMA mapping API: identity mapping for software providers,
 * delegated to dev->dma_ops when a device translates (IOMMU/VFIO).
 * Stateless: no locks.
 */
#include <errno.h>

#include "core-private.h"

static const struct dma_map_ops *ops_of(struct device *dev)
{
	return dev ? dev->dma_ops : NULL;
}

UDMA_EXPORT dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size,
				      enum dma_data_direction dir)
{
	const struct dma_map_ops *ops = ops_of(dev);

	if (!ptr || !size) {
		udma_err("%s: cannot map %zu bytes at %p", dev_name(dev), size, ptr);
		return DMA_MAPPING_ERROR;
	}
	if (dir > DMA_FROM_DEVICE) {
		udma_err("%s: invalid direction %d", dev_name(dev), (int)dir);
		return DMA_MAPPING_ERROR;
	}
	if (ops && ops->map_single) {
		dma_addr_t addr = ops->map_single(dev, ptr, size, dir);

		if (addr == DMA_MAPPING_ERROR)
			udma_err("%s: cannot map %zu bytes at %p", dev_name(dev), size, ptr);
		return addr;
	}
	return (dma_addr_t)(uintptr_t)ptr;
}

UDMA_EXPORT void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
				  enum dma_data_direction dir)
{
	const struct dma_map_ops *ops = ops_of(dev);

	if (addr == DMA_MAPPING_ERROR || !addr) {
		udma_err("%s: unmap of an invalid address", dev_name(dev));
		return;
	}
	if (ops && ops->unmap_single)
		ops->unmap_single(dev, addr, size, dir);
}

UDMA_EXPORT int dma_map_sg(struct device *dev, struct scatterlist *sg, int nents,
			   enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;

	if (!sg || nents <= 0) {
		udma_err("%s: bad scatterlist (%p, %d entries)", dev_name(dev),
			 (void *)sg, nents);
		return 0;
	}
	for_each_sg(sg, s, nents, i) {
		if (!s) {
			udma_err("%s: table shorter than %d entries", dev_name(dev), nents);
			goto undo;
		}
		s->dma_address = dma_map_single(dev, sg_virt(s), s->length, dir);
		if (s->dma_address == DMA_MAPPING_ERROR)
			goto undo;
		s->dma_length = s->length;
	}
	return nents;
undo:
	dma_unmap_sg(dev, sg, i, dir);
	return 0;
}

UDMA_EXPORT void dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
			      enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;

	if (!sg)
		return;
	for_each_sg(sg, s, nents, i) {
		if (!s)
			break;
		if (s->dma_address && s->dma_address != DMA_MAPPING_ERROR)
			dma_unmap_single(dev, s->dma_address, s->dma_length, dir);
		s->dma_address = 0;
		s->dma_length = 0;
	}
}

UDMA_EXPORT int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	(void)dev;
	return addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

UDMA_EXPORT void *udma_dma_to_cpu(struct device *dev, dma_addr_t addr, size_t size)
{
	const struct dma_map_ops *ops = ops_of(dev);

	if (!addr || addr == DMA_MAPPING_ERROR)
		return NULL;
	if (ops && ops->to_cpu)
		return ops->to_cpu(dev, addr, size);
	return (void *)(uintptr_t)addr;
}
