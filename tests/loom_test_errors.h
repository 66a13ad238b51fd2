/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the programs of bad input to libloom's public API
 * (test_errors, test_errors_stream): a small device per test (in-process,
 * or "kernel" in the QEMU guest) with a stream and pinned memory, checks
 * that a device or stream still works after an error, a GEMM load that
 * keeps the MME busy, the group's loomd, and the main() that runs a
 * program's tests, skipping with the reason those the kernel backend
 * cannot run. Header-only; fixture code, no tests.
 */
#ifndef LOOM_TEST_ERRORS_H
#define LOOM_TEST_ERRORS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <loom/loom.h>

#include "loom_test_rt.h"

#define MIB		(1ULL << 20)
#define SEC_NS		1000000000LL
#define SYNC_TIMEOUT	(30 * SEC_NS)
#define SMALL_DRAM	(64 * MIB)
#define UNMAPPED_VA	0x7654320000ULL	/* below every mapping libloom makes */

static struct loom_test_loomd loomd;
static bool g_kernel;	/* through loom.ko: "kernel" instead of "inproc" */

/* ---- each test's device ------------------------------------------------------------------ */

struct fixture {
	loom_device *dev;	/* in-process, SMALL_DRAM */
	loom_stream *s;
	uint8_t *h;		/* 4 MiB of pinned memory */
	uint64_t hva;
};

static inline loom_device *open_small(void)
{
	struct loom_device_opts o = LOOM_OPTS_INIT(struct loom_device_opts);

	o.dram_size = SMALL_DRAM;
	return loom_device_open(g_kernel ? "kernel" : "inproc", &o);
}

static inline int fixture_setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.dev = open_small();
	if (!f.dev)
		return -1;
	f.s = loom_stream_create(f.dev);
	f.h = loom_host_alloc(f.dev, 4 * MIB, &f.hva);
	if (!f.s || !f.h) {
		loom_device_close(f.dev);
		return -1;
	}
	*state = &f;
	return 0;
}

static inline int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	loom_host_free(f->dev, f->h);
	loom_stream_destroy(f->s);
	loom_device_close(f->dev);
	memset(f, 0, sizeof(*f));
	return 0;
}

/* Copy a pattern into DRAM at va and back through the fixture's pinned memory. */
static inline void assert_roundtrip(struct fixture *f, loom_stream *s, uint64_t va,
				    uint64_t bytes, uint32_t seed)
{
	assert_true(bytes <= 2 * MIB);
	loom_test_pat_fill(f->h, bytes, seed);
	memset(f->h + 2 * MIB, 0, bytes);
	assert_int_equal(loom_memcpy(s, va, f->hva, bytes), 0);
	assert_int_equal(loom_memcpy(s, f->hva + 2 * MIB, va, bytes), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), 0);
	assert_true(loom_test_pat_ok(f->h + 2 * MIB, bytes, seed));
}

/* A stream that works: allocate, round-trip, free. */
static inline void assert_stream_works(struct fixture *f, loom_stream *s)
{
	uint64_t va;

	assert_int_equal(loom_mem_alloc(f->dev, 64 * 1024, 0, &va), 0);
	assert_roundtrip(f, s, va, 64 * 1024, 0x1234);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
}

/* A fresh stream of f's device must work (an error elsewhere did not spread). */
static inline void assert_new_stream_works(struct fixture *f)
{
	loom_stream *s = loom_stream_create(f->dev);

	assert_non_null(s);
	assert_stream_works(f, s);
	loom_stream_destroy(s);
}

/* Keep the MME busy for a while on s. */
struct busy {
	loom_device *dev;
	uint64_t va[3];
};

static inline void busy_queue(struct busy *b, loom_device *dev, loom_stream *s, unsigned n,
			      int count)
{
	b->dev = dev;
	assert_int_equal(loom_test_gemm_busy(dev, s, n, count, b->va), 0);
}

static inline void busy_free(struct busy *b)
{
	assert_int_equal(loom_test_gemm_busy_free(b->dev, b->va), 0);
}

/* A small valid GEMM description over three n x n fp32 matrices. */
static inline void gemm_init(struct loom_gemm *g, uint32_t n, const uint64_t va[3])
{
	memset(g, 0, sizeof(*g));
	g->sz = sizeof(*g);
	g->m = g->n = g->k = n;
	g->a = va[0];
	g->b = va[1];
	g->d = va[2];
	g->alpha = 1.0f;
}

/* ---- the group ------------------------------------------------------------------ */

/* The group's loomd (not in the QEMU guest). */
static inline int group_setup(void **state)
{
	if (g_kernel)
		return 0;
	return loom_test_loomd_start(&loomd, "512M", NULL) ? -1 : 0;
}

static inline int group_teardown(void **state)
{
	int status;

	if (g_kernel)
		return 0;
	status = loom_test_loomd_stop(&loomd);

	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "# loomd ended with status 0x%x\n", (unsigned)status);
		return -1;
	}
	return 0;
}

#define T(name, fn)	{ name, fn, fixture_setup, fixture_teardown, NULL }
#define T0(name, fn)	{ name, fn, NULL, NULL, NULL }

#define T(name, fn)	{ name, fn, fixture_setup, fixture_teardown, NULL }
#define T0(name, fn)	{ name, fn, NULL, NULL, NULL }

/* A test the kernel backend cannot run, and why. */
struct kernel_skip {
	const char *name, *why;
};

static inline void test_kernel_skip(void **state)
{
	const struct kernel_skip *k = *state;

	print_message("# SKIP %s: %s\n", k->name, k->why);
	skip();
}

/*
 * main() of an errors program: "PROGRAM kernel" runs the tests through
 * loom.ko, those named in skips skipped with the reason; the group is
 * named NAME, or NAME-kernel.
 */
static inline int errors_main(int argc, char **argv, const char *name,
			      struct CMUnitTest *tests, size_t n,
			      const struct kernel_skip *skips, size_t nskips)
{
	char group[64];

	g_kernel = argc > 1 && !strcmp(argv[1], "kernel");
	for (size_t i = 0; g_kernel && i < n; i++)
		for (size_t j = 0; j < nskips; j++)
			if (!strcmp(tests[i].name, skips[j].name))
				tests[i] = (struct CMUnitTest){ tests[i].name, test_kernel_skip, NULL,
								NULL, (void *)&skips[j] };
	snprintf(group, sizeof(group), g_kernel ? "%s-kernel" : "%s", name);
	return _cmocka_run_group_tests(group, tests, n, group_setup, group_teardown);
}

#endif /* LOOM_TEST_ERRORS_H */
