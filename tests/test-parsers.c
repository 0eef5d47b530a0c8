/* SPDX-License-Identifier: MIT */
/*
 * test-parsers.c - the configuration parsers, case by case: provider options
 * (udma__provider_options, udma_option_uint), slave maps
 * (udma__slave_map_parse) and log levels (udma__log_level_parse and the
 * UDMA_LOG_LEVEL environment variable). The fuzzers in tests/fuzz explore
 * them at random; this file pins the cases that used to be misread.
 *
 * Linked with the core's static library (the udma__ parsers are hidden in
 * libudmaengine.so). Single-threaded.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core-private.h"
#include "log-capture.h"

static bool level_env_logged;

static void test_option_uint(void **state)
{
	unsigned long v = 77;

	(void)state;
	assert_int_equal(udma_option_uint("channels=4", "channels", &v), 1);
	assert_int_equal(v, 4);
	assert_int_equal(udma_option_uint("channels=0x10, pool=010", "pool", &v), 1);
	assert_int_equal(v, 8);
	assert_int_equal(udma_option_uint("channels=0x10, pool=010", "channels", &v), 1);
	assert_int_equal(v, 16);
	assert_int_equal(udma_option_uint("a=1,a=2", "a", &v), 1); /* first wins */
	assert_int_equal(v, 1);

	v = 77;
	assert_int_equal(udma_option_uint("channelsx=3,pool=1", "channels", &v), 0);
	assert_int_equal(udma_option_uint("", "channels", &v), 0);
	assert_int_equal(v, 77); /* untouched when absent */

	/* strtoul would take these: " -1" even wrapped to ULONG_MAX */
	static const char *const bad[] = {
		"channels=-1", "channels= -1", "channels=+4", "channels= 4", "channels=",
		"channels=4x", "channels=99999999999999999999999", "channels=0x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		log_reset();
		assert_int_equal(udma_option_uint(bad[i], "channels", &v), -EINVAL);
		assert_int_equal(v, 77);
		assert_true(log_has("is not an unsigned number"));
	}
	assert_int_equal(udma_option_uint("=4", "", &v), -EINVAL);
	assert_int_equal(udma_option_uint(NULL, "a", &v), -EINVAL);
	assert_int_equal(udma_option_uint("a=1", "a", NULL), -EINVAL);
}

static void test_provider_options(void **state)
{
	const char *all = "sw-memcpy:channels=8,pool=2048; cyclic-ring:channels=4;"
			  "sw-memcpy:pool=1";
	char *o, big[1200];

	(void)state;
	o = udma__provider_options(all, "sw-memcpy");
	assert_string_equal(o, "channels=8,pool=2048");
	free(o);
	o = udma__provider_options(all, "cyclic-ring");
	assert_string_equal(o, "channels=4");
	free(o);
	o = udma__provider_options(all, "cyclic");
	assert_string_equal(o, "");
	free(o);
	o = udma__provider_options(NULL, "sw-memcpy");
	assert_string_equal(o, "");
	free(o);
	/* longer than the 511 bytes it used to be cut to */
	memcpy(big, "x:", 2);
	memset(big + 2, 'k', sizeof(big) - 3);
	big[sizeof(big) - 1] = '\0';
	o = udma__provider_options(big, "x");
	assert_int_equal(strlen(o), sizeof(big) - 3);
	free(o);
}

static void test_slave_map(void **state)
{
	(void)state;
	log_reset();
	assert_int_equal(udma__slave_map_parse("pcm0,playback,cyclic-ring;"
					       "adc0,rx,cyclic-ring,dma0chan1", "T"), 2);
	assert_int_equal(log_count(), 0);
	assert_int_equal(udma_dma_slave_map_remove("pcm0", "playback"), 0);
	assert_int_equal(udma_dma_slave_map_remove("adc0", "rx"), 0);

	/* strtok used to merge the empty field away: a, b -> c */
	assert_int_equal(udma__slave_map_parse("a,,b,c", "T"), 0);
	assert_true(log_has("T entry \"a,,b,c\": empty field"));
	assert_int_equal(udma_dma_slave_map_remove("a", "b"), -ENOENT);
	/* and dropped a fifth field silently */
	assert_int_equal(udma__slave_map_parse("a,b,c,d,e", "T"), 0);
	assert_true(log_has("more than 4 fields"));
	assert_int_equal(udma__slave_map_parse("a,b", "T"), 0);
	assert_true(log_has("needs devname,slave,dma_device[,channel]"));
	assert_int_equal(udma__slave_map_parse("a,b,", "T"), 0);

	/* blanks trimmed, empty entries skipped, duplicates refused */
	log_reset();
	assert_int_equal(udma__slave_map_parse(" uart0 , tx , cyclic-ring ;; ;", "T"), 1);
	assert_int_equal(log_count(), 0);
	assert_int_equal(udma__slave_map_parse("uart0,tx,other", "T"), 0);
	assert_true(log_has("uart0/tx is already mapped (to cyclic-ring)"));
	assert_int_equal(udma_dma_slave_map_remove("uart0", "tx"), 0);
	assert_int_equal(udma__slave_map_parse("", "T"), 0);
	assert_int_equal(udma__slave_map_parse(NULL, "T"), 0);
	udma__slave_map_clear();
}

static void test_log_level(void **state)
{
	(void)state;
	assert_int_equal(udma__log_level_parse(NULL), UDMA_LOG_ERR);
	assert_int_equal(udma__log_level_parse(""), UDMA_LOG_ERR);
	assert_int_equal(udma__log_level_parse("debug"), UDMA_LOG_DEBUG);
	assert_int_equal(udma__log_level_parse("WARN"), UDMA_LOG_WARNING);
	assert_int_equal(udma__log_level_parse("Error"), UDMA_LOG_ERR);
	assert_int_equal(udma__log_level_parse("0"), 0);
	assert_int_equal(udma__log_level_parse("5"), 5);
	assert_int_equal(udma__log_level_parse("8"), -EINVAL);
	assert_int_equal(udma__log_level_parse(" 6"), -EINVAL);
	assert_int_equal(udma__log_level_parse("07"), -EINVAL);
	assert_int_equal(udma__log_level_parse("-1"), -EINVAL);
	assert_int_equal(udma__log_level_parse("infox"), -EINVAL);
	/* the environment value read at first use (in main) */
	assert_true(level_env_logged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_option_uint),
		cmocka_unit_test(test_provider_options),
		cmocka_unit_test(test_slave_map),
		cmocka_unit_test(test_log_level),
	};

	/* before anything logs: a bad UDMA_LOG_LEVEL means err, and says so */
	setenv("UDMA_LOG_LEVEL", "loud", 1);
	udma_set_log_fn(log_sink, NULL);
	assert_int_equal(udma_get_log_level(), UDMA_LOG_ERR);
	level_env_logged = log_has("UDMA_LOG_LEVEL=\"loud\" is not a level");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
