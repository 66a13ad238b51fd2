/* SPDX-License-Identifier: MIT */
/*
 * loom-bench's host reference loops, compiled at -O3 (tools/meson.build)
 * so that the compiler vectorises them: the yardstick for TPC kernels.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench_tpc.h"

struct ref_part {
	float a;
	const float *x;
	float *y;
	uint64_t n;
};

static void axpy_loop(float a, const float *restrict x, float *restrict y, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		y[i] = a * x[i] + y[i];
}

static void *ref_thread(void *arg)
{
	struct ref_part *p = arg;

	axpy_loop(p->a, p->x, p->y, p->n);
	return NULL;
}

void bench_ref_axpy(float a, const float *x, float *y, uint64_t n, int nthreads)
{
	struct ref_part part[64];
	pthread_t th[64];
	bool started[64] = { false };
	uint64_t chunk;
	int t;

	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	chunk = (n + nthreads - 1) / nthreads;
	for (t = 0; t < nthreads; t++) {
		uint64_t lo = t * chunk, hi = lo + chunk < n ? lo + chunk : n;

		part[t] = (struct ref_part){ a, x + lo, y + lo, lo < n ? hi - lo : 0 };
	}
	/* The calling thread takes the first part. */
	for (t = 1; t < nthreads; t++)
		if (!pthread_create(&th[t], NULL, ref_thread, &part[t]))
			started[t] = true;
		else
			ref_thread(&part[t]);
	ref_thread(&part[0]);
	for (t = 1; t < nthreads; t++)
		if (started[t])
			pthread_join(th[t], NULL);
}
