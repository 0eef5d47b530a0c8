/* SPDX-License-Identifier: MIT */
/*
 * log-capture.h - a udma_set_log_fn() sink for tests: keeps the first
 * LOG_CAPTURE_MAX lines (function and message) and counts all of them.
 * Thread-safe (lines come from completion threads too); never asserts.
 */
#ifndef UDMA_TEST_LOG_CAPTURE_H
#define UDMA_TEST_LOG_CAPTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LOG_CAPTURE_MAX 64

static pthread_mutex_t log_mx = PTHREAD_MUTEX_INITIALIZER;
static char log_func[LOG_CAPTURE_MAX][64];
static char log_line[LOG_CAPTURE_MAX][256]; /* "func: msg" */
static int log_n;

/* The sink: udma_set_log_fn(log_sink, NULL). */
static inline void log_sink(int level, const char *func, const char *msg, void *ud)
{
	(void)level;
	(void)ud;
	pthread_mutex_lock(&log_mx);
	if (log_n < LOG_CAPTURE_MAX) {
		snprintf(log_func[log_n], sizeof(log_func[0]), "%s", func);
		snprintf(log_line[log_n], sizeof(log_line[0]), "%s: %s", func, msg);
	}
	log_n++;
	pthread_mutex_unlock(&log_mx);
}

/* Forget what was captured. */
static inline void log_reset(void)
{
	pthread_mutex_lock(&log_mx);
	log_n = 0;
	pthread_mutex_unlock(&log_mx);
}

/* Lines logged since the last log_reset(). */
static inline int log_count(void)
{
	int n;

	pthread_mutex_lock(&log_mx);
	n = log_n;
	pthread_mutex_unlock(&log_mx);
	return n;
}

/* Captured lines logged by @func. */
static inline int log_count_func(const char *func)
{
	int n = 0;

	pthread_mutex_lock(&log_mx);
	for (int i = 0; i < log_n && i < LOG_CAPTURE_MAX; i++)
		if (!strcmp(log_func[i], func))
			n++;
	pthread_mutex_unlock(&log_mx);
	return n;
}

/* Print the captured lines to stderr (for a failing test's output). */
static inline void log_dump(void)
{
	pthread_mutex_lock(&log_mx);
	for (int i = 0; i < log_n && i < LOG_CAPTURE_MAX; i++)
		fprintf(stderr, "  log: %s\n", log_line[i]);
	pthread_mutex_unlock(&log_mx);
}

/* True when a captured "func: msg" line contains @needle; dumps if not. */
static inline bool log_has(const char *needle)
{
	bool found = false;

	pthread_mutex_lock(&log_mx);
	for (int i = 0; i < log_n && i < LOG_CAPTURE_MAX && !found; i++)
		found = strstr(log_line[i], needle) != NULL;
	pthread_mutex_unlock(&log_mx);
	if (!found) {
		fprintf(stderr, "no log line contains \"%s\"; %d logged:\n", needle, log_count());
		log_dump();
	}
	return found;
}

#endif /* UDMA_TEST_LOG_CAPTURE_H */
