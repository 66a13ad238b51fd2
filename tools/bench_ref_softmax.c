/* SPDX-License-Identifier: MIT */
/*
 * loom-bench's host reference for the TPC softmax: softmax over the rows
 * of a [rows][cols] fp32 matrix in plain C, compiled at -O3
 * (tools/meson.build), rows split over nthreads threads. The same three
 * steps as the kernel (maximum, exponentials and their sum, scaling).
 */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench_tpc.h"

struct sm_part {
	const float *in;
	float *out;
	uint64_t rows, cols;
};

static void softmax_rows(const float *restrict in, float *restrict out, uint64_t rows,
			 uint64_t cols)
{
	for (uint64_t r = 0; r < rows; r++) {
		const float *x = in + r * cols;
		float *y = out + r * cols;
		float m = x[0], sum = 0.0f, inv;

		for (uint64_t i = 1; i < cols; i++)
			m = x[i] > m ? x[i] : m;
		for (uint64_t i = 0; i < cols; i++) {
			y[i] = expf(x[i] - m);
			sum += y[i];
		}
		inv = 1.0f / sum;
		for (uint64_t i = 0; i < cols; i++)
			y[i] *= inv;
	}
}

static void *sm_thread(void *arg)
{
	struct sm_part *p = arg;

	softmax_rows(p->in, p->out, p->rows, p->cols);
	return NULL;
}

void bench_ref_softmax(const float *in, float *out, uint64_t rows, uint64_t cols, int nthreads)
{
	struct sm_part part[64];
	pthread_t th[64];
	bool started[64] = { false };
	uint64_t chunk;
	int t;

	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	chunk = (rows + nthreads - 1) / nthreads;
	for (t = 0; t < nthreads; t++) {
		uint64_t lo = t * chunk < rows ? t * chunk : rows;
		uint64_t hi = lo + chunk < rows ? lo + chunk : rows;

		part[t] = (struct sm_part){ in + lo * cols, out + lo * cols, hi - lo, cols };
	}
	for (t = 1; t < nthreads; t++)
		if (!pthread_create(&th[t], NULL, sm_thread, &part[t]))
			started[t] = true;
		else
			sm_thread(&part[t]);
	sm_thread(&part[0]);
	for (t = 1; t < nthreads; t++)
		if (started[t])
			pthread_join(th[t], NULL);
}
