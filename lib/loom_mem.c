/* SPDX-License-Identifier: MIT */
/*
 * libloom memory: device DRAM allocations (DRAM from the device link,
 * mapped into the context's page tables), pinned host memory (carved out
 * of the host pool, which the device sees as this driver's host window and
 * which is mapped whole into the context at LOOM_VA_HOST_BASE), CPU access
 * to DRAM through BAR0, and export/import of DRAM ranges between processes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_internal.h"

int loom_pool_alloc_locked(loom_device *dev, uint64_t size, uint64_t align, uint64_t *off)
{
	return loom_ranges_alloc(&dev->pool_ranges, size, align, off);
}

void loom_pool_free_locked(loom_device *dev, uint64_t off, uint64_t size)
{
	loom_ranges_free(&dev->pool_ranges, off, size);
}

int loom_mem_init(loom_device *dev)
{
	int ret;

	ret = loom_ranges_init(&dev->pool_ranges, 0, dev->pool_size);
	if (ret)
		return ret;
	ret = loom_ranges_init(&dev->va_ranges, LOOM_VA_DRAM_BASE,
			       LOOM_VA_DRAM_END - LOOM_VA_DRAM_BASE);
	if (ret)
		return ret;
	ret = loom_pt_init(dev);
	if (ret)
		return ret;
	/* The whole host window, 2 MiB pages: pinned memory needs no mapping. */
	return loom_pt_map(dev, LOOM_VA_HOST_BASE, LOOM_PA_HOST(dev->channel, 0),
			   dev->pool_size, true);
}

void loom_mem_fini(loom_device *dev)
{
	while (dev->nallocs)
		loom_mem_free(dev, dev->allocs[dev->nallocs - 1].va);
	loom_pt_fini(dev);
	loom_ranges_fini(&dev->pool_ranges);
	loom_ranges_fini(&dev->va_ranges);
	free(dev->allocs);
	free(dev->host_blocks);
	dev->allocs = NULL;
	dev->host_blocks = NULL;
	dev->nallocs = dev->nhost = 0;
}

/* Index of the allocation containing va, or -1 (dev->lock held). */
static int alloc_find_locked(loom_device *dev, uint64_t va)
{
	unsigned lo = 0, hi = dev->nallocs;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		struct loom_alloc *a = &dev->allocs[mid];

		if (va < a->va)
			hi = mid;
		else if (va >= a->va + a->size)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

static int alloc_insert_locked(loom_device *dev, const struct loom_alloc *a)
{
	unsigned i = 0;

	if (dev->nallocs == dev->cap_allocs) {
		unsigned cap = dev->cap_allocs ? 2 * dev->cap_allocs : 64;
		struct loom_alloc *n = realloc(dev->allocs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		dev->allocs = n;
		dev->cap_allocs = cap;
	}
	while (i < dev->nallocs && dev->allocs[i].va < a->va)
		i++;
	memmove(&dev->allocs[i + 1], &dev->allocs[i], (dev->nallocs - i) * sizeof(*a));
	dev->allocs[i] = *a;
	dev->nallocs++;
	return 0;
}

/* Reserve VA and map [pa, pa + size) there (dev->lock held). */
static int map_dram_locked(loom_device *dev, struct loom_alloc *a)
{
	uint64_t align = a->size >= LOOM_HUGE_SIZE ? LOOM_HUGE_SIZE : LOOM_PAGE_SIZE;
	int ret;

	/* A guard page after each mapping turns small overruns into faults. */
	a->va_size = a->size + LOOM_PAGE_SIZE;
	ret = loom_ranges_alloc(&dev->va_ranges, a->va_size, align, &a->va);
	if (ret)
		return ret;
	ret = loom_pt_map(dev, a->va, a->pa, a->size, !(a->flags & LOOM_MEM_READONLY));
	if (!ret)
		ret = alloc_insert_locked(dev, a);
	if (ret) {
		loom_pt_unmap(dev, a->va, a->size);
		loom_ranges_free(&dev->va_ranges, a->va, a->va_size);
	}
	return ret;
}

LOOM_API int loom_mem_alloc(loom_device *dev, uint64_t size, uint32_t flags, uint64_t *va)
{
	struct loom_alloc a = { .kind = LOOM_ALLOC_DRAM, .flags = flags };
	uint64_t align = LOOM_PAGE_SIZE;
	int ret;

	if (!dev || !va || !size || (flags & ~LOOM_MEM_READONLY) || size > dev->dram_size)
		return -EINVAL;
	size = (size + LOOM_PAGE_SIZE - 1) & ~(LOOM_PAGE_SIZE - 1);
	if (size >= LOOM_HUGE_SIZE) {
		size = (size + LOOM_HUGE_SIZE - 1) & ~(LOOM_HUGE_SIZE - 1);
		align = LOOM_HUGE_SIZE;
	}
	a.size = size;
	pthread_mutex_lock(&dev->lock);
	ret = loom_link_rpc(dev, LOOM_LINK_DRAM_ALLOC, size, align, &a.pa, NULL, -1, NULL);
	if (!ret) {
		ret = map_dram_locked(dev, &a);
		if (ret)
			loom_link_rpc(dev, LOOM_LINK_DRAM_FREE, a.pa, 0, NULL, NULL, -1, NULL);
	}
	pthread_mutex_unlock(&dev->lock);
	if (ret) {
		loom_dbg(LOOM_DBG_MEM, "DRAM allocation of %llu bytes failed: %s",
			 (unsigned long long)size, loom_strerror(ret));
		return ret;
	}
	*va = a.va;
	loom_dbg(LOOM_DBG_MEM, "DRAM alloc va 0x%llx pa 0x%llx size 0x%llx",
		 (unsigned long long)a.va, (unsigned long long)a.pa, (unsigned long long)size);
	return 0;
}

LOOM_API int loom_mem_free(loom_device *dev, uint64_t va)
{
	struct loom_alloc a;
	int i, ret;

	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	i = alloc_find_locked(dev, va);
	if (i < 0 || dev->allocs[i].va != va) {
		pthread_mutex_unlock(&dev->lock);
		return -EINVAL;
	}
	a = dev->allocs[i];
	memmove(&dev->allocs[i], &dev->allocs[i + 1], (dev->nallocs - i - 1) * sizeof(a));
	dev->nallocs--;
	loom_pt_unmap(dev, a.va, a.size);
	loom_ranges_free(&dev->va_ranges, a.va, a.va_size);
	ret = loom_link_rpc(dev, a.kind == LOOM_ALLOC_DRAM ? LOOM_LINK_DRAM_FREE : LOOM_LINK_UNIMPORT,
			    a.pa, 0, NULL, NULL, -1, NULL);
	pthread_mutex_unlock(&dev->lock);
	return ret == -ECONNRESET ? 0 : ret;
}

LOOM_API void *loom_mem_host_ptr(loom_device *dev, uint64_t va, uint64_t len)
{
	void *p = NULL;
	int i;

	if (!dev) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&dev->lock);
	i = alloc_find_locked(dev, va);
	if (i >= 0 && len <= dev->allocs[i].va + dev->allocs[i].size - va)
		p = dev->dram + dev->allocs[i].pa + (va - dev->allocs[i].va);
	pthread_mutex_unlock(&dev->lock);
	if (!p)
		errno = EINVAL;
	return p;
}

/* ---- pinned host memory -------------------------------------------------------- */

LOOM_API void *loom_host_alloc(loom_device *dev, uint64_t size, uint64_t *va)
{
	uint64_t off;
	int ret;

	if (!dev || !size || size > dev->pool_size) {
		errno = EINVAL;
		return NULL;
	}
	size = (size + LOOM_PAGE_SIZE - 1) & ~(LOOM_PAGE_SIZE - 1);
	pthread_mutex_lock(&dev->lock);
	if (dev->nhost == dev->cap_host) {
		unsigned cap = dev->cap_host ? 2 * dev->cap_host : 32;
		struct loom_host_block *n = realloc(dev->host_blocks, cap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&dev->lock);
			errno = ENOMEM;
			return NULL;
		}
		dev->host_blocks = n;
		dev->cap_host = cap;
	}
	ret = loom_pool_alloc_locked(dev, size,
				     size >= LOOM_HUGE_SIZE ? LOOM_HUGE_SIZE : LOOM_PAGE_SIZE, &off);
	if (!ret)
		dev->host_blocks[dev->nhost++] = (struct loom_host_block){ off, size };
	pthread_mutex_unlock(&dev->lock);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	if (va)
		*va = loom_pool_va(off);
	return dev->pool + off;
}

LOOM_API int loom_host_free(loom_device *dev, void *ptr)
{
	int ret = -EINVAL;

	if (!dev)
		return -EINVAL;
	if (!ptr)
		return 0;
	pthread_mutex_lock(&dev->lock);
	for (unsigned i = 0; i < dev->nhost; i++) {
		if (dev->pool + dev->host_blocks[i].off == (uint8_t *)ptr) {
			loom_pool_free_locked(dev, dev->host_blocks[i].off, dev->host_blocks[i].size);
			dev->host_blocks[i] = dev->host_blocks[--dev->nhost];
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

LOOM_API uint64_t loom_host_va(loom_device *dev, const void *ptr)
{
	const uint8_t *p = ptr;

	if (!dev || !p || p < dev->pool || p >= dev->pool + dev->pool_size)
		return 0;
	return loom_pool_va((uint64_t)(p - dev->pool));
}

/* ---- export / import ------------------------------------------------------------ */

LOOM_API int loom_mem_export(loom_device *dev, uint64_t va, uint64_t size)
{
	int i, fd = -1, ret;

	if (!dev || !size || (va | size) & (LOOM_PAGE_SIZE - 1))
		return -EINVAL;
	if (va >= LOOM_VA_HOST_BASE && va < LOOM_VA_HOST_BASE + dev->pool_size)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&dev->lock);
	i = alloc_find_locked(dev, va);
	if (i < 0 || size > dev->allocs[i].va + dev->allocs[i].size - va) {
		pthread_mutex_unlock(&dev->lock);
		return -EINVAL;
	}
	ret = loom_link_rpc(dev, LOOM_LINK_EXPORT, dev->allocs[i].pa + (va - dev->allocs[i].va),
			    size, NULL, NULL, -1, &fd);
	pthread_mutex_unlock(&dev->lock);
	return ret ? ret : fd;
}

LOOM_API int loom_mem_import(loom_device *dev, int fd, uint64_t *va, uint64_t *size)
{
	struct loom_alloc a = { .kind = LOOM_ALLOC_IMPORT };
	int ret;

	if (!dev || !va)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&dev->lock);
	ret = loom_link_rpc(dev, LOOM_LINK_IMPORT, 0, 0, &a.pa, &a.size, fd, NULL);
	if (!ret) {
		ret = map_dram_locked(dev, &a);
		if (ret)
			loom_link_rpc(dev, LOOM_LINK_UNIMPORT, a.pa, 0, NULL, NULL, -1, NULL);
	}
	pthread_mutex_unlock(&dev->lock);
	if (ret)
		return ret;
	*va = a.va;
	if (size)
		*size = a.size;
	return 0;
}
