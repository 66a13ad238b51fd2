/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the graph layer's programs (test_graph, test_graph_mixed,
 * test_graph_io): the device kind from the command line (inproc, a loomd
 * the program starts, or in the QEMU guest loom.ko's device, "kernel"),
 * the group's device, a deterministic random source, and the main() that
 * runs a program's tests on that kind. Header-only; fixture code, no
 * tests.
 */
#ifndef LOOM_TEST_GRAPH_H
#define LOOM_TEST_GRAPH_H

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <loom/loom.h>
#include <loom/graph.h>

#include "loom_test_loomd.h"

static char g_uri[128];
static struct loom_test_loomd g_loomd;

struct ctx {
	loom_device *dev;
};

static inline int setup(void **state)
{
	static struct ctx c;

	c.dev = loom_device_open(g_uri, NULL);
	*state = &c;
	return c.dev ? 0 : -1;
}

static inline int teardown(void **state)
{
	struct ctx *c = *state;

	loom_device_close(c->dev);
	return 0;
}

/* ---- random values: a fixed sequence, the same on every run ----------------- */

static uint64_t rng = 0x1234567887654321ULL;

static inline float urand(float lo, float hi)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return lo + (hi - lo) * (float)((rng * 0x2545F4914F6CDD1DULL) >> 40) / (float)(1 << 24);
}

/* Values in [lo, hi] with magnitude >= 0.05 (away from relu's kink). */
static inline float *rand_vals(uint64_t n, float lo, float hi)
{
	float *f = malloc(n * sizeof(float));

	for (uint64_t i = 0; i < n; i++) {
		do
			f[i] = urand(lo, hi);
		while (fabsf(f[i]) < 0.05f);
	}
	return f;
}

/*
 * main() of a graph program: argv[1] is inproc (the default), loomd or
 * kernel; the group is named PREFIX followed by the kind.
 */
static inline int graph_main(int argc, char **argv, const char *prefix,
			     const struct CMUnitTest *tests, size_t n)
{
	const char *which = argc > 1 ? argv[1] : "inproc";
	char group[64];
	int ret;

	if (!strcmp(which, "loomd")) {
		if (loom_test_loomd_start(&g_loomd, "1G", NULL))
			return 1;
		snprintf(g_uri, sizeof(g_uri), "%s", g_loomd.uri);
	} else if (!strcmp(which, "kernel")) {	/* loom.ko's device (the QEMU guest's) */
		snprintf(g_uri, sizeof(g_uri), "kernel");
	} else {
		snprintf(g_uri, sizeof(g_uri), "inproc");
	}
	snprintf(group, sizeof(group), "%s%s", prefix, which);
	ret = _cmocka_run_group_tests(group, tests, n, setup, teardown);
	if (g_loomd.pid)
		loom_test_loomd_stop(&g_loomd);
	return ret;
}

#endif /* LOOM_TEST_GRAPH_H */
