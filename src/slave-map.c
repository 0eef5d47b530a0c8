/* SPDX-License-Identifier: MIT */
/*
 * slave-map.c - dma_request_chan(): slave channels requested by name.
 *
 * Two sources of (device name, slave name) -> DMA device routes, tried in
 * order: the providers' own maps (dma_device.filter.map, the kernel's board
 * map), and the program's map (udma_dma_slave_map_add(), plus UDMA_SLAVE_MAP
 * parsed once at first use). Either way the channel is taken through
 * __dma_request_channel() with mask {DMA_SLAVE} and a filter that accepts
 * only channels of the routed device (and, when it has one, what its
 * filter.fn accepts for the entry's param).
 *
 * Locks: map_lock (mutex) guards the program's map list; it is never held
 * while a channel is requested (entries are copied out first).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core-private.h"

struct map_entry {
	struct map_entry *next;
	char *devname, *slave, *dma_device;
	void *param;
	char *param_copy; /* param string owned here (from UDMA_SLAVE_MAP) */
};

static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;
static struct map_entry *map_head;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void entry_free(struct map_entry *e)
{
	free(e->devname);
	free(e->slave);
	free(e->dma_device);
	free(e->param_copy);
	free(e);
}

static int map_add(const char *devname, const char *slave, const char *dma_device,
		   void *param, const char *param_str)
{
	struct map_entry *e;

	if (!devname || !*devname || !slave || !*slave || !dma_device || !*dma_device) {
		udma_err("devname, slave and dma_device must be non-empty strings");
		return -EINVAL;
	}
	pthread_mutex_lock(&map_lock);
	for (e = map_head; e; e = e->next) {
		if (!strcmp(e->devname, devname) && !strcmp(e->slave, slave)) {
			pthread_mutex_unlock(&map_lock);
			udma_err("%s/%s is already mapped (to %s)", devname, slave, e->dma_device);
			return -EEXIST;
		}
	}
	e = calloc(1, sizeof(*e));
	if (e) {
		e->devname = strdup(devname);
		e->slave = strdup(slave);
		e->dma_device = strdup(dma_device);
		e->param = param;
		if (param_str) {
			e->param_copy = strdup(param_str);
			e->param = e->param_copy;
		}
	}
	if (!e || !e->devname || !e->slave || !e->dma_device || (param_str && !e->param_copy)) {
		pthread_mutex_unlock(&map_lock);
		if (e)
			entry_free(e);
		return -ENOMEM;
	}
	e->next = map_head;
	map_head = e;
	pthread_mutex_unlock(&map_lock);
	return 0;
}

UDMA_EXPORT int udma_dma_slave_map_add(const char *devname, const char *slave,
				       const char *dma_device, void *param)
{
	return map_add(devname, slave, dma_device, param, NULL);
}

UDMA_EXPORT int udma_dma_slave_map_remove(const char *devname, const char *slave)
{
	struct map_entry **pp, *e;

	if (!devname || !slave) {
		udma_err("NULL %s", devname ? "slave" : "devname");
		return -EINVAL;
	}
	pthread_mutex_lock(&map_lock);
	for (pp = &map_head; (e = *pp); pp = &e->next) {
		if (!strcmp(e->devname, devname) && !strcmp(e->slave, slave)) {
			*pp = e->next;
			pthread_mutex_unlock(&map_lock);
			entry_free(e);
			return 0;
		}
	}
	pthread_mutex_unlock(&map_lock);
	udma_err("%s/%s is not mapped", devname, slave);
	return -ENOENT;
}

/* Trim blanks at both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* One "devname,slave,dma_device[,channel]" entry of @len bytes at @ent. */
static int parse_entry(const char *ent, size_t len, const char *what)
{
	char *f[4] = { NULL, NULL, NULL, NULL };
	const char *p = ent, *stop = ent + len;
	int n = 0, ret;

	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(stop - p));
		const char *fe = comma ? comma : stop;
		const char *fs = p;
		size_t fl = (size_t)(fe - fs);

		trim(&fs, &fl);
		if (n == 4 || !fl) {
			udma_err("%s entry \"%.*s\": %s", what, (int)len, ent,
				 n == 4 ? "more than 4 fields" : "empty field");
			ret = -EINVAL;
			goto out;
		}
		f[n] = strndup(fs, fl);
		if (!f[n++]) {
			ret = -ENOMEM;
			goto out;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	if (n < 3) {
		udma_err("%s entry \"%.*s\" needs devname,slave,dma_device[,channel]",
			 what, (int)len, ent);
		ret = -EINVAL;
		goto out;
	}
	ret = map_add(f[0], f[1], f[2], NULL, f[3]);
out:
	if (ret == -ENOMEM)
		udma_err("%s: out of memory", what);
	for (int i = 0; i < 4; i++)
		free(f[i]);
	return ret;
}

/*
 * udma__slave_map_parse - add the entries of @spec, a UDMA_SLAVE_MAP string
 * "devname,slave,dma_device[,channel];..." (blanks around fields are
 * trimmed, empty entries skipped), to the program's map. An entry with an
 * empty field, fewer than 3 or more than 4 fields, or already mapped is
 * logged (naming @what) and skipped; the others are added.
 * Return: the number of entries added. Context: may block (map_lock).
 */
int udma__slave_map_parse(const char *spec, const char *what)
{
	int added = 0;

	for (const char *s = spec; s && *s;) {
		const char *end = strchr(s, ';');
		const char *e = s;
		size_t len = end ? (size_t)(end - s) : strlen(s);

		trim(&e, &len);
		if (len && !parse_entry(e, len, what))
			added++;
		s = end ? end + 1 : NULL;
	}
	return added;
}

/* udma__slave_map_clear - drop every entry of the program's map. */
void udma__slave_map_clear(void)
{
	pthread_mutex_lock(&map_lock);
	while (map_head) {
		struct map_entry *e = map_head;

		map_head = e->next;
		entry_free(e);
	}
	pthread_mutex_unlock(&map_lock);
}

static void parse_env(void)
{
	udma__slave_map_parse(getenv("UDMA_SLAVE_MAP"), "UDMA_SLAVE_MAP");
}

/* ------------------------------------------------------------ request */

struct route {
	const char *dma_device;
	void *param;
	bool use_device_filter; /* hand param to device->filter.fn */
};

static bool route_filter(struct dma_chan *chan, void *arg)
{
	const struct route *r = arg;
	struct dma_device *device = chan->device;

	if (!device->udma_name || strcmp(device->udma_name, r->dma_device))
		return false;
	if (r->use_device_filter && device->filter.fn)
		return device->filter.fn(chan, r->param);
	if (!r->param)
		return true;
	return !strcmp(chan->udma_name, (const char *)r->param);
}

/* Take a channel for @route; returns the channel or an ERR_PTR. */
static struct dma_chan *take(struct route *r)
{
	dma_cap_mask_t mask;
	struct dma_chan *chan;

	if (!udma__device_registered(r->dma_device))
		return ERR_PTR(-EPROBE_DEFER);
	dma_cap_zero(mask);
	dma_cap_set(DMA_SLAVE, mask);
	chan = __dma_request_channel(&mask, route_filter, r, NULL);
	return chan ? chan : ERR_PTR(-EBUSY);
}

/* The providers' own maps: find (devname, name) in any device's filter.map. */
static bool provider_route(const char *devname, const char *name, char *dev_out,
			   size_t size, void **param)
{
	return udma__find_provider_map(devname, name, dev_out, size, param);
}

UDMA_EXPORT struct dma_chan *dma_request_chan(struct device *dev, const char *name)
{
	char dma_device[64];
	struct route r = { NULL, NULL, false };
	struct map_entry *e;
	struct dma_chan *chan;
	void *param = NULL;

	if (!dev || !name) {
		udma_err("NULL %s", dev ? "name" : "device");
		return ERR_PTR(-EINVAL);
	}
	if (udma__forked_child(__func__))
		return ERR_PTR(-ENODEV);
	if (udma_in_completion_context()) {
		udma_err("channel requests may block; not allowed in a completion callback");
		return ERR_PTR(-EDEADLK);
	}
	udma__init();
	pthread_once(&env_once, parse_env);

	if (provider_route(dev_name(dev), name, dma_device, sizeof(dma_device), &param)) {
		r.dma_device = dma_device;
		r.param = param;
		r.use_device_filter = true;
	} else {
		pthread_mutex_lock(&map_lock);
		for (e = map_head; e; e = e->next)
			if (!strcmp(e->devname, dev_name(dev)) && !strcmp(e->slave, name))
				break;
		if (e) {
			snprintf(dma_device, sizeof(dma_device), "%s", e->dma_device);
			r.dma_device = dma_device;
			r.param = e->param;
		}
		pthread_mutex_unlock(&map_lock);
	}
	if (!r.dma_device) {
		udma_err("no DMA channel is mapped to %s/%s", dev_name(dev), name);
		return ERR_PTR(-ENODEV);
	}
	chan = take(&r);
	if (IS_ERR(chan)) {
		udma_err("%s/%s -> %s: %s", dev_name(dev), name, r.dma_device,
			 PTR_ERR(chan) == -EPROBE_DEFER ? "DMA device not registered (yet)"
							: "no free channel accepted");
		return chan;
	}
	udma__chan_set_slave(chan, dev, name);
	return chan;
}

__attribute__((destructor)) static void slave_map_exit(void)
{
	udma__slave_map_clear();
}
