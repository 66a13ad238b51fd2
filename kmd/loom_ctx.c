// SPDX-License-Identifier: MIT
/*
 * loom.ko: open files and hardware contexts.
 *
 * Opening the device file creates a struct loom_file and a context: an
 * ASID from 1..LOOM_NUM_ASIDS-1 (ASID 0 is never valid), its level-0 page
 * table (loom_mmu.c) and its VA allocators (userspace range and the
 * driver's window). The ASID's registers get the table's PA, channel 0 for
 * its events, and the enable bit. With every ASID taken, open fails with
 * -EBUSY; with the opener's user at its quota of contexts
 * (loom.user_contexts, contexts still finishing work counted), -EDQUOT.
 * Then the other parts of the driver set up their per-file state
 * (loom_events_file_open(), ...); closing undoes it in reverse order.
 *
 * The last reference to a context disables the ASID, invalidates the MMU,
 * drops the VM_BIND mappings (and with them their buffer objects'
 * references), frees the page tables and releases the ASID.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/kmemleak.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>

#include "loom_cs.h"
#include "loom_ctx.h"
#include "loom_events.h"
#include "loom_gem.h"
#include "loom_hw.h"
#include "loom_mmu.h"

unsigned int loom_user_contexts = 32;
module_param_named(user_contexts, loom_user_contexts, uint, 0644);
MODULE_PARM_DESC(user_contexts,
		 "open files (contexts) one user may hold per device, of 63 (0 = no limit; default 32)");
unsigned int loom_user_queues = 16;
module_param_named(user_queues, loom_user_queues, uint, 0644);
MODULE_PARM_DESC(user_queues,
		 "hardware queues one user may hold per device, of 32 (0 = no limit; default 16)");

/* Whether uid holds fewer than limit of what count() counts. ctx_lock held. */
static bool loom_ctx_user_room_locked(struct loom_device *ldev, kuid_t uid, unsigned int limit,
				      bool queues)
{
	struct loom_ctx *ctx;
	unsigned int n = 0;

	lockdep_assert_held(&ldev->ctx_lock);
	if (!limit || capable(CAP_SYS_RESOURCE))
		return true;
	list_for_each_entry(ctx, &ldev->ctx_list, link)
		if (uid_eq(ctx->uid, uid))
			n += queues ? ctx->nqueues : 1;
	return n < limit;
}

int loom_ctx_queue_charge(struct loom_ctx *ctx)
{
	struct loom_device *ldev = ctx->ldev;
	int ret = -EDQUOT;

	mutex_lock(&ldev->ctx_lock);
	if (loom_ctx_user_room_locked(ldev, ctx->uid, READ_ONCE(loom_user_queues), true)) {
		ctx->nqueues++;
		ret = 0;
	}
	mutex_unlock(&ldev->ctx_lock);
	return ret;
}

void loom_ctx_queue_uncharge(struct loom_ctx *ctx)
{
	mutex_lock(&ctx->ldev->ctx_lock);
	ctx->nqueues--;
	mutex_unlock(&ctx->ldev->ctx_lock);
}

int loom_ctx_dev_init(struct loom_device *ldev)
{
	int ret;

	ret = drmm_mutex_init(&ldev->drm, &ldev->ctx_lock);
	if (ret)
		return ret;
	INIT_LIST_HEAD(&ldev->ctx_list);
	bitmap_zero(ldev->asid_map, LOOM_NUM_ASIDS);
	__set_bit(0, ldev->asid_map);		/* never valid */
	spin_lock_init(&ldev->mmu_inv_lock);
	return loom_gem_dev_init(ldev);
}

/* Write the ASID's registers: enabled with the context's tables, or off. */
static void loom_ctx_hw_set(struct loom_ctx *ctx, bool enable)
{
	struct loom_device *ldev = ctx->ldev;
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return;
	if (enable) {
		loom_wr64(ldev, LOOM_REG_ASID(ctx->asid, LOOM_AREG_PGD_LO), loom_mmu_pgd_pa(ctx));
		loom_wr32(ldev, LOOM_REG_ASID(ctx->asid, LOOM_AREG_CHANNEL), LOOM_KMD_CHANNEL);
		loom_wr32(ldev, LOOM_REG_ASID(ctx->asid, LOOM_AREG_CTRL), 1);
	} else {
		loom_wr32(ldev, LOOM_REG_ASID(ctx->asid, LOOM_AREG_CTRL), 0);
		loom_wr64(ldev, LOOM_REG_ASID(ctx->asid, LOOM_AREG_PGD_LO), 0);
		loom_wr32(ldev, LOOM_REG_ASID(ctx->asid, LOOM_AREG_CHANNEL), 0);
	}
	drm_dev_exit(idx);
	loom_mmu_invalidate(ldev);
}

void loom_ctx_dev_unplug(struct loom_device *ldev)
{
	struct loom_ctx *ctxs[LOOM_NUM_ASIDS];
	unsigned int i, n;

	n = loom_ctx_get_all(ldev, ctxs, ARRAY_SIZE(ctxs));
	for (i = 0; i < n; i++) {
		/* Disabled with the device: nobody walks the tables any more. */
		mutex_lock(&ctxs[i]->lock);
		loom_mmu_ctx_fini(ctxs[i]);
		mutex_unlock(&ctxs[i]->lock);
		loom_ctx_put(ctxs[i]);
	}
}

void loom_ctx_dev_restore(struct loom_device *ldev)
{
	struct loom_ctx *ctx;

	mutex_lock(&ldev->ctx_lock);
	list_for_each_entry(ctx, &ldev->ctx_list, link)
		loom_ctx_hw_set(ctx, true);
	mutex_unlock(&ldev->ctx_lock);
}

/* drm_gpuvm's last reference: the context's memory goes. */
static void loom_ctx_vm_free(struct drm_gpuvm *gpuvm)
{
	kfree(container_of(gpuvm, struct loom_ctx, gpuvm));
}

static const struct drm_gpuvm_ops loom_ctx_gpuvm_ops = {
	.vm_free = loom_ctx_vm_free,
};

static struct loom_ctx *loom_ctx_create(struct loom_device *ldev)
{
	struct drm_gem_object *r_obj;
	struct loom_ctx *ctx;
	unsigned long asid;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	r_obj = drm_gpuvm_resv_object_alloc(&ldev->drm);
	if (!r_obj) {
		kfree(ctx);
		return ERR_PTR(-ENOMEM);
	}
	/* The whole user VA range; VM_BIND maps whole objects or slices, never splits. */
	drm_gpuvm_init(&ctx->gpuvm, "loom-ctx", 0, &ldev->drm, r_obj, LOOM_USER_VA_START,
		       LOOM_USER_VA_END - LOOM_USER_VA_START, 0, 0, &loom_ctx_gpuvm_ops);
	drm_gem_object_put(r_obj);	/* the VM holds its own */
	ctx->ldev = ldev;
	ctx->uid = current_euid();
	kref_init(&ctx->ref);
	mutex_init(&ctx->lock);
	drm_mm_init(&ctx->va_mm, LOOM_USER_VA_START, LOOM_USER_VA_END - LOOM_USER_VA_START);
	drm_mm_init(&ctx->kva_mm, LOOM_KVA_BASE, LOOM_KVA_SIZE);
	INIT_LIST_HEAD(&ctx->zombies);
	INIT_WORK(&ctx->reap_work, loom_gem_ctx_reap_work);
	ret = loom_mmu_ctx_init(ctx);
	if (ret)
		goto err_free;

	mutex_lock(&ldev->ctx_lock);
	if (!loom_ctx_user_room_locked(ldev, ctx->uid, READ_ONCE(loom_user_contexts), false)) {
		mutex_unlock(&ldev->ctx_lock);
		ret = -EDQUOT;
		goto err_mmu;
	}
	asid = find_first_zero_bit(ldev->asid_map, LOOM_NUM_ASIDS);
	if (asid >= LOOM_NUM_ASIDS) {
		mutex_unlock(&ldev->ctx_lock);
		ret = -EBUSY;
		goto err_mmu;
	}
	__set_bit(asid, ldev->asid_map);
	ctx->asid = asid;
	/* The device's counters run on: the context's share starts here. */
	for (unsigned int e = 0; e < LOOM_FW_NUM_ENGINES; e++)
		ctx->busy_base[e] = loom_ctx_busy_ns(ldev, asid, e);
	list_add_tail(&ctx->link, &ldev->ctx_list);
	/* Under ctx_lock, so that loom_ctx_dev_restore() cannot interleave. */
	loom_ctx_hw_set(ctx, true);
	mutex_unlock(&ldev->ctx_lock);
	loom_obj_inc(ldev, LOOM_OBJ_CTX);
	loom_dbg(ldev, IOCTL, "context %u created\n", ctx->asid);
	return ctx;

err_mmu:
	loom_mmu_ctx_fini(ctx);
err_free:
	drm_mm_takedown(&ctx->kva_mm);
	drm_mm_takedown(&ctx->va_mm);
	mutex_destroy(&ctx->lock);
	drm_gpuvm_put(&ctx->gpuvm);
	return ERR_PTR(ret);
}

static void loom_ctx_release(struct kref *ref)
{
	struct loom_ctx *ctx = container_of(ref, struct loom_ctx, ref);
	struct loom_device *ldev = ctx->ldev;
	struct drm_mm_node *node, *tmp;

	mutex_lock(&ldev->ctx_lock);
	list_del(&ctx->link);
	loom_ctx_hw_set(ctx, false);
	mutex_unlock(&ldev->ctx_lock);

	if (READ_ONCE(ldev->dma_unsafe)) {
		/*
		 * The device stalled in the middle of an access and may resume
		 * it: the memory this context maps is never given back (its
		 * mappings, and so their objects, stay referenced from here).
		 */
		drm_err(&ldev->drm, "context %u: keeping the memory it maps, which the device may still write\n",
			ctx->asid);
		kmemleak_not_leak(ctx);
		return;
	}

	/*
	 * The device no longer walks the tables: take everything apart, once
	 * no job of the context can still be moving data.
	 */
	if (dma_resv_wait_timeout(loom_ctx_resv(ctx), DMA_RESV_USAGE_BOOKKEEP, false,
				  msecs_to_jiffies(LOOM_CTX_JOB_WAIT_MS)) <= 0)
		drm_err(&ldev->drm, "context %u: jobs still running after %u ms; freeing its memory anyway\n",
			ctx->asid, LOOM_CTX_JOB_WAIT_MS);
	loom_gem_ctx_fini(ctx);
	mutex_lock(&ctx->lock);
	drm_mm_for_each_node_safe(node, tmp, &ctx->kva_mm) {
		drm_mm_remove_node(node);
		kfree(node);
	}
	loom_mmu_ctx_fini(ctx);
	mutex_unlock(&ctx->lock);
	drm_mm_takedown(&ctx->kva_mm);
	drm_mm_takedown(&ctx->va_mm);
	mutex_destroy(&ctx->lock);

	/* The ASID is free only once nothing of the context is left. */
	mutex_lock(&ldev->ctx_lock);
	__clear_bit(ctx->asid, ldev->asid_map);
	mutex_unlock(&ldev->ctx_lock);
	loom_dbg(ldev, IOCTL, "context %u destroyed\n", ctx->asid);
	loom_obj_dec(ldev, LOOM_OBJ_CTX);
	drm_gpuvm_put(&ctx->gpuvm);
}

unsigned int loom_ctx_get_all(struct loom_device *ldev, struct loom_ctx **out, unsigned int max)
{
	struct loom_ctx *ctx;
	unsigned int n = 0;

	mutex_lock(&ldev->ctx_lock);
	list_for_each_entry(ctx, &ldev->ctx_list, link)
		if (n < max && kref_get_unless_zero(&ctx->ref))
			out[n++] = ctx;
	mutex_unlock(&ldev->ctx_lock);
	return n;
}

struct loom_ctx *loom_ctx_get(struct loom_ctx *ctx)
{
	kref_get(&ctx->ref);
	return ctx;
}

void loom_ctx_put(struct loom_ctx *ctx)
{
	if (ctx)
		kref_put(&ctx->ref, loom_ctx_release);
}

int loom_ctx_add_fence(struct loom_ctx *ctx, struct dma_fence *fence)
{
	struct dma_resv *resv = loom_ctx_resv(ctx);
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return ret;
	ret = dma_resv_reserve_fences(resv, 1);
	if (!ret)
		dma_resv_add_fence(resv, fence, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(resv);
	/*
	 * Injected after the context holds the fence, where a failure hurts
	 * most: the fence stands in for the older jobs of its queue there.
	 */
	if (!ret && unlikely(loom_fault_countdown(&ctx->ldev->fail_add_fence)))
		ret = -ENOMEM;
	/* Exported DRAM the context maps: importers see the job (loom_dmabuf.c). */
	if (!ret)
		ret = loom_gem_ctx_fence_exports(ctx, fence);
	return ret;
}

int loom_ctx_kva_alloc(struct loom_ctx *ctx, u64 size, u64 *va)
{
	struct drm_mm_node *node;
	int ret;

	if (!size || !IS_ALIGNED(size, LOOM_PAGE_SIZE) || size > LOOM_KVA_SIZE)
		return -EINVAL;
	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	mutex_lock(&ctx->lock);
	ret = drm_mm_insert_node_generic(&ctx->kva_mm, node, size, LOOM_PAGE_SIZE, 0,
					 DRM_MM_INSERT_BEST);
	mutex_unlock(&ctx->lock);
	if (ret) {
		kfree(node);
		return ret;
	}
	*va = node->start;
	return 0;
}

void loom_ctx_kva_free(struct loom_ctx *ctx, u64 va)
{
	struct drm_mm_node *node;

	mutex_lock(&ctx->lock);
	drm_mm_for_each_node(node, &ctx->kva_mm) {
		if (node->start == va) {
			drm_mm_remove_node(node);
			kfree(node);
			break;
		}
	}
	mutex_unlock(&ctx->lock);
}

int loom_ctx_file_open(struct drm_device *drm, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct loom_file *lfile;
	int ret;

	lfile = kzalloc(sizeof(*lfile), GFP_KERNEL);
	if (!lfile)
		return -ENOMEM;
	lfile->ldev = ldev;
	lfile->ctx = loom_ctx_create(ldev);
	if (IS_ERR(lfile->ctx)) {
		ret = PTR_ERR(lfile->ctx);
		kfree(lfile);
		return ret;
	}
	file->driver_priv = lfile;
	ret = loom_events_file_open(drm, file);
	if (ret)
		goto err_ctx;
	ret = loom_cs_file_open(drm, file);
	if (ret)
		goto err_events;
	return 0;

err_events:
	loom_events_file_close(drm, file);
err_ctx:
	file->driver_priv = NULL;
	loom_ctx_put(lfile->ctx);
	kfree(lfile);
	return ret;
}

void loom_ctx_file_close(struct drm_device *drm, struct drm_file *file)
{
	struct loom_file *lfile = file->driver_priv;

	if (!lfile)
		return;
	loom_cs_file_close(drm, file);
	loom_events_file_close(drm, file);
	loom_ctx_put(lfile->ctx);
	kfree(lfile);
	file->driver_priv = NULL;
}
