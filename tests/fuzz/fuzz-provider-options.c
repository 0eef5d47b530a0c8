/* SPDX-License-Identifier: MIT */
/*
 * fuzz-provider-options.c - libFuzzer target for the provider option
 * parsers: udma__provider_options() (picking a provider's part of
 * UDMA_PROVIDER_OPTIONS) and udma_option_uint() (what probe() uses on it).
 *
 * Input: "<provider name>\n<UDMA_PROVIDER_OPTIONS text>" (no newline: the
 * whole input is the option text and the name is "sw-memcpy"). Checks: no
 * crash or UB; the options returned are "" or a substring of the input; every
 * udma_option_uint() result is -EINVAL, 0 (output untouched) or 1 (a value
 * strtoul gives for some "key=" in the text). No locks (single thread).
 */
#include <errno.h>
#include <stdbool.h>

#include "core-private.h"
#include "fuzz-util.h"

/* Call udma_option_uint and check its contract. */
static void check_uint(const char *opts, const char *key)
{
	const unsigned long sentinel = 0xdeadbeefUL;
	unsigned long v = sentinel;
	int ret = udma_option_uint(opts, key, &v);

	FUZZ_CHECK(ret == -EINVAL || ret == 0 || ret == 1);
	if (ret != 1) {
		FUZZ_CHECK(v == sentinel);
		return;
	}
	/* the value comes from some "key=<digit>..." in opts */
	char pat[80];
	const char *p = opts;
	bool found = false;

	snprintf(pat, sizeof(pat), "%s=", key);
	while (!found && (p = strstr(p, pat))) {
		p += strlen(pat);
		found = *p >= '0' && *p <= '9';
	}
	FUZZ_CHECK(found);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_init(UDMA_LOG_DEBUG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_strndup(data, size);
	char *nl = strchr(in, '\n');
	const char *name = "sw-memcpy", *all = in;
	static const char *const keys[] = { "channels", "pool", "a", "x" };
	char *opts;

	if (nl) {
		*nl = '\0';
		name = in;
		all = nl + 1;
	}
	opts = udma__provider_options(all, name);
	FUZZ_CHECK(opts);
	FUZZ_CHECK(!*opts || strstr(all, opts));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		check_uint(opts, keys[i]);
		check_uint(all, keys[i]);
	}
	if (*name && strlen(name) < 64)
		check_uint(all, name); /* keys made by the input */
	FUZZ_CHECK(udma_option_uint(all, "", NULL) == -EINVAL);
	free(opts);
	free(in);
	return 0;
}
