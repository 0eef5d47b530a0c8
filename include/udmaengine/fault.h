/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/fault.h - reliability aids: fault injection per channel and
 * strict mapping checks (the userspace twin of CONFIG_DMA_API_DEBUG).
 * See doc/reliability.md.
 *
 * Client part: udma_chan_set_fault() and friends configure a channel to fail
 * or delay some of its descriptors on purpose; udma_set_strict_mapping()
 * makes the software providers refuse to touch memory that is not mapped.
 *
 * Provider part (bottom of the file): struct udma_xfer and the udma_xfer_*
 * calls a provider's engine makes around every descriptor it executes, so
 * that injected faults, delays and strict checks behave the same in every
 * provider. With no fault configured on the channel and strict mapping off,
 * udma_xfer_active() is false and the provider keeps its normal path.
 */
#ifndef UDMAENGINE_FAULT_H
#define UDMAENGINE_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <udmaengine/dmaengine.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------ fault injection */

/* Outcomes an injected fault may take (bit mask for udma_fault_config.results). */
#define UDMA_FAULT_READ (1u << 0)   /* DMA_TRANS_READ_FAILED */
#define UDMA_FAULT_WRITE (1u << 1)  /* DMA_TRANS_WRITE_FAILED */
#define UDMA_FAULT_ABORT (1u << 2)  /* DMA_TRANS_ABORTED */
#define UDMA_FAULT_ALL (UDMA_FAULT_READ | UDMA_FAULT_WRITE | UDMA_FAULT_ABORT)

/*
 * struct udma_fault_config - what to inject on one channel. All zero: nothing.
 *
 * A descriptor fails when it is the fail_every_nth-th one the engine starts
 * since the configuration was set (counting every descriptor), or, failing
 * that, with probability fail_ppm / 1000000. A failing descriptor moves a
 * random number of bytes in [0, length) - really moved, in order - and then
 * ends with one of the outcomes in @results (picked at random; 0 means all
 * three) and residue = bytes not moved. Delays work the same way: a
 * descriptor picked by delay_every_nth or delay_ppm makes the engine wait
 * delay_ns before moving its first byte.
 *
 * Randomness comes from a per-channel xorshift generator seeded with @seed
 * (0: a fixed default), reseeded by every udma_chan_set_fault(): the same
 * configuration and the same sequence of descriptors give the same faults.
 *
 * @fail_every_nth:  fail every Nth descriptor (1: all; 0: off).
 * @fail_ppm:        failure probability in parts per million (0..1000000).
 * @results:         mask of UDMA_FAULT_READ/WRITE/ABORT; 0 = UDMA_FAULT_ALL.
 * @delay_ns:        delay before a picked descriptor, in nanoseconds
 *                   (0: no delays; at most 1 s).
 * @delay_every_nth: delay every Nth descriptor (1: all; 0: off).
 * @delay_ppm:       delay probability in parts per million.
 * @seed:            generator seed (0: default).
 */
struct udma_fault_config {
	unsigned int fail_every_nth;
	unsigned int fail_ppm;
	unsigned int results;
	uint64_t delay_ns;
	unsigned int delay_every_nth;
	unsigned int delay_ppm;
	uint64_t seed;
};

/*
 * struct udma_fault_stats - what a channel injected since it was registered.
 * @started:  descriptors the engine started while faults or strict mapping
 *            were on (descriptors run on the normal path are not counted).
 * @failed:   descriptors failed on purpose (injected faults).
 * @strict:   descriptors failed by strict mapping checks.
 * @delayed:  descriptors delayed.
 */
struct udma_fault_stats {
	uint64_t started;
	uint64_t failed;
	uint64_t strict;
	uint64_t delayed;
};

/*
 * udma_chan_set_fault - set (replace) @chan's fault injection configuration
 * @cfg (copied; NULL or all zero turns injection off). Applies to
 * descriptors the engine starts after the call; a descriptor already running
 * keeps the decision made when it started. Faults reach the client through
 * callback_result (result, residue) and dmaengine_tx_status() (DMA_ERROR
 * and, for the last 64 failed cookies of the channel, the residue); the
 * channel keeps working afterwards. Works only on channels of providers that
 * call the udma_xfer_* hooks (sw-memcpy, cyclic-ring: slave_sg only).
 * Also set at registration by UDMA_FAULT and by a provider's options
 * (doc/reliability.md).
 * Return: 0; -EINVAL (NULL or unregistered @chan, fail_ppm or delay_ppm above
 * 1000000, @results with unknown bits, delay_ns above 1 s; logged).
 * Context: any thread, never blocks, may be called from a completion callback.
 */
UDMA_EXPORT int udma_chan_set_fault(struct dma_chan *chan,
				    const struct udma_fault_config *cfg);

/*
 * udma_chan_get_fault - copy @chan's current configuration into @cfg.
 * Return: 0, -EINVAL (NULL argument or unregistered channel; logged).
 * Context: any thread.
 */
UDMA_EXPORT int udma_chan_get_fault(struct dma_chan *chan,
				    struct udma_fault_config *cfg);

/*
 * udma_chan_get_fault_stats - copy @chan's counters into @stats. Counters are
 * updated as the engine goes: read them after the transfers ended (callback
 * ran or dmaengine_synchronize() returned) for exact numbers.
 * Return: 0, -EINVAL (NULL argument or unregistered channel; logged).
 * Context: any thread.
 */
UDMA_EXPORT int udma_chan_get_fault_stats(struct dma_chan *chan,
					  struct udma_fault_stats *stats);

/* ------------------------------------------------------- strict mapping */

/*
 * udma_set_strict_mapping - turn strict mapping checks on or off for the
 * whole process (also on at start when UDMA_STRICT_MAPPING=1).
 * While on, dma_map_single()/dma_map_sg() record every mapping (CPU range and
 * direction) and the unmap calls remove it, logging unmaps of memory that is
 * not mapped, or with another size or direction than mapped. Before the
 * software providers touch memory they check that it lies in live mappings
 * allowing the access (DMA_TO_DEVICE or BIDIRECTIONAL to read,
 * DMA_FROM_DEVICE or BIDIRECTIONAL to write); if not, the descriptor fails
 * with DMA_TRANS_READ_FAILED (source) or DMA_TRANS_WRITE_FAILED (destination),
 * residue = bytes not moved, and a log line names the address. Unmapping
 * memory the engine is moving at that moment is logged, and that transfer
 * fails too (see doc/reliability.md for the exact rule).
 * Mappings made while strict mapping was off are not known: turn it on
 * before mapping. Turning it off forgets every recorded mapping.
 * Context: any thread; may block (waits for an RCU grace period).
 */
UDMA_EXPORT void udma_set_strict_mapping(bool on);

/* udma_strict_mapping_enabled - whether strict mapping is on. Any thread. */
UDMA_EXPORT bool udma_strict_mapping_enabled(void);

/* ------------------------------------------------------ provider SDK */

struct virt_dma_desc;

/*
 * struct udma_xfer - one descriptor's execution as the fault and strict
 * hooks see it. On the provider's engine stack; fields are private to the
 * core except @result (NOERROR until the descriptor fails) and @done.
 */
struct udma_xfer {
	struct dma_chan *chan;
	struct virt_dma_desc *vd;
	size_t len;    /* bytes the descriptor moves */
	size_t done;   /* bytes allowed so far */
	size_t limit;  /* injected fault after this many bytes; len: none */
	enum dmaengine_tx_result result;
	enum dmaengine_tx_result inject; /* outcome when limit is reached */
	bool strict;
	bool killed;   /* unmapped under the engine: fail at the end */
};

/*
 * udma_xfer_active - whether the engine of @chan must run its next
 * descriptors through the udma_xfer_* hooks: true when a fault is configured
 * on @chan or strict mapping is on. Cheap (two loads); call once per batch.
 * Context: the provider's engine.
 */
UDMA_EXPORT bool udma_xfer_active(struct dma_chan *chan);

/*
 * udma_xfer_begin - start executing @vd (@len bytes in all) on @chan: decide
 * whether it fails and after how many bytes, and sleep the injected delay if
 * it is picked (so the engine blocks up to delay_ns). Fills @x.
 * Context: the provider's engine, no lock held.
 */
UDMA_EXPORT void udma_xfer_begin(struct udma_xfer *x, struct dma_chan *chan,
				 struct virt_dma_desc *vd, size_t len);

/*
 * udma_xfer_piece - the engine is about to move @n bytes from CPU address
 * @src (NULL: not memory, e.g. a fill value or a peripheral FIFO) to @dst
 * (NULL likewise). Checks the strict mapping rules and the injected fault.
 * Return: how many of the @n bytes the engine must move (then count as done);
 * fewer than @n means the descriptor has failed: move that many (the part a
 * real engine moved before the fault) and call udma_xfer_end() without moving
 * more. Context: the provider's engine, any lock the provider wants.
 */
UDMA_EXPORT size_t udma_xfer_piece(struct udma_xfer *x, void *dst, const void *src,
				   size_t n);

/*
 * udma_xfer_check - strict mapping check only, for an operation that reads
 * or writes several buffers at once (XOR, P+Q: call it for each block before
 * moving any byte): may the engine read @n bytes at CPU address @src and
 * write @n bytes at @dst (either may be NULL)? Counts no bytes as done and
 * draws no injected fault (call udma_xfer_piece() for those), and unlike
 * udma_xfer_piece() does not watch the range for an unmap while it is moved.
 * Return: true when allowed (always, with strict mapping off); false when the
 * descriptor has failed (x->result READ/WRITE_FAILED, logged with the
 * address; or it had failed already): move nothing, call udma_xfer_end().
 * Context: the provider's engine, any lock the provider wants.
 */
UDMA_EXPORT bool udma_xfer_check(struct udma_xfer *x, void *dst, const void *src, size_t n);

/*
 * udma_xfer_end - the engine finished with the descriptor (all bytes moved,
 * or stopped after udma_xfer_piece() returned less). On failure sets
 * vd->tx_result (result, residue = len - done), remembers the residue for
 * dmaengine_tx_status() and counts it. Call before completing @vd
 * (vchan_cookie_complete or a batch completion). For a descriptor
 * terminated meanwhile call udma_xfer_cancel() instead.
 * Return: true when the descriptor failed. Context: the provider's engine.
 */
UDMA_EXPORT bool udma_xfer_end(struct udma_xfer *x);

/*
 * udma_xfer_cancel - the engine dropped @x's descriptor (terminated) after
 * udma_xfer_begin(): forget it, so strict mapping no longer counts its
 * memory as being moved. Nothing is reported. Context: the provider's engine.
 */
UDMA_EXPORT void udma_xfer_cancel(struct udma_xfer *x);

/*
 * udma_fault_device_options - apply the fault keys found in a provider's
 * option string @options (UDMA_PROVIDER_OPTIONS) to every channel of the
 * registered @device: fault_every, fault_ppm, fault_results, fault_delay_ns,
 * fault_delay_every, fault_delay_ppm, fault_seed (the udma_fault_config
 * fields). Channel N gets seed + N, so channels do not fail in lock step.
 * Return: 0 (also when no key is present), -EINVAL (a malformed or out of
 * range value; logged, nothing applied). Context: provider probe.
 */
UDMA_EXPORT int udma_fault_device_options(struct dma_device *device,
					  const char *options);

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_FAULT_H */
