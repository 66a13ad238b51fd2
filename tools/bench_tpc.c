/* SPDX-License-Identifier: MIT */
/*
 * loom-bench's TPC benchmarks. The axpy kernel of kernels/axpy_asm.h (the
 * example of docs/isa.md: one 64-float vector per index point) is assembled,
 * loaded with loom_kernel_load and launched over n / 64 points; the data
 * stays in device memory. The reference is the C loop of bench_ref.c on
 * host memory, on as many threads as the host has cores. Softmax over rows
 * runs libloomkernels' kernel against the C softmax of bench_ref_softmax.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_tpc.h"
#include "../compiler/loom_asm.h"
#include "../kernels/axpy_asm.h"
#include "../kernels/loom_kernels.h"

#define MAX_REPS 64


static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *t, int n, double *best)
{
	qsort(t, n, sizeof(*t), cmp_double);
	*best = t[0];
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static loom_kernel *load_axpy(loom_device *dev, char *err, size_t errlen)
{
	struct loom_obj o = { 0 };
	char *diag = NULL;
	void *buf = NULL;
	size_t size = 0;
	loom_kernel *k = NULL;

	if (loom_asm("axpy.s", loom_axpy_asm, sizeof(loom_axpy_asm) - 1, &o, &diag) ||
	    loom_obj_write(&o, &buf, &size)) {
		snprintf(err, errlen, "assembling axpy failed");
	} else {
		k = loom_kernel_load(dev, buf, size);
		if (!k)
			snprintf(err, errlen, "loom_kernel_load: %s", loom_strerror(-errno));
	}
	free(diag);
	free(buf);
	loom_obj_clear(&o);
	return k;
}

int bench_tpc_axpy(loom_device *dev, loom_stream *s, uint64_t n, int nthreads, int warmup,
		   int reps, struct bench_tpc_result *r)
{
	double tl[MAX_REPS], tr[MAX_REPS], t0;
	uint64_t x = 0, y = 0;
	float *hx = NULL, *hy = NULL;
	loom_kernel *k;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (reps > MAX_REPS)
		reps = MAX_REPS;
	n &= ~63ULL;	/* whole vectors */
	k = load_axpy(dev, r->err, sizeof(r->err));
	if (!k)
		return -EINVAL;
	if ((ret = loom_mem_alloc(dev, n * 4, 0, &x)) || (ret = loom_mem_alloc(dev, n * 4, 0, &y)) ||
	    (ret = loom_memset32(s, x, loom_f32_bits(1.0f), n * 4)) ||
	    (ret = loom_memset32(s, y, 0, n * 4)) || (ret = loom_stream_sync(s, -1))) {
		snprintf(r->err, sizeof(r->err), "device memory: %s", loom_strerror(ret));
		goto out;
	}
	hx = malloc(n * 4);
	hy = malloc(n * 4);
	if (!hx || !hy) {
		ret = -ENOMEM;
		snprintf(r->err, sizeof(r->err), "host memory");
		goto out;
	}
	for (uint64_t i = 0; i < n; i++) {
		hx[i] = 1.0f;
		hy[i] = 0.0f;
	}
	struct loom_tensor ts[2] = {
		{ .addr = x, .dtype = LOOM_T_F32, .ndims = 1, .size = { (uint32_t)n } },
		{ .addr = y, .dtype = LOOM_T_F32, .ndims = 1, .size = { (uint32_t)n } },
	};
	uint32_t alpha = loom_f32_bits(0.5f);
	struct loom_launch l = { .sz = sizeof(l), .tensors = ts, .num_tensors = 2,
				 .scalars = &alpha, .num_scalars = 1,
				 .index = { (uint32_t)(n / 64) } };

	for (int i = 0; i < warmup + reps; i++) {
		t0 = now_s();
		ret = loom_launch(s, k, &l);
		if (!ret)
			ret = loom_stream_sync(s, -1);
		if (ret) {
			snprintf(r->err, sizeof(r->err), "launch: %s", loom_strerror(ret));
			goto out;
		}
		if (i >= warmup)
			tl[i - warmup] = now_s() - t0;
		t0 = now_s();
		bench_ref_axpy(0.5f, hx, hy, n, nthreads);
		if (i >= warmup)
			tr[i - warmup] = now_s() - t0;
	}
	/* Both sides did the same sums: check the device's answer. */
	{
		float v = 0;

		ret = loom_memcpy_d2h(s, &v, y + (n / 2) * 4, 4);
		if (ret || v != hy[n / 2]) {
			snprintf(r->err, sizeof(r->err), "wrong result (%g, expected %g)", v,
				 hy[n / 2]);
			ret = ret ? ret : -EIO;
			goto out;
		}
	}
	r->loom_s = median(tl, reps, &r->loom_best_s);
	r->ref_s = median(tr, reps, &r->ref_best_s);
out:
	free(hx);
	free(hy);
	if (x)
		loom_mem_free(dev, x);
	if (y)
		loom_mem_free(dev, y);
	loom_kernel_free(k);
	return ret;
}

/*
 * Softmax over rows with libloomkernels (loom_k_softmax): rows x cols
 * floats of varied values in device memory, against bench_ref_softmax on
 * host memory. Checks a sample of the device's rows against the host's.
 */
int bench_tpc_softmax(loom_device *dev, loom_stream *s, uint32_t rows, uint32_t cols,
		      int nthreads, int warmup, int reps, struct bench_tpc_result *r)
{
	double tl[MAX_REPS], tr[MAX_REPS], t0;
	uint64_t n = (uint64_t)rows * cols, in = 0, out = 0;
	float *hin = NULL, *hout = NULL, *row = NULL;
	loom_kernels *k = NULL;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (reps > MAX_REPS)
		reps = MAX_REPS;
	k = loom_kernels_open(dev);
	hin = malloc(n * 4);
	hout = malloc(n * 4);
	row = malloc((size_t)cols * 4);
	if (!k || !hin || !hout || !row) {
		ret = -ENOMEM;
		snprintf(r->err, sizeof(r->err), "host memory");
		goto out;
	}
	for (uint64_t i = 0; i < n; i++)
		hin[i] = (float)((i * 2654435761u) % 1000) * 0.01f - 5.0f;
	if ((ret = loom_mem_alloc(dev, n * 4, 0, &in)) || (ret = loom_mem_alloc(dev, n * 4, 0, &out)) ||
	    (ret = loom_memcpy_h2d(s, in, hin, n * 4)) || (ret = loom_memset32(s, out, 0, n * 4)) ||
	    (ret = loom_stream_sync(s, -1))) {
		snprintf(r->err, sizeof(r->err), "device memory: %s", loom_strerror(ret));
		goto out;
	}
	for (int i = 0; i < warmup + reps; i++) {
		t0 = now_s();
		ret = loom_k_softmax(s, k, in, out, rows, cols);
		if (!ret)
			ret = loom_stream_sync(s, -1);
		if (ret) {
			snprintf(r->err, sizeof(r->err), "softmax: %s", loom_strerror(ret));
			goto out;
		}
		if (i >= warmup)
			tl[i - warmup] = now_s() - t0;
		t0 = now_s();
		bench_ref_softmax(hin, hout, rows, cols, nthreads);
		if (i >= warmup)
			tr[i - warmup] = now_s() - t0;
	}
	/* The first, middle and last rows agree with the host's to fp32 rounding. */
	for (uint32_t sample = 0; sample < 3; sample++) {
		uint64_t rr = sample == 0 ? 0 : sample == 1 ? rows / 2 : rows - 1;

		ret = loom_memcpy_d2h(s, row, out + rr * cols * 4, (uint64_t)cols * 4);
		for (uint32_t j = 0; !ret && j < cols; j++) {
			float h = hout[rr * cols + j];

			if (!(fabsf(row[j] - h) <= 1e-6f + 1e-4f * h)) {
				snprintf(r->err, sizeof(r->err), "wrong result at [%llu][%u] (%g, "
					 "expected %g)", (unsigned long long)rr, j, row[j], h);
				ret = -EIO;
			}
		}
		if (ret) {
			if (!r->err[0])
				snprintf(r->err, sizeof(r->err), "read back: %s", loom_strerror(ret));
			goto out;
		}
	}
	r->loom_s = median(tl, reps, &r->loom_best_s);
	r->ref_s = median(tr, reps, &r->ref_best_s);
out:
	free(hin);
	free(hout);
	free(row);
	if (in)
		loom_mem_free(dev, in);
	if (out)
		loom_mem_free(dev, out);
	loom_kernels_close(k);
	return ret;
}
