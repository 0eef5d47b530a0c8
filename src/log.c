/* SPDX-License-Identifier: MIT */
/*
 * log.c - the library's log sink and level.
 *
 * The level starts from UDMA_LOG_LEVEL (number or name; an invalid value is
 * logged and means err) on first use and is
 * read with one atomic load per message, so disabled messages cost nothing
 * but the compare. The sink pointer and its userdata are published together
 * under log_lock (a mutex, taken only when a message is actually emitted,
 * which never happens on a successful hot path). A forked child starts with
 * log_lock unlocked even if another thread of the parent held it (so the
 * child's "refused after fork()" lines cannot deadlock).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core-private.h"

static int log_level = -1; /* -1: not read from the environment yet */
static udma_log_fn log_fn;
static void *log_userdata;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_atfork_child(void)
{
	pthread_mutex_init(&log_lock, NULL);
}

__attribute__((constructor)) static void log_atfork_init(void)
{
	pthread_atfork(NULL, NULL, log_atfork_child);
}

/*
 * udma__log_level_parse - a UDMA_LOG_LEVEL value: a level name (err, error,
 * warning, warn, info, debug; any case) or a decimal number 0..7.
 * Return: the level; UDMA_LOG_ERR for NULL or ""; -EINVAL for anything else
 * (not logged: the caller decides). Context: any thread.
 */
int udma__log_level_parse(const char *s)
{
	static const struct { const char *name; int level; } names[] = {
		{ "err", UDMA_LOG_ERR }, { "error", UDMA_LOG_ERR },
		{ "warning", UDMA_LOG_WARNING }, { "warn", UDMA_LOG_WARNING },
		{ "info", UDMA_LOG_INFO }, { "debug", UDMA_LOG_DEBUG },
	};

	if (!s || !*s)
		return UDMA_LOG_ERR;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].level;
	/* one digit only: strtol would take blanks, signs and "07" */
	if (s[0] >= '0' && s[0] <= '7' && !s[1])
		return s[0] - '0';
	return -EINVAL;
}

static int current_level(void)
{
	int l = __atomic_load_n(&log_level, __ATOMIC_RELAXED);

	if (l < 0) {
		const char *env = getenv("UDMA_LOG_LEVEL");
		int parsed = udma__log_level_parse(env);
		int expected = -1;

		l = parsed < 0 ? UDMA_LOG_ERR : parsed;
		if (!__atomic_compare_exchange_n(&log_level, &expected, l, false,
						 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return expected;
		/* the level is set now, so this does not recurse */
		if (parsed < 0)
			udma_err("UDMA_LOG_LEVEL=\"%.64s\" is not a level (err, warning, "
				 "info, debug or 0..7); using err", env);
	}
	return l;
}

UDMA_EXPORT void udma_set_log_fn(udma_log_fn fn, void *userdata)
{
	pthread_mutex_lock(&log_lock);
	log_fn = fn;
	log_userdata = userdata;
	pthread_mutex_unlock(&log_lock);
}

UDMA_EXPORT void udma_set_log_level(int level)
{
	__atomic_store_n(&log_level, level < 0 ? 0 : level, __ATOMIC_RELAXED);
}

UDMA_EXPORT int udma_get_log_level(void)
{
	return current_level();
}

UDMA_EXPORT void udma_log(int level, const char *func, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (level > current_level())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&log_lock);
	if (log_fn)
		log_fn(level, func ? func : "?", msg, log_userdata);
	else
		fprintf(stderr, "udmaengine: %s: %s\n", func ? func : "?", msg);
	pthread_mutex_unlock(&log_lock);
}
