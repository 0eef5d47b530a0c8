/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/udma.h - libudmaengine's own additions to the dmaengine API.
 *
 * Everything here carries the udma_ / UDMA_ prefix: logging control, the
 * context query, the per-channel completion context (where client callbacks
 * run: the channel's completion thread, a client's udma_chan_poll() call, or
 * an event loop woken by an eventfd), and the small kernel helpers (ERR_PTR &
 * co.) a kernel client expects to find.  Included by
 * <udmaengine/dmaengine.h>; clients need not include it themselves.
 */
#ifndef UDMAENGINE_UDMA_H
#define UDMAENGINE_UDMA_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define UDMA_EXPORT __attribute__((visibility("default")))
/* Start a struct member on its own cache line (no false sharing). */
#define UDMA_CACHELINE_ALIGNED __attribute__((aligned(64)))
#else
#define UDMA_EXPORT
#define UDMA_CACHELINE_ALIGNED
#endif

/* ---- kernel <linux/err.h> helpers (used by dma_request_chan & co.) ---- */

#define MAX_ERRNO 4095

/* The kernel's "provider not there yet" errno, returned by request functions. */
#ifndef EPROBE_DEFER
#define EPROBE_DEFER 517
#endif

/* IS_ERR_VALUE - true when @x is an errno encoded as a pointer value. */
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)

/* ERR_PTR - encode a negative errno @error as a pointer. Any context. */
static inline void *ERR_PTR(long error) { return (void *)error; }
/* PTR_ERR - decode the negative errno carried by @ptr. Any context. */
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
/* IS_ERR - true when @ptr carries an errno rather than an object. */
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
/* IS_ERR_OR_NULL - true when @ptr is NULL or carries an errno. */
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }

/* ---- logging ---- */

/* Log levels (syslog numbering). Default: UDMA_LOG_ERR. */
enum udma_log_level {
	UDMA_LOG_ERR = 3,
	UDMA_LOG_WARNING = 4,
	UDMA_LOG_INFO = 6,
	UDMA_LOG_DEBUG = 7,
};

/*
 * udma_log_fn - a log sink. @level is an enum udma_log_level, @func the
 * library function that logged, @msg the formatted message (no trailing
 * newline, valid only during the call), @userdata what was given to
 * udma_set_log_fn(). Called from whichever thread logged, including
 * completion threads, so it must be thread-safe and must not call back into
 * libudmaengine.
 */
typedef void (*udma_log_fn)(int level, const char *func, const char *msg,
			    void *userdata);

/*
 * udma_set_log_fn - route library messages to @fn (NULL restores the default
 * sink, which writes "udmaengine: <func>: <msg>" lines to stderr).
 * Context: any thread; takes effect for messages logged after it returns.
 */
UDMA_EXPORT void udma_set_log_fn(udma_log_fn fn, void *userdata);

/*
 * udma_set_log_level - drop messages less severe than @level (an enum
 * udma_log_level; larger = more verbose). The environment variable
 * UDMA_LOG_LEVEL (a number or err/warning/info/debug) sets the initial level.
 * Context: any thread.
 */
UDMA_EXPORT void udma_set_log_level(int level);

/* udma_get_log_level - the level currently in force. Context: any thread. */
UDMA_EXPORT int udma_get_log_level(void);

/*
 * udma_log - log a printf-style message at @level on behalf of @func (for
 * providers and tools; the library logs through it too). Messages above the
 * current level are dropped before formatting (one atomic load). An emitted
 * message takes the log mutex around the sink, so logging - which the
 * library does only when it refuses a call or at start-up - is the one
 * place a hot-path function may wait. Context: any thread.
 */
UDMA_EXPORT void udma_log(int level, const char *func, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* ---- contexts ---- */

/*
 * udma_in_completion_context - true when the calling thread is one of the
 * library's completion ("tasklet") threads, i.e. inside a completion callback
 * or provider completion code. Functions documented "may block" refuse to run
 * there (they log and return -EDEADLK or do nothing, as each one documents).
 * Context: any thread, never blocks.
 */
UDMA_EXPORT bool udma_in_completion_context(void);

/* ---- completion context: where a channel's callbacks run ---- */

struct dma_chan;

/*
 * enum udma_completion_mode - who runs a channel's client callbacks.
 * @UDMA_COMPLETION_TASKLET: the channel's completion thread (the default and
 *   the kernel's model: callbacks run "in tasklet context").
 * @UDMA_COMPLETION_POLLED: the client's own thread, inside udma_chan_poll().
 * @UDMA_COMPLETION_EVENTFD: as POLLED, plus an eventfd
 *   (udma_chan_get_eventfd()) that becomes readable when callbacks are
 *   pending, for epoll/poll/io_uring/libuv loops; the loop's handler calls
 *   udma_chan_poll().
 * In every mode the provider's engine keeps running on its own thread; only
 * the delivery of completions moves: committing each cookie (after which
 * dmaengine_tx_status() reads DMA_COMPLETE) and running its callback. So in
 * the polled modes a cookie reads DMA_IN_PROGRESS until a poll delivers it
 * (dma_sync_wait() polls by itself). All terminate rules hold as in the
 * default mode: doc/api.md, "Completion context".
 */
enum udma_completion_mode {
	UDMA_COMPLETION_TASKLET = 0,
	UDMA_COMPLETION_POLLED = 1,
	UDMA_COMPLETION_EVENTFD = 2,
};

/* udma_chan_poll() budget meaning "every pending callback". */
#define UDMA_POLL_ALL (~0u)

/*
 * udma_chan_set_completion_mode - choose where @chan's client callbacks run.
 * Allowed only while the channel is idle: every submitted cookie committed or
 * aborted (e.g. right after the request, or after dmaengine_terminate_sync()).
 * Waits for a callback still running on the completion thread. Entering
 * EVENTFD creates the channel's eventfd; leaving it closes that fd (remove it
 * from your event loop first). dma_release_channel() puts the channel back
 * to UDMA_COMPLETION_TASKLET.
 * Return: 0; -EINVAL (NULL or unheld channel, unknown @mode); -EOPNOTSUPP
 * (the provider delivers callbacks itself, not through virt-dma with its
 * descriptor pool); -EBUSY (descriptors submitted and not yet delivered, or
 * a udma_chan_poll() is running; logged); -EDEADLK (called from a completion
 * callback); -EMFILE/-ENFILE/-ENOMEM (eventfd() failed).
 * Context: may block (briefly: a running callback).
 */
UDMA_EXPORT int udma_chan_set_completion_mode(struct dma_chan *chan,
					      enum udma_completion_mode mode);

/*
 * udma_chan_get_completion_mode - @chan's current enum udma_completion_mode.
 * Return: the mode, or -EINVAL (NULL or unregistered channel; logged).
 * Context: any thread.
 */
UDMA_EXPORT int udma_chan_get_completion_mode(struct dma_chan *chan);

/*
 * udma_chan_get_eventfd - the eventfd of a channel in UDMA_COMPLETION_EVENTFD.
 * It is non-blocking and close-on-exec, and becomes readable (EPOLLIN) when
 * callbacks are pending: it is written once when the channel goes from
 * "nothing pending" to "pending", not once per descriptor. udma_chan_poll()
 * reads (clears) it. The library owns the fd: do not close or read it
 * yourself; it stays valid until the mode changes or the channel is
 * released. A readable fd may find nothing left to run (another poll got
 * there first): udma_chan_poll() then returns 0.
 * Return: the fd (>= 0); -EINVAL (NULL or unheld channel); -ENOENT (the
 * channel is not in UDMA_COMPLETION_EVENTFD). Context: any thread.
 */
UDMA_EXPORT int udma_chan_get_eventfd(struct dma_chan *chan);

/*
 * udma_chan_poll - run up to @budget pending client callbacks of @chan
 * (polled or eventfd mode) on the calling thread, in completion order, with
 * udma_in_completion_context() true while they run (so "may block" calls
 * refuse there exactly as on the completion thread). Completions without a
 * callback are committed too and do not count against @budget. One call
 * handles at most @budget callbacks and 1024 descriptors, in passes of at
 * most 64; what is left stays pending (the eventfd readable again).
 * Only one thread polls a channel at a time: a concurrent call returns
 * -EBUSY at once and the thread already polling delivers the work (in
 * polled mode a call that finds nothing pending returns 0 first, with one
 * load and no write, so spinning on it is cheap).
 * Return: the number of callbacks run (0: nothing pending); -EINVAL (NULL or
 * unheld channel, @budget 0, or the channel is in UDMA_COMPLETION_TASKLET;
 * logged); -EBUSY (another thread is polling this channel, or its mode is
 * being changed); -EDEADLK (called from a completion callback; logged).
 * Context: any thread but a completion callback; never blocks (no sleeping
 * lock, no allocation; one read() of the eventfd in eventfd mode).
 */
UDMA_EXPORT int udma_chan_poll(struct dma_chan *chan, unsigned int budget);

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_UDMA_H */
