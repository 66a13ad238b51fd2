/* SPDX-License-Identifier: MIT */
/*
 * loom-bench's TPC benchmarks: axpy over n floats as a hand-written TPC
 * kernel on the device, and the same loop in C at -O3 on the host's
 * threads (bench_ref.c), each timed as a median over runs.
 */
#ifndef BENCH_TPC_H
#define BENCH_TPC_H

#include <stdint.h>

#include <loom/loom.h>

struct bench_tpc_result {
	double loom_s, loom_best_s;	/* median and best seconds per axpy */
	double ref_s, ref_best_s;
	char err[128];			/* set when the benchmark failed */
};

/* y = a * x + y over n floats, warmup + reps times on each side. */
int bench_tpc_axpy(loom_device *dev, loom_stream *s, uint64_t n, int nthreads, int warmup,
		   int reps, struct bench_tpc_result *r);

/*
 * Softmax over the rows of a [rows][cols] matrix with libloomkernels'
 * kernel (kernels/tpc/softmax.c), warmup + reps times on each side.
 */
int bench_tpc_softmax(loom_device *dev, loom_stream *s, uint32_t rows, uint32_t cols,
		      int nthreads, int warmup, int reps, struct bench_tpc_result *r);

/* Its reference: the C softmax at -O3 on nthreads threads (bench_ref_softmax.c). */
void bench_ref_softmax(const float *in, float *out, uint64_t rows, uint64_t cols, int nthreads);

/* The reference: the plain C loop on nthreads threads (bench_ref.c). */
void bench_ref_axpy(float a, const float *x, float *y, uint64_t n, int nthreads);

#endif /* BENCH_TPC_H */
