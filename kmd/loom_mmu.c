// SPDX-License-Identifier: MIT
/*
 * loom.ko: the page tables of a context, in the format of hw/loom_mmu.h.
 *
 * Where the tables live: in guest RAM, one dma_alloc_coherent() page per
 * table, which the device reads through the driver's host window at
 * LOOM_PA_HOST(LOOM_KMD_CHANNEL, dma_addr). Not in DRAM, because DRAM is
 * what userspace allocates and the DRAM usage it sees should be its own;
 * because coherent RAM needs no BAR accesses (a PTE update is a plain
 * store, cheap under emulation); and because the tables then survive
 * whatever happens to DRAM.
 *
 * Each table has a CPU-side shadow (struct loom_pt) with the children of
 * its entries. Intermediate tables are never freed before the context
 * itself: unmapping clears leaves only, so a device walk that raced with
 * an unmap can only meet invalid entries, never a page that was freed and
 * reused. An empty level-3 table stays attached to its level-2 slot and is
 * reused, or set aside while a 2 MiB leaf occupies the slot.
 *
 * The device may cache translations: every change of a valid entry is
 * followed by loom_mmu_invalidate() before the call returns.
 */
#include <linux/dma-mapping.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>

#include "loom_hw.h"
#include "loom_mmu.h"

struct loom_pt {
	u64 *cpu;			/* LOOM_PT_ENTRIES entries, coherent */
	dma_addr_t dma;
	struct loom_pt **child;		/* levels 0..2: the next tables */
	unsigned int used;		/* valid entries */
};

static u64 loom_pt_pa(const struct loom_pt *pt)
{
	return LOOM_PA_HOST(LOOM_KMD_CHANNEL, pt->dma);
}

static struct loom_pt *loom_pt_alloc(struct loom_ctx *ctx, unsigned int level)
{
	struct device *dev = ctx->ldev->drm.dev;
	struct loom_pt *pt;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return NULL;
	pt->cpu = dma_alloc_coherent(dev, LOOM_PT_SIZE, &pt->dma, GFP_KERNEL);
	if (!pt->cpu)
		goto err_free;
	if (!loom_hw_dma_ok(pt->dma, LOOM_PT_SIZE))
		goto err_dma;
	if (level < LOOM_PT_LEVELS - 1) {
		pt->child = kcalloc(LOOM_PT_ENTRIES, sizeof(*pt->child), GFP_KERNEL);
		if (!pt->child)
			goto err_dma;
	}
	ctx->pt_pages++;
	return pt;

err_dma:
	dma_free_coherent(dev, LOOM_PT_SIZE, pt->cpu, pt->dma);
err_free:
	kfree(pt);
	return NULL;
}

static void loom_pt_free(struct loom_ctx *ctx, struct loom_pt *pt, unsigned int level)
{
	unsigned int i;

	if (!pt)
		return;
	if (pt->child) {
		for (i = 0; i < LOOM_PT_ENTRIES; i++)
			loom_pt_free(ctx, pt->child[i], level + 1);
		kfree(pt->child);
	}
	dma_free_coherent(ctx->ldev->drm.dev, LOOM_PT_SIZE, pt->cpu, pt->dma);
	kfree(pt);
	ctx->pt_pages--;
}

int loom_mmu_ctx_init(struct loom_ctx *ctx)
{
	ctx->pgd = loom_pt_alloc(ctx, 0);
	return ctx->pgd ? 0 : -ENOMEM;
}

void loom_mmu_ctx_fini(struct loom_ctx *ctx)
{
	loom_pt_free(ctx, ctx->pgd, 0);
	ctx->pgd = NULL;
}

u64 loom_mmu_pgd_pa(struct loom_ctx *ctx)
{
	return ctx->pgd ? loom_pt_pa(ctx->pgd) : 0;
}

void loom_mmu_invalidate(struct loom_device *ldev)
{
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return;
	spin_lock(&ldev->mmu_inv_lock);
	loom_wr32(ldev, LOOM_REG_MMU_INV_ASID, 0);
	loom_hw_doorbell(ldev, LOOM_DOORBELL_FW);
	spin_unlock(&ldev->mmu_inv_lock);
	drm_dev_exit(idx);
}

static bool loom_pte_is_table(u64 pte, unsigned int level)
{
	return (pte & LOOM_PTE_VALID) && !(level == 2 && (pte & LOOM_PTE_HUGE));
}

/*
 * The level-2 table covering va, allocating the missing tables above it
 * when alloc is set. Without alloc, NULL when one is missing, and *next
 * the first VA past the hole.
 */
static struct loom_pt *loom_mmu_walk_l2(struct loom_ctx *ctx, u64 va, bool alloc,
					u64 *next, int *err)
{
	struct loom_pt *pt = ctx->pgd, *child;
	unsigned int l, idx;

	for (l = 0; l < 2; l++) {
		idx = LOOM_PT_INDEX(va, l);
		child = pt->child[idx];
		if (!child) {
			if (!alloc) {
				*next = round_down(va, 1ULL << LOOM_PT_SHIFT(l)) +
					(1ULL << LOOM_PT_SHIFT(l));
				return NULL;
			}
			child = loom_pt_alloc(ctx, l + 1);
			if (!child) {
				*err = -ENOMEM;
				return NULL;
			}
			pt->child[idx] = child;
			WRITE_ONCE(pt->cpu[idx], loom_pt_pa(child) | LOOM_PTE_VALID);
			pt->used++;
		}
		pt = child;
	}
	return pt;
}

static bool loom_mmu_args_ok(u64 va, u64 pa, u64 size)
{
	const u64 mask = LOOM_PAGE_SIZE - 1;

	return size && !((va | pa | size) & mask) &&
	       va < (1ULL << LOOM_VA_BITS) && size <= (1ULL << LOOM_VA_BITS) - va &&
	       pa + size > pa;
}

bool loom_mmu_range_busy(struct loom_ctx *ctx, u64 va, u64 size)
{
	u64 end = va + size, next, pte;
	struct loom_pt *l2, *l3;
	unsigned int i;
	int err = 0;

	lockdep_assert_held(&ctx->lock);
	if (!ctx->pgd)
		return false;
	while (va < end) {
		l2 = loom_mmu_walk_l2(ctx, va, false, &next, &err);
		if (!l2) {
			va = next;
			continue;
		}
		next = round_down(va, LOOM_HUGE_SIZE) + LOOM_HUGE_SIZE;
		pte = READ_ONCE(l2->cpu[LOOM_PT_INDEX(va, 2)]);
		if (pte & LOOM_PTE_VALID) {
			if (pte & LOOM_PTE_HUGE)
				return true;
			l3 = l2->child[LOOM_PT_INDEX(va, 2)];
			for (i = LOOM_PT_INDEX(va, 3); va < end && va < next;
			     i++, va += LOOM_PAGE_SIZE)
				if (l3->cpu[i] & LOOM_PTE_VALID)
					return true;
		}
		va = next;
	}
	return false;
}

int loom_mmu_map_locked(struct loom_ctx *ctx, u64 va, u64 pa, u64 size, u32 flags)
{
	u64 leaf = LOOM_PTE_VALID | ((flags & LOOM_MMU_WRITE) ? LOOM_PTE_WRITE : 0);
	u64 done = 0, v, p, next, pte;
	struct loom_pt *l2, *l3;
	unsigned int idx, i;
	int err = 0;

	lockdep_assert_held(&ctx->lock);
	if (!loom_mmu_args_ok(va, pa, size) || (flags & ~LOOM_MMU_WRITE))
		return -EINVAL;
	/* The device was unbound: its tables are gone (loom_mmu_ctx_fini()). */
	if (!ctx->pgd)
		return -ENODEV;
	if (loom_mmu_range_busy(ctx, va, size))
		return -EBUSY;

	while (done < size) {
		v = va + done;
		p = pa + done;
		l2 = loom_mmu_walk_l2(ctx, v, true, &next, &err);
		if (!l2)
			goto err_unmap;
		idx = LOOM_PT_INDEX(v, 2);
		pte = l2->cpu[idx];
		l3 = l2->child[idx];
		if (IS_ALIGNED(v, LOOM_HUGE_SIZE) && IS_ALIGNED(p, LOOM_HUGE_SIZE) &&
		    size - done >= LOOM_HUGE_SIZE && !(pte & LOOM_PTE_VALID)) {
			/* An empty level-3 table stays in child[] for later. */
			WRITE_ONCE(l2->cpu[idx], p | leaf | LOOM_PTE_HUGE);
			l2->used++;
			ctx->mapped_bytes += LOOM_HUGE_SIZE;
			done += LOOM_HUGE_SIZE;
			continue;
		}
		if (!loom_pte_is_table(pte, 2)) {
			if (!l3) {
				l3 = loom_pt_alloc(ctx, 3);
				if (!l3) {
					err = -ENOMEM;
					goto err_unmap;
				}
				l2->child[idx] = l3;
			}
			WRITE_ONCE(l2->cpu[idx], loom_pt_pa(l3) | LOOM_PTE_VALID);
			l2->used++;
		}
		next = round_down(v, LOOM_HUGE_SIZE) + LOOM_HUGE_SIZE;
		for (i = LOOM_PT_INDEX(v, 3); done < size && v < next;
		     i++, v += LOOM_PAGE_SIZE, p += LOOM_PAGE_SIZE) {
			WRITE_ONCE(l3->cpu[i], p | leaf);
			l3->used++;
			ctx->mapped_bytes += LOOM_PAGE_SIZE;
			done += LOOM_PAGE_SIZE;
		}
	}
	/* New entries only: nothing the device could have cached changed. */
	return 0;

err_unmap:
	if (done)
		loom_mmu_unmap_locked(ctx, va, done);
	return err;
}

void loom_mmu_unmap_locked(struct loom_ctx *ctx, u64 va, u64 size)
{
	u64 end, next, pte;
	struct loom_pt *l2, *l3;
	unsigned int idx, i;
	bool changed = false;
	int err = 0;

	lockdep_assert_held(&ctx->lock);
	if (!loom_mmu_args_ok(va, 0, size) || !ctx->pgd)
		return;
	end = va + size;
	while (va < end) {
		l2 = loom_mmu_walk_l2(ctx, va, false, &next, &err);
		if (!l2) {
			va = next;
			continue;
		}
		next = round_down(va, LOOM_HUGE_SIZE) + LOOM_HUGE_SIZE;
		idx = LOOM_PT_INDEX(va, 2);
		pte = l2->cpu[idx];
		if (!(pte & LOOM_PTE_VALID)) {
			va = next;
			continue;
		}
		if (pte & LOOM_PTE_HUGE) {
			/* Only whole 2 MiB pages: map and unmap come in pairs. */
			if (IS_ALIGNED(va, LOOM_HUGE_SIZE) && end - va >= LOOM_HUGE_SIZE) {
				WRITE_ONCE(l2->cpu[idx], 0);
				l2->used--;
				ctx->mapped_bytes -= LOOM_HUGE_SIZE;
				changed = true;
			}
			va = next;
			continue;
		}
		l3 = l2->child[idx];
		for (i = LOOM_PT_INDEX(va, 3); va < end && va < next; i++, va += LOOM_PAGE_SIZE) {
			if (l3->cpu[i] & LOOM_PTE_VALID) {
				WRITE_ONCE(l3->cpu[i], 0);
				l3->used--;
				ctx->mapped_bytes -= LOOM_PAGE_SIZE;
				changed = true;
			}
		}
		/* Keep the empty table (see the top of the file), but free its slot. */
		if (!l3->used) {
			WRITE_ONCE(l2->cpu[idx], 0);
			l2->used--;
		}
	}
	if (changed)
		loom_mmu_invalidate(ctx->ldev);
}

int loom_mmu_map(struct loom_ctx *ctx, u64 va, u64 pa, u64 size, u32 flags)
{
	int ret;

	mutex_lock(&ctx->lock);
	ret = loom_mmu_map_locked(ctx, va, pa, size, flags);
	mutex_unlock(&ctx->lock);
	return ret;
}

void loom_mmu_unmap(struct loom_ctx *ctx, u64 va, u64 size)
{
	mutex_lock(&ctx->lock);
	loom_mmu_unmap_locked(ctx, va, size);
	mutex_unlock(&ctx->lock);
}

/* A run of leaves with contiguous VAs and PAs and the same kind. */
struct loom_mmu_run {
	u64 va, pa, len, page;
	bool write;
};

static void loom_mmu_run_flush(struct seq_file *m, struct loom_mmu_run *run)
{
	if (run->len)
		seq_printf(m, "  pte %#014llx-%#014llx -> %#llx %s %s\n", run->va,
			   run->va + run->len, run->pa, run->write ? "rw" : "ro",
			   run->page == LOOM_HUGE_SIZE ? "2M" : "4K");
	run->len = 0;
}

static void loom_mmu_run_add(struct seq_file *m, struct loom_mmu_run *run, u64 va, u64 pte,
			     u64 page)
{
	u64 pa = LOOM_PTE_ADDR(pte);
	bool write = pte & LOOM_PTE_WRITE;

	if (run->len && va == run->va + run->len && pa == run->pa + run->len &&
	    write == run->write && page == run->page) {
		run->len += page;
		return;
	}
	loom_mmu_run_flush(m, run);
	*run = (struct loom_mmu_run){ .va = va, .pa = pa, .len = page, .page = page,
				      .write = write };
}

/* Every valid leaf, read back from the tables the device walks. */
static void loom_mmu_dump(struct loom_ctx *ctx, struct seq_file *m)
{
	struct loom_mmu_run run = { 0 };
	struct loom_pt *l1, *l2, *l3;
	unsigned int i0, i1, i2, i3;
	u64 va, pte;

	for (i0 = 0; i0 < LOOM_PT_ENTRIES; i0++) {
		l1 = ctx->pgd->child[i0];
		if (!l1 || !(ctx->pgd->cpu[i0] & LOOM_PTE_VALID))
			continue;
		for (i1 = 0; i1 < LOOM_PT_ENTRIES; i1++) {
			l2 = l1->child[i1];
			if (!l2 || !(l1->cpu[i1] & LOOM_PTE_VALID))
				continue;
			for (i2 = 0; i2 < LOOM_PT_ENTRIES; i2++) {
				pte = l2->cpu[i2];
				va = ((u64)i0 << LOOM_PT_SHIFT(0)) | ((u64)i1 << LOOM_PT_SHIFT(1)) |
				     ((u64)i2 << LOOM_PT_SHIFT(2));
				if (!(pte & LOOM_PTE_VALID))
					continue;
				if (pte & LOOM_PTE_HUGE) {
					loom_mmu_run_add(m, &run, va, pte, LOOM_HUGE_SIZE);
					continue;
				}
				l3 = l2->child[i2];
				for (i3 = 0; l3 && i3 < LOOM_PT_ENTRIES; i3++)
					if (l3->cpu[i3] & LOOM_PTE_VALID)
						loom_mmu_run_add(m, &run,
								 va | ((u64)i3 << LOOM_PT_SHIFT(3)),
								 l3->cpu[i3], LOOM_PAGE_SIZE);
			}
		}
	}
	loom_mmu_run_flush(m, &run);
}

void loom_mmu_debugfs_show(struct loom_ctx *ctx, struct seq_file *m)
{
	struct drm_mm_node *node;

	mutex_lock(&ctx->lock);
	seq_printf(m, "asid %u pgd %#llx table-pages %llu mapped %llu\n", ctx->asid,
		   ctx->pgd ? loom_mmu_pgd_pa(ctx) : 0, ctx->pt_pages, ctx->mapped_bytes);
	drm_mm_for_each_node(node, &ctx->va_mm)
		seq_printf(m, "  user   %#014llx-%#014llx\n", node->start,
			   node->start + node->size);
	drm_mm_for_each_node(node, &ctx->kva_mm)
		seq_printf(m, "  kernel %#014llx-%#014llx\n", node->start,
			   node->start + node->size);
	if (ctx->pgd)
		loom_mmu_dump(ctx, m);
	mutex_unlock(&ctx->lock);
}
