/* SPDX-License-Identifier: MIT */
/*
 * libloom memory, generic part: the table of this handle's device
 * allocations (DRAM and imports, by device address) and the public memory
 * calls, which check their arguments and hand the work to the backend.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loom_internal.h"

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

LOOM_API int loom_mem_alloc(loom_device *dev, uint64_t size, uint32_t flags, uint64_t *va)
{
	struct loom_alloc a = { .kind = LOOM_ALLOC_DRAM, .flags = flags, .size = size };
	int ret;

	if (!dev || !va || !size || (flags & ~LOOM_MEM_READONLY))
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	ret = dev->be->mem_alloc(dev, &a);
	if (!ret) {
		ret = alloc_insert_locked(dev, &a);
		if (ret)
			dev->be->mem_free(dev, &a);
	}
	pthread_mutex_unlock(&dev->lock);
	if (ret) {
		loom_dbg(LOOM_DBG_MEM, "allocation of %llu bytes failed: %s",
			 (unsigned long long)size, loom_strerror(ret));
		return ret;
	}
	*va = a.va;
	return 0;
}

LOOM_API int loom_mem_free(loom_device *dev, uint64_t va)
{
	struct loom_alloc a;
	int i;

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
	dev->be->mem_free(dev, &a);
	pthread_mutex_unlock(&dev->lock);
	return 0;
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
	if (i >= 0 && dev->allocs[i].cpu && len <= dev->allocs[i].va + dev->allocs[i].size - va)
		p = dev->allocs[i].cpu + (va - dev->allocs[i].va);
	pthread_mutex_unlock(&dev->lock);
	if (!p)
		errno = EINVAL;
	return p;
}

LOOM_API void *loom_host_alloc(loom_device *dev, uint64_t size, uint64_t *va)
{
	if (!dev || !size) {
		errno = EINVAL;
		return NULL;
	}
	return dev->be->host_alloc(dev, size, va);
}

LOOM_API int loom_host_free(loom_device *dev, void *ptr)
{
	if (!dev)
		return -EINVAL;
	if (!ptr)
		return 0;
	return dev->be->host_free(dev, ptr);
}

LOOM_API uint64_t loom_host_va(loom_device *dev, const void *ptr)
{
	if (!dev || !ptr)
		return 0;
	return dev->be->host_va(dev, ptr);
}

LOOM_API int loom_mem_export(loom_device *dev, uint64_t va, uint64_t size)
{
	int i, ret;

	if (!dev || !size || (va | size) & (LOOM_PAGE_SIZE - 1))
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	i = alloc_find_locked(dev, va);
	if (i < 0) {
		/* Not device memory: the backend tells pinned host memory apart. */
		ret = dev->be->mem_export(dev, NULL, va, size);
		pthread_mutex_unlock(&dev->lock);
		return ret;
	}
	if (size > dev->allocs[i].va + dev->allocs[i].size - va) {
		pthread_mutex_unlock(&dev->lock);
		return -EINVAL;
	}
	ret = dev->be->mem_export(dev, &dev->allocs[i], va - dev->allocs[i].va, size);
	pthread_mutex_unlock(&dev->lock);
	return ret;
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
	ret = dev->be->mem_import(dev, fd, &a);
	if (!ret) {
		ret = alloc_insert_locked(dev, &a);
		if (ret)
			dev->be->mem_free(dev, &a);
	}
	pthread_mutex_unlock(&dev->lock);
	if (ret)
		return ret;
	*va = a.va;
	if (size)
		*size = a.size;
	return 0;
}
