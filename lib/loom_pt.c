/* SPDX-License-Identifier: MIT */
/*
 * The direct backend's address-space code: a first-fit range allocator
 * (device VA space, host pool offsets) and the context's four-level page
 * tables, which live in device DRAM and are written through the BAR0
 * mapping in the format of hw/loom_mmu.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loom_direct.h"

#define PT_CHUNK	(2ULL << 20)	/* DRAM taken for tables at a time */

/* ---- ranges ---------------------------------------------------------------- */

int loom_ranges_init(struct loom_ranges *r, uint64_t base, uint64_t size)
{
	r->cap = 16;
	r->free = calloc(r->cap, sizeof(*r->free));
	if (!r->free)
		return -ENOMEM;
	r->free[0].start = base;
	r->free[0].size = size;
	r->nfree = 1;
	return 0;
}

void loom_ranges_fini(struct loom_ranges *r)
{
	free(r->free);
	r->free = NULL;
	r->nfree = r->cap = 0;
}

static int ranges_insert(struct loom_ranges *r, unsigned at, uint64_t start, uint64_t size)
{
	if (r->nfree == r->cap) {
		struct loom_range *n = realloc(r->free, 2 * r->cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->free = n;
		r->cap *= 2;
	}
	memmove(&r->free[at + 1], &r->free[at], (r->nfree - at) * sizeof(*r->free));
	r->free[at].start = start;
	r->free[at].size = size;
	r->nfree++;
	return 0;
}

static void ranges_remove(struct loom_ranges *r, unsigned at)
{
	memmove(&r->free[at], &r->free[at + 1], (r->nfree - at - 1) * sizeof(*r->free));
	r->nfree--;
}

int loom_ranges_alloc(struct loom_ranges *r, uint64_t size, uint64_t align, uint64_t *start)
{
	for (unsigned i = 0; i < r->nfree; i++) {
		struct loom_range *f = &r->free[i];
		uint64_t s = (f->start + align - 1) & ~(align - 1);
		uint64_t end = f->start + f->size;

		if (s < f->start || s > end || end - s < size)
			continue;
		uint64_t head = s - f->start, tail = end - (s + size);

		if (head && tail) {
			if (ranges_insert(r, i + 1, s + size, tail))
				return -ENOMEM;
			r->free[i].size = head;
		} else if (head) {
			f->size = head;
		} else if (tail) {
			f->start = s + size;
			f->size = tail;
		} else {
			ranges_remove(r, i);
		}
		*start = s;
		return 0;
	}
	return -ENOMEM;
}

void loom_ranges_free(struct loom_ranges *r, uint64_t start, uint64_t size)
{
	unsigned i = 0;

	while (i < r->nfree && r->free[i].start < start)
		i++;
	bool prev = i > 0 && r->free[i - 1].start + r->free[i - 1].size == start;
	bool next = i < r->nfree && start + size == r->free[i].start;

	if (prev && next) {
		r->free[i - 1].size += size + r->free[i].size;
		ranges_remove(r, i);
	} else if (prev) {
		r->free[i - 1].size += size;
	} else if (next) {
		r->free[i].start = start;
		r->free[i].size += size;
	} else if (ranges_insert(r, i, start, size)) {
		/* Out of memory for bookkeeping: the range leaks, nothing breaks. */
		loom_warn("address range 0x%llx+0x%llx lost: out of memory",
			  (unsigned long long)start, (unsigned long long)size);
	}
}

/* ---- page tables ------------------------------------------------------------ */

static uint64_t *pt_table(loom_device *dev, uint64_t pa)
{
	return (uint64_t *)(loom_drv(dev)->dram + pa);
}

static int pt_new_table(loom_device *dev, uint64_t *pa)
{
	struct loom_pt *pt = &loom_drv(dev)->pt;

	{
		if (!pt->chunk_left) {
			uint64_t chunk;
			uint64_t *n = realloc(pt->chunk_pa, (pt->nchunks + 1) * sizeof(*n));
			int ret;

			if (!n)
				return -ENOMEM;
			pt->chunk_pa = n;
			ret = loom_link_rpc(dev, LOOM_LINK_DRAM_ALLOC, PT_CHUNK, LOOM_PAGE_SIZE,
					    &chunk, NULL, -1, NULL);
			if (ret)
				return ret;
			pt->chunk_pa[pt->nchunks++] = chunk;
			pt->next_free = chunk;
			pt->chunk_left = PT_CHUNK;
		}
		*pa = pt->next_free;
		pt->next_free += LOOM_PT_SIZE;
		pt->chunk_left -= LOOM_PT_SIZE;
	}
	memset(pt_table(dev, *pa), 0, LOOM_PT_SIZE);
	return 0;
}

int loom_pt_init(loom_device *dev)
{
	struct loom_pt *pt = &loom_drv(dev)->pt;
	int ret = pt_new_table(dev, &pt->pgd_pa);

	if (ret)
		return ret;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return loom_link_rpc(dev, LOOM_LINK_SET_PGD, pt->pgd_pa, 0, NULL, NULL, -1, NULL);
}

void loom_pt_fini(loom_device *dev)
{
	struct loom_pt *pt = &loom_drv(dev)->pt;

	/* The session's DRAM is freed by the device when the link closes;
	 * free explicitly anyway so a long-lived link does not leak. */
	for (unsigned i = 0; i < pt->nchunks; i++)
		loom_link_rpc(dev, LOOM_LINK_DRAM_FREE, pt->chunk_pa[i], 0, NULL, NULL, -1, NULL);
	free(pt->chunk_pa);
	memset(pt, 0, sizeof(*pt));
}

/* Return the table at the next level under entry *e, creating it. */
static int pt_descend(loom_device *dev, uint64_t *e, uint64_t **next)
{
	uint64_t v = __atomic_load_n(e, __ATOMIC_RELAXED);

	if (!(v & LOOM_PTE_VALID)) {
		uint64_t pa;
		int ret = pt_new_table(dev, &pa);

		if (ret)
			return ret;
		v = pa | LOOM_PTE_VALID;
		__atomic_store_n(e, v, __ATOMIC_RELEASE);
	}
	*next = pt_table(dev, LOOM_PTE_ADDR(v));
	return 0;
}

int loom_pt_map(loom_device *dev, uint64_t va, uint64_t pa, uint64_t size, bool writable)
{
	uint64_t flags = LOOM_PTE_VALID | (writable ? LOOM_PTE_WRITE : 0);

	while (size) {
		uint64_t *t = pt_table(dev, loom_drv(dev)->pt.pgd_pa);
		bool huge = !(va & (LOOM_HUGE_SIZE - 1)) && !(pa & (LOOM_HUGE_SIZE - 1)) &&
			    size >= LOOM_HUGE_SIZE;
		int levels = huge ? 2 : 3;
		int ret;

		for (int l = 0; l < levels; l++) {
			ret = pt_descend(dev, &t[LOOM_PT_INDEX(va, l)], &t);
			if (ret)
				return ret;
		}
		uint64_t step = huge ? LOOM_HUGE_SIZE : LOOM_PAGE_SIZE;

		__atomic_store_n(&t[LOOM_PT_INDEX(va, levels)],
				 pa | flags | (huge ? LOOM_PTE_HUGE : 0), __ATOMIC_RELEASE);
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

void loom_pt_unmap(loom_device *dev, uint64_t va, uint64_t size)
{
	while (size) {
		uint64_t *t = pt_table(dev, loom_drv(dev)->pt.pgd_pa);
		uint64_t step = LOOM_PAGE_SIZE;

		for (int l = 0; l < LOOM_PT_LEVELS; l++) {
			uint64_t *e = &t[LOOM_PT_INDEX(va, l)];
			uint64_t v = __atomic_load_n(e, __ATOMIC_RELAXED);

			if (!(v & LOOM_PTE_VALID)) {
				/* Nothing mapped: skip to the end of this entry's span. */
				step = (1ULL << LOOM_PT_SHIFT(l)) - (va & ((1ULL << LOOM_PT_SHIFT(l)) - 1));
				break;
			}
			if (l == LOOM_PT_LEVELS - 1 || (l == 2 && (v & LOOM_PTE_HUGE))) {
				__atomic_store_n(e, 0, __ATOMIC_RELEASE);
				step = 1ULL << LOOM_PT_SHIFT(l);
				break;
			}
			t = pt_table(dev, LOOM_PTE_ADDR(v));
		}
		if (step > size)
			step = size;
		va += step;
		size -= step;
	}
	loom_bar_write(loom_drv(dev), LOOM_REG_MMU_INV_ASID, loom_drv(dev)->asid);
}
