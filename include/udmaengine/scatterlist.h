/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/scatterlist.h - the kernel's scatterlist for userspace buffers.
 *
 * A table is a plain array of struct scatterlist; sg_init_table() marks the
 * last entry, sg_next() walks it. Entries point at virtual buffers (there is
 * no struct page); dma_map_sg() fills the bus addresses.
 */
#ifndef UDMAENGINE_SCATTERLIST_H
#define UDMAENGINE_SCATTERLIST_H

#include <stddef.h>
#include <string.h>
#include <udmaengine/dma-mapping.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scatterlist {
	void *udma_buf;          /* CPU address of the segment */
	unsigned int offset;     /* kept for kernel source compatibility (0) */
	unsigned int length;     /* bytes */
	dma_addr_t dma_address;  /* filled by dma_map_sg() */
	unsigned int dma_length; /* filled by dma_map_sg() */
	unsigned int udma_end;   /* non-zero on the last entry of a table */
};

#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg) ((sg)->dma_length)

/* sg_init_table - zero @nents entries and mark the last one. Any context. */
static inline void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, sizeof(*sgl) * nents);
	if (nents)
		sgl[nents - 1].udma_end = 1;
}

/* sg_set_buf - point @sg at @buflen bytes at @buf. Any context. */
static inline void sg_set_buf(struct scatterlist *sg, const void *buf,
			      unsigned int buflen)
{
	sg->udma_buf = (void *)buf;
	sg->offset = 0;
	sg->length = buflen;
}

/* sg_init_one - a one-entry table for @buflen bytes at @buf. Any context. */
static inline void sg_init_one(struct scatterlist *sg, const void *buf,
			       unsigned int buflen)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, buflen);
}

/* sg_mark_end - make @sg the last entry. */
static inline void sg_mark_end(struct scatterlist *sg) { sg->udma_end = 1; }

/* sg_is_last - true on the last entry of a table. */
static inline int sg_is_last(const struct scatterlist *sg) { return sg->udma_end != 0; }

/* sg_next - the entry after @sg, or NULL after the last one. */
static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	return sg_is_last(sg) ? NULL : sg + 1;
}

/* sg_virt - the CPU address of @sg's data. */
static inline void *sg_virt(const struct scatterlist *sg)
{
	return (char *)sg->udma_buf + sg->offset;
}

#define for_each_sg(sglist, sg, nr, __i) \
	for ((__i) = 0, (sg) = (sglist); (__i) < (nr); (__i)++, (sg) = sg_next(sg))

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_SCATTERLIST_H */
