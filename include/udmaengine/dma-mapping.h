/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/dma-mapping.h - struct device and the kernel's DMA mapping API.
 *
 * A software provider moves memory with the CPU, so the default mapping is the
 * identity: the bus address of a buffer is its virtual address. A device whose
 * memory is reached through an IOMMU (VFIO) sets dev->dma_ops and translates
 * in map_single/map_sg. Clients map with the device returned by
 * dmaengine_get_dma_device(chan) (or chan->device->dev), exactly as in the
 * kernel, and keep buffers mapped until the transfer has completed.
 */
#ifndef UDMAENGINE_DMA_MAPPING_H
#define UDMAENGINE_DMA_MAPPING_H

#include <stddef.h>
#include <stdint.h>
#include <udmaengine/udma.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bus address as seen by a DMA engine. */
typedef uint64_t dma_addr_t;
/* Physical (device register) address, as in dma_slave_config. */
typedef uint64_t phys_addr_t;

/* The value map functions return on failure; test with dma_mapping_error(). */
#define DMA_MAPPING_ERROR (~(dma_addr_t)0)

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

struct device;
struct scatterlist;

/*
 * struct dma_map_ops - translation hooks of a device (NULL members fall back
 * to the identity mapping). Called from any thread; must not block if the
 * client maps from a completion callback.
 */
struct dma_map_ops {
	dma_addr_t (*map_single)(struct device *dev, void *ptr, size_t size,
				 enum dma_data_direction dir);
	void (*unmap_single)(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir);
	/* translate a bus address back to a CPU pointer for @size bytes, or NULL */
	void *(*to_cpu)(struct device *dev, dma_addr_t addr, size_t size);
};

/*
 * struct device - the userspace stand-in for the kernel's struct device:
 * a name (dev_name()) and optional DMA mapping hooks.
 */
struct device {
	const char *init_name;
	const struct dma_map_ops *dma_ops;
	void *driver_data;
};

/* dev_name - the device's name ("(null)" when it has none). Any context. */
static inline const char *dev_name(const struct device *dev)
{
	return (dev && dev->init_name) ? dev->init_name : "(null)";
}

/*
 * dma_map_single - map @size bytes at @ptr for a transfer in direction @dir.
 * Return: the bus address, or DMA_MAPPING_ERROR (@ptr NULL, @size 0, @dir
 * DMA_NONE or invalid, or the device's map hook failed; logged). @dev may be
 * NULL: identity mapping.
 * Context: any thread, never blocks with the identity mapping.
 */
UDMA_EXPORT dma_addr_t dma_map_single(struct device *dev, void *ptr,
				      size_t size, enum dma_data_direction dir);

/*
 * dma_unmap_single - undo dma_map_single(); @addr, @size and @dir must be the
 * ones given/returned at map time. Context: any thread.
 */
UDMA_EXPORT void dma_unmap_single(struct device *dev, dma_addr_t addr,
				  size_t size, enum dma_data_direction dir);

/*
 * dma_map_sg - map @nents entries of @sg, filling sg_dma_address/sg_dma_len.
 * Return: the number of mapped entries (@nents), or 0 on failure.
 * Context: any thread.
 */
UDMA_EXPORT int dma_map_sg(struct device *dev, struct scatterlist *sg,
			   int nents, enum dma_data_direction dir);

/* dma_unmap_sg - undo dma_map_sg() with the same @nents. Context: any thread. */
UDMA_EXPORT void dma_unmap_sg(struct device *dev, struct scatterlist *sg,
			      int nents, enum dma_data_direction dir);

/*
 * dma_mapping_error - 0 when @addr is a valid mapping, -ENOMEM when it is
 * DMA_MAPPING_ERROR. Context: any thread.
 */
UDMA_EXPORT int dma_mapping_error(struct device *dev, dma_addr_t addr);

/*
 * udma_dma_to_cpu - provider helper: the CPU pointer behind bus address @addr
 * for @size bytes on @dev (identity unless dev->dma_ops->to_cpu translates).
 * Return: the pointer, or NULL when @addr is 0/DMA_MAPPING_ERROR or the
 * device cannot translate it. Context: any thread, never blocks.
 */
UDMA_EXPORT void *udma_dma_to_cpu(struct device *dev, dma_addr_t addr,
				  size_t size);

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_DMA_MAPPING_H */
