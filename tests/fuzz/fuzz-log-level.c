/* SPDX-License-Identifier: MIT */
/*
 * fuzz-log-level.c - libFuzzer target for the UDMA_LOG_LEVEL parser
 * (udma__log_level_parse) and for udma_log() carrying input text.
 *
 * Input: the level text. Checks: no crash or UB; the result is -EINVAL or a
 * level 0..7, and a valid text round-trips through udma_set_log_level /
 * udma_get_log_level; a message carrying the text reaches the sink
 * terminated and at most 511 bytes long. Single thread.
 */
#include <errno.h>

#include "core-private.h"
#include "fuzz-util.h"

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
	char *s = fuzz_strndup(data, size);
	int l = udma__log_level_parse(s);
	long before;

	FUZZ_CHECK(l == -EINVAL || (l >= 0 && l <= 7));
	if (!*s)
		FUZZ_CHECK(l == UDMA_LOG_ERR);
	if (l >= 0) {
		udma_set_log_level(l);
		FUZZ_CHECK(udma_get_log_level() == l);
	}
	udma_set_log_level(UDMA_LOG_DEBUG);
	before = fuzz_log_lines;
	udma_log(UDMA_LOG_ERR, s, "level text \"%s\" parsed as %d", s, l);
	FUZZ_CHECK(fuzz_log_lines == before + 1);
	free(s);
	return 0;
}
