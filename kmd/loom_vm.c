// SPDX-License-Identifier: MIT
/*
 * loom.ko: VM_BIND, the buffer objects (loom_gem.c) mapped into a file's
 * context.
 *
 * VM_BIND MAP inserts a struct loom_vm_map in the file's context: a
 * drm_gpuva in the context's drm_gpuvm (linked to the object through its
 * drm_gpuvm_bo, so the object knows its mappings), a node of the context's
 * VA allocator (a drm_mm: the kernel chooses the VA unless
 * DRM_LOOM_VM_BIND_FIXED), the page-table entries, and a reference on the
 * object, so an object lives while it is mapped, even after its handle is
 * closed. Mappings never overlap and UNMAP takes a whole mapping, so
 * drm_gpuvm's split/merge (sm_map/sm_unmap) has nothing to do; nothing is
 * evicted (device memory and host pages stay pinned while mapped). The
 * VM's common reservation object holds the context's job fences. UNMAP
 * names a mapping by its start VA and clears its entries at once; if jobs
 * of the context are still running (loom_ctx_add_fence()), the mapping's
 * reference on the object is dropped only once they are done (the mapping
 * becomes a "zombie", freed by a work item that the jobs' fence schedules
 * when it signals, or by the context's end), so the device never writes to
 * memory that was freed and reused.
 */
#include <linux/dma-fence.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

#include "loom_ctx.h"
#include "loom_drv.h"
#include "loom_gem.h"
#include "loom_hw.h"
#include "loom_mmu.h"

/* A VM_BIND mapping in a context (ctx->gpuvm and ctx->va_mm). */
struct loom_vm_map {
	struct drm_gpuva va;			/* in ctx->gpuvm; va.gem: the object */
	struct drm_mm_node node;		/* the same range in the allocator */
	struct loom_bo *bo;			/* holds a reference */
	u64 bo_offset;
	bool readonly;
	struct list_head free_link;		/* ctx->zombies, or a local free list */
	struct dma_fence *fence;		/* unbound: free once signalled */
	struct dma_fence_cb cb;			/* zombie: schedules ctx->reap_work */
	struct loom_ctx *ctx;			/* zombie: its context */
};

/* ---- VM_BIND ------------------------------------------------------------------ */

/* Map [bo_offset, bo_offset + size) of a DMA-mapped sg table at va. */
static int loom_vm_map_sgt(struct loom_ctx *ctx, struct sg_table *sgt, u64 va,
			   u64 bo_offset, u64 size, u32 mmu_flags)
{
	struct scatterlist *sg;
	u64 done = 0, skip = bo_offset, len, n;
	unsigned int i;
	int ret;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		len = sg_dma_len(sg);
		if (skip >= len) {
			skip -= len;
			continue;
		}
		n = min(len - skip, size - done);
		/* Checked at import for other exporters' tables; ours by the mask. */
		if (!loom_hw_dma_ok(sg_dma_address(sg) + skip, n)) {
			ret = -EIO;
			if (done)
				loom_mmu_unmap_locked(ctx, va, done);
			return ret;
		}
		ret = loom_mmu_map_locked(ctx, va + done,
					  LOOM_PA_HOST(LOOM_KMD_CHANNEL, sg_dma_address(sg) + skip),
					  n, mmu_flags);
		if (ret) {
			if (done)
				loom_mmu_unmap_locked(ctx, va, done);
			return ret;
		}
		done += n;
		skip = 0;
		if (done == size)
			return 0;
	}
	/* The table is shorter than the object: cannot happen. */
	if (done)
		loom_mmu_unmap_locked(ctx, va, done);
	return -EINVAL;
}

/*
 * The mapping into the context's drm_gpuvm, linked to obj (under obj's
 * reservation lock, which guards the object's list of mappings).
 * ctx->lock held.
 */
static int loom_vm_gpuva_add(struct loom_ctx *ctx, struct loom_vm_map *map,
			     struct drm_gem_object *obj)
{
	struct drm_gpuvm_bo *vm_bo;
	int ret;

	map->va.va.addr = map->node.start;
	map->va.va.range = map->node.size;
	map->va.gem.obj = obj;
	map->va.gem.offset = map->bo_offset;
	ret = drm_gpuva_insert(&ctx->gpuvm, &map->va);
	if (ret)
		return ret == -EEXIST ? -EBUSY : ret;
	dma_resv_lock(obj->resv, NULL);
	vm_bo = drm_gpuvm_bo_obtain(&ctx->gpuvm, obj);
	if (IS_ERR(vm_bo)) {
		dma_resv_unlock(obj->resv);
		drm_gpuva_remove(&map->va);
		return PTR_ERR(vm_bo);
	}
	drm_gpuva_link(&map->va, vm_bo);
	drm_gpuvm_bo_put(vm_bo);	/* the link holds its own */
	dma_resv_unlock(obj->resv);
	atomic_inc(&to_loom_bo(obj)->vm_maps);
	return 0;
}

/* Out of the context's drm_gpuvm and the object's list. ctx->lock held. */
static void loom_vm_gpuva_del(struct loom_vm_map *map)
{
	struct drm_gem_object *obj = map->va.gem.obj;

	atomic_dec(&to_loom_bo(obj)->vm_maps);
	drm_gpuva_remove(&map->va);
	dma_resv_lock(obj->resv, NULL);
	drm_gpuva_unlink(&map->va);
	dma_resv_unlock(obj->resv);
}

static int loom_vm_bind_map(struct loom_ctx *ctx, struct drm_file *file,
			    struct drm_loom_vm_bind *args)
{
	bool fixed = args->flags & DRM_LOOM_VM_BIND_FIXED;
	bool readonly = args->flags & DRM_LOOM_VM_BIND_READONLY;
	struct drm_gem_object *obj;
	struct sg_table *sgt = NULL;
	struct loom_vm_map *map;
	struct loom_bo *bo;
	u64 align;
	int ret;

	if (args->flags & ~DRM_LOOM_VM_BIND_FLAGS_MASK || !args->size ||
	    !IS_ALIGNED(args->bo_offset | args->size, LOOM_PAGE_SIZE))
		return -EINVAL;
	if (fixed && (!IS_ALIGNED(args->va, LOOM_PAGE_SIZE) || args->va < LOOM_USER_VA_START ||
		      args->va >= LOOM_USER_VA_END || args->size > LOOM_USER_VA_END - args->va))
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_loom_bo(obj);
	if (args->bo_offset >= obj->size || args->size > obj->size - args->bo_offset) {
		ret = -EINVAL;
		goto err_put;
	}
	if (bo->readonly && !readonly) {
		ret = -EPERM;
		goto err_put;
	}
	if (bo->kind == LOOM_BO_HOST) {
		/*
		 * Its pages stay pinned from the first bind until it is freed:
		 * they count against the binder's RLIMIT_MEMLOCK, as userptr's.
		 */
		ret = loom_bo_pin_account(bo, obj->size >> PAGE_SHIFT);
		if (ret)
			goto err_put;
		sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
		if (IS_ERR(sgt)) {
			ret = PTR_ERR(sgt);
			goto err_put;
		}
		loom_gem_dma_track(bo);
	} else if (bo->kind == LOOM_BO_USERPTR || bo->kind == LOOM_BO_IMPORT) {
		sgt = bo->sgt;
	}

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map) {
		ret = -ENOMEM;
		goto err_put;
	}
	map->bo = bo;
	map->bo_offset = args->bo_offset;
	map->readonly = readonly;

	mutex_lock(&ctx->lock);
	if (fixed) {
		map->node.start = args->va;
		map->node.size = args->size;
		ret = drm_mm_reserve_node(&ctx->va_mm, &map->node);
		if (ret == -ENOSPC)
			ret = -EBUSY;
	} else {
		align = args->size >= LOOM_HUGE_SIZE ? LOOM_HUGE_SIZE : LOOM_PAGE_SIZE;
		ret = drm_mm_insert_node_generic(&ctx->va_mm, &map->node, args->size, align, 0,
						 DRM_MM_INSERT_BEST);
	}
	if (ret)
		goto err_unlock;
	if (sgt)
		ret = loom_vm_map_sgt(ctx, sgt, map->node.start, args->bo_offset, args->size,
				      readonly ? 0 : LOOM_MMU_WRITE);
	else
		ret = loom_mmu_map_locked(ctx, map->node.start, bo->dram_pa + args->bo_offset,
					  args->size, readonly ? 0 : LOOM_MMU_WRITE);
	if (ret) {
		drm_mm_remove_node(&map->node);
		goto err_unlock;
	}
	ret = loom_vm_gpuva_add(ctx, map, obj);
	if (ret) {
		loom_mmu_unmap_locked(ctx, map->node.start, map->node.size);
		drm_mm_remove_node(&map->node);
		goto err_unlock;
	}
	args->va = map->node.start;
	loom_obj_inc(ctx->ldev, LOOM_OBJ_VM_MAP);
	mutex_unlock(&ctx->lock);
	loom_dbg(ctx->ldev, IOCTL, "VM_BIND asid %u: %#llx+%#llx -> handle %u+%#llx%s\n",
		 ctx->asid, args->va, args->size, args->handle, args->bo_offset,
		 readonly ? " ro" : "");
	/* The mapping keeps the lookup's reference. */
	return 0;

err_unlock:
	mutex_unlock(&ctx->lock);
	kfree(map);
err_put:
	drm_gem_object_put(obj);
	return ret;
}

/* The mapping containing va, or NULL. ctx->lock held. */
static struct loom_vm_map *loom_vm_map_at(struct loom_ctx *ctx, u64 va)
{
	struct drm_gpuva *gva = drm_gpuva_find_first(&ctx->gpuvm, va, 1);

	return gva ? container_of(gva, struct loom_vm_map, va) : NULL;
}

/* The mapping starting at va, or NULL. ctx->lock held. */
static struct loom_vm_map *loom_vm_map_find(struct loom_ctx *ctx, u64 va)
{
	struct loom_vm_map *map = loom_vm_map_at(ctx, va);

	return map && map->node.start == va ? map : NULL;
}

/* Free what loom_vm_map_release_locked() and loom_vm_reap_locked() collected. */
static void loom_vm_map_free_list(struct list_head *list)
{
	struct loom_vm_map *map, *next;

	list_for_each_entry_safe(map, next, list, free_link) {
		list_del(&map->free_link);
		dma_fence_put(map->fence);
		loom_obj_dec(to_loom_device(map->bo->base.base.dev), LOOM_OBJ_VM_MAP);
		drm_gem_object_put(&map->bo->base.base);
		kfree(map);
	}
}

/* Move the zombies whose jobs are done to list. ctx->lock held. */
static void loom_vm_reap_locked(struct loom_ctx *ctx, struct list_head *list)
{
	struct loom_vm_map *map, *next;

	list_for_each_entry_safe(map, next, &ctx->zombies, free_link)
		if (dma_fence_is_signaled(map->fence))
			list_move_tail(&map->free_link, list);
}

/* A zombie's fence signalled (any context, even an interrupt): reap. */
static void loom_vm_zombie_signaled(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct loom_vm_map *map = container_of(cb, struct loom_vm_map, cb);

	queue_work(system_wq, &map->ctx->reap_work);
}

void loom_gem_ctx_reap_work(struct work_struct *work)
{
	struct loom_ctx *ctx = container_of(work, struct loom_ctx, reap_work);
	LIST_HEAD(free);

	mutex_lock(&ctx->lock);
	loom_vm_reap_locked(ctx, &free);
	mutex_unlock(&ctx->lock);
	/* Outside ctx->lock: freeing an object takes other locks. */
	loom_vm_map_free_list(&free);
}

/*
 * An unbound mapping (entries cleared, node removed): onto list if no job
 * of the context is running, else onto ctx->zombies with the fence of
 * those jobs. ctx->lock held.
 */
static void loom_vm_map_release_locked(struct loom_ctx *ctx, struct loom_vm_map *map,
				       struct list_head *list)
{
	struct dma_fence *fence = NULL;

	if (dma_resv_get_singleton(loom_ctx_resv(ctx), DMA_RESV_USAGE_BOOKKEEP, &fence)) {
		/* No memory for the fence array: wait for the jobs instead. */
		dma_resv_wait_timeout(loom_ctx_resv(ctx), DMA_RESV_USAGE_BOOKKEEP, false,
				      msecs_to_jiffies(LOOM_CTX_JOB_WAIT_MS));
		fence = NULL;
	}
	map->fence = fence;
	map->ctx = ctx;
	if (fence && !dma_fence_add_callback(fence, &map->cb, loom_vm_zombie_signaled))
		list_add_tail(&map->free_link, &ctx->zombies);
	else
		list_add_tail(&map->free_link, list);	/* no job, or already done */
}

static int loom_vm_bind_unmap(struct loom_ctx *ctx, struct drm_loom_vm_bind *args)
{
	struct loom_vm_map *map;
	LIST_HEAD(free);

	if (args->flags || args->handle || args->bo_offset)
		return -EINVAL;
	if (args->va < LOOM_USER_VA_START || args->va >= LOOM_USER_VA_END)
		return -ENOENT;
	mutex_lock(&ctx->lock);
	map = loom_vm_map_find(ctx, args->va);
	if (!map) {
		mutex_unlock(&ctx->lock);
		return -ENOENT;
	}
	if (args->size && args->size != map->node.size) {
		mutex_unlock(&ctx->lock);
		return -EINVAL;
	}
	loom_mmu_unmap_locked(ctx, map->node.start, map->node.size);
	loom_vm_gpuva_del(map);
	drm_mm_remove_node(&map->node);
	loom_vm_map_release_locked(ctx, map, &free);
	mutex_unlock(&ctx->lock);
	/* Outside ctx->lock: freeing an object takes other locks. */
	loom_vm_map_free_list(&free);
	return 0;
}

int loom_gem_ctx_fence_exports(struct loom_ctx *ctx, struct dma_fence *fence)
{
	struct drm_gpuva *gva;
	struct loom_vm_map *map;
	struct loom_bo *owner;
	struct dma_resv *resv;
	int ret = 0;

	if (!loom_gem_any_exported())
		return 0;
	/*
	 * Lock order: ctx->lock, then one object's resv at a time. Nothing
	 * takes ctx->lock with a DRAM object's resv held (the exporter's
	 * callbacks, which run under it, take neither).
	 */
	mutex_lock(&ctx->lock);
	drm_gpuvm_for_each_va(gva, &ctx->gpuvm) {
		map = container_of(gva, struct loom_vm_map, va);
		if (map->bo->kind != LOOM_BO_DRAM)
			continue;
		owner = loom_bo_dram_owner(map->bo);
		if (!READ_ONCE(owner->exported))
			continue;
		resv = owner->base.base.resv;
		ret = dma_resv_lock_interruptible(resv, NULL);
		if (ret)
			break;
		ret = dma_resv_reserve_fences(resv, 1);
		if (!ret)
			dma_resv_add_fence(resv, fence, map->readonly ? DMA_RESV_USAGE_READ :
								     DMA_RESV_USAGE_WRITE);
		dma_resv_unlock(resv);
		if (ret)
			break;
	}
	mutex_unlock(&ctx->lock);
	return ret;
}

int loom_gem_va_lookup(struct loom_ctx *ctx, u64 va, u64 size, struct drm_gem_object **obj,
		       u64 *offset)
{
	struct loom_vm_map *map;
	int ret = -ENOENT;

	if (va < LOOM_USER_VA_START || va >= LOOM_USER_VA_END)
		return -ENOENT;
	mutex_lock(&ctx->lock);
	map = loom_vm_map_at(ctx, va);
	if (map) {
		ret = -EINVAL;
		if (size <= map->node.size - (va - map->node.start)) {
			*obj = &map->bo->base.base;
			drm_gem_object_get(*obj);
			*offset = map->bo_offset + (va - map->node.start);
			ret = 0;
		}
	}
	mutex_unlock(&ctx->lock);
	return ret;
}

int loom_vm_bind_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_file *lfile = file->driver_priv;
	struct drm_loom_vm_bind *args = data;
	struct loom_ctx *ctx = lfile->ctx;
	int idx, ret;

	if (args->pad || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	switch (args->op) {
	case DRM_LOOM_VM_BIND_OP_MAP:
		/* Unbind waits for it before it takes the DMA mappings down. */
		if (!drm_dev_enter(drm, &idx))
			return -ENODEV;
		ret = loom_vm_bind_map(ctx, file, args);
		drm_dev_exit(idx);
		return ret;
	case DRM_LOOM_VM_BIND_OP_UNMAP:
		return loom_vm_bind_unmap(ctx, args);
	default:
		return -EINVAL;
	}
}

void loom_gem_ctx_fini(struct loom_ctx *ctx)
{
	struct drm_gpuva *gva, *tmp;
	struct loom_vm_map *map;
	LIST_HEAD(maps);

	/*
	 * The context is disabled and its jobs are done (loom_ctx_release()
	 * waited for them): no need to clear the entries one by one.
	 */
	mutex_lock(&ctx->lock);
	drm_gpuvm_for_each_va_safe(gva, tmp, &ctx->gpuvm) {
		map = container_of(gva, struct loom_vm_map, va);
		loom_vm_gpuva_del(map);
		drm_mm_remove_node(&map->node);
		list_add_tail(&map->free_link, &maps);
	}
	list_for_each_entry(map, &ctx->zombies, free_link)
		dma_fence_remove_callback(map->fence, &map->cb);
	list_splice_tail_init(&ctx->zombies, &maps);
	mutex_unlock(&ctx->lock);
	/* A callback that ran before its removal may have queued the work. */
	cancel_work_sync(&ctx->reap_work);
	/* Outside ctx->lock: freeing an object takes other locks. */
	loom_vm_map_free_list(&maps);
}
