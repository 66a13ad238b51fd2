// SPDX-License-Identifier: MIT
/*
 * loom.ko: DRAM held across bindings of the device.
 *
 * An importer of a dma-buf of the device's DRAM that pinned it (an RDMA
 * NIC's pinned memory region) keeps the bus addresses it was given until
 * it lets go of the dma-buf, whatever happens to the driver's binding of
 * the device meanwhile: dma_buf_move_notify() at unbind tells dynamic
 * importers to let go, but a pinned one cannot. So the DRAM of an
 * exported object is "held" while the object lives (it lives while any
 * dma-buf of it does): every later binding of the same PCI function
 * reserves the held ranges in its DRAM allocator at probe (counted as
 * used) and gets them back when the object is finally freed. The memory
 * is thus never handed to a new owner while an old importer may still
 * read or write it.
 *
 * Lock order: loom_dram_hold_lock -> a device's dram_lock.
 */
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "loom_drv.h"
#include "loom_gem.h"

/* Protects loom_dram_holds, loom_dram_resvs and every loom_bo.hold_link. */
static DEFINE_MUTEX(loom_dram_hold_lock);
/* DRAM owners that were exported and not yet freed (loom_bo.hold_link). */
static LIST_HEAD(loom_dram_holds);
/* Their ranges in the allocators of later bindings. */
static LIST_HEAD(loom_dram_resvs);

struct loom_dram_resv {
	struct list_head link;		/* in loom_dram_resvs */
	struct loom_device *ldev;	/* the later binding (alive: it removes these first) */
	struct loom_bo *owner;		/* the held object, of an earlier binding */
	struct drm_mm_node node;	/* in ldev->dram_mm */
};

void loom_dram_hold(struct loom_bo *owner)
{
	mutex_lock(&loom_dram_hold_lock);
	if (list_empty(&owner->hold_link))
		list_add_tail(&owner->hold_link, &loom_dram_holds);
	mutex_unlock(&loom_dram_hold_lock);
}

/* Free a reservation. loom_dram_hold_lock held. */
static void loom_dram_resv_free(struct loom_dram_resv *r)
{
	struct loom_device *ldev = r->ldev;

	lockdep_assert_held(&loom_dram_hold_lock);
	mutex_lock(&ldev->dram_lock);
	drm_mm_remove_node(&r->node);
	ldev->dram_used -= r->node.size;
	mutex_unlock(&ldev->dram_lock);
	list_del(&r->link);
	kfree(r);
}

void loom_dram_unhold(struct loom_bo *owner)
{
	struct loom_dram_resv *r, *tmp;

	mutex_lock(&loom_dram_hold_lock);
	if (!list_empty(&owner->hold_link)) {
		list_del_init(&owner->hold_link);
		list_for_each_entry_safe(r, tmp, &loom_dram_resvs, link)
			if (r->owner == owner)
				loom_dram_resv_free(r);
	}
	mutex_unlock(&loom_dram_hold_lock);
}

int loom_dram_reserve_held(struct loom_device *ldev)
{
	struct loom_dram_resv *r;
	struct loom_bo *owner;
	int ret = 0;

	mutex_lock(&loom_dram_hold_lock);
	list_for_each_entry(owner, &loom_dram_holds, hold_link) {
		struct loom_device *old = to_loom_device(owner->base.base.dev);

		if (old == ldev || old->pdev != ldev->pdev)
			continue;
		r = kzalloc(sizeof(*r), GFP_KERNEL);
		if (!r) {
			ret = -ENOMEM;
			break;
		}
		r->ldev = ldev;
		r->owner = owner;
		r->node.start = owner->dram_pa;
		r->node.size = owner->dram.size;
		mutex_lock(&ldev->dram_lock);
		ret = drm_mm_reserve_node(&ldev->dram_mm, &r->node);
		if (!ret)
			ldev->dram_used += r->node.size;
		mutex_unlock(&ldev->dram_lock);
		if (ret) {
			drm_err(&ldev->drm, "cannot hold back DRAM %#llx+%#llx of an earlier binding: %d\n",
				r->node.start, r->node.size, ret);
			kfree(r);
			break;
		}
		list_add_tail(&r->link, &loom_dram_resvs);
		drm_info(&ldev->drm, "DRAM %#llx+%#llx stays reserved: an importer of an earlier binding holds it\n",
			 r->node.start, r->node.size);
	}
	mutex_unlock(&loom_dram_hold_lock);
	return ret;
}

void loom_dram_unreserve_held(struct loom_device *ldev)
{
	struct loom_dram_resv *r, *tmp;

	mutex_lock(&loom_dram_hold_lock);
	list_for_each_entry_safe(r, tmp, &loom_dram_resvs, link)
		if (r->ldev == ldev)
			loom_dram_resv_free(r);
	mutex_unlock(&loom_dram_hold_lock);
}
