/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/dmaengine.h - the dmaengine client API, kernel names.
 *
 * Function names, signatures, struct fields, enum values and flags follow the
 * Linux kernel's include/linux/dmaengine.h so that kernel client code ports by
 * changing its includes. Where the kernel leaves behaviour undefined (calls
 * from callbacks, terminate/callback races, bad arguments) this library
 * defines it; each function's comment states the contract and doc/api.md
 * collects them. Additions of our own carry the udma_ prefix.
 *
 * Context words used below:
 *   any thread   - callable from any thread, including a completion callback;
 *                  never blocks (no sleeping lock, no allocation).
 *   may block    - ordinary threads only. Called from a completion callback it
 *                  refuses (logs and returns -EDEADLK, or does nothing when
 *                  the function returns void), instead of deadlocking.
 */
#ifndef UDMAENGINE_DMAENGINE_H
#define UDMAENGINE_DMAENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <urcu/list.h>
#include <udmaengine/udma.h>
#include <udmaengine/dma-mapping.h>
#include <udmaengine/scatterlist.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ types */

/* dma_cookie_t - transaction id: > 0 valid, < 0 a negative errno. */
typedef int32_t dma_cookie_t;
#define DMA_MIN_COOKIE 1

/* dma_submit_error - the cookie if it is an error (< 0), else 0. Any thread. */
static inline int dma_submit_error(dma_cookie_t cookie)
{
	return cookie < 0 ? cookie : 0;
}

enum dma_status {
	DMA_COMPLETE,
	DMA_IN_PROGRESS,
	DMA_PAUSED,
	DMA_ERROR,
	DMA_OUT_OF_ORDER,
};

enum dma_transaction_type {
	DMA_MEMCPY,
	DMA_XOR,
	DMA_PQ,
	DMA_XOR_VAL,
	DMA_PQ_VAL,
	DMA_MEMSET,
	DMA_MEMSET_SG,
	DMA_INTERRUPT,
	DMA_PRIVATE,
	DMA_ASYNC_TX,
	DMA_SLAVE,
	DMA_CYCLIC,
	DMA_INTERLEAVE,
	DMA_COMPLETION_NO_ORDER,
	DMA_REPEAT,
	DMA_LOAD_EOT,
	DMA_TX_TYPE_END,
};

enum dma_transfer_direction {
	DMA_MEM_TO_MEM,
	DMA_MEM_TO_DEV,
	DMA_DEV_TO_MEM,
	DMA_DEV_TO_DEV,
	DMA_TRANS_NONE,
};

/* One chunk of an interleaved transfer: @size bytes then a gap. */
struct data_chunk {
	size_t size;
	size_t icg;
	size_t dst_icg;
	size_t src_icg;
};

struct dma_interleaved_template {
	dma_addr_t src_start;
	dma_addr_t dst_start;
	enum dma_transfer_direction dir;
	bool src_inc;
	bool dst_inc;
	bool src_sgl;
	bool dst_sgl;
	size_t numf;
	size_t frame_size;
	/* C99 flexible array member; C++ has none, so C++ (and -pedantic) is
	 * told it is a GNU extension there. Same layout either way. */
#if defined(__cplusplus) && defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#endif
	struct data_chunk sgl[];
#if defined(__cplusplus) && defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
};

struct dma_vec {
	dma_addr_t addr;
	size_t len;
};

enum dma_ctrl_flags {
	DMA_PREP_INTERRUPT = (1 << 0),
	DMA_CTRL_ACK = (1 << 1),
	DMA_PREP_PQ_DISABLE_P = (1 << 2),
	DMA_PREP_PQ_DISABLE_Q = (1 << 3),
	DMA_PREP_CONTINUE = (1 << 4),
	DMA_PREP_FENCE = (1 << 5),
	DMA_CTRL_REUSE = (1 << 6),
	DMA_PREP_CMD = (1 << 7),
	DMA_PREP_REPEAT = (1 << 8),
	DMA_PREP_LOAD_EOT = (1 << 9),
};

enum sum_check_bits {
	SUM_CHECK_P = 0,
	SUM_CHECK_Q = 1,
};

enum sum_check_flags {
	SUM_CHECK_P_RESULT = (1 << SUM_CHECK_P),
	SUM_CHECK_Q_RESULT = (1 << SUM_CHECK_Q),
};

/* dma_cap_mask_t - one bit per enum dma_transaction_type. */
typedef struct {
	unsigned long bits[1];
} dma_cap_mask_t;

enum dma_slave_buswidth {
	DMA_SLAVE_BUSWIDTH_UNDEFINED = 0,
	DMA_SLAVE_BUSWIDTH_1_BYTE = 1,
	DMA_SLAVE_BUSWIDTH_2_BYTES = 2,
	DMA_SLAVE_BUSWIDTH_3_BYTES = 3,
	DMA_SLAVE_BUSWIDTH_4_BYTES = 4,
	DMA_SLAVE_BUSWIDTH_8_BYTES = 8,
	DMA_SLAVE_BUSWIDTH_16_BYTES = 16,
	DMA_SLAVE_BUSWIDTH_32_BYTES = 32,
	DMA_SLAVE_BUSWIDTH_64_BYTES = 64,
	DMA_SLAVE_BUSWIDTH_128_BYTES = 128,
};

/* Slave channel configuration; applies to transfers prepared after it. */
struct dma_slave_config {
	enum dma_transfer_direction direction; /* deprecated: prep's dir wins */
	phys_addr_t src_addr;
	phys_addr_t dst_addr;
	enum dma_slave_buswidth src_addr_width;
	enum dma_slave_buswidth dst_addr_width;
	uint32_t src_maxburst; /* words of src_addr_width */
	uint32_t dst_maxburst;
	uint32_t src_port_window_size;
	uint32_t dst_port_window_size;
	bool device_fc;
	void *peripheral_config;
	size_t peripheral_size;
};

enum dma_residue_granularity {
	DMA_RESIDUE_GRANULARITY_DESCRIPTOR = 0,
	DMA_RESIDUE_GRANULARITY_SEGMENT = 1,
	DMA_RESIDUE_GRANULARITY_BURST = 2,
};

struct dma_slave_caps {
	uint32_t src_addr_widths;
	uint32_t dst_addr_widths;
	uint32_t directions;
	uint32_t min_burst;
	uint32_t max_burst;
	uint32_t max_sg_burst;
	bool cmd_pause;
	bool cmd_resume;
	bool cmd_terminate;
	enum dma_residue_granularity residue_granularity;
	bool descriptor_reuse;
};

enum dmaengine_alignment {
	DMAENGINE_ALIGN_1_BYTE = 0,
	DMAENGINE_ALIGN_2_BYTES = 1,
	DMAENGINE_ALIGN_4_BYTES = 2,
	DMAENGINE_ALIGN_8_BYTES = 3,
	DMAENGINE_ALIGN_16_BYTES = 4,
	DMAENGINE_ALIGN_32_BYTES = 5,
	DMAENGINE_ALIGN_64_BYTES = 6,
	DMAENGINE_ALIGN_128_BYTES = 7,
	DMAENGINE_ALIGN_256_BYTES = 8,
};

/* What tx_status reports: last completed cookie, last used, residue (bytes). */
struct dma_tx_state {
	dma_cookie_t last;
	dma_cookie_t used;
	uint32_t residue;
	uint32_t in_flight_bytes;
};

enum dmaengine_tx_result {
	DMA_TRANS_NOERROR = 0,
	DMA_TRANS_READ_FAILED,
	DMA_TRANS_WRITE_FAILED,
	DMA_TRANS_ABORTED,
};

/* Passed to callback_result: outcome and bytes not transferred. */
struct dmaengine_result {
	enum dmaengine_tx_result result;
	uint32_t residue;
};

typedef void (*dma_async_tx_callback)(void *dma_async_param);
typedef void (*dma_async_tx_callback_result)(void *dma_async_param,
					     const struct dmaengine_result *result);

enum dma_desc_metadata_mode {
	DESC_METADATA_NONE = 0,
	DESC_METADATA_CLIENT = (1 << 0),
	DESC_METADATA_ENGINE = (1 << 1),
};

struct dma_chan;
struct dma_device;
struct device_node; /* no device tree in userspace; always NULL */

typedef bool (*dma_filter_fn)(struct dma_chan *chan, void *filter_param);

/* Board-style channel map consumed by dma_request_chan() (slave issue). */
struct dma_slave_map {
	const char *devname;
	const char *slave;
	void *param;
};

struct dma_filter {
	dma_filter_fn fn;
	int mapcnt;
	const struct dma_slave_map *map;
};

/*
 * struct dma_async_tx_descriptor - one prepared transaction.
 *
 * Returned by a dmaengine_prep_*() call; the client may set callback or
 * callback_result and callback_param, then hands it to dmaengine_submit().
 * From then on the engine owns it (unless DMA_CTRL_REUSE is set).
 */
struct dma_async_tx_descriptor {
	dma_cookie_t cookie;
	enum dma_ctrl_flags flags;
	dma_addr_t phys;
	struct dma_chan *chan;
	dma_cookie_t (*tx_submit)(struct dma_async_tx_descriptor *tx);
	int (*desc_free)(struct dma_async_tx_descriptor *tx);
	dma_async_tx_callback callback;
	dma_async_tx_callback_result callback_result;
	void *callback_param;
	struct dmaengine_unmap_data *unmap;
	enum dma_desc_metadata_mode desc_metadata_mode;
	struct dma_descriptor_metadata_ops *metadata_ops;
	struct dma_async_tx_descriptor *next;   /* async_tx dependency chain */
	struct dma_async_tx_descriptor *parent; /* async_tx dependency chain */
};

/*
 * struct dma_chan - a DMA channel. Public fields follow the kernel; the core
 * keeps its private state behind udma_priv.
 */
struct dma_chan {
	struct dma_device *device;
	struct device *slave;
	dma_cookie_t cookie;           /* last cookie assigned (submitters) */
	/*
	 * udma statistics (read them with udma_chan_get_stats()), each next to
	 * the cookie its writers already write, under the same channel lock:
	 * counting adds no cache line and no atomic read-modify-write there.
	 */
	uint64_t udma_submitted;       /* cookies assigned (submitters) */
	/*
	 * Padding, not alignment, keeps the fields written by different
	 * threads on different cache lines: an over-aligned dma_chan would make
	 * list iteration compute misaligned head-derived pointers.
	 */
	char udma_pad0[64];
	dma_cookie_t completed_cookie; /* last completed or aborted (completion thread) */
	uint64_t udma_completed;       /* finished with DMA_TRANS_NOERROR */
	uint64_t udma_errors;          /* finished with another result */
	uint64_t udma_aborted;         /* aborted by a terminate or release */
	uint64_t udma_bytes;           /* bytes the provider reported moved */
	char udma_pad1[64];
	int chan_id;
	const char *name;              /* "dma:<name>" for requests by name */
	char *dbg_client_name;
	struct cds_list_head device_node; /* in dma_device.channels */
	int client_count;              /* read by every call */
	int table_count;
#ifndef __cplusplus
	void *private;                 /* client <-> provider data */
#else
	void *udma_private;            /* the same member: "private" is a C++ keyword */
#endif
	char udma_name[32];            /* "dma<dev_id>chan<chan_id>" */
	struct udma_chan_priv *udma_priv; /* core-private state */
};

/*
 * struct dma_device - a DMA controller, filled in by a provider and
 * registered with dma_async_device_register() (see <udmaengine/provider.h>).
 */
struct dma_device {
	unsigned int chancnt;
	unsigned int privatecnt;
	struct cds_list_head channels;
	struct cds_list_head global_node;
	struct dma_filter filter;
	dma_cap_mask_t cap_mask;
	enum dma_desc_metadata_mode desc_metadata_modes;
	unsigned short max_xor;
	unsigned short max_pq;
	enum dmaengine_alignment copy_align;
	enum dmaengine_alignment xor_align;
	enum dmaengine_alignment pq_align;
	enum dmaengine_alignment fill_align;
	int dev_id;
	struct device *dev;
	uint32_t src_addr_widths;
	uint32_t dst_addr_widths;
	uint32_t directions;
	uint32_t min_burst;
	uint32_t max_burst;
	uint32_t max_sg_burst;
	bool descriptor_reuse;
	enum dma_residue_granularity residue_granularity;

	int (*device_alloc_chan_resources)(struct dma_chan *chan);
	void (*device_free_chan_resources)(struct dma_chan *chan);

	struct dma_async_tx_descriptor *(*device_prep_dma_memcpy)(
		struct dma_chan *chan, dma_addr_t dst, dma_addr_t src,
		size_t len, unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_dma_xor)(
		struct dma_chan *chan, dma_addr_t dst, dma_addr_t *src,
		unsigned int src_cnt, size_t len, unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_dma_xor_val)(
		struct dma_chan *chan, dma_addr_t *src, unsigned int src_cnt,
		size_t len, enum sum_check_flags *result, unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_dma_pq)(
		struct dma_chan *chan, dma_addr_t *dst, dma_addr_t *src,
		unsigned int src_cnt, const unsigned char *scf,
		size_t len, unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_dma_pq_val)(
		struct dma_chan *chan, dma_addr_t *pq, dma_addr_t *src,
		unsigned int src_cnt, const unsigned char *scf, size_t len,
		enum sum_check_flags *pqres, unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_dma_memset)(
		struct dma_chan *chan, dma_addr_t dest, int value, size_t len,
		unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_dma_memset_sg)(
		struct dma_chan *chan, struct scatterlist *sg,
		unsigned int nents, int value, unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_dma_interrupt)(
		struct dma_chan *chan, unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_peripheral_dma_vec)(
		struct dma_chan *chan, const struct dma_vec *vecs, size_t nents,
		enum dma_transfer_direction direction, unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_slave_sg)(
		struct dma_chan *chan, struct scatterlist *sgl,
		unsigned int sg_len, enum dma_transfer_direction direction,
		unsigned long flags, void *context);
	struct dma_async_tx_descriptor *(*device_prep_dma_cyclic)(
		struct dma_chan *chan, dma_addr_t buf_addr, size_t buf_len,
		size_t period_len, enum dma_transfer_direction direction,
		unsigned long flags);
	struct dma_async_tx_descriptor *(*device_prep_interleaved_dma)(
		struct dma_chan *chan, struct dma_interleaved_template *xt,
		unsigned long flags);

	void (*device_caps)(struct dma_chan *chan, struct dma_slave_caps *caps);
	int (*device_config)(struct dma_chan *chan, struct dma_slave_config *config);
	int (*device_pause)(struct dma_chan *chan);
	int (*device_resume)(struct dma_chan *chan);
	int (*device_terminate_all)(struct dma_chan *chan);
	void (*device_synchronize)(struct dma_chan *chan);
	enum dma_status (*device_tx_status)(struct dma_chan *chan,
					    dma_cookie_t cookie,
					    struct dma_tx_state *txstate);
	void (*device_issue_pending)(struct dma_chan *chan);
	void (*device_release)(struct dma_device *dev);

	/* udma addition: scatterlist-to-scatterlist copy (udma_prep_dma_memcpy_sg) */
	struct dma_async_tx_descriptor *(*udma_device_prep_dma_memcpy_sg)(
		struct dma_chan *chan, struct scatterlist *dst_sg,
		unsigned int dst_nents, struct scatterlist *src_sg,
		unsigned int src_nents, unsigned long flags);

	const char *udma_name;         /* provider-chosen name, for logs/filters */
	struct udma_device_priv *udma_priv; /* core-private state */
};

/* ----------------------------------------------------- capability masks */

#define UDMA_BITS_PER_LONG (8 * sizeof(unsigned long))

static inline void __dma_cap_set(enum dma_transaction_type tx_type, dma_cap_mask_t *dstp)
{
	__atomic_fetch_or(&dstp->bits[0], 1UL << tx_type, __ATOMIC_RELAXED);
}
static inline void __dma_cap_clear(enum dma_transaction_type tx_type, dma_cap_mask_t *dstp)
{
	__atomic_fetch_and(&dstp->bits[0], ~(1UL << tx_type), __ATOMIC_RELAXED);
}
static inline void __dma_cap_zero(dma_cap_mask_t *dstp)
{
	dstp->bits[0] = 0;
}
static inline int __dma_has_cap(enum dma_transaction_type tx_type, const dma_cap_mask_t *srcp)
{
	/* atomic: the core flips DMA_PRIVATE while clients may read the mask */
	return (__atomic_load_n(&srcp->bits[0], __ATOMIC_RELAXED) >> tx_type) & 1UL;
}

/* Capability helpers; @mask is passed by name, as in the kernel. Any thread. */
#define dma_cap_set(tx, mask) __dma_cap_set((tx), &(mask))
#define dma_cap_clear(tx, mask) __dma_cap_clear((tx), &(mask))
#define dma_cap_zero(mask) __dma_cap_zero(&(mask))
#define dma_has_cap(tx, mask) __dma_has_cap((tx), &(mask))
#define for_each_dma_cap_mask(cap, mask) \
	for ((cap) = (enum dma_transaction_type)0; (cap) < DMA_TX_TYPE_END; \
	     (cap) = (enum dma_transaction_type)((cap) + 1)) \
		if (dma_has_cap((cap), (mask)))

/* ------------------------------------------------------ channel requests */

/*
 * __dma_request_channel - take an exclusive channel that has every capability
 * in @mask and that @fn (if not NULL) accepts.
 * @fn is called once per free candidate channel, in registration order, with
 * the registry lock held: it must not call request/release/register APIs.
 * The first channel it accepts is allocated (device_alloc_chan_resources) and
 * stays the caller's until dma_release_channel(). Loads the provider plugins
 * on first use. @np must be NULL (there is no device tree).
 * Return: the channel, or NULL (bad @mask or calling context: logged as an
 * error; no free matching channel: logged at debug level, as it is the normal
 * end of a "take every channel" loop). Context: may block.
 */
UDMA_EXPORT struct dma_chan *__dma_request_channel(const dma_cap_mask_t *mask,
						   dma_filter_fn fn, void *fn_param,
						   struct device_node *np);
#define dma_request_channel(mask, x, y) __dma_request_channel(&(mask), x, y, NULL)

/*
 * dma_request_chan_by_mask - as dma_request_channel() with no filter.
 * Return: the channel, ERR_PTR(-ENODEV) when providers exist but none
 * matched (or @mask is NULL), ERR_PTR(-EPROBE_DEFER) when no provider is
 * registered at all. Context: may block.
 */
UDMA_EXPORT struct dma_chan *dma_request_chan_by_mask(const dma_cap_mask_t *mask);

/*
 * dma_release_channel - give back a channel taken with a request function.
 * Aborts what is still queued (as dmaengine_terminate_sync() would), waits
 * for running callbacks, frees the channel's descriptors and makes it
 * available again. Releasing a channel that is not held (double release) or
 * calling from a completion callback logs an error and changes nothing.
 * Context: may block.
 */
UDMA_EXPORT void dma_release_channel(struct dma_chan *chan);

/*
 * dma_request_chan - take the slave channel mapped to @name for device @dev
 * (kernel: DT/ACPI/board maps). Lookup: first the providers' own maps
 * (dma_device.filter.map, matched on dev_name(@dev) and @name, param handed
 * to dma_device.filter.fn), then the maps the program registered with
 * udma_dma_slave_map_add() or UDMA_SLAVE_MAP. Sets chan->slave = @dev and
 * chan->name = "dma:<name>". Loads plugins on first use.
 * Return: the channel, or ERR_PTR: -EINVAL (NULL @dev or @name), -ENODEV (no
 * map entry for @dev/@name), -EPROBE_DEFER (an entry names a DMA device that
 * is not registered, yet), -EBUSY (its channels are all taken or refused).
 * Context: may block.
 */
UDMA_EXPORT struct dma_chan *dma_request_chan(struct device *dev, const char *name);

/* dma_request_slave_channel - deprecated: dma_request_chan() or NULL. */
static inline struct dma_chan *dma_request_slave_channel(struct device *dev, const char *name)
{
	struct dma_chan *ch = dma_request_chan(dev, name);

	return IS_ERR(ch) ? NULL : ch;
}

/*
 * udma_dma_slave_map_add - map (@devname, @slave) to the DMA device named
 * @dma_device (its udma_name, e.g. "cyclic-ring"). When that device has a
 * filter.fn, @param is handed to it for each free channel; otherwise @param
 * is NULL (any free DMA_SLAVE channel) or a channel name string
 * ("dma1chan0"), which must stay valid while mapped. Strings are copied,
 * except @param. The environment variable UDMA_SLAVE_MAP adds entries at
 * first use: "devname,slave,dma_device[,channel];...".
 * Return: 0, -EINVAL (NULL or empty string), -EEXIST (pair already mapped),
 * -ENOMEM. Context: may block.
 */
UDMA_EXPORT int udma_dma_slave_map_add(const char *devname, const char *slave,
				       const char *dma_device, void *param);

/*
 * udma_dma_slave_map_remove - remove the entry for (@devname, @slave).
 * Return: 0, -EINVAL (NULL @devname or @slave), -ENOENT (not mapped); both
 * logged. Context: may block.
 */
UDMA_EXPORT int udma_dma_slave_map_remove(const char *devname, const char *slave);

/* dma_chan_name - "dma<N>chan<M>" (NULL-safe: "(null)"). Any thread. */
static inline const char *dma_chan_name(const struct dma_chan *chan)
{
	return chan ? chan->udma_name : "(null)";
}

/* dmaengine_get_dma_device - the device to map buffers against. Any thread. */
static inline struct device *dmaengine_get_dma_device(struct dma_chan *chan)
{
	return chan->device->dev;
}

/* ---------------------------------------------------------- preparation */

/*
 * dmaengine_prep_dma_memcpy - prepare a copy of @len bytes from bus address
 * @src to @dest. @flags: enum dma_ctrl_flags (DMA_PREP_INTERRUPT asks for a
 * completion callback - software providers run a callback that is set
 * whether or not it is given; DMA_CTRL_ACK lets the engine recycle the
 * descriptor once done; without it the descriptor is kept, even after an
 * abort, until async_tx_ack(), and an unacked descriptor still counts
 * against the channel's pool).
 * Return: a descriptor owned by the caller until dmaengine_submit(), or NULL
 * at once when the channel's descriptor pool is exhausted or an argument is
 * bad (NULL/unheld channel, @len 0, address 0, op not supported; logged).
 * A prepared but never submitted descriptor is reclaimed by terminate and by
 * release - including one another thread prepared and is about to submit:
 * threads sharing a channel must not terminate it while another is between
 * prep and submit. All descriptors are invalid after dma_release_channel().
 * A descriptor with a callback goes back to the pool when its callback
 * returns. Context: any thread.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_dma_memcpy(
	struct dma_chan *chan, dma_addr_t dest, dma_addr_t src, size_t len,
	unsigned long flags);

/*
 * dmaengine_prep_dma_memset - prepare filling @len bytes at @dest with the
 * byte @value (only its low 8 bits are used). Return and context as
 * dmaengine_prep_dma_memcpy().
 */
UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_dma_memset(
	struct dma_chan *chan, dma_addr_t dest, int value, size_t len,
	unsigned long flags);

/*
 * dmaengine_prep_slave_sg - prepare a slave transfer over @sg_len mapped
 * entries of @sgl in direction @dir (DMA_MEM_TO_DEV or DMA_DEV_TO_MEM), using
 * the last dmaengine_slave_config(). NULL when the channel lacks DMA_SLAVE.
 * Context: any thread.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_slave_sg(
	struct dma_chan *chan, struct scatterlist *sgl, unsigned int sg_len,
	enum dma_transfer_direction dir, unsigned long flags);

/* dmaengine_prep_slave_single - one-buffer dmaengine_prep_slave_sg(). */
UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_slave_single(
	struct dma_chan *chan, dma_addr_t buf, size_t len,
	enum dma_transfer_direction dir, unsigned long flags);

/*
 * dmaengine_prep_dma_cyclic - prepare a ring of @buf_len bytes cut into
 * periods of @period_len bytes, with a callback per period, running until
 * terminated. NULL when the channel lacks DMA_CYCLIC. Context: any thread.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_dma_cyclic(
	struct dma_chan *chan, dma_addr_t buf_addr, size_t buf_len,
	size_t period_len, enum dma_transfer_direction dir, unsigned long flags);

/*
 * dmaengine_prep_interleaved_dma - prepare a transfer described by @xt.
 * NULL when the channel lacks DMA_INTERLEAVE. Context: any thread.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *dmaengine_prep_interleaved_dma(
	struct dma_chan *chan, struct dma_interleaved_template *xt,
	unsigned long flags);

/*
 * udma_prep_dma_memcpy_sg - prepare a copy from the mapped scatterlist
 * @src_sg (@src_nents entries) to @dst_sg (@dst_nents entries); the two
 * lists may be cut differently but must hold the same number of bytes
 * (sg_dma_len). The kernel's long-requested memcpy_sg / DMA_SG operation.
 * Return and context as dmaengine_prep_dma_memcpy(); NULL also when the
 * totals differ or the provider has no udma_device_prep_dma_memcpy_sg.
 */
UDMA_EXPORT struct dma_async_tx_descriptor *udma_prep_dma_memcpy_sg(
	struct dma_chan *chan, struct scatterlist *dst_sg, unsigned int dst_nents,
	struct scatterlist *src_sg, unsigned int src_nents, unsigned long flags);

/* ----------------------------------------------------- submit and issue */

/*
 * dmaengine_submit - queue @desc on its channel and give it a cookie. Only
 * queues: nothing submitted runs before dma_async_issue_pending().
 * Return: the cookie (>= DMA_MIN_COOKIE), or -EINVAL when @desc is NULL, was
 * already submitted, or its channel is not held (logged).
 * Context: any thread (also from a completion callback).
 */
UDMA_EXPORT dma_cookie_t dmaengine_submit(struct dma_async_tx_descriptor *desc);

/*
 * dma_async_issue_pending - start everything submitted on @chan so far, as
 * one batch. Transactions issued after a dmaengine_terminate_async() run
 * normally even if dmaengine_synchronize() was not called in between.
 * A NULL or unheld channel is logged and ignored. Context: any thread.
 */
UDMA_EXPORT void dma_async_issue_pending(struct dma_chan *chan);

/* ---------------------------------------------------------------- status */

/*
 * dma_async_is_complete - pure wrap-aware test of @cookie against a channel's
 * last completed and last used cookies (kernel semantics: in-order engines).
 * Any thread.
 */
static inline enum dma_status dma_async_is_complete(dma_cookie_t cookie,
						    dma_cookie_t last_complete,
						    dma_cookie_t last_used)
{
	if (last_complete <= last_used) {
		if ((cookie <= last_complete) || (cookie > last_used))
			return DMA_COMPLETE;
	} else {
		if ((cookie <= last_complete) && (cookie > last_used))
			return DMA_COMPLETE;
	}
	return DMA_IN_PROGRESS;
}

/*
 * dmaengine_tx_status - the state of @cookie on @chan; fills @state (may be
 * NULL) with last/used cookies and the residue in bytes.
 * Return: DMA_COMPLETE (completed; its callback, if any, has been committed
 * to run and no terminate can cancel it any more),
 * DMA_IN_PROGRESS, DMA_PAUSED, or DMA_ERROR - for a transfer that failed, was
 * aborted by a terminate, or a cookie this channel never handed out (the
 * kernel reports the latter as complete; we do not). The outcome of the last
 * 65536 cookies of a channel is remembered exactly; older aborted cookies
 * read DMA_COMPLETE. A NULL channel gives DMA_ERROR (logged). The residue
 * follows the device's residue_granularity (always 0 for DESCRIPTOR, e.g.
 * sw-memcpy). Allowed on a released channel (its cookies stay readable).
 * Context: any thread.
 */
UDMA_EXPORT enum dma_status dmaengine_tx_status(struct dma_chan *chan,
						dma_cookie_t cookie,
						struct dma_tx_state *state);

/*
 * dma_async_is_tx_complete - dmaengine_tx_status() returning the last
 * completed and last used cookies in @last and @used (either may be NULL).
 * Context: any thread.
 */
UDMA_EXPORT enum dma_status dma_async_is_tx_complete(struct dma_chan *chan,
						     dma_cookie_t cookie,
						     dma_cookie_t *last,
						     dma_cookie_t *used);

/*
 * dma_sync_wait - issue pending work on @chan and wait until @cookie is no
 * longer in progress, for at most 5000 ms.
 * Return: the final status, DMA_ERROR on timeout (logged).
 * Context: may block (spins then sleeps); refused (DMA_ERROR) from a callback.
 */
UDMA_EXPORT enum dma_status dma_sync_wait(struct dma_chan *chan, dma_cookie_t cookie);

/* ------------------------------------------------- statistics and summary */

/*
 * enum udma_chan_state - what a channel is doing, as udma_chan_get_stats()
 * and udma_dump() see it. Checked in this order, the first that applies wins:
 */
enum udma_chan_state {
	UDMA_CHAN_TERMINATING, /* being released, a dmaengine_synchronize() is
	                          waiting, or terminated descriptors wait to be
	                          synchronized */
	UDMA_CHAN_PAUSED,      /* dmaengine_pause() succeeded; no resume or
	                          terminate since */
	UDMA_CHAN_BUSY,        /* transfers pending (submitted, not finished) or
	                          completion work (a tasklet) running */
	UDMA_CHAN_IDLE,        /* none of the above */
};

/* udma_chan_state_name - "terminating", "paused", "busy", "idle". Any thread. */
static inline const char *udma_chan_state_name(enum udma_chan_state state)
{
	switch (state) {
	case UDMA_CHAN_TERMINATING: return "terminating";
	case UDMA_CHAN_PAUSED: return "paused";
	case UDMA_CHAN_BUSY: return "busy";
	case UDMA_CHAN_IDLE: return "idle";
	default: return "unknown";
	}
}

/*
 * struct udma_chan_stats - one channel's counters and state.
 *
 * Counters count from the channel's registration and never reset (also not
 * when the channel changes hands). Every submitted cookie ends in exactly
 * one of completed, errors or aborted; until then it counts as pending.
 * The struct grows at its end only: set @size before the call.
 */
struct udma_chan_stats {
	uint32_t size;        /* in: sizeof(struct udma_chan_stats) the caller
	                         was built with; out: bytes filled */
	uint32_t state;       /* enum udma_chan_state */
	uint64_t submitted;   /* cookies handed out by dmaengine_submit() */
	uint64_t completed;   /* finished with DMA_TRANS_NOERROR */
	uint64_t errors;      /* finished with another result (read/write failed) */
	uint64_t aborted;     /* aborted by a terminate or release (a cyclic
	                         transfer always ends so) */
	uint64_t bytes;       /* bytes the provider reported moved (periods of a
	                         cyclic transfer included); 0 if it reports none */
	uint64_t pending;     /* submitted - completed - errors - aborted */
	uint64_t pool_empty;  /* preps refused because the descriptor pool was
	                         empty (virt-dma pools) */
	uint32_t in_use;      /* 1 while a client holds the channel, else 0 */
	int32_t client_tid;   /* Linux thread id that requested it; 0 when free */
	uint64_t held_ns;     /* ns since that request; 0 when free */
	char client[48];      /* udma_chan_set_client_name(), or "" */
	char client_thread[16]; /* the requesting thread's name at the request */
	/*
	 * Descriptors per list, read in one hold of the channel lock; only for
	 * providers using the virt-dma pool (lists_valid 1), else all 0.
	 */
	uint32_t lists_valid;
	uint32_t prepared;    /* prepared, not submitted (or reusable, idle) */
	uint32_t queued;      /* submitted, not issued: dma_async_issue_pending()
	                         has not been called for them */
	uint32_t issued;      /* issued, not yet taken by the engine */
	uint32_t active;      /* taken by the engine (pending - queued - issued
	                         - done) */
	uint32_t done;        /* finished by the engine, callback not yet run */
	uint32_t terminated;  /* terminated, waiting for dmaengine_synchronize() */
	uint32_t unacked;     /* finished without DMA_CTRL_ACK, waiting for
	                         async_tx_ack() */
	uint32_t pool_free;   /* free descriptors in the pool */
	uint32_t pool_size;   /* descriptors in the pool */
};

/*
 * udma_chan_get_stats - fill @out with @chan's counters, holder and state.
 * The caller sets @out->size = sizeof(*@out); the library fills at most that
 * many bytes (zeroing what it does not know) and stores how many it filled.
 * Any registered channel, held or not. Counters are read without a lock
 * (each exact; together a snapshot within a few operations, except under
 * lists_valid where counters and lists are read in one lock hold).
 * Return: 0, -EINVAL (NULL @chan or @out, unregistered channel, @out->size
 * smaller than the first version of the struct; logged).
 * Context: any thread, including a completion callback (takes the registry
 * mutex and the channel lock briefly; neither is held while anything waits
 * for a callback); not from a request filter function or a log sink.
 */
UDMA_EXPORT int udma_chan_get_stats(struct dma_chan *chan, struct udma_chan_stats *out);

/*
 * udma_chan_set_client_name - name the holder of @chan for udma_dump() and
 * udma_chan_get_stats() ("rx-pipeline"). Copied (at most 47 bytes); NULL or
 * "" clears it. Cleared when the channel is released.
 * Return: 0, -EINVAL (NULL or unregistered @chan, or a channel not held;
 * logged). Context: any thread, including a completion callback (takes the
 * registry mutex briefly); not from a request filter function.
 */
UDMA_EXPORT int udma_chan_set_client_name(struct dma_chan *chan, const char *name);

/*
 * udma_dump - print a summary of every registered device and channel to
 * @out, in the spirit of the kernel's debugfs dmaengine/summary: per device
 * its channels, who holds each (client name, thread), its state, counters
 * and pending descriptors per list, and the completion thread's id (for a
 * debugger). See doc/api.md for a sample. The text is built under the
 * registry mutex (and each channel lock, briefly, one at a time) and written
 * to @out after they are released, so a slow @out never holds up the
 * library. Set UDMA_DUMP=exit or UDMA_DUMP_SIGNAL=USR1 to get it from a
 * running program without code changes (doc/api.md).
 * Return: 0, -EINVAL (NULL @out; logged), -ENOMEM, -EIO (writing failed).
 * Context: any thread, including a completion callback (allocates; never
 * waits for a callback); not from a request filter function or a log sink.
 */
UDMA_EXPORT int udma_dump(FILE *out);

/* ------------------------------------------------------ channel control */

/*
 * dmaengine_slave_config - hand @config to the provider for transfers
 * prepared after this call. The core first checks it against
 * dma_get_slave_caps(): a set direction must be a slave direction the channel
 * supports, a set src/dst_addr_width must be in src/dst_addr_widths, a set
 * src/dst_maxburst must lie in [min_burst, max_burst].
 * Return: 0, -EINVAL (NULL argument, a field outside the caps - the log line
 * names it - or rejected by the provider), -ENOSYS (provider has no
 * device_config).
 * Context: any thread.
 */
UDMA_EXPORT int dmaengine_slave_config(struct dma_chan *chan,
				       struct dma_slave_config *config);

/*
 * dmaengine_pause / dmaengine_resume - stop / restart the channel's activity
 * without losing data. Return: 0, -EINVAL (NULL channel), -ENOSYS (provider
 * lacks the operation), or the provider's error. Context: any thread.
 */
UDMA_EXPORT int dmaengine_pause(struct dma_chan *chan);
UDMA_EXPORT int dmaengine_resume(struct dma_chan *chan);

/*
 * dmaengine_terminate_async - abort every descriptor of @chan: prepared,
 * submitted, issued, running, and completed but not yet called back.
 * Once it returns, no callback of those descriptors will start, except the
 * one the completion thread had already committed to before the terminate
 * (at most one per channel: it may be entered just after this returns and
 * may still be running). Called from a callback, no further callback of
 * those descriptors runs at all. Aborted
 * descriptors get no callback and read DMA_ERROR from dmaengine_tx_status().
 * Call dmaengine_synchronize() before freeing what callbacks or transfers
 * touch. Work issued after this call is not affected by it.
 * Return: 0, -EINVAL (NULL/unheld channel, or no device_terminate_all).
 * Context: any thread, including a callback of this channel.
 */
UDMA_EXPORT int dmaengine_terminate_async(struct dma_chan *chan);

/*
 * dmaengine_synchronize - wait until no callback of @chan is running and the
 * engine no longer touches memory of descriptors terminated before the call.
 * Returns at once on an idle or paused channel.
 * Context: may block; from a completion callback it logs an error and
 * returns without waiting.
 */
UDMA_EXPORT void dmaengine_synchronize(struct dma_chan *chan);

/*
 * dmaengine_terminate_sync - dmaengine_terminate_async() then
 * dmaengine_synchronize(). Return: 0; -EINVAL as terminate_async; -EDEADLK
 * when called from a completion callback (the asynchronous part has then been
 * done, but nothing was waited for). Context: may block.
 */
UDMA_EXPORT int dmaengine_terminate_sync(struct dma_chan *chan);

/*
 * dmaengine_terminate_all - deprecated kernel name for terminate_async.
 * Return: as dmaengine_terminate_async() but -ENOSYS when unsupported.
 */
UDMA_EXPORT int dmaengine_terminate_all(struct dma_chan *chan);

/*
 * dma_get_slave_caps - fill @caps with what @chan supports.
 * Return: 0, -EINVAL (NULL argument), -ENXIO (not a slave channel:
 * no DMA_SLAVE/DMA_CYCLIC capability or no directions). Context: any thread.
 */
UDMA_EXPORT int dma_get_slave_caps(struct dma_chan *chan, struct dma_slave_caps *caps);

/* ------------------------------------------------------ reuse and ack */

/*
 * dmaengine_desc_set_reuse - mark @tx reusable (DMA_CTRL_REUSE): after it
 * completes or is aborted it returns to the prepared state and may be
 * submitted again. Return: 0, -EINVAL (NULL), -EPERM (channel does not
 * support reuse). Context: any thread.
 */
UDMA_EXPORT int dmaengine_desc_set_reuse(struct dma_async_tx_descriptor *tx);

/* flags are shared with async_tx_ack() on another thread: atomics */
static inline void dmaengine_desc_clear_reuse(struct dma_async_tx_descriptor *tx)
{
	__atomic_fetch_and((unsigned int *)&tx->flags, ~(unsigned int)DMA_CTRL_REUSE,
			   __ATOMIC_RELEASE);
}

static inline bool dmaengine_desc_test_reuse(struct dma_async_tx_descriptor *tx)
{
	return (__atomic_load_n((unsigned int *)&tx->flags, __ATOMIC_ACQUIRE) &
		DMA_CTRL_REUSE) == DMA_CTRL_REUSE;
}

/*
 * dmaengine_desc_free - give back a reusable descriptor that is not queued.
 * Return: 0, -EINVAL (NULL), -EPERM (not reusable), -EBUSY (still queued).
 * Context: any thread.
 */
UDMA_EXPORT int dmaengine_desc_free(struct dma_async_tx_descriptor *desc);

/* async_tx_ack - allow the engine to recycle @tx once complete. Any thread. */
static inline void async_tx_ack(struct dma_async_tx_descriptor *tx)
{
	__atomic_fetch_or((unsigned int *)&tx->flags, (unsigned int)DMA_CTRL_ACK,
			  __ATOMIC_RELEASE);
}

static inline void async_tx_clear_ack(struct dma_async_tx_descriptor *tx)
{
	__atomic_fetch_and((unsigned int *)&tx->flags, ~(unsigned int)DMA_CTRL_ACK,
			   __ATOMIC_RELEASE);
}

static inline bool async_tx_test_ack(struct dma_async_tx_descriptor *tx)
{
	return (__atomic_load_n((unsigned int *)&tx->flags, __ATOMIC_ACQUIRE) &
		DMA_CTRL_ACK) == DMA_CTRL_ACK;
}

/* ------------------------------------------------ unmap data (async_tx) */

/*
 * struct dmaengine_unmap_data - mappings a descriptor holds and undoes when
 * it ends. @addr holds @to_cnt DMA_TO_DEVICE addresses, then @from_cnt
 * DMA_FROM_DEVICE ones, then @bidi_cnt DMA_BIDIRECTIONAL ones (a 0 among
 * those is skipped), each mapped on @dev for @len bytes; @map_cnt is the
 * room dmaengine_get_unmap_data() made. Differences from the kernel, both
 * invisible to code that only indexes @addr and calls the functions below:
 * @addr is a pointer to the entries (allocated with the struct; a flexible
 * array would not be valid C++), and @udma_refcount stands for the kernel's
 * struct kref.
 */
struct dmaengine_unmap_data {
	uint16_t map_cnt;
	uint8_t to_cnt;
	uint8_t from_cnt;
	uint8_t bidi_cnt;
	struct device *dev;
	unsigned int udma_refcount;
	size_t len;
	dma_addr_t *addr;
};

/*
 * dmaengine_get_unmap_data - unmap data with room for @nr (1..256)
 * addresses on @dev, counts zero, one reference (the caller's). @flags is
 * the kernel's gfp_t, ignored (pass 0).
 * Return: the unmap data, or NULL (@nr out of range, out of memory; logged).
 * Context: any thread; allocates.
 */
UDMA_EXPORT struct dmaengine_unmap_data *dmaengine_get_unmap_data(struct device *dev, int nr,
								  unsigned int flags);

/*
 * dmaengine_unmap_put - drop a reference to @unmap (NULL: nothing). The last
 * one unmaps every recorded address with dma_unmap_single() in its direction
 * and frees @unmap. Context: any thread that may call dma_unmap_single()
 * (with strict mapping on, that waits for an RCU grace period: not inside a
 * urcu-bp read-side section).
 */
UDMA_EXPORT void dmaengine_unmap_put(struct dmaengine_unmap_data *unmap);

/*
 * dma_set_unmap - attach @unmap to @tx, taking a reference for it: the
 * provider drops it when @tx completes (before its callback) or is thrown
 * away. virt-dma providers do this for you; others call
 * dma_descriptor_unmap() at that point. Context: the preparer, before submit.
 */
static inline void dma_set_unmap(struct dma_async_tx_descriptor *tx,
				 struct dmaengine_unmap_data *unmap)
{
	__atomic_add_fetch(&unmap->udma_refcount, 1, __ATOMIC_RELAXED);
	tx->unmap = unmap;
}

/*
 * dma_descriptor_unmap - drop @tx's unmap data, if any (its mappings are
 * undone when that was the last reference). Context: the provider's
 * completion path, as for dmaengine_unmap_put().
 */
static inline void dma_descriptor_unmap(struct dma_async_tx_descriptor *tx)
{
	if (tx->unmap) {
		dmaengine_unmap_put(tx->unmap);
		tx->unmap = NULL;
	}
}

/* ------------------------------------------- public channel pool (async_tx) */

/*
 * dmaengine_get - take a reference on the public channel pool. While any
 * reference exists the pool holds every free channel of every device that
 * offers DMA_MEMCPY, DMA_XOR, DMA_PQ, DMA_XOR_VAL or DMA_PQ_VAL (and was not
 * registered with DMA_PRIVATE), and keeps taking channels as devices register
 * and private channels are released. Public channels are never handed out by
 * dma_request_channel() and cannot be released with dma_release_channel().
 * Loads the provider plugins on first use. Context: may block; refused
 * (logged, no reference taken) from a completion callback.
 */
UDMA_EXPORT void dmaengine_get(void);

/*
 * dmaengine_put - drop a dmaengine_get() reference; the last one gives every
 * public channel back (work still queued on them is aborted: quiesce first).
 * An unmatched put is logged and ignored. Context: may block; refused from a
 * completion callback.
 */
UDMA_EXPORT void dmaengine_put(void);

/*
 * dma_find_channel - the public channel that serves operation @tx_type
 * (DMA_MEMCPY .. DMA_INTERRUPT) for the calling CPU, or NULL (no reference
 * held, no capable channel, or another type). Lock-free (RCU read side).
 * The channel stays usable while a dmaengine_get() reference is held and its
 * device stays registered; the async_tx layer calls this, preps and submits
 * inside one RCU read-side section so that an unregister never frees a
 * channel under it. Context: any thread, including a completion callback.
 */
UDMA_EXPORT struct dma_chan *dma_find_channel(enum dma_transaction_type tx_type);

/*
 * dma_issue_pending_all - dma_async_issue_pending() on every public channel.
 * Context: any thread, lock-free.
 */
UDMA_EXPORT void dma_issue_pending_all(void);

/*
 * udma_public_channels - copy up to @max public channels into @chans.
 * Return: how many the pool holds (may exceed @max), -EINVAL (@chans NULL
 * with @max > 0). For diagnostics and tests. Context: any thread.
 */
UDMA_EXPORT int udma_public_channels(struct dma_chan **chans, unsigned int max);

/* ---------------------------------------------------------------- misc */

static inline bool is_slave_direction(enum dma_transfer_direction direction)
{
	return (direction == DMA_MEM_TO_DEV) || (direction == DMA_DEV_TO_MEM) ||
	       (direction == DMA_DEV_TO_DEV);
}

static inline const char *dmaengine_get_direction_text(enum dma_transfer_direction dir)
{
	switch (dir) {
	case DMA_DEV_TO_MEM: return "DEV_TO_MEM";
	case DMA_MEM_TO_DEV: return "MEM_TO_DEV";
	case DMA_MEM_TO_MEM: return "MEM_TO_MEM";
	case DMA_DEV_TO_DEV: return "DEV_TO_DEV";
	default: return "invalid";
	}
}

static inline bool dmaengine_check_align(enum dmaengine_alignment align,
					 size_t off1, size_t off2, size_t len)
{
	size_t mask = ((size_t)1 << align) - 1;

	return !((off1 | off2 | len) & mask);
}

static inline bool is_dma_copy_aligned(struct dma_device *dev, size_t off1,
				       size_t off2, size_t len)
{
	return dmaengine_check_align(dev->copy_align, off1, off2, len);
}

static inline bool is_dma_fill_aligned(struct dma_device *dev, size_t off1,
				       size_t off2, size_t len)
{
	return dmaengine_check_align(dev->fill_align, off1, off2, len);
}

static inline bool is_dma_xor_aligned(struct dma_device *dev, size_t off1,
				      size_t off2, size_t len)
{
	return dmaengine_check_align(dev->xor_align, off1, off2, len);
}

static inline bool is_dma_pq_aligned(struct dma_device *dev, size_t off1,
				     size_t off2, size_t len)
{
	return dmaengine_check_align(dev->pq_align, off1, off2, len);
}

/*
 * PQ source limits, kernel names. Bit 15 of dma_device.max_pq says the
 * engine continues a syndrome natively (DMA_PREP_CONTINUE: the P and Q
 * passed as destinations are also read as the previous partial result);
 * without it a continued operation needs spare source slots (3, or 1 when
 * P is disabled), which dma_maxpq() subtracts. Read max_pq only through
 * these. All inline. Context: any thread.
 */
#define DMA_HAS_PQ_CONTINUE (1 << 15)

static inline void dma_set_maxpq(struct dma_device *dma, int maxpq, int has_pq_continue)
{
	dma->max_pq = (unsigned short)maxpq;
	if (has_pq_continue)
		dma->max_pq |= DMA_HAS_PQ_CONTINUE;
}

static inline bool dmaf_continue(enum dma_ctrl_flags flags)
{
	return (flags & DMA_PREP_CONTINUE) == DMA_PREP_CONTINUE;
}

static inline bool dmaf_p_disabled_continue(enum dma_ctrl_flags flags)
{
	unsigned int both = DMA_PREP_CONTINUE | DMA_PREP_PQ_DISABLE_P;

	return (flags & both) == both;
}

static inline bool dma_dev_has_pq_continue(struct dma_device *dma)
{
	return (dma->max_pq & DMA_HAS_PQ_CONTINUE) == DMA_HAS_PQ_CONTINUE;
}

static inline unsigned short dma_dev_to_maxpq(struct dma_device *dma)
{
	return dma->max_pq & ~DMA_HAS_PQ_CONTINUE;
}

/* dma_maxpq - how many sources one PQ prep with @flags may take on @dma. */
static inline int dma_maxpq(struct dma_device *dma, enum dma_ctrl_flags flags)
{
	if (dma_dev_has_pq_continue(dma) || !dmaf_continue(flags))
		return dma_dev_to_maxpq(dma);
	if (dmaf_p_disabled_continue(flags))
		return dma_dev_to_maxpq(dma) - 1;
	return dma_dev_to_maxpq(dma) - 3;
}

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_DMAENGINE_H */
