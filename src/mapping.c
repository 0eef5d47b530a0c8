/* SPDX-License-Identifier: MIT */
/*
 * mapping.c - the DMA mapping API: identity mapping for software providers,
 * delegated to dev->dma_ops when a device translates (IOMMU/VFIO); and the
 * table of live mappings kept while strict mapping is on (the checks the
 * engines make against it are in fault.c).
 *
 * Strict table: an immutable sorted array (struct strict_tab) published
 * RCU-style (release store / acquire load, freed after
 * urcu_bp_synchronize_rcu()). map/unmap build a new array under
 * map_lock (a mutex), publish it, wait for a grace period and free the old
 * one; engines look ranges up under urcu_bp_read_lock() with no lock.
 * A map made inside a read-side section (async_tx's) retires the old table
 * instead of waiting; an unmap made there cannot give the in-flight
 * guarantee and says so.
 * With strict mapping off, the mapping calls touch neither (one branch).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <urcu-bp.h>

#include "core-private.h"

/* ------------------------------------------------------ strict table */

struct strict_rec {
	uintptr_t start, end;  /* CPU range */
	dma_addr_t bus;        /* what the map call returned */
	size_t size;
	enum dma_data_direction dir;
};

/*
 * Records sorted by start; maxr[i] / maxw[i]: the furthest end among records
 * 0..i that allow reading / writing, so "is [p, q) covered" is a few binary
 * searches however the mappings overlap.
 */
struct strict_tab {
	size_t n;
	struct strict_rec *rec;
	uintptr_t *maxr, *maxw;
	struct strict_tab *retired_next; /* on the retired list */
};

int udma__strict_on;
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;
static struct strict_tab *strict_tab; /* RCU; written under map_lock */
/* tables replaced from inside a read-side section, freed by the next
 * publish made outside one (map_lock) */
static struct strict_tab *retired;

static bool dir_reads(enum dma_data_direction d)
{
	return d == DMA_TO_DEVICE || d == DMA_BIDIRECTIONAL;
}

static bool dir_writes(enum dma_data_direction d)
{
	return d == DMA_FROM_DEVICE || d == DMA_BIDIRECTIONAL;
}

/* A table of @n records (contents to be filled), or NULL. */
static struct strict_tab *tab_alloc(size_t n)
{
	struct strict_tab *t = malloc(sizeof(*t) + n * (sizeof(struct strict_rec) +
							 2 * sizeof(uintptr_t)));

	if (!t)
		return NULL;
	t->n = n;
	t->rec = (struct strict_rec *)(t + 1);
	t->maxr = (uintptr_t *)(t->rec + n);
	t->maxw = t->maxr + n;
	return t;
}

static void tab_index(struct strict_tab *t)
{
	uintptr_t r = 0, w = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (dir_reads(t->rec[i].dir) && t->rec[i].end > r)
			r = t->rec[i].end;
		if (dir_writes(t->rec[i].dir) && t->rec[i].end > w)
			w = t->rec[i].end;
		t->maxr[i] = r;
		t->maxw[i] = w;
	}
}

/*
 * Publish @t (map_lock held), then free the old table after a grace period.
 * A caller inside a urcu-bp read-side section (async_tx maps there, holding
 * the channel it found) cannot wait for a grace period, which would wait for
 * itself: the old table is retired instead, and freed by the next publish
 * made outside a read-side section. Return: whether a grace period passed.
 */
static bool tab_publish_unlock(struct strict_tab *t)
{
	struct strict_tab *old = strict_tab, *gone;

	/* rcu_assign_pointer, spelled so ThreadSanitizer sees the release */
	__atomic_store_n(&strict_tab, t, __ATOMIC_RELEASE);
	if (urcu_bp_read_ongoing()) {
		if (old) {
			old->retired_next = retired;
			retired = old;
		}
		pthread_mutex_unlock(&map_lock);
		return false;
	}
	gone = retired;
	retired = NULL;
	pthread_mutex_unlock(&map_lock);
	if (!old && !gone)
		return true;
	urcu_bp_synchronize_rcu();
	free(old);
	while (gone) {
		old = gone->retired_next;
		free(gone);
		gone = old;
	}
	return true;
}

static void strict_add(void *ptr, size_t size, dma_addr_t bus, enum dma_data_direction dir)
{
	struct strict_tab *old, *t;
	uintptr_t start = (uintptr_t)ptr;
	size_t n, i = 0;

	pthread_mutex_lock(&map_lock);
	old = strict_tab;
	n = old ? old->n : 0;
	t = tab_alloc(n + 1);
	if (!t) {
		pthread_mutex_unlock(&map_lock);
		udma_err("strict mapping: out of memory; %zu bytes at %p not recorded "
			 "(transfers touching them will fail)", size, ptr);
		return;
	}
	while (i < n && old->rec[i].start <= start) {
		t->rec[i] = old->rec[i];
		i++;
	}
	t->rec[i] = (struct strict_rec){ start, start + size, bus, size, dir };
	if (n > i)
		memcpy(&t->rec[i + 1], &old->rec[i], (n - i) * sizeof(t->rec[0]));
	tab_index(t);
	tab_publish_unlock(t);
}

static const char *dir_name(enum dma_data_direction d)
{
	static const char *const names[] = { "DMA_BIDIRECTIONAL", "DMA_TO_DEVICE",
					     "DMA_FROM_DEVICE", "DMA_NONE" };

	return (unsigned int)d < 4 ? names[d] : "invalid";
}

static ptrdiff_t tab_floor(const struct strict_tab *t, uintptr_t p);

#define UNMAP_GAPS 8

/*
 * The parts of [@start, @end) that no record of @t (may be NULL) covers, in
 * any direction, into @gaps; more than UNMAP_GAPS: the whole range. Return:
 * how many. Those are what an unmap takes away from the engines: memory
 * another live mapping still covers (a buffer mapped twice, by two
 * operations) stays legitimately in use.
 */
static int tab_gaps(const struct strict_tab *t, uintptr_t start, uintptr_t end,
		    uintptr_t gaps[UNMAP_GAPS][2])
{
	uintptr_t p = start;
	int n = 0;

	while (p < end) {
		ptrdiff_t i = t ? tab_floor(t, p) : -1;
		uintptr_t reach = i < 0 ? 0 : (t->maxr[i] > t->maxw[i] ? t->maxr[i] : t->maxw[i]);
		uintptr_t next;

		if (reach > p) {
			p = reach;
			continue;
		}
		next = t && (size_t)(i + 1) < t->n ? t->rec[i + 1].start : end;
		if (next > end)
			next = end;
		if (n == UNMAP_GAPS) {
			gaps[0][0] = start;
			gaps[0][1] = end;
			return 1;
		}
		gaps[n][0] = p;
		gaps[n][1] = next;
		n++;
		p = next;
	}
	return n;
}

/*
 * Forget the mapping at @bus. @unused: it was never handed to an engine
 * (a prep that failed), so there is no transfer to look for and the caller
 * may be inside a read-side section.
 */
static void strict_remove(struct device *dev, dma_addr_t bus, size_t size,
			  enum dma_data_direction dir, bool unused)
{
	struct strict_tab *old, *t;
	size_t i, found = SIZE_MAX;
	uintptr_t start, end, gaps[UNMAP_GAPS][2];
	int ngaps;

	pthread_mutex_lock(&map_lock);
	old = strict_tab;
	for (i = 0; old && i < old->n; i++) {
		if (old->rec[i].bus != bus)
			continue;
		found = i;
		if (old->rec[i].size == size && old->rec[i].dir == dir)
			break;
	}
	if (found == SIZE_MAX) {
		pthread_mutex_unlock(&map_lock);
		udma_err("%s: strict mapping: unmap of 0x%llx (%zu bytes), which is not mapped "
			 "(never mapped, or already unmapped)", dev_name(dev),
			 (unsigned long long)bus, size);
		return;
	}
	if (old->rec[found].size != size || old->rec[found].dir != dir)
		udma_err("%s: strict mapping: unmap of 0x%llx as %zu bytes %s, mapped as %zu "
			 "bytes %s", dev_name(dev), (unsigned long long)bus, size,
			 dir_name(dir), old->rec[found].size, dir_name(old->rec[found].dir));
	start = old->rec[found].start;
	end = old->rec[found].end;
	t = old->n > 1 ? tab_alloc(old->n - 1) : NULL;
	if (old->n > 1 && !t) {
		pthread_mutex_unlock(&map_lock);
		udma_err("strict mapping: out of memory; 0x%llx stays recorded as mapped",
			 (unsigned long long)bus);
		return;
	}
	if (t) {
		memcpy(t->rec, old->rec, found * sizeof(t->rec[0]));
		memcpy(&t->rec[found], &old->rec[found + 1],
		       (old->n - found - 1) * sizeof(t->rec[0]));
		tab_index(t);
	}
	ngaps = tab_gaps(t, start, end, gaps);
	if (!tab_publish_unlock(t)) {
		/* no grace period: an engine may still be moving it unseen */
		if (!unused && ngaps)
			udma_err("%s: strict mapping: unmap of 0x%llx inside an RCU read-side "
				 "section: a transfer moving it now is not detected",
				 dev_name(dev), (unsigned long long)bus);
		return;
	}
	/* after the grace period: every engine check that still saw the mapping
	 * has published the piece it moves; what is still mapped stays usable */
	for (int g = 0; !unused && g < ngaps; g++)
		udma__strict_unmapped(gaps[g][0], gaps[g][1]);
}

/* Last record with start <= @p, or -1. */
static ptrdiff_t tab_floor(const struct strict_tab *t, uintptr_t p)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)t->n - 1, ans = -1;

	while (lo <= hi) {
		ptrdiff_t mid = lo + (hi - lo) / 2;

		if (t->rec[mid].start <= p) {
			ans = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return ans;
}

int udma__strict_check(uintptr_t start, size_t len, bool write, uintptr_t *bad)
{
	const struct strict_tab *t;
	uintptr_t p = start, q = start + len;
	int ret = 0;

	urcu_bp_read_lock();
	t = __atomic_load_n(&strict_tab, __ATOMIC_ACQUIRE); /* rcu_dereference */
	while (p < q) {
		ptrdiff_t i = t ? tab_floor(t, p) : -1;
		uintptr_t reach = i < 0 ? 0 : (write ? t->maxw[i] : t->maxr[i]);

		if (reach <= p) {
			*bad = p;
			ret = -EFAULT;
			break;
		}
		p = reach;
	}
	urcu_bp_read_unlock();
	/* turned off meanwhile (the table is emptied after the flag): not a fault */
	if (ret && !__atomic_load_n(&udma__strict_on, __ATOMIC_SEQ_CST))
		ret = 0;
	return ret;
}

UDMA_EXPORT void udma_set_strict_mapping(bool on)
{
	pthread_mutex_lock(&map_lock);
	__atomic_store_n(&udma__strict_on, on ? 1 : 0, __ATOMIC_SEQ_CST);
	if (on) {
		pthread_mutex_unlock(&map_lock);
		return;
	}
	tab_publish_unlock(NULL);
}

UDMA_EXPORT bool udma_strict_mapping_enabled(void)
{
	return __atomic_load_n(&udma__strict_on, __ATOMIC_RELAXED);
}

__attribute__((constructor)) static void strict_from_env(void)
{
	const char *s = getenv("UDMA_STRICT_MAPPING");

	if (s && *s && strcmp(s, "0"))
		__atomic_store_n(&udma__strict_on, 1, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------ mapping API */

static const struct dma_map_ops *ops_of(struct device *dev)
{
	return dev ? dev->dma_ops : NULL;
}

UDMA_EXPORT dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size,
				      enum dma_data_direction dir)
{
	const struct dma_map_ops *ops = ops_of(dev);

	if (!ptr || !size) {
		udma_err("%s: cannot map %zu bytes at %p", dev_name(dev), size, ptr);
		return DMA_MAPPING_ERROR;
	}
	if (dir > DMA_FROM_DEVICE) {
		udma_err("%s: invalid direction %d", dev_name(dev), (int)dir);
		return DMA_MAPPING_ERROR;
	}
	if (ops && ops->map_single) {
		dma_addr_t addr = ops->map_single(dev, ptr, size, dir);

		if (addr == DMA_MAPPING_ERROR)
			udma_err("%s: cannot map %zu bytes at %p", dev_name(dev), size, ptr);
		else if (caa_unlikely(__atomic_load_n(&udma__strict_on, __ATOMIC_RELAXED)))
			strict_add(ptr, size, addr, dir);
		return addr;
	}
	if (caa_unlikely(__atomic_load_n(&udma__strict_on, __ATOMIC_RELAXED)))
		strict_add(ptr, size, (dma_addr_t)(uintptr_t)ptr, dir);
	return (dma_addr_t)(uintptr_t)ptr;
}

static void unmap_one(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir, bool unused)
{
	const struct dma_map_ops *ops = ops_of(dev);

	if (addr == DMA_MAPPING_ERROR || !addr) {
		udma_err("%s: unmap of an invalid address", dev_name(dev));
		return;
	}
	if (caa_unlikely(__atomic_load_n(&udma__strict_on, __ATOMIC_RELAXED)))
		strict_remove(dev, addr, size, dir, unused);
	if (ops && ops->unmap_single)
		ops->unmap_single(dev, addr, size, dir);
}

UDMA_EXPORT void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
				  enum dma_data_direction dir)
{
	unmap_one(dev, addr, size, dir, false);
}

void udma__unmap_unused(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir)
{
	unmap_one(dev, addr, size, dir, true);
}

UDMA_EXPORT int dma_map_sg(struct device *dev, struct scatterlist *sg, int nents,
			   enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;

	if (!sg || nents <= 0) {
		udma_err("%s: bad scatterlist (%p, %d entries)", dev_name(dev),
			 (void *)sg, nents);
		return 0;
	}
	for_each_sg(sg, s, nents, i) {
		if (!s) {
			udma_err("%s: table shorter than %d entries", dev_name(dev), nents);
			goto undo;
		}
		s->dma_address = dma_map_single(dev, sg_virt(s), s->length, dir);
		if (s->dma_address == DMA_MAPPING_ERROR)
			goto undo;
		s->dma_length = s->length;
	}
	return nents;
undo:
	dma_unmap_sg(dev, sg, i, dir);
	return 0;
}

UDMA_EXPORT void dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
			      enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;

	if (!sg)
		return;
	for_each_sg(sg, s, nents, i) {
		if (!s)
			break;
		if (s->dma_address && s->dma_address != DMA_MAPPING_ERROR)
			dma_unmap_single(dev, s->dma_address, s->dma_length, dir);
		s->dma_address = 0;
		s->dma_length = 0;
	}
}

UDMA_EXPORT int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	(void)dev;
	return addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

UDMA_EXPORT void *udma_dma_to_cpu(struct device *dev, dma_addr_t addr, size_t size)
{
	const struct dma_map_ops *ops = ops_of(dev);

	if (!addr || addr == DMA_MAPPING_ERROR)
		return NULL;
	if (ops && ops->to_cpu)
		return ops->to_cpu(dev, addr, size);
	return (void *)(uintptr_t)addr;
}
