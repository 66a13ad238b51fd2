/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the end-to-end runtime programs (test_runtime,
 * test_runtime_capture): the device kind from the command line (an
 * in-process device, a loomd process started by the group setup, found
 * through $LOOMD or LOOMD_PATH, or in the QEMU guest the kernel backend on
 * loom.ko), a device and a stream per test, and the main() that runs a
 * program's tests once per kind. Header-only; fixture code, no tests.
 */
#ifndef LOOM_TEST_RUNTIME_H
#define LOOM_TEST_RUNTIME_H

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <loom/loom.h>

#include "loom_test_loomd.h"

#define SEC 1000000000LL

static char g_uri[512];
static const char *g_backend = "direct";	/* what loom_device_info() must say */
static struct loom_test_loomd g_loomd;

static inline int group_inproc(void **state)
{
	snprintf(g_uri, sizeof(g_uri), "inproc");
	return 0;
}

static inline int group_loomd(void **state)
{
	if (loom_test_loomd_start(&g_loomd, "1G", NULL))
		return -1;
	snprintf(g_uri, sizeof(g_uri), "%s", g_loomd.uri);
	return 0;
}

static inline int group_kernel(void **state)
{
	snprintf(g_uri, sizeof(g_uri), "kernel");
	g_backend = "kernel";
	return 0;
}

static inline bool is_kernel(void)
{
	return !strcmp(g_backend, "kernel");
}

static inline int group_loomd_end(void **state)
{
	loom_test_loomd_stop(&g_loomd);
	return 0;
}

struct ctx {
	loom_device *dev;
	loom_stream *s;
};

/* Each test's device (1 GiB of DRAM, a 4 GiB host pool) and stream. */
static inline int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct loom_device_opts o = LOOM_OPTS_INIT(struct loom_device_opts);

	o.dram_size = 1ULL << 30;
	o.host_pool_size = 4ULL << 30;
	c->dev = loom_device_open(g_uri, &o);
	if (!c->dev) {
		free(c);
		return -1;
	}
	c->s = loom_stream_create(c->dev);
	if (!c->s)
		return -1;
	*state = c;
	return 0;
}

static inline int teardown(void **state)
{
	struct ctx *c = *state;

	loom_stream_destroy(c->s);
	loom_device_close(c->dev);
	free(c);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/*
 * main() of a runtime program: argv[1] is inproc, loomd or kernel
 * (default: inproc and loomd, one after the other); the groups are named
 * NAME-inproc, NAME-loomd and NAME-kernel.
 */
static inline int runtime_main(int argc, char **argv, const char *name,
			       const struct CMUnitTest *tests, size_t n)
{
	const char *which = argc > 1 ? argv[1] : "both";
	char group[64];
	int fails = 0;

	if (!strcmp(which, "kernel")) {
		snprintf(group, sizeof(group), "%s-kernel", name);
		return _cmocka_run_group_tests(group, tests, n, group_kernel, NULL) ? 1 : 0;
	}
	if (strcmp(which, "loomd")) {
		snprintf(group, sizeof(group), "%s-inproc", name);
		fails += _cmocka_run_group_tests(group, tests, n, group_inproc, NULL);
	}
	if (strcmp(which, "inproc")) {
		snprintf(group, sizeof(group), "%s-loomd", name);
		fails += _cmocka_run_group_tests(group, tests, n, group_loomd, group_loomd_end);
	}
	return fails ? 1 : 0;
}

#endif /* LOOM_TEST_RUNTIME_H */
