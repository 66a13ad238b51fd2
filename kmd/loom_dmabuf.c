// SPDX-License-Identifier: MIT
/*
 * loom.ko: device DRAM as dma-bufs (DRM_IOCTL_LOOM_EXPORT_DMABUF, PRIME
 * export of DRAM objects) and dma-bufs taken in (PRIME import).
 *
 * The exporter is dynamic: the memory of a DRAM object never moves, so
 * pin/unpin only count, but dynamic importers map under the dma-buf's
 * reservation lock (so a mapping's direction is the importer's own, a
 * read-only dma-buf giving only DMA_TO_DEVICE), and at unbind every
 * importer is told (dma_buf_move_notify()) and new maps fail: the export
 * is revoked. DRAM a pinned importer may still use stays out of later
 * bindings' allocators (loom_dram_hold.c). Attaching needs an
 * importer that can do peer-to-peer DMA (attach->peer2peer, set by a
 * dynamic importer whose ops allow it, as RDMA's pinned dma-buf umem
 * does); any other importer gets -EOPNOTSUPP, since what it would be given
 * is PCI BAR space, not system memory. Where the kernel is built with
 * CONFIG_PCI_P2PDMA, pci_p2pdma_distance() must find a path from a PCI
 * importer to the BAR; Debian's kernels build without it (the function
 * then refuses every pair), so there, and for importers that are not PCI
 * functions, the importer's word (allow_peer2peer) is taken, with its DMA
 * mask checked against the BAR's addresses where no IOMMU translates. A
 * read-only dma-buf maps only for DMA_TO_DEVICE (the importer reads).
 *
 * map_dma_buf builds an sg table without pages: each entry is a
 * dma_map_resource() of a run of the BAR (BAR2 + LOOM_DRAM_BAR_OFFSET +
 * DRAM PA) for the importer's device, at most its largest DMA segment
 * long, so the DMA addresses are what that device must be programmed
 * with. The dma-buf holds a reference on the DRAM object that owns the
 * memory (and so its DRAM stays allocated), on the DRM device, and on the
 * module (exp_info.owner); its reservation object is the object's, and
 * once an object has been exported, every job of a context that maps it
 * adds its fence there (loom_gem_ctx_fence_exports()), so importers see
 * the device's work on the memory (implicit sync, poll, sync files).
 *
 * Import (drm_driver.gem_prime_import): a dma-buf of this exporter made by
 * this device becomes a DRAM slice on the same memory (a LOOM_BO_DRAM
 * object with a parent, made here), read-only if the dma-buf is (the
 * device maps it read-only, the CPU may not map it for writing); other
 * dma-bufs go through the PRIME helpers (attach to the Loom PCI device,
 * map for DMA) and become LOOM_BO_IMPORT objects, which VM_BIND maps
 * entry by entry, so the device DMAs straight into the exporter's memory.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>

#include "loom_ctx.h"
#include "loom_dmabuf.h"
#include "loom_drv.h"
#include "loom_gem.h"
#include "loom_hw.h"

MODULE_IMPORT_NS(DMA_BUF);

/* dma_buf.priv of the exporter. */
struct loom_dmabuf {
	struct loom_device *ldev;	/* holds a reference on the DRM device */
	struct loom_bo *owner;		/* the DRAM object owning the memory, referenced */
	u64 offset;			/* of the dma-buf's byte 0 in owner */
	struct dma_buf *dmabuf;
	struct list_head link;		/* in ldev->exports (export_lock) */
	bool revoked;			/* unbind told its importers (export_lock) */
	atomic_t pins;			/* importers that pinned it */
};

static const struct dma_buf_ops loom_dmabuf_ops;

/* The CPU physical address of the dma-buf's byte 0 (in the BAR). */
static phys_addr_t loom_dmabuf_phys(struct loom_dmabuf *ld)
{
	return ld->ldev->dram_bar_phys + ld->owner->dram_pa + ld->offset;
}

/*
 * Whether dev can reach [phys, phys + size) of the BAR. Through an IOMMU
 * domain that translates, dma_map_resource() finds it an address under
 * its mask; otherwise the DMA address is the physical one, which its mask
 * and bus limit must cover (dma-direct would refuse it, and warn).
 */
static bool loom_dmabuf_reachable(struct device *dev, phys_addr_t phys, u64 size)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	u64 limit;

	if (dom && (dom->type & __IOMMU_DOMAIN_DMA_API))
		return true;
	limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	return phys + size - 1 <= limit;
}

static int loom_dmabuf_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct loom_dmabuf *ld = dmabuf->priv;

	if (!attach->peer2peer) {
		loom_dbg(ld->ldev, IOCTL, "dma-buf: %s cannot do peer-to-peer DMA, refused\n",
			 dev_name(attach->dev));
		return -EOPNOTSUPP;
	}
	/*
	 * Where the kernel has PCI P2PDMA, it judges whether a PCI importer
	 * reaches the BAR (through a common switch, or a host bridge known to
	 * route peer-to-peer). Without it (Debian's kernels: the function
	 * refuses every pair) and for importers that are not PCI functions,
	 * the DMA-mask check below is what is left.
	 */
	if (IS_ENABLED(CONFIG_PCI_P2PDMA) && dev_is_pci(attach->dev) &&
	    pci_p2pdma_distance(ld->ldev->pdev, attach->dev, false) < 0) {
		loom_dbg(ld->ldev, IOCTL, "dma-buf: %s has no peer-to-peer path to the BAR, refused\n",
			 dev_name(attach->dev));
		return -EOPNOTSUPP;
	}
	if (!loom_dmabuf_reachable(attach->dev, loom_dmabuf_phys(ld), dmabuf->size)) {
		loom_dbg(ld->ldev, IOCTL, "dma-buf: %s cannot reach %pa+%#zx (DMA mask %#llx), refused\n",
			 dev_name(attach->dev), &(phys_addr_t){ loom_dmabuf_phys(ld) },
			 dmabuf->size, dma_get_mask(attach->dev));
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Unmap the first mapped DMA entries of sgt, then free it. */
static void loom_dmabuf_sgt_free(struct dma_buf_attachment *attach, struct sg_table *sgt,
				 unsigned int mapped, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	unsigned int i;

	/* BAR space is never in a CPU cache: nothing to sync. */
	for_each_sg(sgt->sgl, sg, mapped, i)
		dma_unmap_resource(attach->dev, sg_dma_address(sg), sg_dma_len(sg), dir,
				   DMA_ATTR_SKIP_CPU_SYNC);
	/*
	 * sg_free_table() walks orig_nents, which map cleared (no CPU list):
	 * the table's whole length again (nents never changes here), or its
	 * chained chunks are freed wrongly.
	 */
	sgt->orig_nents = sgt->nents;
	sg_free_table(sgt);
	kfree(sgt);
}

static struct sg_table *loom_dmabuf_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	struct loom_dmabuf *ld = dmabuf->priv;
	struct loom_device *ldev = ld->ldev;
	u64 seg = ALIGN_DOWN(min_t(u64, dma_get_max_seg_size(attach->dev), UINT_MAX), PAGE_SIZE);
	phys_addr_t phys;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int nents, i;
	u64 done = 0, n;
	dma_addr_t addr;
	int idx, ret;

	if (!attach->peer2peer)
		return ERR_PTR(-EOPNOTSUPP);
	if (!seg)
		return ERR_PTR(-EINVAL);
	/* A read-only dma-buf: the importing device may read it, not write. */
	if (!(dmabuf->file->f_mode & FMODE_WRITE) && dir != DMA_TO_DEVICE) {
		loom_dbg(ldev, IOCTL, "dma-buf: read-only, %s maps it for writing: refused\n",
			 dev_name(attach->dev));
		return ERR_PTR(-EACCES);
	}
	phys = loom_dmabuf_phys(ld);
	/* Its DMA mask may have changed since it attached. */
	if (!loom_dmabuf_reachable(attach->dev, phys, dmabuf->size))
		return ERR_PTR(-EOPNOTSUPP);
	if (!drm_dev_enter(&ldev->drm, &idx))
		return ERR_PTR(-ENODEV);
	nents = DIV_ROUND_UP_ULL(dmabuf->size, seg);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt) {
		ret = -ENOMEM;
		goto err_exit;
	}
	ret = sg_alloc_table(sgt, nents, GFP_KERNEL);
	if (ret) {
		kfree(sgt);
		goto err_exit;
	}
	for_each_sgtable_sg(sgt, sg, i) {
		n = min_t(u64, dmabuf->size - done, seg);
		if (unlikely(loom_fault_countdown(&ldev->fail_dmabuf_map)))
			addr = DMA_MAPPING_ERROR;
		else
			addr = dma_map_resource(attach->dev, phys + done, n, dir,
						DMA_ATTR_SKIP_CPU_SYNC);
		ret = dma_mapping_error(attach->dev, addr);
		if (ret) {
			loom_dmabuf_sgt_free(attach, sgt, i, dir);
			goto err_exit;
		}
		sg_set_page(sg, NULL, n, 0);
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = n;
		done += n;
	}
	/*
	 * No CPU side (pages) to the entries: orig_nents 0 tells anyone who
	 * walks the CPU list that there is none (as habanalabs does).
	 */
	sgt->orig_nents = 0;
	drm_dev_exit(idx);
	loom_dbg(ldev, IOCTL, "dma-buf: %zu bytes mapped for %s in %u entries\n",
		 dmabuf->size, dev_name(attach->dev), nents);
	return sgt;

err_exit:
	drm_dev_exit(idx);
	return ERR_PTR(ret);
}

/*
 * A dynamic exporter: importers that can (dma_buf_dynamic_attach() with
 * move_notify) map under the dma-buf's reservation lock and are told by
 * dma_buf_move_notify() when the device is unbound (the mappings are then
 * revoked: a new map fails with -ENODEV). DRAM never moves, so pinning
 * only counts; a pinned importer keeps its addresses until it lets go,
 * and the DRAM stays held for it (loom_dram_hold.c).
 */
static int loom_dmabuf_pin(struct dma_buf_attachment *attach)
{
	struct loom_dmabuf *ld = attach->dmabuf->priv;

	atomic_inc(&ld->pins);
	return 0;
}

static void loom_dmabuf_unpin(struct dma_buf_attachment *attach)
{
	struct loom_dmabuf *ld = attach->dmabuf->priv;

	atomic_dec(&ld->pins);
}

static void loom_dmabuf_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	loom_dmabuf_sgt_free(attach, sgt, sgt->nents, dir);
}

static void loom_dmabuf_release(struct dma_buf *dmabuf)
{
	struct loom_dmabuf *ld = dmabuf->priv;
	struct loom_device *ldev = ld->ldev;

	loom_dbg(ldev, IOCTL, "dma-buf of %zu bytes released\n", dmabuf->size);
	mutex_lock(&ldev->export_lock);
	list_del(&ld->link);
	mutex_unlock(&ldev->export_lock);
	/* The last reference gives the DRAM back. */
	drm_gem_object_put(&ld->owner->base.base);
	kfree(ld);
	loom_obj_dec(ldev, LOOM_OBJ_EXPORT);
	drm_dev_put(&ldev->drm);
}

static const struct dma_buf_ops loom_dmabuf_ops = {
	.attach = loom_dmabuf_attach,
	.pin = loom_dmabuf_pin,
	.unpin = loom_dmabuf_unpin,
	.map_dma_buf = loom_dmabuf_map,
	.unmap_dma_buf = loom_dmabuf_unmap,
	.release = loom_dmabuf_release,
};

/* A dma-buf on [offset, offset + size) of DRAM object bo (checked by the caller). */
static struct dma_buf *loom_dmabuf_export(struct loom_bo *bo, u64 offset, u64 size, int flags)
{
	struct loom_device *ldev = to_loom_device(bo->base.base.dev);
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct loom_bo *owner = loom_bo_dram_owner(bo);
	struct loom_dmabuf *ld;
	struct dma_buf *dmabuf;

	/* A read-only slice stays read-only in every dma-buf made of it. */
	if (bo->readonly && (flags & O_ACCMODE) != O_RDONLY)
		return ERR_PTR(-EACCES);
	ld = kzalloc(sizeof(*ld), GFP_KERNEL);
	if (!ld)
		return ERR_PTR(-ENOMEM);
	ld->ldev = ldev;
	ld->owner = owner;
	ld->offset = bo->dram_pa - owner->dram_pa + offset;
	exp_info.ops = &loom_dmabuf_ops;
	exp_info.owner = THIS_MODULE;
	exp_info.exp_name = DRIVER_NAME;
	exp_info.size = size;
	exp_info.flags = flags & O_ACCMODE;
	exp_info.resv = owner->base.base.resv;
	exp_info.priv = ld;
	drm_gem_object_get(&owner->base.base);
	drm_dev_get(&ldev->drm);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		drm_gem_object_put(&owner->base.base);
		drm_dev_put(&ldev->drm);
		kfree(ld);
		return dmabuf;
	}
	ld->dmabuf = dmabuf;
	mutex_lock(&ldev->export_lock);
	list_add_tail(&ld->link, &ldev->exports);
	mutex_unlock(&ldev->export_lock);
	loom_gem_mark_exported(owner);
	loom_obj_inc(ldev, LOOM_OBJ_EXPORT);
	loom_dbg(ldev, IOCTL, "dma-buf: DRAM %#llx+%#llx exported\n",
		 owner->dram_pa + ld->offset, size);
	return dmabuf;
}

void loom_dmabuf_revoke_all(struct loom_device *ldev)
{
	struct loom_dmabuf *ld, *found;
	struct file *file;

	for (;;) {
		found = NULL;
		mutex_lock(&ldev->export_lock);
		list_for_each_entry(ld, &ldev->exports, link) {
			if (ld->revoked)
				continue;
			ld->revoked = true;
			/* One that is being released needs no telling. */
			file = ld->dmabuf->file;
			if (get_file_active(&file)) {
				found = ld;
				break;
			}
		}
		mutex_unlock(&ldev->export_lock);
		if (!found)
			return;
		dma_resv_lock(found->dmabuf->resv, NULL);
		dma_buf_move_notify(found->dmabuf);
		dma_resv_unlock(found->dmabuf->resv);
		loom_dbg(ldev, IOCTL, "dma-buf of %zu bytes revoked (%d pinned)\n",
			 found->dmabuf->size, atomic_read(&found->pins));
		fput(file);
	}
}

struct dma_buf *loom_dmabuf_gem_export(struct drm_gem_object *obj, int flags)
{
	return loom_dmabuf_export(to_loom_bo(obj), 0, obj->size, flags);
}

int loom_dmabuf_export_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_file *lfile = file->driver_priv;
	struct drm_loom_export_dmabuf *args = data;
	struct drm_gem_object *obj;
	struct dma_buf *dmabuf;
	struct loom_bo *bo;
	u64 offset;
	int fd, ret;

	if ((args->flags & ~DRM_LOOM_EXPORT_FLAGS_MASK) || args->pad ||
	    args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (!args->size || !IS_ALIGNED(args->offset | args->size, DRM_LOOM_PAGE_SIZE) ||
	    args->offset + args->size < args->offset)
		return -EINVAL;

	if (args->handle) {
		obj = drm_gem_object_lookup(file, args->handle);
		if (!obj)
			return -ENOENT;
		offset = args->offset;
	} else {
		ret = loom_gem_va_lookup(lfile->ctx, args->offset, args->size, &obj, &offset);
		if (ret)
			return ret;
	}
	bo = to_loom_bo(obj);
	if (bo->kind != LOOM_BO_DRAM) {
		ret = -EOPNOTSUPP;
		goto out_put;
	}
	if (offset >= obj->size || args->size > obj->size - offset) {
		ret = -EINVAL;
		goto out_put;
	}
	dmabuf = loom_dmabuf_export(bo, offset, args->size,
				    args->flags & DRM_LOOM_EXPORT_RDWR ? O_RDWR : O_RDONLY);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out_put;
	}
	fd = dma_buf_fd(dmabuf, args->flags & DRM_LOOM_EXPORT_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		ret = fd;
		goto out_put;
	}
	args->fd = fd;
	ret = 0;
	loom_dbg(lfile->ldev, IOCTL, "EXPORT_DMABUF %s %#llx+%#llx: fd %d\n",
		 args->handle ? "handle" : "va", args->offset, args->size, fd);
out_put:
	drm_gem_object_put(obj);
	return ret;
}

/* ---- DRAM slices ----------------------------------------------------------- */

static void loom_bo_slice_free(struct drm_gem_object *obj)
{
	struct loom_bo *bo = to_loom_bo(obj);

	loom_obj_dec(to_loom_device(obj->dev), LOOM_OBJ_BO);
	drm_gem_object_put(&bo->parent->base.base);
	drm_gem_object_release(obj);
	kfree(bo);
}

static const struct drm_gem_object_funcs loom_bo_slice_funcs = {
	.free = loom_bo_slice_free,
	.mmap = loom_bo_dram_mmap,
	.vm_ops = &loom_bo_dram_vm_ops,
	.export = loom_dmabuf_gem_export,
};

/*
 * A DRAM object on [offset, offset + size) of owner's DRAM (owner: a DRAM
 * object that is not a slice), holding a reference on owner and sharing
 * resv (the dma-buf's, which is owner's). A read-only slice (of a dma-buf
 * opened read-only) can only be bound read-only (VM_BIND), mmapped
 * without PROT_WRITE and exported read-only again.
 */
static struct drm_gem_object *loom_dmabuf_slice_create(struct loom_bo *owner, u64 offset,
						       u64 size, struct dma_resv *resv,
						       bool readonly)
{
	struct drm_gem_object *obj;
	struct loom_bo *bo;
	int ret;

	if (WARN_ON(owner->kind != LOOM_BO_DRAM || owner->parent ||
		    offset + size > owner->base.base.size))
		return ERR_PTR(-EINVAL);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->kind = LOOM_BO_DRAM;
	INIT_LIST_HEAD(&bo->dma_link);
	INIT_LIST_HEAD(&bo->hold_link);
	bo->dram_pa = owner->dram_pa + offset;
	bo->parent = owner;
	bo->readonly = readonly;
	obj = &bo->base.base;
	obj->funcs = &loom_bo_slice_funcs;
	obj->resv = resv;
	drm_gem_object_get(&owner->base.base);
	drm_gem_private_object_init(owner->base.base.dev, obj, size);
	/* From here on, the object's free function drops the reference. */
	loom_obj_inc(to_loom_device(obj->dev), LOOM_OBJ_BO);
	ret = drm_gem_create_mmap_offset(obj);
	if (ret) {
		drm_gem_object_put(obj);
		return ERR_PTR(ret);
	}
	return obj;
}

/* ---- imported dma-bufs of other exporters ------------------------------------ */

static void loom_bo_import_free(struct drm_gem_object *obj)
{
	struct loom_bo *bo = to_loom_bo(obj);

	loom_gem_dma_untrack(bo);
	if (obj->import_attach)
		drm_prime_gem_destroy(obj, bo->sgt);
	loom_obj_dec(to_loom_device(obj->dev), LOOM_OBJ_IMPORT);
	loom_obj_dec(to_loom_device(obj->dev), LOOM_OBJ_BO);
	drm_gem_object_release(obj);
	kfree(bo);
}

static const struct drm_gem_object_funcs loom_bo_import_funcs = {
	.free = loom_bo_import_free,
};

struct drm_gem_object *loom_dmabuf_import_sg_table(struct drm_device *drm,
						   struct dma_buf_attachment *attach,
						   struct sg_table *sgt)
{
	u64 size = attach->dmabuf->size, total = 0;
	struct scatterlist *sg;
	struct loom_bo *bo;
	unsigned int i;

	/*
	 * The device maps DMA segments with its own pages: they must fit
	 * them, and lie inside its host window (whatever the exporter made
	 * of the DMA mask).
	 */
	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (!IS_ALIGNED(sg_dma_address(sg) | sg_dma_len(sg), LOOM_PAGE_SIZE) ||
		    !loom_hw_dma_ok(sg_dma_address(sg), sg_dma_len(sg)))
			return ERR_PTR(-EINVAL);
		total += sg_dma_len(sg);
	}
	if (total < size)
		return ERR_PTR(-EINVAL);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->kind = LOOM_BO_IMPORT;
	bo->sgt = sgt;
	INIT_LIST_HEAD(&bo->dma_link);
	bo->base.base.funcs = &loom_bo_import_funcs;
	drm_gem_private_object_init(drm, &bo->base.base, size);
	loom_gem_dma_track(bo);
	loom_obj_inc(to_loom_device(drm), LOOM_OBJ_BO);
	loom_obj_inc(to_loom_device(drm), LOOM_OBJ_IMPORT);
	return &bo->base.base;
}

struct drm_gem_object *loom_dmabuf_prime_import(struct drm_device *drm, struct dma_buf *dma_buf)
{
	struct drm_gem_object *obj;
	struct loom_dmabuf *ld;
	int idx;

	if (dma_buf->ops == &loom_dmabuf_ops) {
		ld = dma_buf->priv;
		/* One of ours: the same memory, no copy. */
		if (&ld->ldev->drm == drm)
			return loom_dmabuf_slice_create(ld->owner, ld->offset, dma_buf->size,
							dma_buf->resv,
							!(dma_buf->file->f_mode & FMODE_WRITE));
		/* Another Loom device's DRAM: it cannot reach it (attach refuses). */
	}
	if (!IS_ALIGNED(dma_buf->size, LOOM_PAGE_SIZE) || !dma_buf->size)
		return ERR_PTR(-EINVAL);
	/* It maps the dma-buf for the device: not once unbind has begun. */
	if (!drm_dev_enter(drm, &idx))
		return ERR_PTR(-ENODEV);
	obj = drm_gem_prime_import(drm, dma_buf);
	drm_dev_exit(idx);
	return obj;
}
