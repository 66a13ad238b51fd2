// SPDX-License-Identifier: MIT
/*
 * Unit tests of the device's MMU (device/loom_mmu.c): translation of 4 KiB
 * and 2 MiB pages, every fault cause, physically contiguous runs, host
 * windows, and the fault registers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loom_test_pt.h"

#define ASID	3
#define MB	(1ULL << 20)

struct fixture {
	struct loom_dev *dev;
	struct tpt pt;
};

static int setup(void **state)
{
	struct loom_dev_config cfg = { .dram_size = 64 * MB };
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || loom_dev_create(&cfg, &fx->dev)) {
		free(fx);
		return -1;
	}
	tpt_init(&fx->pt, fx->dev, ASID, 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	loom_dev_destroy(fx->dev);
	free(fx);
	return 0;
}

/* Translate with the access hold; returns the fault cause or 0. */
static int xlate(struct fixture *fx, uint32_t asid, uint64_t va, bool write, uint64_t *pa,
		 uint64_t *left, struct loom_fault *f)
{
	int ret;

	loom_dev_access_begin(fx->dev);
	ret = loom_mmu_translate(fx->dev, asid, va, write, pa, left, f);
	loom_dev_access_end(fx->dev);
	return ret;
}

/* 4 KiB page: PA and bytes left in the page. */
static void translate_4k(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t pa = 0, left = 0;

	tpt_map4k(&fx->pt, 0x10000000, 0x400000, LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, 0x10001000, 0x9000, 0);
	assert_int_equal(xlate(fx, ASID, 0x10000123, false, &pa, &left, &f), 0);
	assert_int_equal(pa, 0x400123);
	assert_int_equal(left, 0x1000 - 0x123);
	assert_int_equal(xlate(fx, ASID, 0x10000000, true, &pa, &left, &f), 0);
	assert_int_equal(pa, 0x400000);
	assert_int_equal(left, 0x1000);
	assert_int_equal(xlate(fx, ASID, 0x10001fff, false, &pa, &left, &f), 0);
	assert_int_equal(pa, 0x9fff);
	assert_int_equal(left, 1);
}

/* 2 MiB page at level 2. */
static void translate_2m(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t pa = 0, left = 0;

	tpt_map2m(&fx->pt, 0x40000000, 8 * MB, LOOM_PTE_WRITE);
	assert_int_equal(xlate(fx, ASID, 0x40012345, true, &pa, &left, &f), 0);
	assert_int_equal(pa, 8 * MB + 0x12345);
	assert_int_equal(left, 2 * MB - 0x12345);
	/* The next 2 MiB is not mapped. */
	assert_int_equal(xlate(fx, ASID, 0x40200000, false, &pa, &left, &f),
			 LOOM_FAULT_NOT_PRESENT);
	/* A huge leaf whose PA is not 2 MiB aligned is refused. */
	tpt_map2m(&fx->pt, 0x40400000, 8 * MB + 0x1000, 0);
	assert_int_equal(xlate(fx, ASID, 0x40400000, false, &pa, &left, &f),
			 LOOM_FAULT_BAD_PA);
}

/* Missing entries at every level give NOT_PRESENT with the exact VA. */
static void not_present(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t pa;

	tpt_map4k(&fx->pt, 0x10000000, 0x400000, 0);
	/* Level 3 entry missing. */
	assert_int_equal(xlate(fx, ASID, 0x10002008, true, &pa, NULL, &f),
			 LOOM_FAULT_NOT_PRESENT);
	assert_int_equal(f.va, 0x10002008);
	assert_int_equal(f.asid, ASID);
	assert_int_equal(f.cause, LOOM_FAULT_NOT_PRESENT);
	assert_true(f.write);
	/* Level 0 entry missing. */
	assert_int_equal(xlate(fx, ASID, 0x7f0000000000, false, &pa, NULL, &f),
			 LOOM_FAULT_NOT_PRESENT);
	assert_int_equal(f.va, 0x7f0000000000);
	assert_false(f.write);
	/* Level 1 and 2 entries missing. */
	assert_int_equal(xlate(fx, ASID, 0x80000000, false, &pa, NULL, &f),
			 LOOM_FAULT_NOT_PRESENT);
	assert_int_equal(xlate(fx, ASID, 0x10200000, false, &pa, NULL, &f),
			 LOOM_FAULT_NOT_PRESENT);
}

/* A read-only leaf reads but does not write. */
static void write_fault(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t pa;

	tpt_map4k(&fx->pt, 0x20000000, 0x500000, 0);
	tpt_map2m(&fx->pt, 0x20200000, 10 * MB, 0);
	assert_int_equal(xlate(fx, ASID, 0x20000010, false, &pa, NULL, &f), 0);
	assert_int_equal(xlate(fx, ASID, 0x20000010, true, &pa, NULL, &f), LOOM_FAULT_WRITE);
	assert_int_equal(f.cause, LOOM_FAULT_WRITE);
	assert_int_equal(f.va, 0x20000010);
	assert_true(f.write);
	assert_int_equal(xlate(fx, ASID, 0x20300000, true, &pa, NULL, &f), LOOM_FAULT_WRITE);
}

/* ASID 0, ASIDs out of range and disabled ASIDs fault with ASID. */
static void asid_disabled(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t pa;

	tpt_map4k(&fx->pt, 0x10000000, 0x400000, 0);
	assert_int_equal(xlate(fx, 0, 0x10000000, false, &pa, NULL, &f), LOOM_FAULT_ASID);
	assert_int_equal(xlate(fx, LOOM_NUM_ASIDS, 0x10000000, false, &pa, NULL, &f),
			 LOOM_FAULT_ASID);
	assert_int_equal(xlate(fx, 0xffffffffU, 0x10000000, false, &pa, NULL, &f),
			 LOOM_FAULT_ASID);
	/* Same root, but ASID 4 is not enabled. */
	loom_reg_write64(fx->dev, LOOM_REG_ASID(4, LOOM_AREG_PGD_LO), fx->pt.root);
	assert_int_equal(xlate(fx, 4, 0x10000000, false, &pa, NULL, &f), LOOM_FAULT_ASID);
	assert_int_equal(f.asid, 4);
	assert_int_equal(f.cause, LOOM_FAULT_ASID);
	loom_reg_write(fx->dev, LOOM_REG_ASID(4, LOOM_AREG_CTRL), 1);
	assert_int_equal(xlate(fx, 4, 0x10000000, false, &pa, NULL, &f), 0);
	assert_int_equal(pa, 0x400000);
	/* Disabling ASID 3 stops its translations. */
	loom_reg_write(fx->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL), 0);
	assert_int_equal(xlate(fx, ASID, 0x10000000, false, &pa, NULL, &f), LOOM_FAULT_ASID);
}

/* Leaves and tables outside memory give BAD_PA. */
static void bad_pa(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t pa, *slot;

	/* Leaf beyond the 64 MiB of DRAM, and straddling its end. */
	tpt_map4k(&fx->pt, 0x30000000, 1ULL << 30, 0);
	assert_int_equal(xlate(fx, ASID, 0x30000000, false, &pa, NULL, &f), LOOM_FAULT_BAD_PA);
	assert_int_equal(f.va, 0x30000000);
	tpt_map2m(&fx->pt, 0x30200000, 64 * MB, 0);
	assert_int_equal(xlate(fx, ASID, 0x30200000, false, &pa, NULL, &f), LOOM_FAULT_BAD_PA);
	/* Host PA of a channel without a window. */
	tpt_map4k(&fx->pt, 0x30400000, LOOM_PA_HOST(1, 0), 0);
	assert_int_equal(xlate(fx, ASID, 0x30400000, false, &pa, NULL, &f), LOOM_FAULT_BAD_PA);
	/* A level-1 entry whose table is outside DRAM. */
	slot = tpt_slot(&fx->pt, 0x4000000000ULL, 1);
	*slot = (2ULL << 30) | LOOM_PTE_VALID;
	assert_int_equal(xlate(fx, ASID, 0x4000000000ULL, false, &pa, NULL, &f),
			 LOOM_FAULT_BAD_PA);
	assert_int_equal(f.va, 0x4000000000ULL);
	/* A misaligned root. */
	loom_reg_write64(fx->dev, LOOM_REG_ASID(5, LOOM_AREG_PGD_LO), fx->pt.root + 8);
	loom_reg_write(fx->dev, LOOM_REG_ASID(5, LOOM_AREG_CTRL), 1);
	assert_int_equal(xlate(fx, 5, 0x30000000, false, &pa, NULL, &f), LOOM_FAULT_BAD_PA);
	/* A root outside DRAM. */
	loom_reg_write64(fx->dev, LOOM_REG_ASID(5, LOOM_AREG_PGD_LO), 1ULL << 40);
	assert_int_equal(xlate(fx, 5, 0x30000000, false, &pa, NULL, &f), LOOM_FAULT_BAD_PA);
}

/* VAs of 2^48 and up. */
static void noncanonical(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t pa;
	uint8_t buf[16];

	assert_int_equal(xlate(fx, ASID, 1ULL << 48, false, &pa, NULL, &f),
			 LOOM_FAULT_NONCANONICAL);
	assert_int_equal(f.va, 1ULL << 48);
	assert_int_equal(xlate(fx, ASID, ~0ULL, true, &pa, NULL, &f), LOOM_FAULT_NONCANONICAL);
	/* A range running off the top of the VA space faults at 2^48. */
	tpt_map4k(&fx->pt, (1ULL << 48) - 4096, 0x400000, 0);
	loom_dev_access_begin(fx->dev);
	assert_int_equal(loom_mmu_read(fx->dev, ASID, (1ULL << 48) - 8, buf, 16, &f),
			 LOOM_FAULT_NONCANONICAL);
	loom_dev_access_end(fx->dev);
	assert_int_equal(f.va, 1ULL << 48);
}

struct piece {
	uint8_t *host;
	uint64_t len, off;
};

struct pieces {
	struct piece v[16];
	unsigned n;
	int fail_at;		/* return -42 at this call (or -1) */
};

static int collect(void *host, uint64_t len, uint64_t off, void *arg)
{
	struct pieces *p = arg;

	if ((int)p->n == p->fail_at)
		return -42;
	if (p->n < 16)
		p->v[p->n] = (struct piece){ host, len, off };
	p->n++;
	return 0;
}

/* for_each splits a range where PAs jump, merges where they follow on. */
static void for_each_pieces(void **state)
{
	struct fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct loom_fault f = { 0 };
	struct pieces p = { .fail_at = -1 };
	uint64_t va = 0x50000000;
	uint8_t *dram = dev->dram;

	tpt_map4k(&fx->pt, va, 0x600000, LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x1000, 0x601000, LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x2000, 0x605000, LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x3000, 0x603000, LOOM_PTE_WRITE);

	loom_dev_access_begin(dev);
	assert_int_equal(loom_mmu_for_each(dev, ASID, va + 100, 0x4000 - 150, true, collect,
					   &p, &f), 0);
	assert_int_equal(p.n, 3);
	assert_ptr_equal(p.v[0].host, dram + 0x600000 + 100);
	assert_int_equal(p.v[0].len, 0x2000 - 100);
	assert_int_equal(p.v[0].off, 0);
	assert_ptr_equal(p.v[1].host, dram + 0x605000);
	assert_int_equal(p.v[1].len, 0x1000);
	assert_int_equal(p.v[1].off, 0x2000 - 100);
	assert_ptr_equal(p.v[2].host, dram + 0x603000);
	assert_int_equal(p.v[2].len, 0x1000 - 50);
	assert_int_equal(p.v[2].off, 0x3000 - 100);

	/* loom_mmu_ptr: contiguous part yes, whole range "mapped, not contiguous". */
	assert_ptr_equal(loom_mmu_ptr(dev, ASID, va + 8, 0x1ff8, false, &f), dram + 0x600008);
	f.cause = 99;
	assert_null(loom_mmu_ptr(dev, ASID, va, 0x4000, false, &f));
	assert_int_equal(f.cause, 0);
	/* The callback's error stops the walk and comes back. */
	p = (struct pieces){ .fail_at = 1 };
	assert_int_equal(loom_mmu_for_each(dev, ASID, va, 0x4000, false, collect, &p, &f), -42);
	assert_int_equal(p.n, 1);
	/* A hole at the end: ptr and for_each report it. */
	assert_null(loom_mmu_ptr(dev, ASID, va, 0x4001, false, &f));
	assert_int_equal(f.cause, LOOM_FAULT_NOT_PRESENT);
	assert_int_equal(f.va, va + 0x4000);
	p = (struct pieces){ .fail_at = -1 };
	assert_int_equal(loom_mmu_for_each(dev, ASID, va, 0x5000, false, collect, &p, &f),
			 LOOM_FAULT_NOT_PRESENT);
	assert_int_equal(f.va, va + 0x4000);
	loom_dev_access_end(dev);
}

/* Large contiguous buffers are one piece, in 4 KiB or 2 MiB pages. */
static void for_each_merges(void **state)
{
	struct fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct loom_fault f = { 0 };
	struct pieces p = { .fail_at = -1 };

	tpt_map_range(&fx->pt, 0x60000000, 4 * MB, 8 * MB, LOOM_PTE_WRITE);
	tpt_map_range2m(&fx->pt, 0x80000000, 16 * MB, 32 * MB, 0);
	/* Across a 2 MiB level-3 table boundary and a level-2 one. */
	tpt_map_range(&fx->pt, 0x7ff00000, 0x300000, 1 * MB, 0);

	loom_dev_access_begin(dev);
	assert_int_equal(loom_mmu_for_each(dev, ASID, 0x60000000, 8 * MB, true, collect, &p,
					   &f), 0);
	assert_int_equal(p.n, 1);
	assert_ptr_equal(p.v[0].host, dev->dram + 4 * MB);
	assert_int_equal(p.v[0].len, 8 * MB);
	p.n = 0;
	assert_int_equal(loom_mmu_for_each(dev, ASID, 0x80000000 + 5, 32 * MB - 10, false,
					   collect, &p, &f), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].len, 32 * MB - 10);
	assert_ptr_equal(loom_mmu_ptr(dev, ASID, 0x80000000, 32 * MB, false, &f),
			 dev->dram + 16 * MB);
	/* Write through read-only huge pages: WRITE at the first byte. */
	assert_null(loom_mmu_ptr(dev, ASID, 0x80000000, 32 * MB, true, &f));
	assert_int_equal(f.cause, LOOM_FAULT_WRITE);
	/* VA 0x7ff00000..0x80000000 (4 KiB) then on into the 2 MiB pages: PAs jump. */
	p.n = 0;
	assert_int_equal(loom_mmu_for_each(dev, ASID, 0x7ff00000, 2 * MB, false, collect, &p,
					   &f), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].len, 1 * MB);
	assert_ptr_equal(p.v[0].host, dev->dram + 0x300000);
	assert_ptr_equal(p.v[1].host, dev->dram + 16 * MB);
	assert_int_equal(p.v[1].off, 1 * MB);
	loom_dev_access_end(dev);
}

/* loom_mmu_read/write copy across scattered pages. */
static void read_write(void **state)
{
	struct fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct loom_fault f = { 0 };
	uint8_t src[14000], dst[14000];
	uint64_t va = 0x90000000;

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
	tpt_map4k(&fx->pt, va, 0x700000, LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x1000, 0x710000, LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x2000, 0x702000, LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x3000, 0x720000, LOOM_PTE_WRITE);

	loom_dev_access_begin(dev);
	assert_int_equal(loom_mmu_write(dev, ASID, va + 1000, src, sizeof(src), &f), 0);
	memset(dst, 0, sizeof(dst));
	assert_int_equal(loom_mmu_read(dev, ASID, va + 1000, dst, sizeof(dst), &f), 0);
	loom_dev_access_end(dev);
	assert_memory_equal(src, dst, sizeof(src));
	/* The bytes landed in the right physical pages. */
	assert_memory_equal(dev->dram + 0x700000 + 1000, src, 4096 - 1000);
	assert_memory_equal(dev->dram + 0x710000, src + 4096 - 1000, 4096);
	assert_memory_equal(dev->dram + 0x702000, src + 8192 - 1000, 4096);
	assert_memory_equal(dev->dram + 0x720000, src + 12288 - 1000, 14000 - 12288 + 1000);
}

/* A page of a host window mapped into the context. */
static void host_window(void **state)
{
	struct fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct loom_fault f = { 0 };
	uint64_t va = 0xa0000000, pa, left;
	uint8_t *host, buf[64];
	int fd;

	fd = memfd_create("window", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 * MB), 0);
	host = mmap(NULL, 1 * MB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(host != MAP_FAILED);
	assert_int_equal(loom_dev_attach_window(dev, 2, fd, 1 * MB), 0);

	tpt_map4k(&fx->pt, va, LOOM_PA_HOST(2, 0x3000), LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x1000, LOOM_PA_HOST(2, 0x1000), LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x2000, LOOM_PA_HOST(2, 1 * MB), LOOM_PTE_WRITE);
	tpt_map4k(&fx->pt, va + 0x3000, LOOM_PA_HOST(3, 0), LOOM_PTE_WRITE);

	assert_int_equal(xlate(fx, ASID, va + 5, true, &pa, &left, &f), 0);
	assert_int_equal(pa, LOOM_PA_HOST(2, 0x3005));
	memset(buf, 0x5a, sizeof(buf));
	loom_dev_access_begin(dev);
	assert_int_equal(loom_mmu_write(dev, ASID, va + 0x1000 - 32, buf, sizeof(buf), &f), 0);
	loom_dev_access_end(dev);
	assert_memory_equal(host + 0x4000 - 32, buf, 32);
	assert_memory_equal(host + 0x1000, buf, 32);
	/* Past the window's end, and a channel without a window. */
	assert_int_equal(xlate(fx, ASID, va + 0x2000, false, &pa, &left, &f), LOOM_FAULT_BAD_PA);
	assert_int_equal(xlate(fx, ASID, va + 0x3000, false, &pa, &left, &f), LOOM_FAULT_BAD_PA);
	/* Detached: the mapping faults instead of touching freed memory. */
	loom_dev_detach_window(dev, 2);
	assert_int_equal(xlate(fx, ASID, va, false, &pa, &left, &f), LOOM_FAULT_BAD_PA);
	munmap(host, 1 * MB);
	close(fd);
}

/* Changed entries are seen once the ASID is invalidated. */
static void remap_invalidate(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t pa;

	tpt_map4k(&fx->pt, 0x10000000, 0x400000, 0);
	assert_int_equal(xlate(fx, ASID, 0x10000000, false, &pa, NULL, &f), 0);
	assert_int_equal(pa, 0x400000);
	tpt_map4k(&fx->pt, 0x10000000, 0x800000, 0);
	loom_mmu_invalidate(fx->dev, ASID);
	assert_int_equal(xlate(fx, ASID, 0x10000000, false, &pa, NULL, &f), 0);
	assert_int_equal(pa, 0x800000);
	*tpt_slot(&fx->pt, 0x10000000, 3) = 0;
	loom_mmu_invalidate(fx->dev, 0);
	assert_int_equal(xlate(fx, ASID, 0x10000000, false, &pa, NULL, &f),
			 LOOM_FAULT_NOT_PRESENT);
}

/* report_fault fills the fault registers and counts. */
static void report_fault(void **state)
{
	struct fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct loom_fault f = { .va = 0x123456789abcULL, .asid = ASID,
				.cause = LOOM_FAULT_WRITE, .write = true };
	uint32_t count = loom_reg_read(dev, LOOM_REG_MMU_FAULT_COUNT);

	loom_mmu_report_fault(dev, &f, 7);
	assert_int_equal(loom_reg_read64(dev, LOOM_REG_MMU_FAULT_VA_LO), 0x123456789abcULL);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MMU_FAULT_ASID), ASID);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MMU_FAULT_CAUSE), LOOM_FAULT_WRITE);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MMU_FAULT_COUNT), count + 1);

	f = (struct loom_fault){ .va = 0x1000, .asid = 200, .cause = LOOM_FAULT_ASID };
	loom_mmu_report_fault(dev, &f, LOOM_EVENT_QUEUE_NONE);
	assert_int_equal(loom_reg_read64(dev, LOOM_REG_MMU_FAULT_VA_LO), 0x1000);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MMU_FAULT_ASID), 200);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MMU_FAULT_CAUSE), LOOM_FAULT_ASID);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MMU_FAULT_COUNT), count + 2);
}

/* Walking a 64 MiB buffer in 4 KiB pages is cheap next to copying it. */
static void walk_speed(void **state)
{
	struct fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct loom_fault f = { 0 };
	uint64_t t0, walk = UINT64_MAX, copy = UINT64_MAX, t;
	uint8_t *buf = malloc(32 * MB);

	assert_non_null(buf);
	tpt_map_range(&fx->pt, 0x100000000ULL, 16 * MB, 32 * MB, 0);
	memset(buf, 1, 32 * MB);
	for (int i = 0; i < 3; i++) {
		loom_dev_access_begin(dev);
		t0 = loom_now_ns();
		assert_ptr_equal(loom_mmu_ptr(dev, ASID, 0x100000000ULL, 32 * MB, false, &f),
				 dev->dram + 16 * MB);
		t = loom_now_ns() - t0;
		loom_dev_access_end(dev);
		walk = t < walk ? t : walk;
		t0 = loom_now_ns();
		memcpy(buf, dev->dram + 16 * MB, 32 * MB);
		t = loom_now_ns() - t0;
		copy = t < copy ? t : copy;
	}
	free(buf);
	/* The brief's budget is 2%; leave room for a noisy machine. */
	assert_true(walk * 25 < copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(translate_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(translate_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(not_present, setup, teardown),
		cmocka_unit_test_setup_teardown(write_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(asid_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_pa, setup, teardown),
		cmocka_unit_test_setup_teardown(noncanonical, setup, teardown),
		cmocka_unit_test_setup_teardown(for_each_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(for_each_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(read_write, setup, teardown),
		cmocka_unit_test_setup_teardown(host_window, setup, teardown),
		cmocka_unit_test_setup_teardown(remap_invalidate, setup, teardown),
		cmocka_unit_test_setup_teardown(report_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(walk_speed, setup, teardown),
	};

	return cmocka_run_group_tests_name("test_mmu", tests, NULL, NULL);
}
