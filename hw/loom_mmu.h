/* SPDX-License-Identifier: MIT */
/*
 * Loom hardware interface: the MMU's page-table format.
 *
 * Each context (ASID) has a four-level page table in device memory (any
 * PA: DRAM or a host window), rooted at LOOM_AREG_PGD. Tables are 4 KiB,
 * 512 entries of 64 bits, 4 KiB aligned. Virtual addresses are 48 bits:
 *   level 0: VA[47:39]  level 1: VA[38:30]  level 2: VA[29:21]  level 3: VA[20:12]
 * A level-2 entry with LOOM_PTE_HUGE maps a 2 MiB page (PA 2 MiB aligned);
 * a level-3 entry maps a 4 KiB page. A VA whose walk reaches an entry
 * without LOOM_PTE_VALID faults with LOOM_FAULT_NOT_PRESENT; a write
 * through an entry without LOOM_PTE_WRITE, with LOOM_FAULT_WRITE; a leaf
 * whose PA is outside DRAM and the host windows, with LOOM_FAULT_BAD_PA.
 * Permissions are those of the leaf; table entries need only VALID.
 *
 * The device may cache translations: after clearing or changing a valid
 * entry the driver writes the ASID to LOOM_REG_MMU_INV_ASID (before the next
 * submission that could use it).
 */
#ifndef LOOM_HW_MMU_H
#define LOOM_HW_MMU_H

#include "loom_hw_types.h"

#define LOOM_VA_BITS		48
#define LOOM_PAGE_SHIFT		12
#define LOOM_PAGE_SIZE		(1ULL << LOOM_PAGE_SHIFT)
#define LOOM_HUGE_SHIFT		21
#define LOOM_HUGE_SIZE		(1ULL << LOOM_HUGE_SHIFT)
#define LOOM_PT_LEVELS		4
#define LOOM_PT_ENTRIES		512
#define LOOM_PT_SIZE		4096

/* Shift of the VA bits that index a table at level l (0..3). */
#define LOOM_PT_SHIFT(l)	(39 - 9 * (l))
#define LOOM_PT_INDEX(va, l)	(((va) >> LOOM_PT_SHIFT(l)) & 0x1ffULL)

#define LOOM_PTE_VALID		(1ULL << 0)
#define LOOM_PTE_WRITE		(1ULL << 1)
#define LOOM_PTE_HUGE		(1ULL << 2)	/* level 2 only: 2 MiB leaf */
#define LOOM_PTE_ADDR_MASK	0x000ffffffffff000ULL	/* PA bits 12..51 */
#define LOOM_PTE_ADDR(pte)	((pte) & LOOM_PTE_ADDR_MASK)

/* Fault causes (LOOM_REG_MMU_FAULT_CAUSE, event info). */
#define LOOM_FAULT_NOT_PRESENT	1
#define LOOM_FAULT_WRITE	2
#define LOOM_FAULT_BAD_PA	3
#define LOOM_FAULT_ASID		4	/* context not enabled */
#define LOOM_FAULT_NONCANONICAL	5	/* VA beyond LOOM_VA_BITS */

#endif /* LOOM_HW_MMU_H */
