/* SPDX-License-Identifier: MIT */
/*
 * test-plugin-loader.c - the plugin loader refuses bad plugins and bad plugin
 * folders with a clear log line, without crashing, and still loads the good
 * plugins next to them.
 *
 * Plugins load once per process, so each case is its own run:
 * `test-plugin-loader <case>` (tests/meson.build registers one meson test per
 * case). A case builds temporary plugin folders under a private mkdtemp()
 * folder (copies of the real providers from PROVIDER_DIR and of the bad
 * plugins from BAD_PLUGIN_DIR, with the permissions the case needs), points
 * UDMA_PLUGIN_PATH at them, triggers loading with a channel request, then
 * asserts the log lines (tests/log-capture.h) and which providers work.
 *
 * Single-threaded apart from the library's completion threads (which log
 * through the thread-safe capture sink).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <udmaengine/dmaengine.h>
#include <udmaengine/provider.h>

#include "log-capture.h"

static const char *the_case;
static char root[256];

/* ------------------------------------------------------------ folders */

static void path_join(char *out, size_t size, const char *a, const char *b)
{
	assert_true((size_t)snprintf(out, size, "%s/%s", a, b) < size);
}

/* Make @root/@name with @mode (chmod, so the umask does not matter). */
static void make_dir(const char *name, mode_t mode, char *out, size_t size)
{
	path_join(out, size, root, name);
	assert_int_equal(mkdir(out, 0700), 0);
	assert_int_equal(chmod(out, mode), 0);
}

/* Copy the file @src to @dir/@name with @mode. */
static void copy_file(const char *src, const char *dir, const char *name, mode_t mode)
{
	char dst[512], buf[65536];
	int in, out;
	ssize_t n;

	path_join(dst, sizeof(dst), dir, name);
	in = open(src, O_RDONLY);
	if (in < 0)
		fail_msg("cannot open %s: %s", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
	assert_int_equal(chmod(dst, mode), 0);
}

/* A built plugin: "sw-memcpy"/"cyclic-ring" (providers) or "bad-..." ones. */
static void add_plugin(const char *which, const char *dir, const char *name, mode_t mode)
{
	const char *env = strncmp(which, "bad-", 4) ? "PROVIDER_DIR" : "BAD_PLUGIN_DIR";
	const char *from = getenv(env);
	char src[512];

	if (!from)
		fail_msg("%s is not set (run through meson test)", env);
	assert_true((size_t)snprintf(src, sizeof(src), "%s/%s%s.so", from,
				     strncmp(which, "bad-", 4) ? "udma-" : "", which) < sizeof(src));
	copy_file(src, dir, name, mode);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_root(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The expected log text, formatted (checked not to be cut short). */
static char expect[2048];

static void expectf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void expectf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(expect, sizeof(expect), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(expect));
}

/* ------------------------------------------------------------ probes */

/* Trigger loading (the first request), with the loader's info lines kept. */
static void load_plugins(const char *path)
{
	dma_cap_mask_t mask;
	struct dma_chan *chan;

	assert_int_equal(setenv("UDMA_PLUGIN_PATH", path, 1), 0);
	udma_set_log_fn(log_sink, NULL);
	udma_set_log_level(UDMA_LOG_INFO);
	dma_cap_zero(mask);
	chan = dma_request_channel(mask, NULL, NULL);
	if (chan)
		dma_release_channel(chan);
}

static int loaded_count(void)
{
	int n = 0;

	pthread_mutex_lock(&log_mx);
	for (int i = 0; i < log_n && i < LOG_CAPTURE_MAX; i++)
		n += strstr(log_line[i], "load_plugin: loaded provider") != NULL;
	pthread_mutex_unlock(&log_mx);
	return n;
}

/* A memcpy through sw-memcpy works (true) or there is no memcpy channel. */
static bool memcpy_works(void)
{
	static unsigned char src[4096], dst[4096];
	struct dma_async_tx_descriptor *tx;
	dma_addr_t s, d;
	dma_cap_mask_t mask;
	struct dma_chan *chan;
	struct device *dev;
	dma_cookie_t cookie;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, NULL, NULL);
	if (!chan)
		return false;
	assert_string_equal(chan->device->udma_name, "sw-memcpy");
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 1);
	memset(dst, 0, sizeof(dst));
	dev = dmaengine_get_dma_device(chan);
	s = dma_map_single(dev, src, sizeof(src), DMA_TO_DEVICE);
	d = dma_map_single(dev, dst, sizeof(dst), DMA_FROM_DEVICE);
	tx = dmaengine_prep_dma_memcpy(chan, d, s, sizeof(src), DMA_CTRL_ACK);
	assert_non_null(tx);
	cookie = dmaengine_submit(tx);
	assert_false(dma_submit_error(cookie));
	assert_int_equal(dma_sync_wait(chan, cookie), DMA_COMPLETE);
	dma_unmap_single(dev, s, sizeof(src), DMA_TO_DEVICE);
	dma_unmap_single(dev, d, sizeof(dst), DMA_FROM_DEVICE);
	assert_memory_equal(src, dst, sizeof(src));
	dma_release_channel(chan);
	return true;
}

/* A cyclic-ring channel can be taken. */
static bool cyclic_available(void)
{
	dma_cap_mask_t mask;
	struct dma_chan *chan;

	dma_cap_zero(mask);
	dma_cap_set(DMA_CYCLIC, mask);
	chan = dma_request_channel(mask, NULL, NULL);
	if (!chan)
		return false;
	assert_string_equal(chan->device->udma_name, "cyclic-ring");
	dma_release_channel(chan);
	return true;
}

/* ------------------------------------------------------------ cases */

/* One bad plugin next to sw-memcpy: refused with @msg; sw-memcpy works. */
static void bad_next_to_good(const char *bad, const char *msg)
{
	char dir[512], so[64];

	make_dir("plugins", 0755, dir, sizeof(dir));
	snprintf(so, sizeof(so), "%s.so", bad);
	add_plugin(bad, dir, so, 0755);
	add_plugin("sw-memcpy", dir, "udma-sw-memcpy.so", 0755);
	load_plugins(dir);
	expectf("%s/%s%s", dir, so, msg);
	assert_true(log_has(expect));
	assert_int_equal(loaded_count(), 1);
	assert_true(log_has("loaded provider \"sw-memcpy\""));
	assert_true(memcpy_works());
}

static void run_case(void **state)
{
	char dir[512], dir2[512], path[1100];

	(void)state;
	if (!strcmp(the_case, "abi")) {
		char msg[80];

		snprintf(msg, sizeof(msg), ": provider ABI %u, library expects %u; skipped",
			 UDMA_PROVIDER_ABI_VERSION + 1, UDMA_PROVIDER_ABI_VERSION);
		bad_next_to_good("bad-abi", msg);
	} else if (!strcmp(the_case, "no-entry")) {
		bad_next_to_good("bad-no-entry", " has no udma_provider_entry symbol; not a provider");
	} else if (!strcmp(the_case, "null-entry")) {
		bad_next_to_good("bad-null-entry", ": udma_provider_entry() returned NULL; skipped");
	} else if (!strcmp(the_case, "no-probe")) {
		bad_next_to_good("bad-no-probe", ": provider has no name or probe; skipped");
	} else if (!strcmp(the_case, "probe-fails")) {
		bad_next_to_good("bad-probe-fails",
				 ": probe of \"bad-probe-fails\" failed: No such device");
	} else if (!strcmp(the_case, "probe-leaves")) {
		bad_next_to_good("bad-probe-leaves",
				 ": the failed probe of \"bad-probe-leaves\" left devices "
				 "registered; plugin kept loaded but not used");
		assert_true(log_has("probe of \"bad-probe-leaves\" failed: Input/output error"));
	} else if (!strcmp(the_case, "not-elf")) {
		make_dir("plugins", 0755, dir, sizeof(dir));
		path_join(path, sizeof(path), dir, "garbage.so");
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("not a shared object\n", f);
		fclose(f);
		add_plugin("sw-memcpy", dir, "udma-sw-memcpy.so", 0755);
		load_plugins(dir);
		expectf("cannot load plugin %s: ", path);
		assert_true(log_has(expect));
		assert_int_equal(loaded_count(), 1);
		assert_true(memcpy_works());
	} else if (!strcmp(the_case, "not-regular")) {
		make_dir("plugins", 0755, dir, sizeof(dir));
		path_join(path, sizeof(path), dir, "folder.so");
		assert_int_equal(mkdir(path, 0755), 0);
		add_plugin("sw-memcpy", dir, "udma-sw-memcpy.so", 0755);
		load_plugins(dir);
		expectf("%s is not a regular file; not loaded", path);
		assert_true(log_has(expect));
		assert_true(memcpy_works());
	} else if (!strcmp(the_case, "duplicate")) {
		make_dir("plugins", 0755, dir, sizeof(dir));
		add_plugin("sw-memcpy", dir, "udma-sw-memcpy.so", 0755);
		add_plugin("sw-memcpy", dir, "udma-sw-memcpy-again.so", 0755);
		load_plugins(dir);
		/* name order: "udma-sw-memcpy-again.so" < "udma-sw-memcpy.so" */
		snprintf(expect, sizeof(expect),
			 "%s/udma-sw-memcpy.so: provider \"sw-memcpy\" already loaded from "
			 "%s/udma-sw-memcpy-again.so; skipped", dir, dir);
		assert_true(log_has(expect));
		assert_int_equal(loaded_count(), 1);
		assert_true(memcpy_works());
	} else if (!strcmp(the_case, "world-writable-dir")) {
		make_dir("open", 0777, dir, sizeof(dir));
		add_plugin("sw-memcpy", dir, "udma-sw-memcpy.so", 0755);
		make_dir("closed", 0755, dir2, sizeof(dir2));
		add_plugin("cyclic-ring", dir2, "udma-cyclic-ring.so", 0755);
		snprintf(path, sizeof(path), "%s:%s", dir, dir2);
		load_plugins(path);
		expectf("plugin folder %s is world-writable (mode 777); "
			 "nothing loaded from it", dir);
		assert_true(log_has(expect));
		assert_int_equal(loaded_count(), 1);
		assert_false(memcpy_works());
		assert_true(cyclic_available());
	} else if (!strcmp(the_case, "world-writable-sticky-dir")) {
		/* like /tmp: sticky, but still anyone may add a plugin */
		make_dir("tmp", 01777, dir, sizeof(dir));
		add_plugin("sw-memcpy", dir, "udma-sw-memcpy.so", 0755);
		load_plugins(dir);
		expectf("plugin folder %s is world-writable (mode 1777)",
			 dir);
		assert_true(log_has(expect));
		assert_int_equal(loaded_count(), 0);
		assert_false(memcpy_works());
	} else if (!strcmp(the_case, "world-writable-file")) {
		make_dir("plugins", 0755, dir, sizeof(dir));
		add_plugin("sw-memcpy", dir, "udma-sw-memcpy.so", 0755);
		add_plugin("cyclic-ring", dir, "udma-cyclic-ring.so", 0666);
		load_plugins(dir);
		expectf("%s/udma-cyclic-ring.so is world-writable "
			 "(mode 666); not loaded", dir);
		assert_true(log_has(expect));
		assert_int_equal(loaded_count(), 1);
		assert_true(memcpy_works());
		assert_false(cyclic_available());
	} else if (!strcmp(the_case, "file-in-world-writable-dir")) {
		make_dir("open", 0777, dir, sizeof(dir));
		add_plugin("cyclic-ring", dir, "udma-cyclic-ring.so", 0755);
		make_dir("closed", 0755, dir2, sizeof(dir2));
		add_plugin("sw-memcpy", dir2, "udma-sw-memcpy.so", 0755);
		snprintf(path, sizeof(path), "%s/udma-cyclic-ring.so:%s", dir, dir2);
		load_plugins(path);
		expectf("plugin folder %s is world-writable", dir);
		assert_true(log_has(expect));
		assert_int_equal(loaded_count(), 1);
		assert_true(memcpy_works());
		assert_false(cyclic_available());
	} else if (!strcmp(the_case, "relative")) {
		make_dir("plugins", 0755, dir, sizeof(dir));
		add_plugin("sw-memcpy", dir, "udma-sw-memcpy.so", 0755);
		make_dir("rel", 0755, dir2, sizeof(dir2));
		add_plugin("cyclic-ring", dir2, "udma-cyclic-ring.so", 0755);
		/* the relative entry names a real folder (from root): still refused */
		assert_int_equal(chdir(root), 0);
		snprintf(path, sizeof(path), "rel::%s:./rel/udma-cyclic-ring.so", dir);
		load_plugins(path);
		assert_true(log_has("plugin path rel is relative; only absolute paths are searched"));
		assert_true(log_has("plugin path ./rel/udma-cyclic-ring.so is relative"));
		assert_int_equal(loaded_count(), 1);
		assert_true(memcpy_works());
		assert_false(cyclic_available());
	} else {
		fail_msg("unknown case \"%s\"", the_case);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(run_case) };
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CASE\n", argv[0]);
		return 2;
	}
	the_case = argv[1];
	snprintf(root, sizeof(root), "%s/udma-plugin-test-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	ret = cmocka_run_group_tests_name(the_case, tests, NULL, NULL);
	remove_root();
	return ret;
}
