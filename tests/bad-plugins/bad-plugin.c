/* SPDX-License-Identifier: MIT */
/*
 * bad-plugin.c - provider plugins the loader must refuse, for
 * tests/test-plugin-loader.c. One source, built once per defect with
 * -DBAD_<defect> (see meson.build):
 *
 *   BAD_ABI            abi_version is UDMA_PROVIDER_ABI_VERSION + 1
 *   BAD_NO_ENTRY       no udma_provider_entry symbol at all
 *   BAD_NULL_ENTRY     udma_provider_entry() returns NULL
 *   BAD_NO_PROBE       probe is NULL
 *   BAD_PROBE_FAILS    probe returns -ENODEV, having registered nothing
 *   BAD_PROBE_LEAVES   probe registers a device, then returns -EIO without
 *                      unregistering it (the loader must keep it mapped)
 *
 * No locks: probe runs once, inside the library's one-time initialisation.
 */
#include <errno.h>
#include <udmaengine/virt-dma.h>

#ifdef BAD_NO_ENTRY
/* Looks like a plugin, but exports the wrong name. */
UDMA_EXPORT int udma_provider_entry_typo(void);
UDMA_EXPORT int udma_provider_entry_typo(void)
{
	return 0;
}
#else

#ifdef BAD_PROBE_LEAVES
static void bad_issue_pending(struct dma_chan *chan)
{
	(void)chan; /* nothing can be prepared on this device */
}
#endif

__attribute__((unused)) static int bad_probe(const char *options)
{
	(void)options;
#ifdef BAD_PROBE_LEAVES
	static struct device dev = { .init_name = "bad-leaves" };
	static struct dma_device dd;
	static struct virt_dma_chan vc;

	CDS_INIT_LIST_HEAD(&dd.channels);
	dd.dev = &dev;
	dd.udma_name = "bad-leaves";
	dma_cap_zero(dd.cap_mask);
	dd.device_tx_status = dma_cookie_status;
	dd.device_issue_pending = bad_issue_pending;
	vchan_init(&vc, &dd);
	if (dma_async_device_register(&dd))
		return -ENOMEM;
	return -EIO; /* and forgets to unregister */
#else
	return -ENODEV;
#endif
}

static const struct udma_provider bad_provider = {
#ifdef BAD_ABI
	.abi_version = UDMA_PROVIDER_ABI_VERSION + 1,
#else
	.abi_version = UDMA_PROVIDER_ABI_VERSION,
#endif
	.name = BAD_NAME,
#ifndef BAD_NO_PROBE
	.probe = bad_probe,
#endif
};

#ifdef BAD_NULL_ENTRY
UDMA_EXPORT const struct udma_provider *udma_provider_entry(void);
UDMA_EXPORT const struct udma_provider *udma_provider_entry(void)
{
	(void)bad_provider;
	return NULL;
}
#else
UDMA_PROVIDER_DEFINE(bad_provider)
#endif
#endif
