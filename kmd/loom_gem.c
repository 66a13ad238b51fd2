// SPDX-License-Identifier: MIT
/*
 * loom.ko: buffer objects (GEM).
 *
 * Every object is a struct loom_bo, one of four kinds:
 *  - DRAM: a range of device DRAM from the device's drm_mm allocator
 *    (2 MiB aligned from 2 MiB up, so it can be mapped with 2 MiB pages),
 *    zeroed through the BAR before its handle is returned. The CPU maps it
 *    write-combined through PCI BAR2 (LOOM_DRAM_BAR_OFFSET + PA).
 *  - host: shmem pages (drm_gem_shmem helpers), zero-filled, CPU-mapped
 *    cached; pinned and DMA-mapped the first time they are bound, and
 *    counted then against the binder's RLIMIT_MEMLOCK until freed. The
 *    device reaches them at LOOM_PA_HOST(LOOM_KMD_CHANNEL, dma_addr).
 *  - userptr: user pages pinned with FOLL_LONGTERM (for writing unless
 *    READONLY) and DMA-mapped at creation; not mappable through the file.
 *    The pins count against the creator's RLIMIT_MEMLOCK (mm->pinned_vm).
 *  - import: a dma-buf of another exporter (loom_dmabuf.c), attached to the
 *    device and DMA-mapped; the device reaches it like host memory.
 * A DRAM object can also be a "slice": a range of another DRAM object's
 * memory, made when one of the device's own dma-bufs comes back through
 * PRIME (loom_dmabuf.c). It references that object, which gives the memory
 * back only when the last slice, mapping and dma-buf are gone.
 * DRAM objects are exported as dma-bufs by loom_dmabuf.c, host objects by
 * the PRIME helpers; userptr and imported objects are not (-EOPNOTSUPP).
 *
 * VM_BIND, which maps them into contexts, is loom_vm.c's.
 */
#include <linux/capability.h>
#include <linux/dma-map-ops.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_vma_manager.h>

#include "loom_ctx.h"
#include "loom_dmabuf.h"
#include "loom_drv.h"
#include "loom_gem.h"
#include "loom_hw.h"
#include "loom_mmu.h"

/* drm_gem_shmem_free() kfree()s the shmem object: it must come first. */
static_assert(offsetof(struct loom_bo, base) == 0);

static void loom_gem_dram_fini(struct drm_device *drm, void *arg)
{
	struct loom_device *ldev = arg;

	loom_dram_unreserve_held(ldev);
	drm_mm_takedown(&ldev->dram_mm);
}

/*
 * Unbind (after drm_dev_unplug()): take every CPU mapping of the device's
 * objects away, so that no process keeps a window on DRAM that a later
 * binding of the device hands to someone else. DRAM pages have no fault
 * handler: touching them from then on is SIGBUS. Host pages fault back in.
 */
static void loom_gem_zap_mmaps(void *arg)
{
	struct loom_device *ldev = arg;

	if (ldev->drm.anon_inode)
		unmap_mapping_range(ldev->drm.anon_inode->i_mapping, 0, 0, 1);
}

int loom_gem_dev_init(struct loom_device *ldev)
{
	struct pci_dev *pdev = ldev->pdev;
	int ret;

	ret = drmm_mutex_init(&ldev->drm, &ldev->dram_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&ldev->drm, &ldev->dma_bo_lock);
	if (ret)
		return ret;
	INIT_LIST_HEAD(&ldev->dma_bos);
	ret = drmm_mutex_init(&ldev->drm, &ldev->export_lock);
	if (ret)
		return ret;
	INIT_LIST_HEAD(&ldev->exports);
	ldev->dram_bar_phys = pci_resource_start(pdev, LOOM_IVSHMEM_BAR_MEM) + LOOM_DRAM_BAR_OFFSET;
	ldev->dram = devm_ioremap_wc(&pdev->dev, ldev->dram_bar_phys, ldev->dram_size);
	if (!ldev->dram) {
		drm_err(&ldev->drm, "cannot map %llu MiB of DRAM\n", ldev->dram_size >> 20);
		return -ENOMEM;
	}
	ret = devm_add_action_or_reset(&pdev->dev, loom_gem_zap_mmaps, ldev);
	if (ret)
		return ret;
	drm_mm_init(&ldev->dram_mm, 0, ldev->dram_size);
	ldev->dram_used = 0;
	ret = drmm_add_action_or_reset(&ldev->drm, loom_gem_dram_fini, ldev);
	if (ret)
		return ret;
	return loom_dram_reserve_held(ldev);
}

void loom_gem_dma_track(struct loom_bo *bo)
{
	struct loom_device *ldev = to_loom_device(bo->base.base.dev);

	mutex_lock(&ldev->dma_bo_lock);
	if (list_empty(&bo->dma_link))
		list_add_tail(&bo->dma_link, &ldev->dma_bos);
	mutex_unlock(&ldev->dma_bo_lock);
}

void loom_gem_dma_untrack(struct loom_bo *bo)
{
	struct loom_device *ldev = to_loom_device(bo->base.base.dev);

	mutex_lock(&ldev->dma_bo_lock);
	list_del_init(&bo->dma_link);
	mutex_unlock(&ldev->dma_bo_lock);
}

/*
 * The DMA attributes of a userptr object's mapping. Its pages stay mapped
 * for the object's life while the process and the device both use them
 * (as RDMA's memory regions), and two objects may cover the same pages.
 * Where the device is DMA-coherent, as the PCI function in a QEMU guest
 * is, there is nothing to sync: DMA_ATTR_SKIP_CPU_SYNC says so, which
 * also tells the DMA API's debugging that overlapping mappings are meant.
 */
static unsigned long loom_bo_userptr_dma_attrs(struct device *dev)
{
	return dev_is_dma_coherent(dev) ? DMA_ATTR_SKIP_CPU_SYNC : 0;
}

/* Undo bo's DMA mapping for the device. dma_bo_lock held. */
static void loom_gem_dma_unmap_locked(struct loom_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct sg_table *sgt;

	switch (bo->kind) {
	case LOOM_BO_HOST:
		dma_resv_lock(obj->resv, NULL);
		sgt = bo->base.sgt;
		bo->base.sgt = NULL;
		dma_resv_unlock(obj->resv);
		if (sgt)
			dma_unmap_sgtable(obj->dev->dev, sgt, DMA_BIDIRECTIONAL, 0);
		break;
	case LOOM_BO_USERPTR:
		sgt = bo->sgt;
		bo->sgt = NULL;
		if (sgt)
			dma_unmap_sgtable(obj->dev->dev, sgt,
					  bo->readonly ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL,
					  loom_bo_userptr_dma_attrs(obj->dev->dev));
		break;
	case LOOM_BO_IMPORT:
		sgt = bo->sgt;
		bo->sgt = NULL;
		/* The exporter unmaps; the attachment stays until the object goes. */
		if (sgt)
			dma_buf_unmap_attachment_unlocked(obj->import_attach, sgt,
							  DMA_BIDIRECTIONAL);
		return;
	default:
		return;
	}
	if (sgt) {
		sg_free_table(sgt);
		kfree(sgt);
	}
}

void loom_gem_dev_unplug(struct loom_device *ldev)
{
	struct loom_bo *bo, *tmp;

	/* An object being freed waits at dma_bo_lock, before it unmaps. */
	mutex_lock(&ldev->dma_bo_lock);
	list_for_each_entry_safe(bo, tmp, &ldev->dma_bos, dma_link) {
		loom_gem_dma_unmap_locked(bo);
		list_del_init(&bo->dma_link);
	}
	mutex_unlock(&ldev->dma_bo_lock);
}

void loom_gem_dram_usage(struct loom_device *ldev, u64 *used, u64 *total)
{
	mutex_lock(&ldev->dram_lock);
	*used = ldev->dram_used;
	mutex_unlock(&ldev->dram_lock);
	*total = ldev->dram_size;
}

static struct dma_buf *loom_bo_no_export(struct drm_gem_object *obj, int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

/* ---- host objects (shmem) ------------------------------------------------ */

static void loom_bo_pin_unaccount(struct loom_bo *bo);

static void loom_bo_host_free(struct drm_gem_object *obj)
{
	loom_gem_dma_untrack(to_loom_bo(obj));
	loom_obj_dec(to_loom_device(obj->dev), LOOM_OBJ_BO);
	loom_bo_pin_unaccount(to_loom_bo(obj));
	drm_gem_shmem_free(&to_loom_bo(obj)->base);
}

static const struct drm_gem_object_funcs loom_bo_host_funcs = {
	.free = loom_bo_host_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *loom_gem_create_object(struct drm_device *drm, size_t size)
{
	struct loom_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->kind = LOOM_BO_HOST;
	INIT_LIST_HEAD(&bo->dma_link);
	bo->base.map_wc = false;
	bo->base.base.funcs = &loom_bo_host_funcs;
	return &bo->base.base;
}

/* ---- DRAM objects --------------------------------------------------------- */

/*
 * DRAM objects that have been exported and not yet freed, all devices
 * together: while there is none, submissions skip loom_gem_ctx_fence_exports()'s walk.
 */
static atomic_t loom_gem_nr_exported = ATOMIC_INIT(0);

/* Serialises the first export of objects (exported: false -> true). */
static DEFINE_MUTEX(loom_gem_export_lock);

bool loom_gem_any_exported(void)
{
	return atomic_read(&loom_gem_nr_exported);
}

void loom_gem_mark_exported(struct loom_bo *owner)
{
	mutex_lock(&loom_gem_export_lock);
	if (!owner->exported) {
		atomic_inc(&loom_gem_nr_exported);
		WRITE_ONCE(owner->exported, true);
		loom_dram_hold(owner);
	}
	mutex_unlock(&loom_gem_export_lock);
}

static void loom_bo_dram_free(struct drm_gem_object *obj)
{
	struct loom_device *ldev = to_loom_device(obj->dev);
	struct loom_bo *bo = to_loom_bo(obj);

	if (bo->exported) {
		atomic_dec(&loom_gem_nr_exported);
		loom_dram_unhold(bo);
	}
	loom_obj_dec(ldev, LOOM_OBJ_BO);

	mutex_lock(&ldev->dram_lock);
	ldev->dram_used -= bo->dram.size;
	drm_mm_remove_node(&bo->dram);
	mutex_unlock(&ldev->dram_lock);
	drm_gem_object_release(obj);
	kfree(bo);
}

const struct vm_operations_struct loom_bo_dram_vm_ops = {
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

int loom_bo_dram_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct loom_device *ldev = to_loom_device(obj->dev);
	struct loom_bo *bo = to_loom_bo(obj);
	unsigned long pgoff, len = vma->vm_end - vma->vm_start;
	int idx, ret;

	if (is_cow_mapping(vma->vm_flags))
		return -EINVAL;
	/* A read-only DRAM slice: no writable mapping, now or by mprotect(). */
	if (bo->readonly) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	pgoff = vma->vm_pgoff - drm_vma_node_start(&obj->vma_node);
	if (((u64)pgoff << PAGE_SHIFT) + len > obj->size)
		return -EINVAL;
	if (!drm_dev_enter(obj->dev, &idx))
		return -ENODEV;
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));
	ret = io_remap_pfn_range(vma, vma->vm_start,
				 ((ldev->dram_bar_phys + bo->dram_pa) >> PAGE_SHIFT) + pgoff,
				 len, vma->vm_page_prot);
	drm_dev_exit(idx);
	return ret;
}

static const struct drm_gem_object_funcs loom_bo_dram_funcs = {
	.free = loom_bo_dram_free,
	.mmap = loom_bo_dram_mmap,
	.vm_ops = &loom_bo_dram_vm_ops,
	.export = loom_dmabuf_gem_export,
};

/* Zero a DRAM range through the BAR, in pieces so as not to hog the CPU. */
static int loom_dram_zero(struct loom_device *ldev, u64 pa, u64 size)
{
	u64 off, n;
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	for (off = 0; off < size; off += n) {
		n = min_t(u64, size - off, SZ_2M);
		memset_io(ldev->dram + pa + off, 0, n);
		cond_resched();
	}
	/* The zeros reach DRAM before the object's handle is handed out. */
	wmb();
	drm_dev_exit(idx);
	return 0;
}

static struct loom_bo *loom_bo_dram_create(struct loom_device *ldev, u64 size)
{
	struct loom_bo *bo;
	u64 align = size >= LOOM_HUGE_SIZE ? LOOM_HUGE_SIZE : LOOM_PAGE_SIZE;
	int ret;

	if (size > ldev->dram_size)
		return ERR_PTR(-E2BIG);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->kind = LOOM_BO_DRAM;
	INIT_LIST_HEAD(&bo->dma_link);
	INIT_LIST_HEAD(&bo->hold_link);
	bo->base.base.funcs = &loom_bo_dram_funcs;
	drm_gem_private_object_init(&ldev->drm, &bo->base.base, size);

	mutex_lock(&ldev->dram_lock);
	ret = drm_mm_insert_node_generic(&ldev->dram_mm, &bo->dram, size, align, 0,
					 DRM_MM_INSERT_BEST);
	if (!ret)
		ldev->dram_used += size;
	mutex_unlock(&ldev->dram_lock);
	bo->dram_pa = bo->dram.start;
	if (ret) {
		drm_gem_private_object_fini(&bo->base.base);
		kfree(bo);
		return ERR_PTR(-ENOMEM);	/* no free range that large */
	}
	/* From here on, the object's free function gives the DRAM back. */
	loom_obj_inc(ldev, LOOM_OBJ_BO);
	ret = loom_dram_zero(ldev, bo->dram.start, size);
	if (!ret)
		ret = drm_gem_create_mmap_offset(&bo->base.base);
	if (ret) {
		drm_gem_object_put(&bo->base.base);
		return ERR_PTR(ret);
	}
	return bo;
}

/* ---- pinned pages ----------------------------------------------------------- */

/*
 * Count npages pinned pages of bo against the caller's RLIMIT_MEMLOCK
 * (unless it has CAP_IPC_LOCK): 0 (also when bo was counted already) or
 * -ENOMEM. Undone by loom_bo_pin_unaccount() when the object is freed,
 * whichever process frees it.
 */
int loom_bo_pin_account(struct loom_bo *bo, unsigned long npages)
{
	struct mm_struct *mm = current->mm;
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pinned;

	if (READ_ONCE(bo->pin_mm))
		return 0;
	if (!mm)
		return -EFAULT;
	pinned = atomic64_add_return(npages, &mm->pinned_vm);
	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		return -ENOMEM;
	}
	mmgrab(mm);
	bo->pin_acct = npages;
	/* Two first binds at once: one pays. */
	if (cmpxchg(&bo->pin_mm, NULL, mm)) {
		atomic64_sub(npages, &mm->pinned_vm);
		mmdrop(mm);
	}
	return 0;
}

static void loom_bo_pin_unaccount(struct loom_bo *bo)
{
	if (!bo->pin_mm)
		return;
	atomic64_sub(bo->pin_acct, &bo->pin_mm->pinned_vm);
	mmdrop(bo->pin_mm);
	bo->pin_mm = NULL;
}

/* ---- userptr objects ------------------------------------------------------ */

static void loom_bo_userptr_free(struct drm_gem_object *obj)
{
	struct loom_bo *bo = to_loom_bo(obj);

	loom_gem_dma_untrack(bo);
	if (bo->sgt) {
		dma_unmap_sgtable(obj->dev->dev, bo->sgt,
				  bo->readonly ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL,
				  loom_bo_userptr_dma_attrs(obj->dev->dev));
		sg_free_table(bo->sgt);
		kfree(bo->sgt);
	}
	if (bo->pages) {
		unpin_user_pages_dirty_lock(bo->pages, bo->npages, !bo->readonly);
		kvfree(bo->pages);
		if (bo->npages)
			loom_obj_dec(to_loom_device(obj->dev), LOOM_OBJ_USERPTR_PIN);
	}
	loom_bo_pin_unaccount(bo);
	loom_obj_dec(to_loom_device(obj->dev), LOOM_OBJ_BO);
	drm_gem_object_release(obj);
	kfree(bo);
}

static const struct drm_gem_object_funcs loom_bo_userptr_funcs = {
	.free = loom_bo_userptr_free,
	.export = loom_bo_no_export,
};

static struct loom_bo *loom_bo_userptr_create(struct loom_device *ldev, u64 ptr, u64 size,
					      bool readonly)
{
	unsigned long npages = size >> PAGE_SHIFT;
	unsigned int gup = FOLL_LONGTERM | (readonly ? 0 : FOLL_WRITE);
	struct loom_bo *bo;
	long pinned;
	int ret;

	if (npages > totalram_pages() || npages > INT_MAX)
		return ERR_PTR(-E2BIG);
	if (!access_ok(u64_to_user_ptr(ptr), size))
		return ERR_PTR(-EFAULT);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->kind = LOOM_BO_USERPTR;
	bo->readonly = readonly;
	INIT_LIST_HEAD(&bo->dma_link);
	bo->base.base.funcs = &loom_bo_userptr_funcs;
	drm_gem_private_object_init(&ldev->drm, &bo->base.base, size);
	/* From here on, the object's free function undoes what was done. */
	loom_obj_inc(ldev, LOOM_OBJ_BO);

	ret = loom_bo_pin_account(bo, npages);
	if (ret)
		goto err_put;
	bo->pages = kvmalloc_array(npages, sizeof(*bo->pages), GFP_KERNEL | __GFP_NOWARN);
	if (!bo->pages) {
		ret = -ENOMEM;
		goto err_put;
	}
	pinned = pin_user_pages_fast(ptr, npages, gup, bo->pages);
	if (pinned < 0) {
		ret = pinned;
		goto err_put;
	}
	bo->npages = pinned;
	if (pinned)
		loom_obj_inc(ldev, LOOM_OBJ_USERPTR_PIN);
	if (pinned != npages) {
		ret = -EFAULT;
		goto err_put;
	}
	bo->sgt = kzalloc(sizeof(*bo->sgt), GFP_KERNEL);
	if (!bo->sgt) {
		ret = -ENOMEM;
		goto err_put;
	}
	ret = sg_alloc_table_from_pages(bo->sgt, bo->pages, npages, 0, size, GFP_KERNEL);
	if (ret) {
		kfree(bo->sgt);
		bo->sgt = NULL;
		goto err_put;
	}
	ret = dma_map_sgtable(ldev->drm.dev, bo->sgt,
			      readonly ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL,
			      loom_bo_userptr_dma_attrs(ldev->drm.dev));
	if (ret) {
		sg_free_table(bo->sgt);
		kfree(bo->sgt);
		bo->sgt = NULL;
		goto err_put;
	}
	loom_gem_dma_track(bo);
	return bo;

err_put:
	drm_gem_object_put(&bo->base.base);
	return ERR_PTR(ret == -EFAULT || ret == -ENOMEM ? ret : -EFAULT);
}

/* ---- ioctls: objects -------------------------------------------------------- */

static int loom_gem_handle_new(struct drm_file *file, struct loom_bo *bo, u32 *handle)
{
	int ret = drm_gem_handle_create(file, &bo->base.base, handle);

	/* The handle holds the reference from here on (or nothing does). */
	drm_gem_object_put(&bo->base.base);
	return ret;
}

int loom_gem_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct drm_loom_gem_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct loom_bo *bo;
	u64 size;
	int ret;

	if (args->reserved[0] || args->reserved[1] || (args->flags & ~DRM_LOOM_BO_CREATE_MASK) ||
	    hweight32(args->flags) != 1 || !args->size)
		return -EINVAL;
	if (args->size > U64_MAX - (DRM_LOOM_PAGE_SIZE - 1))
		return -E2BIG;
	size = ALIGN(args->size, DRM_LOOM_PAGE_SIZE);

	if (args->flags & DRM_LOOM_BO_DRAM) {
		bo = loom_bo_dram_create(ldev, size);
		if (IS_ERR(bo))
			return PTR_ERR(bo);
	} else {
		if ((size >> PAGE_SHIFT) > totalram_pages())
			return -E2BIG;
		shmem = drm_gem_shmem_create(drm, size);
		if (IS_ERR(shmem))
			return PTR_ERR(shmem);
		bo = container_of(shmem, struct loom_bo, base);
		loom_obj_inc(ldev, LOOM_OBJ_BO);
	}
	ret = loom_gem_handle_new(file, bo, &args->handle);
	if (ret)
		return ret;
	args->size = size;
	loom_dbg(ldev, IOCTL, "GEM_CREATE %s %llu bytes: handle %u\n",
		 bo->kind == LOOM_BO_DRAM ? "dram" : "host", size, args->handle);
	return 0;
}

int loom_gem_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct drm_loom_gem_userptr *args = data;
	struct loom_bo *bo;
	int idx;

	if (args->reserved[0] || args->reserved[1] ||
	    (args->flags & ~DRM_LOOM_USERPTR_FLAGS_MASK) || !args->size ||
	    !IS_ALIGNED(args->user_ptr | args->size, PAGE_SIZE))
		return -EINVAL;
	if (args->user_ptr + args->size < args->user_ptr)
		return -EFAULT;
	/* It maps the pages for the device: not once unbind has begun. */
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	bo = loom_bo_userptr_create(ldev, args->user_ptr, args->size,
				    args->flags & DRM_LOOM_USERPTR_READONLY);
	drm_dev_exit(idx);
	if (IS_ERR(bo))
		return PTR_ERR(bo);
	return loom_gem_handle_new(file, bo, &args->handle);
}

int loom_gem_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_loom_gem_info *args = data;
	struct drm_gem_object *obj;
	struct loom_bo *bo;
	int ret = 0;

	if (args->flags || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_loom_bo(obj);
	args->size = obj->size;
	args->mmap_offset = 0;
	args->reserved[0] = 0;
	args->reserved[1] = 0;
	switch (bo->kind) {
	case LOOM_BO_DRAM:
		args->bo_flags = DRM_LOOM_BO_DRAM;
		break;
	case LOOM_BO_HOST:
		args->bo_flags = DRM_LOOM_BO_HOST;
		break;
	case LOOM_BO_USERPTR:
		args->bo_flags = DRM_LOOM_BO_HOST | DRM_LOOM_BO_USERPTR;
		break;
	case LOOM_BO_IMPORT:
		args->bo_flags = DRM_LOOM_BO_HOST | DRM_LOOM_BO_IMPORTED;
		break;
	}
	if (bo->readonly)
		args->bo_flags |= DRM_LOOM_BO_READONLY;
	if (bo->kind == LOOM_BO_HOST || bo->kind == LOOM_BO_DRAM) {
		ret = drm_gem_create_mmap_offset(obj);
		if (!ret)
			args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
	drm_gem_object_put(obj);
	return ret;
}
