// SPDX-License-Identifier: MIT
/*
 * Unit tests of the DMA engines (device/loom_dma.c): copies and fills
 * between DRAM and host windows, scattered pages, the split path for big
 * transfers, argument checks and faults.
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

#define ASID	2
#define MB	(1ULL << 20)

/* VA layout of the fixture. */
#define VA_A	0x10000000ULL	/* 32 MiB -> PA 4 MiB, 2 MiB pages, RW */
#define VA_B	0x20000000ULL	/* 32 MiB -> PA 36 MiB, 2 MiB pages, RW */
#define VA_S	0x30000000ULL	/* 8 MiB scattered 4 KiB pages -> PA 68 MiB, RW */
#define VA_RO	0x40000000ULL	/* 1 MiB -> PA 76 MiB, read-only */
#define VA_W	0x50000000ULL	/* host window of channel 1, 64 MiB, RW */
#define WIN_SIZE (64 * MB)

struct fixture {
	struct loom_dev *dev;
	struct tpt pt;
	int win_fd;
	uint8_t *win;
};

/* A fixed permutation of the 2048 pages of VA_S (stride 7 mod 2048). */
static uint64_t scatter_pa(uint64_t page)
{
	return 68 * MB + ((page * 7) % 2048) * LOOM_PAGE_SIZE;
}

static int setup(void **state)
{
	struct loom_dev_config cfg = { .dram_size = 128 * MB };
	struct fixture *fx = calloc(1, sizeof(*fx));
	uint64_t i;

	if (!fx || loom_dev_create(&cfg, &fx->dev))
		goto err;
	tpt_init(&fx->pt, fx->dev, ASID, 0);
	tpt_map_range2m(&fx->pt, VA_A, 4 * MB, 32 * MB, LOOM_PTE_WRITE);
	tpt_map_range2m(&fx->pt, VA_B, 36 * MB, 32 * MB, LOOM_PTE_WRITE);
	for (i = 0; i < 2048; i++)
		tpt_map4k(&fx->pt, VA_S + i * LOOM_PAGE_SIZE, scatter_pa(i), LOOM_PTE_WRITE);
	tpt_map_range(&fx->pt, VA_RO, 76 * MB, 1 * MB, 0);

	fx->win_fd = memfd_create("window", MFD_CLOEXEC);
	if (fx->win_fd < 0 || ftruncate(fx->win_fd, WIN_SIZE))
		goto err;
	fx->win = mmap(NULL, WIN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fx->win_fd, 0);
	if (fx->win == MAP_FAILED || loom_dev_attach_window(fx->dev, 1, fx->win_fd, WIN_SIZE))
		goto err;
	tpt_map_range2m(&fx->pt, VA_W, LOOM_PA_HOST(1, 0), WIN_SIZE, LOOM_PTE_WRITE);
	*state = fx;
	return 0;
err:
	if (fx && fx->dev)
		loom_dev_destroy(fx->dev);
	free(fx);
	return -1;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	loom_dev_destroy(fx->dev);
	munmap(fx->win, WIN_SIZE);
	close(fx->win_fd);
	free(fx);
	return 0;
}

static int dma_copy(struct fixture *fx, uint64_t dst, uint64_t src, uint64_t size,
		    struct loom_fault *f)
{
	int ret;

	loom_dev_access_begin(fx->dev);
	ret = loom_dma_copy(fx->dev, ASID, dst, src, size, f);
	loom_dev_access_end(fx->dev);
	return ret;
}

static int dma_fill(struct fixture *fx, uint64_t dst, uint32_t value, uint64_t size,
		    struct loom_fault *f)
{
	int ret;

	loom_dev_access_begin(fx->dev);
	ret = loom_dma_fill(fx->dev, ASID, dst, value, size, f);
	loom_dev_access_end(fx->dev);
	return ret;
}

/* Write a seeded byte pattern at a VA through the MMU. */
static void put_pattern(struct fixture *fx, uint64_t va, uint64_t size, uint32_t seed)
{
	struct loom_fault f;
	uint8_t *buf = malloc(size);

	assert_non_null(buf);
	for (uint64_t i = 0; i < size; i++)
		buf[i] = (uint8_t)((i * 2654435761U + seed) >> 13);
	loom_dev_access_begin(fx->dev);
	assert_int_equal(loom_mmu_write(fx->dev, ASID, va, buf, size, &f), 0);
	loom_dev_access_end(fx->dev);
	free(buf);
}

static uint8_t *get(struct fixture *fx, uint64_t va, uint64_t size)
{
	struct loom_fault f;
	uint8_t *buf = malloc(size);

	assert_non_null(buf);
	loom_dev_access_begin(fx->dev);
	assert_int_equal(loom_mmu_read(fx->dev, ASID, va, buf, size, &f), 0);
	loom_dev_access_end(fx->dev);
	return buf;
}

static void assert_same(struct fixture *fx, uint64_t va1, uint64_t va2, uint64_t size)
{
	uint8_t *a = get(fx, va1, size), *b = get(fx, va2, size);

	assert_memory_equal(a, b, size);
	free(a);
	free(b);
}

/* DRAM to DRAM, then check the bytes at their physical place. */
static void copy_dram(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };

	put_pattern(fx, VA_A, 1 * MB, 1);
	assert_int_equal(dma_copy(fx, VA_B + 4096, VA_A, 1 * MB, &f), LOOM_ERR_NONE);
	assert_memory_equal(fx->dev->dram + 36 * MB + 4096, fx->dev->dram + 4 * MB, 1 * MB);
	/* The bytes around it are untouched. */
	assert_int_equal(fx->dev->dram[36 * MB + 4095], 0);
	assert_int_equal(fx->dev->dram[37 * MB + 4096], 0);
}

/* Host window -> DRAM -> host window. */
static void copy_host_window(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };

	for (uint64_t i = 0; i < 3 * MB; i++)
		fx->win[i] = (uint8_t)(i ^ (i >> 9));
	assert_int_equal(dma_copy(fx, VA_A + 17, VA_W, 3 * MB, &f), LOOM_ERR_NONE);
	assert_memory_equal(fx->dev->dram + 4 * MB + 17, fx->win, 3 * MB);
	assert_int_equal(dma_copy(fx, VA_W + 5 * MB + 3, VA_A + 17, 3 * MB, &f),
			 LOOM_ERR_NONE);
	assert_memory_equal(fx->win + 5 * MB + 3, fx->win, 3 * MB);
}

/* Odd sizes and offsets, scattered pages on either side. */
static void copy_odd_scattered(void **state)
{
	static const uint64_t sizes[] = { 1, 3, 4095, 4096, 4097, 12345, 65537, 300001 };
	static const uint64_t offs[] = { 0, 1, 4095, 4096 + 7 };
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };

	put_pattern(fx, VA_S, 8 * MB, 7);
	put_pattern(fx, VA_A, 8 * MB, 9);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (unsigned j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			uint64_t s = VA_S + offs[j] + i * 8191, d = VA_B + offs[3 - j];

			assert_int_equal(dma_copy(fx, d, s, sizes[i], &f), LOOM_ERR_NONE);
			assert_same(fx, d, s, sizes[i]);
			d = VA_S + 4 * MB + offs[j] * 3;
			s = VA_A + offs[3 - j] + i;
			assert_int_equal(dma_copy(fx, d, s, sizes[i], &f), LOOM_ERR_NONE);
			assert_same(fx, d, s, sizes[i]);
		}
	}
}

/* Transfers big enough to be split over the engines. */
static void copy_big_split(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };

	/* Contiguous both sides: 24 MiB plus a tail. */
	put_pattern(fx, VA_A, 32 * MB, 3);
	assert_int_equal(dma_copy(fx, VA_B + 8, VA_A + 4, 24 * MB + 12345, &f), LOOM_ERR_NONE);
	assert_memory_equal(fx->dev->dram + 36 * MB + 8, fx->dev->dram + 4 * MB + 4,
			    24 * MB + 12345);
	/* Scattered destination: 8 MiB minus a few bytes. */
	assert_int_equal(dma_copy(fx, VA_S + 3, VA_A + 1 * MB, 8 * MB - 3, &f), LOOM_ERR_NONE);
	assert_same(fx, VA_S + 3, VA_A + 1 * MB, 8 * MB - 3);
	/* Host window to DRAM. */
	for (uint64_t i = 0; i < 16 * MB; i += 8)
		*(uint64_t *)(fx->win + i) = i * 0x9e3779b97f4a7c15ULL;
	assert_int_equal(dma_copy(fx, VA_B, VA_W, 16 * MB, &f), LOOM_ERR_NONE);
	assert_memory_equal(fx->dev->dram + 36 * MB, fx->win, 16 * MB);
}

struct copier {
	struct fixture *fx;
	uint64_t dst, src, size;
	int errors;
};

static void *copier_main(void *arg)
{
	struct copier *c = arg;
	struct loom_fault f;

	for (int i = 0; i < 8; i++)
		if (dma_copy(c->fx, c->dst, c->src, c->size, &f) != LOOM_ERR_NONE)
			c->errors++;
	return NULL;
}

/* Two CPs copying big buffers at once both finish, correctly. */
static void copy_concurrent(void **state)
{
	struct fixture *fx = *state;
	struct copier c[2] = {
		{ fx, VA_B, VA_A, 8 * MB, 0 },
		{ fx, VA_B + 16 * MB, VA_W + 8 * MB, 8 * MB, 0 },
	};
	pthread_t t[2];

	put_pattern(fx, VA_A, 8 * MB, 11);
	put_pattern(fx, VA_W + 8 * MB, 8 * MB, 12);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, copier_main, &c[i]), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].errors, 0);
	}
	assert_memory_equal(fx->dev->dram + 36 * MB, fx->dev->dram + 4 * MB, 8 * MB);
	assert_memory_equal(fx->dev->dram + 52 * MB, fx->win + 8 * MB, 8 * MB);
}

/* 32-bit fills: patterns, scattered pages, big, bad arguments. */
static void fill(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint32_t *w;
	uint8_t *b;

	assert_int_equal(dma_fill(fx, VA_S + 4092, 0xdeadbeef, 3 * 4096 + 8, &f),
			 LOOM_ERR_NONE);
	w = (uint32_t *)get(fx, VA_S + 4088, 3 * 4096 + 16);
	assert_int_equal(w[0], 0);
	for (unsigned i = 1; i < (3 * 4096 + 8) / 4 + 1; i++)
		assert_int_equal(w[i], 0xdeadbeef);
	assert_int_equal(w[(3 * 4096 + 8) / 4 + 1], 0);
	free(w);
	/* A byte-repeating value, big enough to split. */
	assert_int_equal(dma_fill(fx, VA_A + 4, 0x5a5a5a5a, 20 * MB, &f), LOOM_ERR_NONE);
	b = fx->dev->dram + 4 * MB;
	assert_int_equal(b[3], 0);
	for (uint64_t i = 4; i < 20 * MB + 4; i += 4093)
		assert_int_equal(b[i], 0x5a);
	assert_int_equal(b[20 * MB + 3], 0x5a);
	assert_int_equal(b[20 * MB + 4], 0);
	/* Big, not byte-repeating, into the host window. */
	assert_int_equal(dma_fill(fx, VA_W + 8, 0x01020304, 12 * MB, &f), LOOM_ERR_NONE);
	for (uint64_t i = 8; i < 12 * MB + 8; i += 4)
		if (*(uint32_t *)(fx->win + i) != 0x01020304)
			fail_msg("fill: word at %llu", (unsigned long long)i);

	assert_int_equal(dma_fill(fx, VA_A, 1, 0, &f), LOOM_ERR_BAD_ARG);
	assert_int_equal(dma_fill(fx, VA_A, 1, 6, &f), LOOM_ERR_BAD_ARG);
	assert_int_equal(dma_fill(fx, VA_A + 2, 1, 8, &f), LOOM_ERR_BAD_ARG);
	assert_int_equal(dma_fill(fx, VA_RO, 1, 8, &f), LOOM_ERR_PERMISSION);
	assert_int_equal(f.cause, LOOM_FAULT_WRITE);
}

/* Overlapping ranges and empty copies are refused; adjacent ones are fine. */
static void bad_args(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };

	assert_int_equal(dma_copy(fx, VA_B, VA_A, 0, &f), LOOM_ERR_BAD_ARG);
	assert_int_equal(dma_copy(fx, VA_A, VA_A, 16, &f), LOOM_ERR_BAD_ARG);
	assert_int_equal(dma_copy(fx, VA_A + 1, VA_A, 2, &f), LOOM_ERR_BAD_ARG);
	assert_int_equal(dma_copy(fx, VA_A, VA_A + 4095, 4096, &f), LOOM_ERR_BAD_ARG);
	assert_int_equal(dma_copy(fx, 0, ~0ULL, 2, &f) != LOOM_ERR_NONE, 1);
	assert_int_equal(dma_copy(fx, VA_A, VA_A + 4096, 4096, &f), LOOM_ERR_NONE);
	assert_int_equal(dma_copy(fx, VA_A + 4096, VA_A, 4096, &f), LOOM_ERR_NONE);
}

/* Faults name the first bad VA and leave the destination untouched. */
static void faults(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t hole = VA_S + 8 * MB;	/* first unmapped page after VA_S */
	uint8_t *before, *after;

	memset(fx->dev->dram + 36 * MB, 0x77, 1 * MB);
	/* Source runs off its mapping. */
	assert_int_equal(dma_copy(fx, VA_B, hole - 8192, 8192 + 100, &f), LOOM_ERR_PAGE_FAULT);
	assert_int_equal(f.va, hole);
	assert_int_equal(f.cause, LOOM_FAULT_NOT_PRESENT);
	assert_int_equal(f.asid, ASID);
	assert_false(f.write);
	assert_int_equal(fx->dev->dram[36 * MB], 0x77);
	/* Destination runs off its mapping: nothing is written. */
	before = get(fx, hole - 4096, 4096);
	assert_int_equal(dma_copy(fx, hole - 4096, VA_A, 4097, &f), LOOM_ERR_PAGE_FAULT);
	assert_int_equal(f.va, hole);
	assert_true(f.write);
	after = get(fx, hole - 4096, 4096);
	assert_memory_equal(before, after, 4096);
	free(after);
	free(before);
	/* Read-only destination. */
	assert_int_equal(dma_copy(fx, VA_RO + 10, VA_A, 100, &f), LOOM_ERR_PERMISSION);
	assert_int_equal(f.cause, LOOM_FAULT_WRITE);
	assert_int_equal(f.va, VA_RO + 10);
	/* Reading from read-only memory is fine. */
	assert_int_equal(dma_copy(fx, VA_A, VA_RO, 100, &f), LOOM_ERR_NONE);
	/* Disabled context. */
	loom_reg_write(fx->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL), 0);
	assert_int_equal(dma_copy(fx, VA_B, VA_A, 100, &f), LOOM_ERR_PAGE_FAULT);
	assert_int_equal(f.cause, LOOM_FAULT_ASID);
	loom_reg_write(fx->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL), 1);
}

static uint64_t best_of(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * A 32 MiB host-window -> DRAM copy runs at memcpy speed or better. The
 * bound is loose (half of memcpy's speed) since test machines are shared;
 * it catches per-page or per-copy overheads, not a lost split.
 */
static void copy_speed(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t t0, dma = UINT64_MAX, ref = UINT64_MAX;
	uint8_t *dst = fx->dev->dram + 36 * MB;

	memset(fx->win, 1, 32 * MB);
	memset(dst, 2, 32 * MB);
	for (int i = 0; i < 5; i++) {
		t0 = loom_now_ns();
		memcpy(dst, fx->win, 32 * MB);
		ref = best_of(ref, loom_now_ns() - t0);
		t0 = loom_now_ns();
		assert_int_equal(dma_copy(fx, VA_B, VA_W, 32 * MB, &f), LOOM_ERR_NONE);
		dma = best_of(dma, loom_now_ns() - t0);
	}
	print_message("# dma %.2f GB/s, memcpy %.2f GB/s\n", 32.0 * MB / dma,
		      32.0 * MB / ref);
	assert_true(dma < 2 * ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(copy_dram, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_host_window, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_odd_scattered, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_big_split, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(fill, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(faults, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_speed, setup, teardown),
	};

	return cmocka_run_group_tests_name("test_dma", tests, NULL, NULL);
}
