/* SPDX-License-Identifier: MIT */
/*
 * udmaengine/udma.h - libudmaengine's own additions to the dmaengine API.
 *
 * Everything here carries the udma_ / UDMA_ prefix: logging control, the
 * context query, and the small kernel helpers (ERR_PTR & co.) a kernel client
 * expects to find.  Included by <udmaengine/dmaengine.h>; clients need not
 * include it themselves.
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

#ifdef __cplusplus
}
#endif

#endif /* UDMAENGINE_UDMA_H */
