/* SPDX-License-Identifier: MIT */
/*
 * fuzz-slave-map.c - libFuzzer target for the UDMA_SLAVE_MAP parser
 * (udma__slave_map_parse) and the program's slave map behind it.
 *
 * Input: the map text. Checks: no crash, UB or leak; the number of entries
 * added is at most the number of ';'-separated entries; parsing the same
 * text again adds nothing (every entry is already mapped); after clearing,
 * the text adds the same number again. No locks of its own (single thread).
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
	char *spec = fuzz_strndup(data, size);
	int entries = 1, added;

	for (const char *p = spec; *p; p++)
		entries += *p == ';';
	added = udma__slave_map_parse(spec, "fuzz");
	FUZZ_CHECK(added >= 0 && added <= entries);
	FUZZ_CHECK(udma__slave_map_parse(spec, "fuzz") == 0);
	udma__slave_map_clear();
	FUZZ_CHECK(udma__slave_map_parse(spec, "fuzz") == added);
	udma__slave_map_clear();
	FUZZ_CHECK(udma_dma_slave_map_remove("a", "b") == -ENOENT);
	free(spec);
	return 0;
}
