/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/async_tx.h - the kernel's async_tx API: chains of memory-to-
 * memory operations (copy, xor, RAID-6 P+Q, validation, recovery) that run on
 * a public DMA channel when one can serve them, and synchronously on the CPU
 * (ISA-L) otherwise. Names and signatures follow include/linux/async_tx.h so
 * kernel callers (md raid5/raid6 style) port by changing their includes.
 * doc/async_tx.md describes the model; this header states each contract.
 *
 * Pages. Userspace has no struct page. Here a "struct page *" is simply the
 * address of a page-aligned buffer, typed so kernel code compiles unchanged:
 * virt_to_page(p) rounds p down to a PAGE_SIZE (4096) boundary and
 * page_address(pg) gives that address back, so page_address(virt_to_page(p))
 * == p for every page-aligned p, and (virt_to_page(p), offset_in_page(p))
 * names any byte. A struct page is never dereferenced. Unlike the kernel, a
 * "page" may start a longer buffer: len may exceed PAGE_SIZE as long as
 * page_address(pg) + offset + len stays inside one allocation (userspace
 * memory is virtually contiguous). Allocate blocks with aligned_alloc(
 * PAGE_SIZE, n) or posix_memalign; ISA-L's fast paths want 32-byte aligned
 * addresses and lengths and fall back to slower generic code otherwise.
 *
 * Context. Every operation may be called from any thread, including a
 * completion callback (the kernel forbids that; here it works, see
 * doc/async_tx.md). It blocks only on the CPU path with an unfinished
 * depend_tx, waiting for it for at most UDMA_ASYNC_TX_WAIT_MS; from a
 * completion callback it does not wait but completes with DMA_TRANS_ABORTED
 * (see "Errors"). Operations never allocate. Lengths and offsets are in
 * bytes. The caller keeps every buffer alive and untouched until the
 * operation's callback (or the last operation's of a chain) has run.
 *
 * Errors. The kernel panics when a parent fails. Here an operation whose
 * parent failed, was aborted, or could not be waited for (5 s bound, or a
 * callback context) still runs in order but its outcome is DMA_TRANS_ABORTED:
 * its destination holds undefined data, udma_cb_result (if set) receives
 * DMA_TRANS_ABORTED, the legacy cb_fn is still called once, and its own
 * children inherit the failure. Bad arguments (NULL pages, too many
 * sources, zero length) are logged and the operation completes the same way
 * without touching memory; it then returns NULL.
 */
#ifndef UDMAENGINE_ASYNC_TX_H
#define UDMAENGINE_ASYNC_TX_H

#include <stddef.h>
#include <stdint.h>
#include <udmaengine/dmaengine.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------- page shim */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* struct page - opaque: a pointer to it is the page's address. */
struct page;

/* virt_to_page - the page holding address @addr. Any thread. */
static inline struct page *virt_to_page(const void *addr)
{
	return (struct page *)((uintptr_t)addr & PAGE_MASK);
}

/* page_address - the address of @page's first byte. Any thread. */
static inline void *page_address(const struct page *page)
{
	return (void *)page;
}

/* offset_in_page - @addr's offset inside its page. Any thread. */
#define offset_in_page(addr) ((unsigned long)(uintptr_t)(addr) & ~PAGE_MASK)

/* ------------------------------------------------------------- types */

/*
 * enum async_tx_flags - per-operation flags of struct async_submit_ctl.
 * ASYNC_TX_XOR_ZERO_DST: the xor destination is not a source (result =
 *   xor of the sources). ASYNC_TX_XOR_DROP_DST: the destination is also
 *   src_list[0] (result = xor of the sources, dest included once).
 *   Without either, the CPU path xors the sources into dest's old content
 *   while an engine computes the plain xor of the sources (as in the kernel:
 *   give one of the two flags).
 * ASYNC_TX_ACK: no operation will depend on this one; it may be recycled
 *   once done. ASYNC_TX_FENCE: the next operation consumes this one's result
 *   (passed to the engine as DMA_PREP_FENCE). ASYNC_TX_PQ_XOR_DST: xor the
 *   new syndrome into the existing P/Q (offloaded as DMA_PREP_CONTINUE on
 *   a device that continues natively, else the CPU path).
 */
enum async_tx_flags {
	ASYNC_TX_XOR_ZERO_DST = (1 << 0),
	ASYNC_TX_XOR_DROP_DST = (1 << 1),
	ASYNC_TX_ACK = (1 << 2),
	ASYNC_TX_FENCE = (1 << 3),
	ASYNC_TX_PQ_XOR_DST = (1 << 4),
};

/* addr_conv_t - scratch for address conversion (kernel name; unused here:
 * this implementation converts on the stack, so scribble may be NULL). */
typedef union {
	unsigned long addr;
	struct page *page;
	dma_addr_t dma;
} addr_conv_t;

/*
 * struct async_submit_ctl - how to submit one operation.
 * @flags: enum async_tx_flags. @depend_tx: the parent this operation waits
 * for, or NULL; it must not be acked and must have no other child (one
 * child per parent); it is acked by the call. @cb_fn/@cb_param: called once
 * when the operation is done - from a completion thread when it ran on a
 * channel, in the caller's context when it ran on the CPU (the call then
 * returns NULL). @scribble: kernel compatibility, may be NULL.
 * @udma_cb_result: our addition, used instead of @cb_fn when set: the same
 * callback with the outcome (DMA_TRANS_NOERROR or DMA_TRANS_ABORTED).
 * init_async_submit() clears it.
 */
struct async_submit_ctl {
	enum async_tx_flags flags;
	struct dma_async_tx_descriptor *depend_tx;
	dma_async_tx_callback cb_fn;
	void *cb_param;
	void *scribble;
	dma_async_tx_callback_result udma_cb_result;
};

/* init_async_submit - fill @args (kernel helper). Any thread. */
static inline void init_async_submit(struct async_submit_ctl *args,
				     enum async_tx_flags flags,
				     struct dma_async_tx_descriptor *tx,
				     dma_async_tx_callback cb_fn, void *cb_param,
				     addr_conv_t *scribble)
{
	args->flags = flags;
	args->depend_tx = tx;
	args->cb_fn = cb_fn;
	args->cb_param = cb_param;
	args->scribble = scribble;
	args->udma_cb_result = NULL;
}

/* The most sources one operation accepts (the kernel's md never exceeds it). */
#define UDMA_ASYNC_TX_MAX_SRC 256
/* How long an operation waits for a parent it must follow on the CPU. */
#define UDMA_ASYNC_TX_WAIT_MS 5000

/* ------------------------------------------------------------ operations
 *
 * Each returns the descriptor of the queued operation (owned by the engine;
 * pass it as the next operation's depend_tx, or ack it), or NULL when the
 * operation already finished in the caller's context (CPU path, or an error:
 * the callback has then been called). Nothing queued is guaranteed to start
 * before async_tx_issue_pending_all() (or async_tx_issue_pending(tx)).
 * Public channels come from dma_find_channel(): hold a dmaengine_get()
 * reference to use engines at all; without it everything runs on the CPU.
 * Bad arguments are logged, the callback still runs (udma_cb_result sees
 * DMA_TRANS_ABORTED) and NULL is returned; a failed or aborted parent makes
 * the operation complete as DMA_TRANS_ABORTED too. Buffers stay the caller's (memory
 * whose struct page is its address); async_tx maps them on the channel's device
 * and, when that mapping must be undone (strict mapping, a translating device),
 * unmaps them when the operation ends (doc/async_tx.md, "Mappings").
 * Context: any thread, a completion callback included. The CPU path waits
 * (at most UDMA_ASYNC_TX_WAIT_MS) for an unfinished depend_tx; from a
 * completion callback it does not wait but logs and fails the operation.
 */

/*
 * async_memcpy - copy @len bytes from @src + @src_offset to @dest +
 * @dest_offset. Honours ASYNC_TX_ACK and ASYNC_TX_FENCE.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_memcpy(struct page *dest, struct page *src, unsigned int dest_offset,
	     unsigned int src_offset, size_t len, struct async_submit_ctl *submit);

/*
 * async_xor - @dest + @offset = xor of @src_cnt (2..UDMA_ASYNC_TX_MAX_SRC)
 * sources @src_list[i] + @offset, @len bytes each (see ASYNC_TX_XOR_ZERO_DST /
 * _DROP_DST). More terms than the channel's max_xor are split, as in the
 * kernel, into a chain of partial XORs into @dest (the descriptor returned
 * is the last one; only it carries @submit's callback and flags).
 */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_xor(struct page *dest, struct page **src_list, unsigned int offset,
	  int src_cnt, size_t len, struct async_submit_ctl *submit);

/* async_xor_offs - async_xor() with one offset per source (@src_offset). */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_xor_offs(struct page *dest, unsigned int offset, struct page **src_list,
	       unsigned int *src_offset, int src_cnt, size_t len,
	       struct async_submit_ctl *submit);

/*
 * async_xor_val - check that the xor of the @src_cnt (2..) sources is zero
 * (the parity block is one of them, by convention src_list[0]; @dest is
 * accepted for the kernel's signature and never written). *@result = 0 when
 * zero, else SUM_CHECK_P_RESULT; written when the operation completes.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_xor_val(struct page *dest, struct page **src_list, unsigned int offset,
	      int src_cnt, size_t len, enum sum_check_flags *result,
	      struct async_submit_ctl *submit);

/* async_xor_val_offs - async_xor_val() with one offset per source. */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_xor_val_offs(struct page *dest, unsigned int offset, struct page **src_list,
		   unsigned int *src_offset, int src_cnt, size_t len,
		   enum sum_check_flags *result, struct async_submit_ctl *submit);

/*
 * async_gen_syndrome - RAID-6 P and Q over @src_cnt - 2 data blocks:
 * blocks[0..src_cnt-3] are data (NULL = a block of zeroes), blocks[src_cnt-2]
 * is P and blocks[src_cnt-1] is Q; one of P, Q may be NULL (not computed).
 * @offsets (one per block) may be NULL (all 0). 4 <= src_cnt <=
 * UDMA_ASYNC_TX_MAX_SRC. Q uses the RAID-6 generator {02} (Linux md layout).
 * More data blocks than the channel's max_pq are split into a chain of
 * continued P+Q operations on a device with native continuation
 * (DMA_HAS_PQ_CONTINUE), else the CPU computes it.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_gen_syndrome(struct page **blocks, unsigned int *offsets, int src_cnt,
		   size_t len, struct async_submit_ctl *submit);

/*
 * async_syndrome_val - check P and/or Q (NULL = not checked) of the stripe
 * @blocks as laid out for async_gen_syndrome(). *@pqres gets
 * SUM_CHECK_P_RESULT / SUM_CHECK_Q_RESULT for each mismatch (0 = all good),
 * written when the operation completes. @spare + @s_off: a scratch block of
 * @len bytes used by the CPU path.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_syndrome_val(struct page **blocks, unsigned int *offsets, int src_cnt,
		   size_t len, enum sum_check_flags *pqres, struct page *spare,
		   unsigned int s_off, struct async_submit_ctl *submit);

/*
 * async_raid6_2data_recov - rebuild data blocks @faila and @failb (indices
 * into @ptrs, both < src_num - 2) of a stripe of @src_num blocks laid out as
 * for async_gen_syndrome(), @bytes each, from the others and P, Q. The
 * failed blocks' buffers must be present; their content is overwritten.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_raid6_2data_recov(int src_num, size_t bytes, int faila, int failb,
			struct page **ptrs, unsigned int *offs,
			struct async_submit_ctl *submit);

/*
 * async_raid6_datap_recov - rebuild data block @faila and P from the other
 * data blocks and Q.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_raid6_datap_recov(int src_num, size_t bytes, int faila, struct page **ptrs,
			unsigned int *offs, struct async_submit_ctl *submit);

/*
 * async_trigger_callback - run @submit's callback once depend_tx (if any) is
 * done: an interrupt descriptor on depend_tx's channel when its device has
 * DMA_INTERRUPT, else in the caller's context after waiting (returns NULL).
 */
UDMA_EXPORT struct dma_async_tx_descriptor *
async_trigger_callback(struct async_submit_ctl *submit);

/*
 * async_tx_quiesce - wait for *@tx (if not NULL) to finish, ack it and set
 * *@tx = NULL. The wait issues pending work and is bounded by
 * UDMA_ASYNC_TX_WAIT_MS; a failure, timeout or a call from a completion
 * callback while *@tx is unfinished is logged (the kernel panics) and the
 * descriptor is still acked. Return value: none (kernel signature); use
 * udma_async_tx_wait() to learn the outcome. Context: may block.
 */
UDMA_EXPORT void async_tx_quiesce(struct dma_async_tx_descriptor **tx);

/*
 * udma_async_tx_wait - wait (bounded by UDMA_ASYNC_TX_WAIT_MS) until @tx has
 * finished; does not ack it. Return: 0 (completed without error), -EIO
 * (failed or aborted, or a parent did), -ETIMEDOUT, -EDEADLK (unfinished and
 * called from a completion callback), -EINVAL (NULL). Context: may block.
 */
UDMA_EXPORT int udma_async_tx_wait(struct dma_async_tx_descriptor *tx);

/*
 * dma_run_dependencies - provider SDK (the kernel exports it to drivers):
 * submit the operation that waits for @tx, now that @tx has completed or has
 * been aborted, and issue it on its channel. virt-dma providers get this
 * from the core's completion path; others call it after @tx's callback.
 * Context: completion thread or any thread, no provider lock held.
 */
UDMA_EXPORT void dma_run_dependencies(struct dma_async_tx_descriptor *tx);

/*
 * async_tx_submit - for code that preps its own descriptor on a channel from
 * async_tx_find_channel(): set @submit's callback on @tx and queue it behind
 * @submit->depend_tx (or submit it now), then apply ASYNC_TX_ACK and ack the
 * parent - the chain rules of the operations above. @chan must be tx->chan.
 * A bad parent (acked, or with a child) is logged; @tx then runs unordered
 * and completes as DMA_TRANS_ABORTED. Context: any thread.
 */
UDMA_EXPORT void async_tx_submit(struct dma_chan *chan, struct dma_async_tx_descriptor *tx,
				 struct async_submit_ctl *submit);

/*
 * __async_tx_find_channel - the channel an operation of @tx_type would use:
 * depend_tx's channel when its device has the capability, else
 * dma_find_channel(@tx_type); NULL: the CPU path. Any thread.
 */
UDMA_EXPORT struct dma_chan *__async_tx_find_channel(struct async_submit_ctl *submit,
						     enum dma_transaction_type tx_type);
#define async_tx_find_channel(dep, type, dst, dst_count, src, src_count, len) \
	__async_tx_find_channel(dep, type)

/* async_tx_sync_epilog - what the CPU path does at the end: the callback. */
static inline void async_tx_sync_epilog(struct async_submit_ctl *submit)
{
	if (submit->cb_fn)
		submit->cb_fn(submit->cb_param);
}

/* async_tx_issue_pending_all - start queued work on every public channel. */
static inline void async_tx_issue_pending_all(void)
{
	dma_issue_pending_all();
}

/* async_tx_issue_pending - start queued work on @tx's channel (NULL: none). */
static inline void async_tx_issue_pending(struct dma_async_tx_descriptor *tx)
{
	if (tx)
		dma_async_issue_pending(tx->chan);
}

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_ASYNC_TX_H */
