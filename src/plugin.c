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
 * step is logged and unloaded; the others still load.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The options for @name in UDMA_PROVIDER_OPTIONS, copied into @buf. */
static const char *provider_options(const char *name, char *buf, size_t size)
{
	const char *all = getenv("UDMA_PROVIDER_OPTIONS");
	size_t nlen = strlen(name);

	buf[0] = '\0';
	for (const char *s = all; s && *s;) {
		const char *end = strchr(s, ';');
		size_t seg = end ? (size_t)(end - s) : strlen(s);

		while (seg && (*s == ' ')) {
			s++;
			seg--;
		}
		if (seg > nlen && !strncmp(s, name, nlen) && s[nlen] == ':') {
			size_t n = seg - nlen - 1;

			if (n >= size)
				n = size - 1;
			memcpy(buf, s + nlen + 1, n);
			buf[n] = '\0';
			break;
		}
		s = end ? end + 1 : NULL;
	}
	return buf;
}

static void load_plugin(const char *path)
{
	struct loaded_plugin *lp;
	udma_provider_entry_fn entry;
	const struct udma_provider *prov;
	char opts[512];
	void *handle;
	int ret;

	if (nr_plugins == MAX_PLUGINS) {
		udma_err("more than %d plugins; %s not loaded", MAX_PLUGINS, path);
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
	if (!prov || prov->abi_version != UDMA_PROVIDER_ABI_VERSION) {
		udma_err("%s: provider ABI %u, library expects %u; skipped", path,
			 prov ? prov->abi_version : 0, UDMA_PROVIDER_ABI_VERSION);
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
	ret = prov->probe(provider_options(prov->name, opts, sizeof(opts)));
	if (ret) {
		udma_err("%s: probe of \"%s\" failed: %s", path, prov->name, strerror(-ret));
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

static void load_dir_or_file(const char *path)
{
	struct dirent **names;
	char full[1024];
	int n;

	n = scandir(path, &names, so_filter, alphasort);
	if (n < 0) {
		if (errno == ENOTDIR) {
			load_plugin(path);
			return;
		}
		udma_info("plugin path %s: %s", path, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
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

	if (!options || !key || !out)
		return -EINVAL;
	klen = strlen(key);
	for (const char *s = options; *s;) {
		const char *end = strchr(s, ',');
		size_t seg = end ? (size_t)(end - s) : strlen(s);

		if (seg > klen && !strncmp(s, key, klen) && s[klen] == '=') {
			char val[32], *stop;
			size_t n = seg - klen - 1;
			unsigned long v;

			if (!n || n >= sizeof(val))
				goto bad;
			memcpy(val, s + klen + 1, n);
			val[n] = '\0';
			errno = 0;
			v = strtoul(val, &stop, 0);
			if (errno || *stop || val[0] == '-')
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
