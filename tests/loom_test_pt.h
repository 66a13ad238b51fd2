/* SPDX-License-Identifier: MIT */
/*
 * A tiny page-table writer for the device-model unit tests (MMU, DMA,
 * MME, the CP and TPC fixtures): builds one context's four-level table in device DRAM with a bump
 * allocator for tables, writes leaf entries (hw/loom_mmu.h) and enables
 * the ASID through its registers. Tables live at the start of DRAM, below
 * TPT_TABLES_END; tests put their data above it.
 */
#ifndef LOOM_TEST_PT_H
#define LOOM_TEST_PT_H

#include <string.h>

#include "device/loom_device.h"

#define TPT_TABLES_END	(2ULL << 20)	/* 512 tables */

struct tpt {
	struct loom_dev *dev;
	uint32_t asid;
	uint64_t root;
	uint64_t next;		/* next free table PA */
};

static inline uint64_t *tpt_table(struct tpt *pt, uint64_t pa)
{
	return (uint64_t *)(pt->dev->dram + pa);
}

static inline uint64_t tpt_alloc(struct tpt *pt)
{
	uint64_t pa = pt->next;

	pt->next += LOOM_PT_SIZE;
	if (pt->next > TPT_TABLES_END)
		return ~0ULL;
	memset(tpt_table(pt, pa), 0, LOOM_PT_SIZE);
	return pa;
}

/* Start an empty table for asid, tables from PA first_table on. */
static inline void tpt_init(struct tpt *pt, struct loom_dev *dev, uint32_t asid,
			    uint64_t first_table)
{
	pt->dev = dev;
	pt->asid = asid;
	pt->next = first_table;
	pt->root = tpt_alloc(pt);
	loom_reg_write64(dev, LOOM_REG_ASID(asid, LOOM_AREG_PGD_LO), pt->root);
	loom_reg_write(dev, LOOM_REG_ASID(asid, LOOM_AREG_CTRL), 1);
}

/* The entry slot for va at level leaf_level, creating tables on the way. */
static inline uint64_t *tpt_slot(struct tpt *pt, uint64_t va, unsigned leaf_level)
{
	uint64_t tpa = pt->root, *e;
	unsigned l;

	for (l = 0; l < leaf_level; l++) {
		e = &tpt_table(pt, tpa)[LOOM_PT_INDEX(va, l)];
		if (!(*e & LOOM_PTE_VALID))
			*e = tpt_alloc(pt) | LOOM_PTE_VALID;
		tpa = LOOM_PTE_ADDR(*e);
	}
	return &tpt_table(pt, tpa)[LOOM_PT_INDEX(va, leaf_level)];
}

/* Map one 4 KiB page (flags: LOOM_PTE_WRITE or 0). */
static inline void tpt_map4k(struct tpt *pt, uint64_t va, uint64_t pa, uint64_t flags)
{
	*tpt_slot(pt, va, 3) = pa | LOOM_PTE_VALID | flags;
}

/* Map one 2 MiB page. */
static inline void tpt_map2m(struct tpt *pt, uint64_t va, uint64_t pa, uint64_t flags)
{
	*tpt_slot(pt, va, 2) = pa | LOOM_PTE_VALID | LOOM_PTE_HUGE | flags;
}

/* Map [va, va + size) linearly to [pa, ...) with 4 KiB pages. */
static inline void tpt_map_range(struct tpt *pt, uint64_t va, uint64_t pa, uint64_t size,
				 uint64_t flags)
{
	for (uint64_t off = 0; off < size; off += LOOM_PAGE_SIZE)
		tpt_map4k(pt, va + off, pa + off, flags);
}

/* Same with 2 MiB pages (va, pa, size 2 MiB aligned). */
static inline void tpt_map_range2m(struct tpt *pt, uint64_t va, uint64_t pa, uint64_t size,
				   uint64_t flags)
{
	for (uint64_t off = 0; off < size; off += LOOM_HUGE_SIZE)
		tpt_map2m(pt, va + off, pa + off, flags);
}

#endif /* LOOM_TEST_PT_H */
