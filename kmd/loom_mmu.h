/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: a context's page tables (loom_mmu.c), in the format of
 * hw/loom_mmu.h. The public map/unmap calls are in loom_ctx.h; these are
 * the helpers loom_ctx.c and loom_gem.c use with ctx->lock already held.
 */
#ifndef __LOOM_MMU_H__
#define __LOOM_MMU_H__

#include "loom_ctx.h"

/* Allocate the level-0 table of a new context / free every table. */
int loom_mmu_ctx_init(struct loom_ctx *ctx);
void loom_mmu_ctx_fini(struct loom_ctx *ctx);
/* Device PA of the context's level-0 table (LOOM_AREG_PGD). */
u64 loom_mmu_pgd_pa(struct loom_ctx *ctx);

/* loom_mmu_map()/loom_mmu_unmap() with ctx->lock held. */
int loom_mmu_map_locked(struct loom_ctx *ctx, u64 va, u64 pa, u64 size, u32 flags);
void loom_mmu_unmap_locked(struct loom_ctx *ctx, u64 va, u64 size);
/* Is any page of [va, va + size) mapped? ctx->lock held. */
bool loom_mmu_range_busy(struct loom_ctx *ctx, u64 va, u64 size);

/*
 * Drop the device's cached translations (all ASIDs: the register holds one
 * value and doorbells coalesce, so a per-ASID request could be overwritten
 * by another context's before the device reads it). No-op once the device
 * is unplugged.
 */
void loom_mmu_invalidate(struct loom_device *ldev);

#endif /* __LOOM_MMU_H__ */
