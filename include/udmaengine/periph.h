/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/periph.h - simulated clocked peripherals for slave and cyclic DMA.
 *
 * A peripheral is the device end of a slave transfer: a FIFO of fifo_depth
 * bytes, a data width, and a clock of rate bytes per second (paced from
 * CLOCK_MONOTONIC; 0 = unpaced). Its bus address (udma_periph_addr()) goes
 * into dma_slave_config.dst_addr (MEM_TO_DEV) or src_addr (DEV_TO_MEM) of a
 * channel of a provider that serves peripherals (the "cyclic-ring" plugin).
 *
 * The program plays the device side:
 *  - MEM_TO_DEV (playback): the device consumes rate bytes/s from its FIFO;
 *    the DMA refills it. What the device consumed goes to the sink callback,
 *    or, without one, into a capture ring the program drains with
 *    udma_periph_read(). If the FIFO is empty when the device needs data
 *    (the DMA fell behind, or was stopped while the device ran), the device
 *    underruns: it counts one underrun per gap and the missing bytes, and
 *    consumes nothing for them (the sink never sees invented bytes).
 *  - DEV_TO_MEM (capture): the device produces rate bytes/s into its FIFO
 *    from the source callback, or from bytes queued with udma_periph_write()
 *    (zeros when neither has data); the DMA drains it. If the FIFO is full
 *    when the device produces (the DMA fell behind), the device overruns: it
 *    counts one overrun per gap and drops the bytes that did not fit.
 *
 * The device clock runs while a transfer is active on it: it starts with the
 * first burst of a transfer, stops when no transfer is active, and stops
 * while the channel is paused (as a codec is paused with its DMA), so pause
 * and resume lose nothing. A peripheral is used by one channel at a time.
 *
 * Threads: the sink and source callbacks run on the provider's engine
 * thread, with no library lock held; they must not block for long (they
 * delay the DMA) and must not call back into the channel that serves the
 * peripheral. Every other function may be called from any thread.
 */
#ifndef UDMAENGINE_PERIPH_H
#define UDMAENGINE_PERIPH_H

#include <stddef.h>
#include <stdint.h>
#include <udmaengine/dmaengine.h>

#ifdef __cplusplus
extern "C" {
#endif

struct udma_periph;

/* Receives @len bytes the device consumed (MEM_TO_DEV). */
typedef void (*udma_periph_sink_fn)(void *ctx, const void *data, size_t len);
/* Fills up to @len bytes the device produces (DEV_TO_MEM); returns how many
 * it wrote (the rest of @len is zeros). */
typedef size_t (*udma_periph_source_fn)(void *ctx, void *data, size_t len);

struct udma_periph_config {
	const char *name;               /* for logs; copied */
	size_t fifo_depth;              /* bytes, >= width */
	enum dma_slave_buswidth width;  /* bytes per FIFO word: 1, 2, 4 or 8 */
	uint64_t rate;                  /* bytes per second; 0 = unpaced */
	size_t capture_size;            /* bytes kept for udma_periph_read()
					   (MEM_TO_DEV without a sink); 0 =
					   64 KiB. Oldest bytes are dropped
					   (counted) when it is full. */
};

struct udma_periph_stats {
	uint64_t bytes_to_device;   /* consumed by the device (MEM_TO_DEV) */
	uint64_t bytes_from_device; /* produced and handed to the DMA (DEV_TO_MEM) */
	uint64_t underruns;         /* gaps with an empty FIFO */
	uint64_t underrun_bytes;    /* bytes the device missed in those gaps */
	uint64_t overruns;          /* gaps with a full FIFO */
	uint64_t overrun_bytes;     /* bytes dropped in those gaps */
	uint64_t capture_dropped;   /* bytes lost because the capture ring was full */
};

/*
 * udma_periph_create - create a peripheral described by @cfg.
 * Return: the peripheral (owned by the caller until udma_periph_destroy()),
 * or NULL (NULL @cfg, width not 1/2/4/8, fifo_depth < width or not a
 * multiple of it, or no memory; logged). Context: may block (allocates).
 */
UDMA_EXPORT struct udma_periph *udma_periph_create(const struct udma_periph_config *cfg);

/*
 * udma_periph_destroy - free @p. It must not be the target of an active
 * transfer (terminate and synchronize the channel first). NULL is ignored.
 * Context: may block.
 */
UDMA_EXPORT void udma_periph_destroy(struct udma_periph *p);

/*
 * udma_periph_addr - the bus address to put in dma_slave_config.src_addr or
 * dst_addr. It is not a CPU address. Context: any thread.
 */
UDMA_EXPORT dma_addr_t udma_periph_addr(const struct udma_periph *p);

/*
 * udma_periph_set_sink / udma_periph_set_source - install (or, with NULL,
 * remove) the device-side data callback with its @ctx. Context: any thread;
 * takes effect at the next burst.
 */
UDMA_EXPORT void udma_periph_set_sink(struct udma_periph *p, udma_periph_sink_fn fn, void *ctx);
UDMA_EXPORT void udma_periph_set_source(struct udma_periph *p, udma_periph_source_fn fn, void *ctx);

/*
 * udma_periph_read - take up to @len bytes the device consumed (MEM_TO_DEV,
 * no sink installed) into @buf. Return: bytes copied (0 when none).
 * Context: any thread, never blocks.
 */
UDMA_EXPORT size_t udma_periph_read(struct udma_periph *p, void *buf, size_t len);

/*
 * udma_periph_write - queue @len bytes from @buf for the device to produce
 * (DEV_TO_MEM, no source installed). Return: bytes queued (limited by the
 * queue space, capture_size bytes). Context: any thread, never blocks.
 */
UDMA_EXPORT size_t udma_periph_write(struct udma_periph *p, const void *buf, size_t len);

/* udma_periph_get_stats - copy the counters into @st. Context: any thread. */
UDMA_EXPORT void udma_periph_get_stats(struct udma_periph *p, struct udma_periph_stats *st);

/* ---- provider side (used by peripheral-serving providers) ---- */

/*
 * udma_periph_lookup - the peripheral whose bus address is @addr, or NULL.
 * Context: any thread.
 */
UDMA_EXPORT struct udma_periph *udma_periph_lookup(dma_addr_t addr);

/* udma_periph_width / _fifo_depth / _rate - the configuration values. */
UDMA_EXPORT unsigned int udma_periph_width(const struct udma_periph *p);
UDMA_EXPORT size_t udma_periph_fifo_depth(const struct udma_periph *p);
UDMA_EXPORT uint64_t udma_periph_rate(const struct udma_periph *p);

/*
 * udma_periph_start - the device clock runs from @now_ns (first burst of a
 * transfer, or resume). udma_periph_pause - the clock stops and the FIFO
 * keeps its contents (channel paused). udma_periph_stop - the clock stops at
 * the end of a transfer: with @flush (terminate) the FIFO is emptied and its
 * bytes are lost; without, a MEM_TO_DEV FIFO is played out to the device (its
 * bytes reach the sink) and a DEV_TO_MEM FIFO keeps its bytes for the next
 * transfer. Context: the provider's engine thread.
 */
UDMA_EXPORT void udma_periph_start(struct udma_periph *p, uint64_t now_ns);
UDMA_EXPORT void udma_periph_pause(struct udma_periph *p);
UDMA_EXPORT void udma_periph_stop(struct udma_periph *p, enum dma_transfer_direction dir,
				  bool flush);

/*
 * udma_periph_space - MEM_TO_DEV: let the device consume up to @now_ns (its
 * data go to the sink or capture ring, gaps count as underruns), then return
 * the free FIFO bytes the DMA may push now. *@wait_ns gets the time until one
 * more @burst bytes fit (0 when they fit now or the peripheral is unpaced).
 * Context: the provider's engine thread.
 */
UDMA_EXPORT size_t udma_periph_space(struct udma_periph *p, uint64_t now_ns, size_t burst,
				     uint64_t *wait_ns);

/*
 * udma_periph_push - the DMA writes @len bytes from @data into the FIFO
 * (@len <= the last udma_periph_space()). Context: engine thread.
 */
UDMA_EXPORT void udma_periph_push(struct udma_periph *p, const void *data, size_t len);

/*
 * udma_periph_avail - DEV_TO_MEM: let the device produce up to @now_ns
 * (overruns counted), then return the FIFO bytes the DMA may pull now;
 * *@wait_ns as for udma_periph_space. Context: engine thread.
 */
UDMA_EXPORT size_t udma_periph_avail(struct udma_periph *p, uint64_t now_ns, size_t burst,
				     uint64_t *wait_ns);

/*
 * udma_periph_pull - the DMA reads @len bytes from the FIFO into @data
 * (@len <= the last udma_periph_avail()). Context: engine thread.
 */
UDMA_EXPORT void udma_periph_pull(struct udma_periph *p, void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_PERIPH_H */
