/* SPDX-License-Identifier: MIT */
/*
 * loom-bench's capture benchmark (bench_capture.h): what one submission
 * per operation costs against one launch of a recording. The chain is
 * BENCH_CHAIN_OPS operations small enough that the device's work is a
 * fraction of the cost: 4 KiB fills and copies in DRAM and 16 x 16 x 16
 * GEMMs, in the order fill, copy, GEMM, copy. Eager and captured runs
 * alternate, so both see the same conditions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_capture.h"

#define CHAIN_BYTES	4096
#define CHAIN_GEMM	16
#define CHAIN_MAX_REPS	4096

static double chain_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int chain_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double chain_median(double *t, int n, double *min)
{
	qsort(t, n, sizeof(*t), chain_cmp);
	*min = t[0];
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* Queue the chain on s (eagerly, or into a recording). */
static int chain_queue(loom_stream *s, const uint64_t va[4], uint32_t round)
{
	struct loom_gemm g = { .sz = sizeof(g), .m = CHAIN_GEMM, .n = CHAIN_GEMM,
			       .k = CHAIN_GEMM, .a = va[0], .b = va[1], .d = va[3],
			       .alpha = 1.0f };
	int ret = 0;

	for (int i = 0; i < BENCH_CHAIN_OPS && !ret; i++) {
		switch (i % 4) {
		case 0:
			ret = loom_memset32(s, va[0], round + (uint32_t)i, CHAIN_BYTES);
			break;
		case 1:
			ret = loom_memcpy(s, va[1], va[0], CHAIN_BYTES);
			break;
		case 2:
			ret = loom_gemm(s, &g);
			break;
		default:
			ret = loom_memcpy(s, va[2], va[3], CHAIN_BYTES);
			break;
		}
	}
	return ret;
}

int bench_capture_chain(loom_device *dev, loom_stream *s, int warmup, int reps,
			struct bench_chain_result *r)
{
	static double te[CHAIN_MAX_REPS], tl[CHAIN_MAX_REPS];
	uint64_t va[4] = { 0 };
	loom_cmdbuf *cb = NULL;
	const char *what = "loom_mem_alloc";
	double t0;
	int ret = 0, i;

	memset(r, 0, sizeof(*r));
	if (reps < 1 || reps > CHAIN_MAX_REPS)
		reps = reps < 1 ? 1 : CHAIN_MAX_REPS;
	for (i = 0; i < 4 && !ret; i++)
		ret = loom_mem_alloc(dev, CHAIN_BYTES, 0, &va[i]);
	if (!ret) {
		what = "capture";
		ret = loom_capture_begin(s);
		if (!ret) {
			int q = chain_queue(s, va, 0);

			ret = loom_capture_end(s, &cb);
			ret = q ? q : ret;
		}
	}
	if (!ret)
		r->cb_bytes = loom_cmdbuf_size(cb);
	for (i = 0; i < warmup + reps && !ret; i++) {
		what = "per-op submission";
		t0 = chain_now();
		ret = chain_queue(s, va, (uint32_t)i);
		if (!ret)
			ret = loom_stream_sync(s, 60LL * 1000000000LL);
		if (ret)
			break;
		if (i >= warmup)
			te[i - warmup] = (chain_now() - t0) / BENCH_CHAIN_OPS;
		what = "captured launch";
		t0 = chain_now();
		ret = loom_cmdbuf_launch(s, cb);
		if (!ret)
			ret = loom_stream_sync(s, 60LL * 1000000000LL);
		if (!ret && i >= warmup)
			tl[i - warmup] = (chain_now() - t0) / BENCH_CHAIN_OPS;
	}
	if (ret) {
		snprintf(r->err, sizeof(r->err), "%s: %s", what, loom_strerror(ret));
	} else {
		r->eager_s = chain_median(te, reps, &r->eager_best_s);
		r->launch_s = chain_median(tl, reps, &r->launch_best_s);
	}
	loom_cmdbuf_destroy(cb);
	for (i = 0; i < 4; i++)
		if (va[i])
			loom_mem_free(dev, va[i]);
	return ret;
}
