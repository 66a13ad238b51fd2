/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: buffer objects and VM_BIND (loom_gem.c).
 *
 * Three kinds of object: DRAM (a range of device DRAM from the device's
 * allocator, CPU-mapped through PCI BAR2), host (shmem pages, DMA-mapped,
 * device PA LOOM_PA_HOST(LOOM_KMD_CHANNEL, dma_addr)) and userptr (pinned
 * user pages, likewise). VM_BIND maps them into a file's context.
 */
#ifndef __LOOM_GEM_H__
#define __LOOM_GEM_H__

#include <linux/types.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>

struct dma_buf;
struct dma_buf_attachment;
struct drm_device;
struct drm_file;
struct loom_ctx;
struct loom_device;
struct work_struct;
struct sg_table;
struct vm_area_struct;

enum loom_bo_kind {
	LOOM_BO_HOST,		/* shmem pages */
	LOOM_BO_DRAM,		/* device DRAM: its own range, or a slice of another's */
	LOOM_BO_USERPTR,	/* pinned user pages */
	LOOM_BO_IMPORT,		/* a dma-buf of another exporter (loom_dmabuf.c) */
};

struct loom_bo {
	struct drm_gem_shmem_object base;	/* base.base: the GEM object */
	enum loom_bo_kind kind;
	bool readonly;				/* the device may only read it */
	atomic_t vm_maps;			/* VM_BIND mappings of it (fdinfo's "active") */
	struct drm_mm_node dram;		/* DRAM (not a slice): the range of DRAM */
	u64 dram_pa;				/* DRAM: device PA of the object's byte 0 */
	/*
	 * DRAM slice (a self-import of one of the device's dma-bufs): the
	 * DRAM object that owns the memory, referenced; NULL otherwise.
	 */
	struct loom_bo *parent;
	/*
	 * DRAM owner: a dma-buf of it was made (loom_dmabuf.c), so jobs of
	 * contexts that map it put their fences in its resv. Never cleared.
	 */
	bool exported;
	struct page **pages;			/* userptr: pinned pages */
	unsigned long npages;
	/*
	 * userptr, host: the process whose RLIMIT_MEMLOCK the pinned pages
	 * count against (mm->pinned_vm, as RDMA's umem does), grabbed; NULL
	 * until the pages were accounted (userptr: its creator; host: the
	 * first to bind it, when its pages are pinned for the object's life).
	 * Set once (cmpxchg), given back when the object is freed.
	 */
	struct mm_struct *pin_mm;
	unsigned long pin_acct;			/* pages added to pin_mm->pinned_vm */
	struct sg_table *sgt;			/* userptr, import: DMA-mapped pages */
	/*
	 * In ldev->dma_bos while the object holds a DMA mapping for the
	 * device (host: its shmem sgt; userptr, import: sgt), which the
	 * device's unbind takes down (loom_gem_dev_unplug()).
	 */
	struct list_head dma_link;
	/* DRAM owner, exported: in the held list (loom_dram_hold.c). */
	struct list_head hold_link;
};

static inline struct loom_bo *to_loom_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct loom_bo, base.base);
}

/* The DRAM object that owns a DRAM object's memory (itself, or a slice's parent). */
static inline struct loom_bo *loom_bo_dram_owner(struct loom_bo *bo)
{
	return bo->parent ? bo->parent : bo;
}

/*
 * loom_dram_hold.c: an exported DRAM owner's range stays out of every
 * later binding's allocator until the owner is freed.
 */
void loom_dram_hold(struct loom_bo *owner);		/* its first export */
void loom_dram_unhold(struct loom_bo *owner);		/* its free */
/* Probe: reserve the ranges earlier bindings of the function still hold. */
int loom_dram_reserve_held(struct loom_device *ldev);
/* The allocator's end: give those reservations up. */
void loom_dram_unreserve_held(struct loom_device *ldev);

/*
 * Count npages pinned pages of bo against the caller's RLIMIT_MEMLOCK
 * (once per object): 0 or -ENOMEM. Given back when bo is freed.
 */
int loom_bo_pin_account(struct loom_bo *bo, unsigned long npages);
/* Whether any DRAM object of any device was exported and still lives. */
bool loom_gem_any_exported(void);

/* Put bo on the device's list of objects with a DMA mapping (once). */
void loom_gem_dma_track(struct loom_bo *bo);
/* Take it off (its free function, before it unmaps). */
void loom_gem_dma_untrack(struct loom_bo *bo);
/*
 * Unbind, the device stopped: undo every object's DMA mapping for the
 * device now (the objects themselves live on with their files).
 */
void loom_gem_dev_unplug(struct loom_device *ldev);

/* Probe: the DRAM allocator and the BAR mapping of DRAM (drmm-managed). */
int loom_gem_dev_init(struct loom_device *ldev);
/* Context teardown: drop every VM_BIND mapping of ctx (no longer enabled). */
void loom_gem_ctx_fini(struct loom_ctx *ctx);
/* ctx->reap_work: free the unbound mappings whose jobs have finished. */
void loom_gem_ctx_reap_work(struct work_struct *work);

/* DRAM in buffer objects and the whole DRAM, in bytes (for INFO). */
void loom_gem_dram_usage(struct loom_device *ldev, u64 *used, u64 *total);

/* The CPU mapping of DRAM objects and slices (write-combined, through the BAR). */
int loom_bo_dram_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma);
extern const struct vm_operations_struct loom_bo_dram_vm_ops;

/* drm_driver.gem_create_object: allocates host (shmem) objects. */
struct drm_gem_object *loom_gem_create_object(struct drm_device *drm, size_t size);

int loom_gem_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_gem_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_gem_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_vm_bind_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

/*
 * The object bound at [va, va + size) of ctx, which must lie inside one
 * VM_BIND mapping, with a reference, and the offset of va in the object.
 * -ENOENT if no mapping holds va, -EINVAL if the range leaves it.
 */
int loom_gem_va_lookup(struct loom_ctx *ctx, u64 va, u64 size, struct drm_gem_object **obj,
		       u64 *offset);

/*
 * A job of ctx is about to reach the hardware (loom_ctx_add_fence()): its
 * fence goes into the reservation object of every exported DRAM object
 * that ctx maps (write usage; read for read-only mappings), so that the
 * importers of its dma-bufs see the device's work on it. Takes ctx->lock
 * and those objects' resv locks. Returns 0, -ENOMEM or -EINTR.
 */
int loom_gem_ctx_fence_exports(struct loom_ctx *ctx, struct dma_fence *fence);
/* loom_dmabuf.c: a dma-buf of owner (a DRAM object, not a slice) now exists. */
void loom_gem_mark_exported(struct loom_bo *owner);

#endif /* __LOOM_GEM_H__ */
