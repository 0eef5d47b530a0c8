/* SPDX-License-Identifier: MIT */
/*
 * plugin.c - library start-up and shutdown, and the provider plugin loader.
 *
 * udma__init() runs once (pthread_once) from the first request call. It loads
 * every "*.so" of the plugin path - UDMA_PLUGIN_PATH (colon-separated folders
 * or files) when set, else the installed UDMA_PLUGINDIR - in name order with
 * dlopen(RTLD_NOW | RTLD_LOCAL), checks the ABI version and name of the
 * provider each one describes, and calls its probe() with its options from
 * UDMA_PROVIDER_OPTIONS ("name:k=v,k=v;name2:..."). A plugin that fails any
 * step is logged and unloaded; the others still load. The option parsers
 * (udma__provider_options, udma_option_uint) take strings, not the
 * environment, so tests/fuzz can drive them directly.
 *
 * What the loader refuses (each with an error log line naming the path and
 * the reason; the other plugins still load): a relative UDMA_PLUGIN_PATH
 * entry; a world-writable plugin folder, or folder holding a plugin file
 * named directly; a world-writable or non-regular plugin file; a file
 * dlopen() rejects; no entry symbol; an entry returning NULL or another
 * ABI version; no name or probe; a name already loaded; a failing probe.
 * A probe that fails but leaves devices registered is logged and its plugin
 * stays mapped (its hooks are still reachable); everything else is
 * dlclose()d. The permission checks use stat() before dlopen(): they catch
 * misconfiguration, not a race with someone who can already write there.
 *
 * At process exit (library destructor) held channels are terminated and
 * released, and each provider's remove() unregisters its devices (joining the
 * completion threads), in reverse load order. Plugins stay mapped. Devices an
 * application registered itself are its own to unregister. In a child forked
 * while the library ran threads the exit path does nothing (see tasklet.c).
 *
 * Locks: plugins[] is written only inside the pthread_once routine and read
 * at exit, after it; no lock needed.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "core-private.h"

#define MAX_PLUGINS 32

struct loaded_plugin {
	void *handle;
	const struct udma_provider *provider;
	char path[512];
};

static struct loaded_plugin plugins[MAX_PLUGINS];
static unsigned int nr_plugins;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int initialised;

/*
 * udma__provider_options - the options for provider @name in @all, a
 * UDMA_PROVIDER_OPTIONS string ("name:k=v,k=v;name2:..."; blanks before a
 * name are skipped; the first entry for @name wins). @all may be NULL.
 * Return: a malloc'd copy of the text after "name:" ("" when @name has no
 * entry), or NULL when out of memory. Context: any thread.
 */
char *udma__provider_options(const char *all, const char *name)
{
	size_t nlen = strlen(name);

	for (const char *s = all; s && *s;) {
		const char *end = strchr(s, ';');
		size_t seg = end ? (size_t)(end - s) : strlen(s);

		while (seg && (*s == ' ' || *s == '\t')) {
			s++;
			seg--;
		}
		if (seg > nlen && !strncmp(s, name, nlen) && s[nlen] == ':')
			return strndup(s + nlen + 1, seg - nlen - 1);
		s = end ? end + 1 : NULL;
	}
	return strdup("");
}

static void load_plugin(const char *path)
{
	struct loaded_plugin *lp;
	udma_provider_entry_fn entry;
	const struct udma_provider *prov;
	unsigned int devices;
	struct stat st;
	char *opts;
	void *handle;
	int ret;

	if (nr_plugins == MAX_PLUGINS) {
		udma_err("more than %d plugins; %s not loaded", MAX_PLUGINS, path);
		return;
	}
	if (stat(path, &st)) {
		udma_err("cannot load plugin %s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		udma_err("%s is not a regular file; not loaded", path);
		return;
	}
	if (st.st_mode & S_IWOTH) {
		udma_err("%s is world-writable (mode %03o); not loaded", path,
			 (unsigned int)(st.st_mode & 0777));
		return;
	}
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		udma_err("cannot load plugin %s: %s", path, dlerror());
		return;
	}
	*(void **)&entry = dlsym(handle, UDMA_PROVIDER_ENTRY_SYMBOL);
	if (!entry) {
		udma_err("%s has no %s symbol; not a provider", path,
			 UDMA_PROVIDER_ENTRY_SYMBOL);
		goto unload;
	}
	prov = entry();
	if (!prov) {
		udma_err("%s: %s() returned NULL; skipped", path, UDMA_PROVIDER_ENTRY_SYMBOL);
		goto unload;
	}
	if (prov->abi_version != UDMA_PROVIDER_ABI_VERSION) {
		udma_err("%s: provider ABI %u, library expects %u; skipped", path,
			 prov->abi_version, UDMA_PROVIDER_ABI_VERSION);
		goto unload;
	}
	if (!prov->name || !prov->probe) {
		udma_err("%s: provider has no name or probe; skipped", path);
		goto unload;
	}
	for (unsigned int i = 0; i < nr_plugins; i++) {
		if (!strcmp(plugins[i].provider->name, prov->name)) {
			udma_err("%s: provider \"%s\" already loaded from %s; skipped",
				 path, prov->name, plugins[i].path);
			goto unload;
		}
	}
	opts = udma__provider_options(getenv("UDMA_PROVIDER_OPTIONS"), prov->name);
	if (!opts) {
		udma_err("%s: out of memory reading UDMA_PROVIDER_OPTIONS; skipped", path);
		goto unload;
	}
	devices = udma__nr_devices();
	ret = prov->probe(opts);
	free(opts);
	if (ret) {
		udma_err("%s: probe of \"%s\" failed: %s", path, prov->name,
			 ret < 0 ? strerror(-ret) : "positive return");
		if (udma__nr_devices() > devices) {
			/* its hooks are registered: unmapping them would crash later */
			udma_err("%s: the failed probe of \"%s\" left devices registered; "
				 "plugin kept loaded but not used", path, prov->name);
			return;
		}
		goto unload;
	}
	lp = &plugins[nr_plugins++];
	lp->handle = handle;
	lp->provider = prov;
	snprintf(lp->path, sizeof(lp->path), "%s", path);
	udma_info("loaded provider \"%s\" from %s", prov->name, path);
	return;
unload:
	dlclose(handle);
}

static int so_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 3 && !strcmp(d->d_name + n - 3, ".so");
}

/* Refuse a world-writable plugin folder @dir (logged); true when usable. */
static bool dir_trusted(const char *dir, const struct stat *st)
{
	if (st->st_mode & S_IWOTH) {
		udma_err("plugin folder %s is world-writable (mode %03o); nothing loaded "
			 "from it", dir, (unsigned int)(st->st_mode & 07777));
		return false;
	}
	return true;
}

static void load_dir_or_file(const char *path)
{
	struct dirent **names;
	char full[1024];
	struct stat st;
	int n;

	if (path[0] != '/') {
		udma_err("plugin path %s is relative; only absolute paths are searched",
			 path);
		return;
	}
	if (stat(path, &st)) {
		/* the installed folder may not exist: not an error */
		udma_info("plugin path %s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* a plugin named directly: its folder must be trusted too */
		char dir[1024];
		const char *slash = strrchr(path, '/');

		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path),
			 path);
		if (stat(dir, &st) || !dir_trusted(dir, &st))
			return;
		load_plugin(path);
		return;
	}
	if (!dir_trusted(path, &st))
		return;
	n = scandir(path, &names, so_filter, alphasort);
	if (n < 0) {
		udma_err("plugin folder %s: %s", path, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name) >=
		    sizeof(full))
			udma_err("plugin path %s/%s is too long; not loaded", path,
				 names[i]->d_name);
		else
			load_plugin(full);
		free(names[i]);
	}
	free(names);
}

static void do_init(void)
{
	const char *env = getenv("UDMA_PLUGIN_PATH");
	char *copy, *save = NULL;

	if (!env || !*env) {
		load_dir_or_file(UDMA_PLUGINDIR);
	} else {
		copy = strdup(env);
		if (!copy) {
			udma_err("out of memory reading UDMA_PLUGIN_PATH");
			return;
		}
		for (char *tok = strtok_r(copy, ":", &save); tok;
		     tok = strtok_r(NULL, ":", &save))
			load_dir_or_file(tok);
		free(copy);
	}
	udma__stats_env_init(); /* UDMA_DUMP, UDMA_DUMP_SIGNAL */
	__atomic_store_n(&initialised, 1, __ATOMIC_RELEASE);
}

void udma__init(void)
{
	pthread_once(&init_once, do_init);
}

__attribute__((destructor)) static void udma_exit(void)
{
	if (!__atomic_load_n(&initialised, __ATOMIC_ACQUIRE))
		return;
	if (udma_in_completion_context())
		return; /* exit() from a callback: joining our own thread would hang */
	if (udma__forked_child_quiet())
		return; /* the threads to stop and join are the parent's */
	udma__stats_exit(); /* UDMA_DUMP=exit: while the holders still hold */
	udma__exit_release_all();
	while (nr_plugins) {
		struct loaded_plugin *lp = &plugins[--nr_plugins];

		if (lp->provider->remove)
			lp->provider->remove();
		/*
		 * No dlclose: if remove() could not unregister a device (a
		 * callback still blocked), its hooks must stay mapped; the
		 * process is ending anyway.
		 */
	}
	if (udma__live_threads())
		udma_info("%d completion thread(s) still running at exit (devices the "
			  "application registered itself, or a blocked callback)",
			  udma__live_threads());
	else
		udma_info("all completion threads joined");
}

UDMA_EXPORT int udma_option_uint(const char *options, const char *key,
				 unsigned long *out)
{
	size_t klen;

	if (!options || !key || !*key || !out) {
		udma_err("NULL options, key or out, or an empty key");
		return -EINVAL;
	}
	klen = strlen(key);
	for (const char *s = options; *s;) {
		const char *end = strchr(s, ',');
		size_t seg = end ? (size_t)(end - s) : strlen(s);

		while (seg && (*s == ' ' || *s == '\t')) {
			s++;
			seg--;
		}
		if (seg > klen && !strncmp(s, key, klen) && s[klen] == '=') {
			char val[32], *stop;
			size_t n = seg - klen - 1;
			unsigned long v;

			if (!n || n >= sizeof(val))
				goto bad;
			memcpy(val, s + klen + 1, n);
			val[n] = '\0';
			/* strtoul would accept blanks and a sign ("-1" wraps) */
			if (val[0] < '0' || val[0] > '9')
				goto bad;
			errno = 0;
			v = strtoul(val, &stop, 0);
			if (errno || *stop)
				goto bad;
			*out = v;
			return 1;
		}
		s = end ? end + 1 : s + seg;
	}
	return 0;
bad:
	udma_err("option %s in \"%s\" is not an unsigned number", key, options);
	return -EINVAL;
}
