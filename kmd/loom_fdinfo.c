// SPDX-License-Identifier: MIT
/*
 * loom.ko: per-file accounting — the DRM usage statistics of every open
 * file (/proc/PID/fdinfo/FD, Documentation/gpu/drm-usage-stats.rst), as
 * nvtop, gputop and loom-smi read them. The DRM core prints drm-driver,
 * drm-client-id and drm-pdev; this adds:
 *
 *   drm-engine-dma, -mme, -tpc: <ns> ns  the file's context's busy time per
 *       engine class, from the device's own counters (LOOM_REG_ASID_BUSY,
 *       docs/hw-spec.md), counted from the context's creation; summed
 *       over the class's engines, whose number is
 *   drm-engine-capacity-dma, -mme, -tpc: <n>  (printed when above 1);
 *   drm-total-, drm-shared-, drm-resident-, drm-active-<region>: the
 *       file's objects (those it holds a handle to) by region: dram
 *       (device DRAM, slices of another object's included), system
 *       (shmem host objects; resident once pinned by their first bind),
 *       userptr (pinned user pages), import (other exporters' dma-bufs).
 *       Shared: also held by another handle, or exported as a dma-buf
 *       (PRIME, or EXPORT_DMABUF of any part of its DRAM).
 *       Active: mapped into the context while it has unfinished jobs.
 */
#include <linux/io.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "loom_ctx.h"
#include "loom_gem.h"
#include "loom_hw.h"

/* The engine classes fdinfo names (LOOM_ENGINE_CP's packet handling is not one). */
static const struct {
	const char *name;
	u32 count_reg;
} loom_fdinfo_engines[] = {
	[LOOM_ENGINE_DMA] = { "dma", LOOM_REG_NUM_DMA },
	[LOOM_ENGINE_MME] = { "mme", LOOM_REG_NUM_MME },
	[LOOM_ENGINE_TPC] = { "tpc", LOOM_REG_NUM_TPC },
};

enum loom_fdinfo_region {
	LOOM_REGION_DRAM,
	LOOM_REGION_SYSTEM,
	LOOM_REGION_USERPTR,
	LOOM_REGION_IMPORT,
	LOOM_NUM_REGIONS,
};

static const char * const loom_fdinfo_region_names[LOOM_NUM_REGIONS] = {
	[LOOM_REGION_DRAM] = "dram",
	[LOOM_REGION_SYSTEM] = "system",
	[LOOM_REGION_USERPTR] = "userptr",
	[LOOM_REGION_IMPORT] = "import",
};

u64 loom_ctx_busy_ns(struct loom_device *ldev, u32 asid, unsigned int engine)
{
	/* One 64-bit read: the device adds to the counter atomically. */
	return readq(ldev->regs + LOOM_REG_ASID_BUSY(asid, engine));
}

static enum loom_fdinfo_region loom_fdinfo_region(const struct loom_bo *bo)
{
	switch (bo->kind) {
	case LOOM_BO_DRAM:
		return LOOM_REGION_DRAM;
	case LOOM_BO_USERPTR:
		return LOOM_REGION_USERPTR;
	case LOOM_BO_IMPORT:
		return LOOM_REGION_IMPORT;
	default:
		return LOOM_REGION_SYSTEM;
	}
}

static bool loom_fdinfo_resident(const struct loom_bo *bo)
{
	/* Host objects get their pages (pinned for good) at their first bind. */
	return bo->kind != LOOM_BO_HOST || READ_ONCE(bo->pin_mm);
}

void loom_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(file->minor->dev);
	struct loom_file *lfile = file->driver_priv;
	struct drm_memory_stats stats[LOOM_NUM_REGIONS] = {};
	struct loom_ctx *ctx = lfile->ctx;
	struct drm_gem_object *obj;
	unsigned int e, r;
	bool busy;
	int id;

	for (e = 0; e < ARRAY_SIZE(loom_fdinfo_engines); e++) {
		u32 n = loom_rd32(ldev, loom_fdinfo_engines[e].count_reg);

		drm_printf(p, "drm-engine-%s:\t%llu ns\n", loom_fdinfo_engines[e].name,
			   loom_ctx_busy_ns(ldev, ctx->asid, e) - ctx->busy_base[e]);
		if (n > 1)
			drm_printf(p, "drm-engine-capacity-%s:\t%u\n",
				   loom_fdinfo_engines[e].name, n);
	}

	busy = !dma_resv_test_signaled(loom_ctx_resv(ctx), DMA_RESV_USAGE_BOOKKEEP);
	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id) {
		struct loom_bo *bo = to_loom_bo(obj);
		struct drm_memory_stats *s = &stats[loom_fdinfo_region(bo)];

		if (drm_gem_object_is_shared_for_memory_stats(obj) ||
		    (bo->kind == LOOM_BO_DRAM && READ_ONCE(loom_bo_dram_owner(bo)->exported)))
			s->shared += obj->size;
		else
			s->private += obj->size;
		if (loom_fdinfo_resident(bo))
			s->resident += obj->size;
		if (busy && atomic_read(&bo->vm_maps))
			s->active += obj->size;
	}
	spin_unlock(&file->table_lock);

	for (r = 0; r < LOOM_NUM_REGIONS; r++)
		drm_print_memory_stats(p, &stats[r], DRM_GEM_OBJECT_RESIDENT,
				       loom_fdinfo_region_names[r]);
}
