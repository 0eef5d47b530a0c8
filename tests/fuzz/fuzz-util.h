/* SPDX-License-Identifier: MIT */
/*
 * fuzz-util.h - helpers shared by the libFuzzer targets in tests/fuzz: a log
 * sink that checks each message and counts it instead of printing it, an
 * input cursor, and FUZZ_CHECK (abort with a message: libFuzzer records the
 * input as a crash). Single-threaded use except the sink, which the library
 * serialises under its log mutex.
 */
#ifndef UDMA_FUZZ_UTIL_H
#define UDMA_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <udmaengine/udma.h>

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static long fuzz_log_lines; /* written under the library's log mutex */

/* Every message must be a terminated string of at most 511 bytes. */
static inline void fuzz_log_sink(int level, const char *func, const char *msg, void *ud)
{
	(void)ud;
	FUZZ_CHECK(func && msg);
	FUZZ_CHECK(level >= 0 && level <= 7);
	FUZZ_CHECK(strnlen(msg, 512) < 512);
	fuzz_log_lines++;
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "log: %s: %s\n", func, msg);
}

/* Quiet, checked logging at @level. */
static inline void fuzz_log_init(int level)
{
	udma_set_log_fn(fuzz_log_sink, NULL);
	udma_set_log_level(level);
}

/* A NUL-terminated copy of @n bytes at @d (caller frees). */
static inline char *fuzz_strndup(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);

	FUZZ_CHECK(s);
	memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

/* Input cursor: bytes are consumed from the front; 0 once exhausted. */
struct fuzz_in {
	const uint8_t *d;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->d++;
		in->n--;
	}
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = (v << 8) | fuzz_u8(in);
	return v;
}

#endif /* UDMA_FUZZ_UTIL_H */
