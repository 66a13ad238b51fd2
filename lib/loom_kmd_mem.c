/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend's memory. Device DRAM: one DRAM buffer object per
 * allocation (DRM_IOCTL_LOOM_GEM_CREATE), bound at a VA chosen here
 * (VM_BIND FIXED, a guard page after it) and mapped into the process
 * through the device file (the driver maps it from the PCI BAR). Pinned
 * host memory: host buffer objects ("arenas", 16 MiB, or one per large
 * allocation), each mapped into the process and bound into the context
 * once, and carved up here, so that small pinned blocks (events, staging,
 * fence slots) cost no system call. Exports are dma-bufs of DRAM made by
 * DRM_IOCTL_LOOM_EXPORT_DMABUF (a range of the allocation's object);
 * imports are PRIME FD_TO_HANDLE and a bind: the driver turns one of its
 * own DRAM dma-bufs into an object on the same memory, from whichever
 * process or file it comes (pinned host memory is not exportable).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loom_kmd.h"

#define A_HANDLE(a)	((a)->be[0])
#define A_VA_SIZE(a)	((a)->be[1])

/* Empty arenas kept for reuse, in bytes; beyond it they are given back. */
#define ARENA_CACHE	(64ULL << 20)

static uint64_t page_round(uint64_t size)
{
	return (size + LOOM_PAGE_SIZE - 1) & ~(LOOM_PAGE_SIZE - 1);
}

/* ---- buffer objects ----------------------------------------------------------- */

static int bo_create(loom_device *dev, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_loom_gem_create c = { .size = size, .flags = flags };
	int ret = loom_kmd_err(dev, loom_kmd_ioctl(loom_kmd(dev)->fd, DRM_IOCTL_LOOM_GEM_CREATE,
						   &c));

	if (ret == -ENOSPC)
		ret = -ENOMEM;
	if (!ret)
		*handle = c.handle;
	return ret;
}

static void bo_close(loom_device *dev, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	loom_kmd_ioctl(loom_kmd(dev)->fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static int bo_bind(loom_device *dev, uint32_t handle, uint64_t va, uint64_t size, bool ro)
{
	struct drm_loom_vm_bind b = {
		.op = DRM_LOOM_VM_BIND_OP_MAP, .handle = handle, .size = size, .va = va,
		.flags = DRM_LOOM_VM_BIND_FIXED | (ro ? DRM_LOOM_VM_BIND_READONLY : 0),
	};

	return loom_kmd_err(dev, loom_kmd_ioctl(loom_kmd(dev)->fd, DRM_IOCTL_LOOM_VM_BIND, &b));
}

static void bo_unbind(loom_device *dev, uint64_t va)
{
	struct drm_loom_vm_bind b = { .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = va };

	loom_kmd_ioctl(loom_kmd(dev)->fd, DRM_IOCTL_LOOM_VM_BIND, &b);
}

static int bo_info(loom_device *dev, uint32_t handle, struct drm_loom_gem_info *i)
{
	memset(i, 0, sizeof(*i));
	i->handle = handle;
	return loom_kmd_err(dev, loom_kmd_ioctl(loom_kmd(dev)->fd, DRM_IOCTL_LOOM_GEM_INFO, i));
}

/* CPU mapping of a whole object (NULL and errno on failure). */
static void *bo_mmap(loom_device *dev, uint32_t handle, uint64_t size)
{
	struct drm_loom_gem_info i;
	void *p;
	int ret = bo_info(dev, handle, &i);

	if (ret || !i.mmap_offset) {
		errno = ret ? -ret : EINVAL;
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, loom_kmd(dev)->fd,
		 (off_t)i.mmap_offset);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- device memory (dev->lock held) ---------------------------------------------- */

static int va_reserve(loom_device *dev, struct loom_ranges *r, uint64_t size, uint64_t *va)
{
	struct loom_kmd *k = loom_kmd(dev);
	uint64_t align = size >= LOOM_HUGE_SIZE ? LOOM_HUGE_SIZE : LOOM_PAGE_SIZE;
	int ret;

	pthread_mutex_lock(&k->mem_lock);
	/* A guard page after each mapping turns small overruns into faults. */
	ret = loom_ranges_alloc(r, size + LOOM_PAGE_SIZE, align, va);
	pthread_mutex_unlock(&k->mem_lock);
	return ret;
}

static void va_release(loom_device *dev, struct loom_ranges *r, uint64_t va, uint64_t size)
{
	struct loom_kmd *k = loom_kmd(dev);

	pthread_mutex_lock(&k->mem_lock);
	loom_ranges_free(r, va, size + LOOM_PAGE_SIZE);
	pthread_mutex_unlock(&k->mem_lock);
}

/* Bind a's object (A_HANDLE) at a fresh VA and map it for the CPU if it can be. */
static int dram_map(loom_device *dev, struct loom_alloc *a, bool need_cpu)
{
	struct loom_kmd *k = loom_kmd(dev);
	int ret = va_reserve(dev, &k->va_dram, a->size, &a->va);

	if (ret)
		return ret;
	A_VA_SIZE(a) = a->size;
	ret = bo_bind(dev, (uint32_t)A_HANDLE(a), a->va, a->size,
		      a->flags & LOOM_MEM_READONLY);
	if (ret) {
		va_release(dev, &k->va_dram, a->va, a->size);
		return ret;
	}
	a->cpu = bo_mmap(dev, (uint32_t)A_HANDLE(a), a->size);
	if (!a->cpu && need_cpu) {
		ret = -errno;
		loom_dbg(LOOM_DBG_MEM, "mmap of DRAM object %u failed: %s",
			 (unsigned)A_HANDLE(a), loom_strerror(ret));
		bo_unbind(dev, a->va);
		va_release(dev, &k->va_dram, a->va, a->size);
		return ret;
	}
	return 0;
}

int loom_kmd_mem_alloc(loom_device *dev, struct loom_alloc *a)
{
	uint64_t size = a->size;
	uint32_t handle;
	int ret;

	if (size > loom_kmd(dev)->hw.dram_size)
		return -ENOMEM;		/* more than the device has (before rounding can wrap) */
	if (__atomic_load_n(&dev->dead, __ATOMIC_ACQUIRE))
		return -ECONNRESET;
	size = page_round(size);
	if (size >= LOOM_HUGE_SIZE)
		size = (size + LOOM_HUGE_SIZE - 1) & ~(LOOM_HUGE_SIZE - 1);
	a->size = size;
	ret = bo_create(dev, size, DRM_LOOM_BO_DRAM, &handle);
	if (ret)
		return ret;
	A_HANDLE(a) = handle;
	ret = dram_map(dev, a, true);
	if (ret) {
		bo_close(dev, handle);
		return ret;
	}
	loom_dbg(LOOM_DBG_MEM, "DRAM va 0x%llx size 0x%llx handle %u", (unsigned long long)a->va,
		 (unsigned long long)size, handle);
	return 0;
}

void loom_kmd_mem_free(loom_device *dev, struct loom_alloc *a)
{
	bool shared = false;

	if (a->cpu)
		munmap(a->cpu, a->size);
	bo_unbind(dev, a->va);
	va_release(dev, &loom_kmd(dev)->va_dram, a->va, A_VA_SIZE(a));
	/* An import of this file's own export is the same handle: close it
	 * with the last allocation that uses it (a is out of the table). */
	for (unsigned i = 0; i < dev->nallocs; i++)
		if (dev->allocs[i].be[0] == A_HANDLE(a))
			shared = true;
	if (!shared)
		bo_close(dev, (uint32_t)A_HANDLE(a));
}

int loom_kmd_mem_export(loom_device *dev, const struct loom_alloc *a, uint64_t offset,
			uint64_t size)
{
	struct loom_kmd *k = loom_kmd(dev);
	struct drm_loom_export_dmabuf e = {
		.flags = DRM_LOOM_EXPORT_CLOEXEC | DRM_LOOM_EXPORT_RDWR,
		.offset = offset, .size = size,
	};
	int ret = -EINVAL;

	if (!a) {
		/* offset is a device address: pinned memory cannot be exported. */
		pthread_mutex_lock(&k->mem_lock);
		for (unsigned i = 0; i < k->narenas; i++)
			if (offset >= k->arenas[i]->va &&
			    offset < k->arenas[i]->va + k->arenas[i]->size)
				ret = -EOPNOTSUPP;
		pthread_mutex_unlock(&k->mem_lock);
		return ret;
	}
	/* The allocation's object is bound whole at a->va: offset is in it. */
	e.handle = (uint32_t)A_HANDLE(a);
	ret = loom_kmd_ioctl(k->fd, DRM_IOCTL_LOOM_EXPORT_DMABUF, &e);
	if (ret)
		return loom_kmd_err(dev, ret);
	return (int)e.fd;
}

int loom_kmd_mem_import(loom_device *dev, int fd, struct loom_alloc *a)
{
	struct drm_prime_handle p = { .fd = fd };
	struct drm_loom_gem_info i;
	int ret = loom_kmd_ioctl(loom_kmd(dev)->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	if (ret)
		/* Not a dma-buf (EINVAL), or one this driver cannot take. */
		return ret == -EINVAL || ret == -ENOTTY ? -EBADF : loom_kmd_err(dev, ret);
	A_HANDLE(a) = p.handle;
	ret = bo_info(dev, p.handle, &i);
	if (!ret) {
		a->size = i.size;
		a->flags = i.bo_flags & DRM_LOOM_BO_READONLY ? LOOM_MEM_READONLY : 0;
		ret = dram_map(dev, a, false);
	}
	if (ret) {
		bool shared = false;

		for (unsigned j = 0; j < dev->nallocs; j++)
			if (dev->allocs[j].be[0] == p.handle)
				shared = true;
		if (!shared)
			bo_close(dev, p.handle);
	}
	return ret;
}

/* ---- pinned host memory ------------------------------------------------------------ */

static void arena_destroy(loom_device *dev, struct loom_kmd_arena *ar)
{
	munmap(ar->cpu, ar->size);
	bo_unbind(dev, ar->va);
	bo_close(dev, ar->handle);
	loom_ranges_free(&loom_kmd(dev)->va_host, ar->va, ar->size + LOOM_PAGE_SIZE);
	loom_ranges_fini(&ar->free);
	free(ar);
}

/* A new arena of size bytes (mem_lock held). */
static struct loom_kmd_arena *arena_create(loom_device *dev, uint64_t size, bool dedicated)
{
	struct loom_kmd *k = loom_kmd(dev);
	struct loom_kmd_arena *ar = calloc(1, sizeof(*ar)), **n;
	uint64_t align = size >= LOOM_HUGE_SIZE ? LOOM_HUGE_SIZE : LOOM_PAGE_SIZE;
	int ret = -ENOMEM;

	if (!ar)
		goto err;
	ar->size = size;
	ar->dedicated = dedicated;
	if (k->narenas == k->cap_arenas) {
		unsigned cap = k->cap_arenas ? 2 * k->cap_arenas : 8;

		n = realloc(k->arenas, cap * sizeof(*n));
		if (!n)
			goto err_free;
		k->arenas = n;
		k->cap_arenas = cap;
	}
	if (!dedicated && loom_ranges_init(&ar->free, 0, size))
		goto err_free;
	ret = loom_ranges_alloc(&k->va_host, size + LOOM_PAGE_SIZE, align, &ar->va);
	if (ret)
		goto err_ranges;
	ret = bo_create(dev, size, DRM_LOOM_BO_HOST, &ar->handle);
	if (ret)
		goto err_va;
	ret = bo_bind(dev, ar->handle, ar->va, size, false);
	if (ret)
		goto err_bo;
	ar->cpu = bo_mmap(dev, ar->handle, size);
	if (!ar->cpu) {
		ret = -errno;
		bo_unbind(dev, ar->va);
		goto err_bo;
	}
	k->arenas[k->narenas++] = ar;
	loom_dbg(LOOM_DBG_MEM, "host arena va 0x%llx size 0x%llx handle %u",
		 (unsigned long long)ar->va, (unsigned long long)size, ar->handle);
	return ar;

err_bo:
	bo_close(dev, ar->handle);
err_va:
	loom_ranges_free(&k->va_host, ar->va, size + LOOM_PAGE_SIZE);
err_ranges:
	loom_ranges_fini(&ar->free);
err_free:
	free(ar);
err:
	errno = -ret;
	return NULL;
}

static int block_add(struct loom_kmd *k, uint8_t *cpu, uint64_t size)
{
	if (k->nblocks == k->cap_blocks) {
		unsigned cap = k->cap_blocks ? 2 * k->cap_blocks : 32;
		struct loom_kmd_block *n = realloc(k->blocks, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		k->blocks = n;
		k->cap_blocks = cap;
	}
	k->blocks[k->nblocks++] = (struct loom_kmd_block){ cpu, size };
	return 0;
}

static struct loom_kmd_arena *arena_of(struct loom_kmd *k, const uint8_t *p, unsigned *idx)
{
	for (unsigned i = 0; i < k->narenas; i++)
		if (p >= k->arenas[i]->cpu && p < k->arenas[i]->cpu + k->arenas[i]->size) {
			if (idx)
				*idx = i;
			return k->arenas[i];
		}
	return NULL;
}

void *loom_kmd_host_alloc(loom_device *dev, uint64_t size, uint64_t *va)
{
	struct loom_kmd *k = loom_kmd(dev);
	struct loom_kmd_arena *ar = NULL;
	uint64_t off = 0;
	uint8_t *p = NULL;
	int ret = 0;

	if (!size || size > LOOM_KMD_VA_HOST_END - LOOM_KMD_VA_HOST_BASE - LOOM_HUGE_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	if (__atomic_load_n(&dev->dead, __ATOMIC_ACQUIRE)) {
		errno = ECONNRESET;
		return NULL;
	}
	size = page_round(size);
	pthread_mutex_lock(&k->mem_lock);
	if (size > LOOM_KMD_ARENA_SIZE / 2) {
		ar = arena_create(dev, size, true);
		if (!ar)
			ret = -errno;
	} else {
		for (unsigned i = 0; i < k->narenas && !ar; i++) {
			struct loom_kmd_arena *a = k->arenas[i];

			if (!a->dedicated && !loom_ranges_alloc(&a->free, size, LOOM_PAGE_SIZE, &off))
				ar = a;
		}
		if (!ar) {
			ar = arena_create(dev, LOOM_KMD_ARENA_SIZE, false);
			if (!ar)
				ret = -errno;
			else
				ret = loom_ranges_alloc(&ar->free, size, LOOM_PAGE_SIZE, &off);
		}
	}
	if (!ret) {
		p = ar->cpu + off;
		ret = block_add(k, p, size);
		if (!ret)
			ar->used += size;
		else if (!ar->dedicated)
			loom_ranges_free(&ar->free, off, size);
		/* (an empty arena stays cached; a dedicated one goes below) */
		if (ret && ar->dedicated) {
			k->narenas--;
			arena_destroy(dev, ar);
		}
	}
	pthread_mutex_unlock(&k->mem_lock);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	if (va)
		*va = ar->va + off;
	return p;
}

/* Bytes of empty shared arenas (mem_lock held). */
static uint64_t arenas_cached(struct loom_kmd *k)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < k->narenas; i++)
		if (!k->arenas[i]->dedicated && !k->arenas[i]->used)
			n += k->arenas[i]->size;
	return n;
}

int loom_kmd_host_free(loom_device *dev, void *ptr)
{
	struct loom_kmd *k = loom_kmd(dev);
	struct loom_kmd_arena *ar;
	unsigned b, ai;
	int ret = -EINVAL;

	pthread_mutex_lock(&k->mem_lock);
	for (b = 0; b < k->nblocks; b++)
		if (k->blocks[b].cpu == (uint8_t *)ptr)
			break;
	if (b == k->nblocks)
		goto out;
	ar = arena_of(k, ptr, &ai);
	if (!ar)
		goto out;
	ar->used -= k->blocks[b].size;
	if (!ar->dedicated)
		loom_ranges_free(&ar->free, (uint64_t)((uint8_t *)ptr - ar->cpu), k->blocks[b].size);
	k->blocks[b] = k->blocks[--k->nblocks];
	if (!ar->used && (ar->dedicated || arenas_cached(k) > ARENA_CACHE)) {
		k->arenas[ai] = k->arenas[--k->narenas];
		arena_destroy(dev, ar);
	}
	ret = 0;
out:
	pthread_mutex_unlock(&k->mem_lock);
	return ret;
}

uint64_t loom_kmd_host_va(loom_device *dev, const void *ptr)
{
	struct loom_kmd *k = loom_kmd(dev);
	struct loom_kmd_arena *ar;
	uint64_t va = 0;

	if (!ptr)
		return 0;
	pthread_mutex_lock(&k->mem_lock);
	ar = arena_of(k, ptr, NULL);
	if (ar)
		va = ar->va + (uint64_t)((const uint8_t *)ptr - ar->cpu);
	pthread_mutex_unlock(&k->mem_lock);
	return va;
}

/* ---- set-up --------------------------------------------------------------------------- */

int loom_kmd_mem_init(loom_device *dev)
{
	struct loom_kmd *k = loom_kmd(dev);
	int ret;

	ret = loom_ranges_init(&k->va_dram, LOOM_KMD_VA_DRAM_BASE,
			       LOOM_KMD_VA_DRAM_END - LOOM_KMD_VA_DRAM_BASE);
	if (ret)
		return ret;
	return loom_ranges_init(&k->va_host, LOOM_KMD_VA_HOST_BASE,
				LOOM_KMD_VA_HOST_END - LOOM_KMD_VA_HOST_BASE);
}

void loom_kmd_mem_fini(loom_device *dev)
{
	struct loom_kmd *k = loom_kmd(dev);

	/* Pinned blocks the caller did not free go with their arenas. */
	while (k->narenas)
		arena_destroy(dev, k->arenas[--k->narenas]);
	free(k->arenas);
	k->arenas = NULL;
	k->cap_arenas = 0;
	free(k->blocks);
	k->blocks = NULL;
	k->nblocks = k->cap_blocks = 0;
	loom_ranges_fini(&k->va_dram);
	loom_ranges_fini(&k->va_host);
}
