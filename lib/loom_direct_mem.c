/* SPDX-License-Identifier: MIT */
/*
 * The direct backend's memory: DRAM comes from the device link and is
 * mapped into the context's page tables; pinned host memory is carved out
 * of the host pool, which the device sees as this driver's host window and
 * which is mapped whole into the context at LOOM_VA_HOST_BASE (so pinned
 * memory needs no mapping); CPU access to DRAM goes through BAR0; exports
 * and imports are link requests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loom_direct.h"

int loom_pool_alloc_locked(loom_device *dev, uint64_t size, uint64_t align, uint64_t *off)
{
	return loom_ranges_alloc(&loom_drv(dev)->pool_ranges, size, align, off);
}

void loom_pool_free_locked(loom_device *dev, uint64_t off, uint64_t size)
{
	loom_ranges_free(&loom_drv(dev)->pool_ranges, off, size);
}

int loom_direct_mem_init(loom_device *dev)
{
	struct loom_direct *d = loom_drv(dev);
	int ret;

	ret = loom_ranges_init(&d->pool_ranges, 0, d->pool_size);
	if (ret)
		return ret;
	ret = loom_ranges_init(&d->va_ranges, LOOM_VA_DRAM_BASE,
			       LOOM_VA_DRAM_END - LOOM_VA_DRAM_BASE);
	if (ret)
		return ret;
	ret = loom_pt_init(dev);
	if (ret)
		return ret;
	/* The whole host window, 2 MiB pages. */
	return loom_pt_map(dev, LOOM_VA_HOST_BASE, LOOM_PA_HOST(d->channel, 0), d->pool_size, true);
}

void loom_direct_mem_fini(loom_device *dev)
{
	struct loom_direct *d = loom_drv(dev);

	loom_pt_fini(dev);
	loom_ranges_fini(&d->pool_ranges);
	loom_ranges_fini(&d->va_ranges);
	free(d->host_blocks);
	d->host_blocks = NULL;
	d->nhost = 0;
}

/* ---- device memory (dev->lock held) ------------------------------------------ */

#define A_PA(a)		((a)->be[0])
#define A_VA_SIZE(a)	((a)->be[1])

/* Reserve VA and map the allocation's DRAM there. */
static int map_dram_locked(loom_device *dev, struct loom_alloc *a)
{
	struct loom_direct *d = loom_drv(dev);
	uint64_t align = a->size >= LOOM_HUGE_SIZE ? LOOM_HUGE_SIZE : LOOM_PAGE_SIZE;
	int ret;

	/* A guard page after each mapping turns small overruns into faults. */
	A_VA_SIZE(a) = a->size + LOOM_PAGE_SIZE;
	ret = loom_ranges_alloc(&d->va_ranges, A_VA_SIZE(a), align, &a->va);
	if (ret)
		return ret;
	ret = loom_pt_map(dev, a->va, A_PA(a), a->size, !(a->flags & LOOM_MEM_READONLY));
	if (ret) {
		loom_pt_unmap(dev, a->va, a->size);
		loom_ranges_free(&d->va_ranges, a->va, A_VA_SIZE(a));
		return ret;
	}
	a->cpu = d->dram + A_PA(a);
	return 0;
}

int loom_direct_mem_alloc(loom_device *dev, struct loom_alloc *a)
{
	uint64_t align = LOOM_PAGE_SIZE, size = a->size;
	int ret;

	if (size > loom_drv(dev)->dram_size)
		return -ENOMEM;		/* more than the device has (before rounding can wrap) */
	size = (size + LOOM_PAGE_SIZE - 1) & ~(LOOM_PAGE_SIZE - 1);
	if (size >= LOOM_HUGE_SIZE) {
		size = (size + LOOM_HUGE_SIZE - 1) & ~(LOOM_HUGE_SIZE - 1);
		align = LOOM_HUGE_SIZE;
	}
	a->size = size;
	ret = loom_link_rpc(dev, LOOM_LINK_DRAM_ALLOC, size, align, &A_PA(a), NULL, -1, NULL);
	if (ret)
		return ret;
	ret = map_dram_locked(dev, a);
	if (ret) {
		loom_link_rpc(dev, LOOM_LINK_DRAM_FREE, A_PA(a), 0, NULL, NULL, -1, NULL);
		return ret;
	}
	loom_dbg(LOOM_DBG_MEM, "DRAM va 0x%llx pa 0x%llx size 0x%llx", (unsigned long long)a->va,
		 (unsigned long long)A_PA(a), (unsigned long long)size);
	return 0;
}

void loom_direct_mem_free(loom_device *dev, struct loom_alloc *a)
{
	loom_pt_unmap(dev, a->va, a->size);
	loom_ranges_free(&loom_drv(dev)->va_ranges, a->va, A_VA_SIZE(a));
	loom_link_rpc(dev, a->kind == LOOM_ALLOC_DRAM ? LOOM_LINK_DRAM_FREE : LOOM_LINK_UNIMPORT,
		      A_PA(a), 0, NULL, NULL, -1, NULL);
}

int loom_direct_mem_export(loom_device *dev, const struct loom_alloc *a, uint64_t offset,
			   uint64_t size)
{
	struct loom_direct *d = loom_drv(dev);
	int fd = -1, ret;

	if (!a)
		return offset >= LOOM_VA_HOST_BASE && offset < LOOM_VA_HOST_BASE + d->pool_size ?
		       -EOPNOTSUPP : -EINVAL;
	ret = loom_link_rpc(dev, LOOM_LINK_EXPORT, A_PA(a) + offset, size, NULL, NULL, -1, &fd);
	return ret ? ret : fd;
}

int loom_direct_mem_import(loom_device *dev, int fd, struct loom_alloc *a)
{
	int ret = loom_link_rpc(dev, LOOM_LINK_IMPORT, 0, 0, &A_PA(a), &a->size, fd, NULL);

	if (ret)
		return ret;
	ret = map_dram_locked(dev, a);
	if (ret)
		loom_link_rpc(dev, LOOM_LINK_UNIMPORT, A_PA(a), 0, NULL, NULL, -1, NULL);
	return ret;
}

/* ---- pinned host memory --------------------------------------------------------- */

void *loom_direct_host_alloc(loom_device *dev, uint64_t size, uint64_t *va)
{
	struct loom_direct *d = loom_drv(dev);
	uint64_t off;
	int ret = 0;

	if (size > d->pool_size) {
		errno = EINVAL;
		return NULL;
	}
	size = (size + LOOM_PAGE_SIZE - 1) & ~(LOOM_PAGE_SIZE - 1);
	pthread_mutex_lock(&dev->lock);
	if (d->nhost == d->cap_host) {
		unsigned cap = d->cap_host ? 2 * d->cap_host : 32;
		struct loom_host_block *n = realloc(d->host_blocks, cap * sizeof(*n));

		if (!n)
			ret = -ENOMEM;
		else {
			d->host_blocks = n;
			d->cap_host = cap;
		}
	}
	if (!ret)
		ret = loom_pool_alloc_locked(dev, size, size >= LOOM_HUGE_SIZE ? LOOM_HUGE_SIZE :
					     LOOM_PAGE_SIZE, &off);
	if (!ret)
		d->host_blocks[d->nhost++] = (struct loom_host_block){ off, size };
	pthread_mutex_unlock(&dev->lock);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	if (va)
		*va = loom_pool_va(off);
	return d->pool + off;
}

int loom_direct_host_free(loom_device *dev, void *ptr)
{
	struct loom_direct *d = loom_drv(dev);
	int ret = -EINVAL;

	pthread_mutex_lock(&dev->lock);
	for (unsigned i = 0; i < d->nhost; i++) {
		if (d->pool + d->host_blocks[i].off == (uint8_t *)ptr) {
			loom_pool_free_locked(dev, d->host_blocks[i].off, d->host_blocks[i].size);
			d->host_blocks[i] = d->host_blocks[--d->nhost];
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

uint64_t loom_direct_host_va(loom_device *dev, const void *ptr)
{
	struct loom_direct *d = loom_drv(dev);
	const uint8_t *p = ptr;

	if (p < d->pool || p >= d->pool + d->pool_size)
		return 0;
	return loom_pool_va((uint64_t)(p - d->pool));
}
