/* SPDX-License-Identifier: MIT */
/*
 * malloc-count.h - counts allocator calls, for the "no malloc in steady
 * state" tests (test-steady-state.c, test-async-steady.c).
 *
 * Include it in exactly one file of a test executable, after <cmocka.h>: it
 * defines malloc, calloc, realloc, free, posix_memalign, aligned_alloc and
 * memalign, forwarding to glibc's __libc_* functions and counting the calls
 * made from any thread between counting_start() and counting_stop().
 * counting_stop() returns the count and prints the first caller. Not for
 * sanitizer builds, which interpose the allocator themselves.
 */
#ifndef UDMA_TEST_MALLOC_COUNT_H
#define UDMA_TEST_MALLOC_COUNT_H

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t alignment, size_t size);

static atomic_int counting;
static atomic_long n_calls;
static atomic_uintptr_t first_caller;
static atomic_int first_kind;

enum { K_MALLOC = 1, K_CALLOC, K_REALLOC, K_FREE, K_MEMALIGN };

static const char *const kind_name[] = {
	"?", "malloc", "calloc", "realloc", "free", "posix_memalign/aligned_alloc/memalign",
};

static inline void count(int kind, void *caller)
{
	if (!atomic_load_explicit(&counting, memory_order_relaxed))
		return;
	if (atomic_fetch_add(&n_calls, 1) == 0) {
		atomic_store(&first_caller, (uintptr_t)caller);
		atomic_store(&first_kind, kind);
	}
}

void *malloc(size_t size)
{
	count(K_MALLOC, __builtin_return_address(0));
	return __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
	count(K_CALLOC, __builtin_return_address(0));
	return __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
	count(K_REALLOC, __builtin_return_address(0));
	return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
	count(K_FREE, __builtin_return_address(0));
	__libc_free(ptr);
}

int posix_memalign(void **memptr, size_t alignment, size_t size)
{
	void *p;

	count(K_MEMALIGN, __builtin_return_address(0));
	if (!alignment || (alignment & (alignment - 1)) || alignment % sizeof(void *))
		return EINVAL;
	p = __libc_memalign(alignment, size);
	if (!p)
		return ENOMEM;
	*memptr = p;
	return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
	count(K_MEMALIGN, __builtin_return_address(0));
	return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size)
{
	count(K_MEMALIGN, __builtin_return_address(0));
	return __libc_memalign(alignment, size);
}

static void counting_start(void)
{
	atomic_store(&n_calls, 0);
	atomic_store(&first_caller, 0);
	atomic_store(&first_kind, 0);
	atomic_store(&counting, 1);
}

static long counting_stop(void)
{
	long n;

	atomic_store(&counting, 0);
	n = atomic_load(&n_calls);
	if (n) {
		Dl_info info;
		void *caller = (void *)atomic_load(&first_caller);

		memset(&info, 0, sizeof(info));
		dladdr(caller, &info);
		print_message("  %ld allocator call(s); first: %s from %p (%s in %s)\n", n,
			      kind_name[atomic_load(&first_kind)], caller,
			      info.dli_sname ? info.dli_sname : "?",
			      info.dli_fname ? info.dli_fname : "?");
	}
	return n;
}

/* Called through volatile pointers so the compiler cannot elide the pair. */
static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

#endif /* UDMA_TEST_MALLOC_COUNT_H */
