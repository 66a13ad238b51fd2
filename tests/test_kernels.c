/* SPDX-License-Identifier: MIT */
/*
 * test_kernels: libloomkernels (kernels/loom_kernels.h), every operation
 * on the device against a double-precision reference computed here, at
 * sizes that are and are not multiples of the 64-lane vector (1 element,
 * 1 row, rows longer than a vector, odd shapes), plus in-place use, the
 * elements beyond an output left alone, and bad arguments. Usage:
 * test_kernels [inproc|loomd|kernel].
 *
 * Tolerances (also in docs/kernels.md): exact for operations that are one
 * fp32 rounding (add, mul, axpy, scale, relu, relu_grad, bias_add,
 * max, transpose, casts); otherwise |got - ref| <= atol + rtol * |ref|
 * with the per-operation atol and rtol below, sums measured against the
 * sum of magnitudes.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <loom/loom.h>

#include "../kernels/loom_kernels.h"
#include "loom_test_loomd.h"

#define SEC 1000000000LL
#define GUARD 64		/* extra elements after each output, checked untouched */
#define SENTINEL 12345.0f

static char g_uri[128];
static struct loom_test_loomd g_loomd;

struct ctx {
	loom_device *dev;
	loom_stream *s;
	loom_kernels *k;
	uint64_t rng;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->dev = loom_device_open(g_uri, NULL);
	c->s = c->dev ? loom_stream_create(c->dev) : NULL;
	c->k = c->s ? loom_kernels_open(c->dev) : NULL;
	/* Fixed data; TEST_KERNELS_SEED=N tries other data. */
	c->rng = 0x9e3779b97f4a7c15ULL ^ (getenv("TEST_KERNELS_SEED") ?
					  strtoull(getenv("TEST_KERNELS_SEED"), NULL, 0) : 0);
	*state = c;
	return c->k ? 0 : -1;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	if (c->s)
		loom_stream_sync(c->s, 60 * SEC);
	loom_kernels_close(c->k);
	loom_stream_destroy(c->s);
	loom_device_close(c->dev);
	free(c);
	return 0;
}

/* ---- Helpers ------------------------------------------------------------- */

static float rnd(struct ctx *c, float lo, float hi)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return lo + (hi - lo) * (float)((c->rng >> 40) * (1.0 / 16777216.0));
}

static float *rand_buf(struct ctx *c, size_t n, float lo, float hi)
{
	float *x = malloc(n * 4 + 4);

	assert_non_null(x);
	for (size_t i = 0; i < n; i++)
		x[i] = rnd(c, lo, hi);
	return x;
}

/* A device buffer of n floats (+ GUARD sentinels after them), holding x. */
static uint64_t dbuf(struct ctx *c, const float *x, size_t n)
{
	uint64_t a;
	float *tmp = malloc((n + GUARD) * 4);

	assert_non_null(tmp);
	for (size_t i = 0; i < n + GUARD; i++)
		tmp[i] = x && i < n ? x[i] : SENTINEL;
	assert_int_equal(loom_mem_alloc(c->dev, (n + GUARD) * 4, 0, &a), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, a, tmp, (n + GUARD) * 4), 0);
	assert_int_equal(loom_stream_sync(c->s, 60 * SEC), 0);
	free(tmp);
	return a;
}

/* Wait for the stream, read n floats back, check the guard, free the buffer. */
static float *fetch(struct ctx *c, uint64_t a, size_t n)
{
	float *x = malloc((n + GUARD) * 4);

	assert_non_null(x);
	assert_int_equal(loom_stream_sync(c->s, 60 * SEC), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, x, a, (n + GUARD) * 4), 0);
	assert_int_equal(loom_stream_sync(c->s, 60 * SEC), 0);
	for (size_t i = n; i < n + GUARD; i++)
		if (x[i] != SENTINEL)
			fail_msg("element %zu beyond the %zu of the output was written (%g)", i,
				 n, x[i]);
	return x;
}

static void dfree(struct ctx *c, uint64_t a)
{
	assert_int_equal(loom_mem_free(c->dev, a), 0);
}

/* Fail clearly when this build's loomcc did not generate a kernel. */
static void need(const char *name)
{
	const char *why = NULL;

	if (loom_kernels_status(name, &why))
		fail_msg("kernel %s is not in this build: %s", name, why ? why : "unknown");
}

/* got vs ref: |got - ref| <= atol + rtol * |ref| (NaN only where ref is NaN). */
static void check(const char *what, const float *got, const double *ref, size_t n,
		  double atol, double rtol)
{
	for (size_t i = 0; i < n; i++) {
		double g = got[i], r = ref[i];

		if (isnan(r) ? isnan(g) : fabs(g - r) <= atol + rtol * fabs(r))
			continue;
		if (isinf(r) && g == r)
			continue;
		fail_msg("%s: element %zu: got %.9g, reference %.9g (atol %g, rtol %g)", what, i,
			 g, r, atol, rtol);
	}
}

/* got vs ref within k times a per-element scale (the magnitude of the terms). */
static void check_scaled(const char *what, const float *got, const double *ref,
			 const double *scale, size_t n, double k)
{
	for (size_t i = 0; i < n; i++)
		if (!(fabs(got[i] - ref[i]) <= k * scale[i] + 1e-30))
			fail_msg("%s: element %zu: got %.9g, reference %.9g (scale %g, k %g)", what,
				 i, got[i], ref[i], scale[i], k);
}

/* Exact comparison with a float reference (bits; NaN matches NaN). */
static void check_exact(const char *what, const float *got, const float *ref, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(got[i] == ref[i] || (isnan(got[i]) && isnan(ref[i]))))
			fail_msg("%s: element %zu: got %.9g, expected %.9g", what, i, got[i],
				 ref[i]);
}

static const uint32_t ew_sizes[] = { 1, 5, 63, 64, 65, 1000, 4097 };

struct shape {
	uint32_t rows, cols;
};

static const struct shape shapes[] = {
	{ 1, 1 }, { 1, 7 }, { 1, 4097 }, { 3, 64 }, { 5, 65 }, { 17, 129 }, { 64, 3 },
	{ 33, 1 }, { 200, 77 },
};

#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))
#define NEW (sizeof(ew_sizes) / sizeof(ew_sizes[0]))

/* ---- Elementwise ---------------------------------------------------------- */

static double gelu_ref(double x)
{
	const double k = sqrt(2.0 / M_PI);

	return 0.5 * x * (1.0 + tanh(k * (x + 0.044715 * x * x * x)));
}

static double gelu_grad_ref(double x)
{
	const double k = sqrt(2.0 / M_PI);
	double t = tanh(k * (x + 0.044715 * x * x * x));

	return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * k * (1.0 + 3.0 * 0.044715 * x * x);
}

/* ew-binary: add, mul, relu_grad, gelu_grad, axpy (exact or tolerances). */
static void ew_binary(void **state)
{
	struct ctx *c = *state;
	need("add");
	need("mul");
	need("relu_grad");
	need("gelu_grad");
	need("axpy");


	for (size_t t = 0; t < NEW; t++) {
		uint32_t n = ew_sizes[t];
		float *a = rand_buf(c, n, -6, 6), *b = rand_buf(c, n, -3, 3);
		float *want = malloc(n * 4);
		double *ref = malloc(n * 8);
		uint64_t A = dbuf(c, a, n), B = dbuf(c, b, n), O = dbuf(c, NULL, n);
		float *o;

		assert_non_null(want);
		assert_non_null(ref);
		if (n > 2)
			a[1] = 0.0f;	/* relu_grad at 0: 0 */
		A = (dfree(c, A), dbuf(c, a, n));

		assert_int_equal(loom_k_add(c->s, c->k, A, B, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++)
			want[i] = a[i] + b[i];
		check_exact("add", o, want, n);
		free(o);

		assert_int_equal(loom_k_mul(c->s, c->k, A, B, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++)
			want[i] = a[i] * b[i];
		check_exact("mul", o, want, n);
		free(o);

		assert_int_equal(loom_k_relu_grad(c->s, c->k, A, B, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++)
			want[i] = a[i] > 0 ? b[i] : 0.0f;
		check_exact("relu_grad", o, want, n);
		free(o);

		assert_int_equal(loom_k_gelu_grad(c->s, c->k, A, B, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++)
			ref[i] = b[i] * gelu_grad_ref(a[i]);
		check("gelu_grad", o, ref, n, 1e-5, 1e-5);
		free(o);

		/* axpy in place on B. */
		assert_int_equal(loom_k_axpy(c->s, c->k, -1.75f, A, B, n), 0);
		o = fetch(c, B, n);
		for (uint32_t i = 0; i < n; i++)
			want[i] = fmaf(-1.75f, a[i], b[i]);
		check_exact("axpy", o, want, n);
		free(o);

		/* add in place: A = A + A. */
		assert_int_equal(loom_k_add(c->s, c->k, A, A, A, n), 0);
		o = fetch(c, A, n);
		for (uint32_t i = 0; i < n; i++)
			want[i] = a[i] + a[i];
		check_exact("add in place", o, want, n);
		free(o);

		dfree(c, A);
		dfree(c, B);
		dfree(c, O);
		free(a);
		free(b);
		free(want);
		free(ref);
	}
}

/* ew-unary: scale, relu (exact), sigmoid, tanh, gelu (tolerances). */
static void ew_unary(void **state)
{
	struct ctx *c = *state;
	need("scale");
	need("relu");
	need("sigmoid");
	need("tanh");
	need("gelu");


	for (size_t t = 0; t < NEW; t++) {
		uint32_t n = ew_sizes[t];
		float *a = rand_buf(c, n, -12, 12);
		float *want = malloc(n * 4);
		double *ref = malloc(n * 8);
		uint64_t A, O = dbuf(c, NULL, n);
		float *o;

		assert_non_null(want);
		assert_non_null(ref);
		if (n > 3) {
			a[0] = 0.0f;
			a[1] = -0.0f;
			a[2] = NAN;
		}
		A = dbuf(c, a, n);

		assert_int_equal(loom_k_scale(c->s, c->k, 0.3f, A, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++)
			want[i] = 0.3f * a[i];
		check_exact("scale", o, want, n);
		free(o);

		assert_int_equal(loom_k_relu(c->s, c->k, A, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++)
			want[i] = a[i] < 0 ? 0.0f : a[i];
		check_exact("relu", o, want, n);
		free(o);

		assert_int_equal(loom_k_sigmoid(c->s, c->k, A, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++)
			ref[i] = 1.0 / (1.0 + exp((double)-a[i]));
		check("sigmoid", o, ref, n, 1e-7, 1e-6);
		free(o);

		assert_int_equal(loom_k_tanh(c->s, c->k, A, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++)
			ref[i] = tanh((double)a[i]);
		check("tanh", o, ref, n, 1e-7, 1e-6);
		free(o);

		/* gelu in place. */
		assert_int_equal(loom_k_gelu(c->s, c->k, A, A, n), 0);
		o = fetch(c, A, n);
		for (uint32_t i = 0; i < n; i++)
			ref[i] = gelu_ref(a[i]);
		check("gelu", o, ref, n, 1e-6, 1e-5);
		free(o);

		dfree(c, A);
		dfree(c, O);
		free(a);
		free(want);
		free(ref);
	}
}

/* ---- Rows and columns ---------------------------------------------------- */

/* bias: bias_add (exact) and bias_grad (column sums). */
static void bias(void **state)
{
	struct ctx *c = *state;
	need("bias_add");
	need("reduce_cols_sum");


	for (size_t t = 0; t < NSHAPES; t++) {
		uint32_t R = shapes[t].rows, C = shapes[t].cols;
		size_t n = (size_t)R * C;
		float *x = rand_buf(c, n, -4, 4), *b = rand_buf(c, C, -1, 1);
		float *want = malloc(n * 4);
		double *ref = calloc(C, 8), *mag = calloc(C, 8);
		uint64_t X = dbuf(c, x, n), B = dbuf(c, b, C), O = dbuf(c, NULL, n);
		uint64_t G = dbuf(c, NULL, C);
		float *o;

		assert_true(want && ref && mag);
		assert_int_equal(loom_k_bias_add(c->s, c->k, X, B, O, R, C), 0);
		o = fetch(c, O, n);
		for (size_t i = 0; i < n; i++)
			want[i] = x[i] + b[i % C];
		check_exact("bias_add", o, want, n);
		free(o);

		assert_int_equal(loom_k_bias_grad(c->s, c->k, X, G, R, C), 0);
		o = fetch(c, G, C);
		for (size_t i = 0; i < n; i++) {
			ref[i % C] += x[i];
			mag[i % C] += fabs(x[i]);
		}
		for (uint32_t j = 0; j < C; j++)
			if (fabs(o[j] - ref[j]) > 1e-6 + 1e-6 * mag[j])
				fail_msg("bias_grad %ux%u: column %u: got %.9g, reference %.9g", R,
					 C, j, o[j], ref[j]);
		free(o);

		/* bias_add in place. */
		assert_int_equal(loom_k_bias_add(c->s, c->k, X, B, X, R, C), 0);
		o = fetch(c, X, n);
		check_exact("bias_add in place", o, want, n);
		free(o);

		dfree(c, X);
		dfree(c, B);
		dfree(c, O);
		dfree(c, G);
		free(x);
		free(b);
		free(want);
		free(ref);
		free(mag);
	}
}

/* Reference reduction of in [R][C] along rows (axis 1: per row) or columns. */
static void reduce_ref(const float *x, uint32_t R, uint32_t C, int op, int per_row,
		       double *ref, double *mag)
{
	uint32_t nout = per_row ? R : C, len = per_row ? C : R;

	for (uint32_t o = 0; o < nout; o++) {
		double s = 0, m = -INFINITY, a = 0;

		for (uint32_t i = 0; i < len; i++) {
			double v = per_row ? x[(size_t)o * C + i] : x[(size_t)i * C + o];

			s += v;
			a += fabs(v);
			m = v > m ? v : m;
		}
		ref[o] = op == LOOM_K_MAX ? m : op == LOOM_K_MEAN ? s / len : s;
		mag[o] = op == LOOM_K_MEAN ? a / len : a;
	}
}

/* reduce: sum, max, mean over the last and the first axis. */
static void reduce(void **state)
{
	struct ctx *c = *state;
	static const struct shape extra[] = { { 3000, 2 }, { 2, 70001 } };
	static const char *const names[] = { "reduce_rows_sum", "reduce_rows_max",
					      "reduce_rows_mean", "reduce_cols_sum",
					      "reduce_cols_max", "reduce_cols_mean" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		need(names[i]);

	for (size_t t = 0; t < NSHAPES + 2; t++) {
		struct shape sh = t < NSHAPES ? shapes[t] : extra[t - NSHAPES];
		uint32_t R = sh.rows, C = sh.cols;
		size_t n = (size_t)R * C;
		float *x = rand_buf(c, n, -100, 50);
		double *ref = malloc((R > C ? R : C) * 8), *mag = malloc((R > C ? R : C) * 8);
		uint64_t X = dbuf(c, x, n);

		assert_true(ref && mag);
		for (int op = 0; op < 3; op++) {
			for (int per_row = 0; per_row < 2; per_row++) {
				uint32_t nout = per_row ? R : C;
				uint64_t O = dbuf(c, NULL, nout);
				float *o;

				if (per_row)
					assert_int_equal(loom_k_reduce_rows(c->s, c->k, op, X, O,
									    R, C), 0);
				else
					assert_int_equal(loom_k_reduce_cols(c->s, c->k, op, X, O,
									    R, C), 0);
				o = fetch(c, O, nout);
				reduce_ref(x, R, C, op, per_row, ref, mag);
				for (uint32_t j = 0; j < nout; j++) {
					double tol = op == LOOM_K_MAX ? 0 : 1e-6 * mag[j] + 1e-6;

					if (fabs(o[j] - ref[j]) > tol)
						fail_msg("reduce %s op %d %ux%u: %u: got %.9g, "
							 "reference %.9g", per_row ? "rows" : "cols",
							 op, R, C, j, o[j], ref[j]);
				}
				free(o);
				dfree(c, O);
			}
		}
		dfree(c, X);
		free(x);
		free(ref);
		free(mag);
	}
}

/* softmax: softmax, its gradient and log_softmax of rows, with large offsets in some rows. */
static void softmax(void **state)
{
	struct ctx *c = *state;
	need("softmax");
	need("softmax_grad");
	need("log_softmax");


	for (size_t t = 0; t < NSHAPES; t++) {
		uint32_t R = shapes[t].rows, C = shapes[t].cols;
		size_t n = (size_t)R * C;
		float *x = rand_buf(c, n, -20, 20);
		double *ref = malloc(n * 8), *lref = malloc(n * 8);
		uint64_t X, O = dbuf(c, NULL, n);
		float *o;

		assert_true(ref && lref);
		for (uint32_t r = 1; r < R; r += 2)	/* exp would overflow without the max */
			for (uint32_t j = 0; j < C; j++)
				x[(size_t)r * C + j] += 1000.0f * (float)(r % 5) - 2000.0f;
		X = dbuf(c, x, n);
		for (uint32_t r = 0; r < R; r++) {
			const float *row = x + (size_t)r * C;
			double m = -INFINITY, s = 0;

			for (uint32_t j = 0; j < C; j++)
				m = row[j] > m ? row[j] : m;
			for (uint32_t j = 0; j < C; j++)
				s += exp(row[j] - m);
			for (uint32_t j = 0; j < C; j++) {
				ref[(size_t)r * C + j] = exp(row[j] - m) / s;
				lref[(size_t)r * C + j] = row[j] - m - log(s);
			}
		}
		assert_int_equal(loom_k_softmax(c->s, c->k, X, O, R, C), 0);
		o = fetch(c, O, n);
		check("softmax", o, ref, n, 1e-7, 1e-5);
		free(o);

		assert_int_equal(loom_k_log_softmax(c->s, c->k, X, O, R, C), 0);
		o = fetch(c, O, n);
		check("log_softmax", o, lref, n, 1e-5, 1e-6);
		free(o);

		/* In place. */
		assert_int_equal(loom_k_softmax(c->s, c->k, X, X, R, C), 0);
		o = fetch(c, X, n);
		check("softmax in place", o, ref, n, 1e-7, 1e-5);

		/* The gradient from the device's y (now in X), dx into dy. */
		{
			float *dy = rand_buf(c, n, -2, 2);
			double *dref = malloc(n * 8), *dsc = malloc(n * 8);
			uint64_t DY = dbuf(c, dy, n);
			float *g;

			assert_true(dref && dsc);
			for (uint32_t r = 0; r < R; r++) {
				double dot = 0, adot = 0;

				for (uint32_t j = 0; j < C; j++) {
					dot += (double)o[(size_t)r * C + j] * dy[(size_t)r * C + j];
					adot += fabs((double)o[(size_t)r * C + j] * dy[(size_t)r * C + j]);
				}
				for (uint32_t j = 0; j < C; j++) {
					size_t e = (size_t)r * C + j;

					dref[e] = o[e] * (dy[e] - dot);
					dsc[e] = o[e] * (fabs(dy[e]) + adot);
				}
			}
			assert_int_equal(loom_k_softmax_grad(c->s, c->k, X, DY, O, R, C), 0);
			g = fetch(c, O, n);
			check_scaled("softmax_grad", g, dref, dsc, n, 1e-6);
			free(g);
			assert_int_equal(loom_k_softmax_grad(c->s, c->k, X, DY, DY, R, C), 0);
			g = fetch(c, DY, n);
			check_scaled("softmax_grad in place", g, dref, dsc, n, 1e-6);
			free(g);
			dfree(c, DY);
			free(dy);
			free(dref);
			free(dsc);
		}
		free(o);

		dfree(c, X);
		dfree(c, O);
		free(x);
		free(ref);
		free(lref);
	}
}

/* layernorm: forward (saved mean and rstd) and backward (dx, dgamma, dbeta). */
static void layernorm(void **state)
{
	struct ctx *c = *state;
	const float eps = 1e-5f;
	need("layernorm");
	need("layernorm_grad");
	need("layernorm_grad_wb");


	for (size_t t = 0; t < NSHAPES; t++) {
		uint32_t R = shapes[t].rows, C = shapes[t].cols;
		size_t n = (size_t)R * C;
		float *x = rand_buf(c, n, -4, 4), *dy = rand_buf(c, n, -1, 1);
		float *g = rand_buf(c, C, 0.5f, 1.5f), *b = rand_buf(c, C, -1, 1);
		double *ref = malloc(n * 8), *dref = malloc(n * 8), *dsc = malloc(n * 8);
		double *mref = malloc(R * 8), *rref = malloc(R * 8);
		double *dg = calloc(C, 8), *db = calloc(C, 8), *dgm = calloc(C, 8), *dbm = calloc(C, 8);
		uint64_t X, DY = dbuf(c, dy, n), G = dbuf(c, g, C), B = dbuf(c, b, C);
		uint64_t O = dbuf(c, NULL, n), M = dbuf(c, NULL, R), S = dbuf(c, NULL, R);
		uint64_t DX = dbuf(c, NULL, n), DG = dbuf(c, NULL, C), DB = dbuf(c, NULL, C);
		float *o;

		float *sm, *ss;

		assert_true(ref && dref && dsc && mref && rref && dg && db && dgm && dbm);
		for (uint32_t r = 0; r < R; r++)	/* rows with a large mean */
			for (uint32_t j = 0; j < C; j++)
				x[(size_t)r * C + j] += (float)(r % 3) * 100.0f;
		X = dbuf(c, x, n);
		for (uint32_t r = 0; r < R; r++) {
			const float *row = x + (size_t)r * C;
			double m = 0, v = 0, rs;

			for (uint32_t j = 0; j < C; j++)
				m += row[j];
			m /= C;
			for (uint32_t j = 0; j < C; j++)
				v += (row[j] - m) * (row[j] - m);
			rs = 1.0 / sqrt(v / C + eps);
			mref[r] = m;
			rref[r] = rs;
			for (uint32_t j = 0; j < C; j++)
				ref[(size_t)r * C + j] = (row[j] - m) * rs * g[j] + b[j];
		}
		assert_int_equal(loom_k_layernorm(c->s, c->k, X, G, B, O, M, S, R, C, eps), 0);
		o = fetch(c, O, n);
		check("layernorm", o, ref, n, 2e-5, 1e-5);
		free(o);
		o = fetch(c, M, R);
		check("layernorm mean", o, mref, R, 1e-5, 1e-6);
		free(o);
		sm = fetch(c, M, R);
		ss = fetch(c, S, R);
		check("layernorm rstd", ss, rref, R, 0, 1e-5);

		/*
		 * The backward reference starts from the saved fp32 mean and rstd
		 * (what the kernel gets), and dx is checked against the scale of
		 * its terms: g - mean(g) - xhat mean(g xhat) cancels.
		 */
		for (uint32_t r = 0; r < R; r++) {
			const float *row = x + (size_t)r * C, *drow = dy + (size_t)r * C;
			double s1 = 0, s2 = 0, a1 = 0, a2 = 0, rs = ss[r];

			for (uint32_t j = 0; j < C; j++) {
				double xh = (row[j] - (double)sm[r]) * rs, gg = (double)drow[j] * g[j];

				s1 += gg;
				s2 += gg * xh;
				a1 += fabs(gg);
				a2 += fabs(gg * xh);
				dg[j] += drow[j] * xh;
				dgm[j] += fabs(drow[j] * xh);
				db[j] += drow[j];
				dbm[j] += fabs(drow[j]);
			}
			for (uint32_t j = 0; j < C; j++) {
				double xh = (row[j] - (double)sm[r]) * rs, gg = (double)drow[j] * g[j];

				dref[(size_t)r * C + j] = rs * (gg - s1 / C - xh * s2 / C);
				dsc[(size_t)r * C + j] = rs * (fabs(gg) + a1 / C + fabs(xh) * (a2 / C)) +
							 fabs(dref[(size_t)r * C + j]);
			}
		}
		free(sm);
		free(ss);

		/* Without saving mean and rstd, and in place. */
		assert_int_equal(loom_k_layernorm(c->s, c->k, O, G, B, O, 0, 0, R, C, eps), 0);
		assert_int_equal(loom_k_layernorm(c->s, c->k, X, G, B, O, 0, 0, R, C, eps), 0);
		o = fetch(c, O, n);
		check("layernorm unsaved", o, ref, n, 2e-5, 1e-5);
		free(o);

		assert_int_equal(loom_k_layernorm_grad(c->s, c->k, X, DY, G, M, S, DX, DG, DB, R, C),
				 0);
		o = fetch(c, DX, n);
		check_scaled("layernorm_grad dx", o, dref, dsc, n, 1e-5);
		free(o);
		o = fetch(c, DG, C);
		for (uint32_t j = 0; j < C; j++)
			if (fabs(o[j] - dg[j]) > 1e-5 + 1e-5 * dgm[j])
				fail_msg("dgamma %ux%u: %u: got %.9g, reference %.9g", R, C, j, o[j],
					 dg[j]);
		free(o);
		o = fetch(c, DB, C);
		for (uint32_t j = 0; j < C; j++)
			if (fabs(o[j] - db[j]) > 1e-6 + 1e-6 * dbm[j])
				fail_msg("dbeta %ux%u: %u: got %.9g, reference %.9g", R, C, j, o[j],
					 db[j]);
		free(o);

		/* dx into dy, without the weight part. */
		assert_int_equal(loom_k_layernorm_grad(c->s, c->k, X, DY, G, M, S, DY, 0, 0, R, C),
				 0);
		o = fetch(c, DY, n);
		check_scaled("layernorm_grad dx in place", o, dref, dsc, n, 1e-5);
		free(o);

		uint64_t bufs[] = { X, DY, G, B, O, M, S, DX, DG, DB };

		for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
			dfree(c, bufs[i]);
		void *hs[] = { x, dy, g, b, ref, dref, dsc, mref, rref, dg, db, dgm, dbm };

		for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
			free(hs[i]);
	}
}

static uint64_t ibuf(struct ctx *c, const int32_t *v, size_t n)
{
	uint64_t a;

	assert_int_equal(loom_mem_alloc(c->dev, n * 4, 0, &a), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, a, v, n * 4), 0);
	return a;
}

/* xent: per-row loss, its mean, and the gradient, with ignored labels. */
static void xent(void **state)
{
	struct ctx *c = *state;
	need("xent");
	need("xent_grad");
	need("xent_fused");
	need("reduce_rows_mean");


	for (size_t t = 0; t < NSHAPES; t++) {
		uint32_t R = shapes[t].rows, C = shapes[t].cols;
		size_t n = (size_t)R * C;
		float *x = rand_buf(c, n, -8, 8);
		int32_t *lab = malloc(R * 4);
		double *lref = malloc(R * 8), *gref = malloc(n * 8), mean = 0;
		uint64_t X = dbuf(c, x, n), L, LO = dbuf(c, NULL, R), MO = dbuf(c, NULL, 1);
		uint64_t DX = dbuf(c, NULL, n);
		float *o;

		assert_true(lab && lref && gref);
		for (uint32_t r = 0; r < R; r++) {
			lab[r] = (int32_t)((r * 7919u + 3) % C);
			if (R > 2 && r % 5 == 4)
				lab[r] = r % 2 ? -1 : (int32_t)C;	/* ignored */
		}
		L = ibuf(c, lab, R);
		for (uint32_t r = 0; r < R; r++) {
			const float *row = x + (size_t)r * C;
			double m = -INFINITY, s = 0;
			bool ign = lab[r] < 0 || lab[r] >= (int32_t)C;

			for (uint32_t j = 0; j < C; j++)
				m = row[j] > m ? row[j] : m;
			for (uint32_t j = 0; j < C; j++)
				s += exp(row[j] - m);
			lref[r] = ign ? 0 : log(s) + m - row[lab[r]];
			mean += lref[r];
			for (uint32_t j = 0; j < C; j++)
				gref[(size_t)r * C + j] = ign ? 0 :
					(exp(row[j] - m) / s - (j == (uint32_t)lab[r])) / R;
		}
		mean /= R;
		assert_int_equal(loom_k_xent(c->s, c->k, X, L, LO, MO, R, C), 0);
		o = fetch(c, LO, R);
		check("xent loss", o, lref, R, 1e-5, 1e-5);
		free(o);
		o = fetch(c, MO, 1);
		check("xent mean", o, &mean, 1, 1e-5, 1e-5);
		free(o);

		assert_int_equal(loom_k_xent_grad(c->s, c->k, X, L, DX, R, C), 0);
		o = fetch(c, DX, n);
		check("xent_grad", o, gref, n, 1e-7, 1e-5);
		free(o);
		/* Both at once (the mean optional), over poisoned outputs. */
		assert_int_equal(loom_memset32(c->s, LO, 0x7fc00000u, R * 4), 0);
		assert_int_equal(loom_memset32(c->s, MO, 0x7fc00000u, 4), 0);
		assert_int_equal(loom_memset32(c->s, DX, 0x7fc00000u, n * 4), 0);
		assert_int_equal(loom_k_xent_fused(c->s, c->k, X, L, LO, t % 2 ? 0 : MO, DX, R, C),
				 0);
		o = fetch(c, LO, R);
		check("xent_fused loss", o, lref, R, 1e-5, 1e-5);
		free(o);
		o = fetch(c, MO, 1);
		if (t % 2)
			assert_true(isnan(o[0]));	/* no mean asked for */
		else
			check("xent_fused mean", o, &mean, 1, 1e-5, 1e-5);
		free(o);
		o = fetch(c, DX, n);
		check("xent_fused grad", o, gref, n, 1e-7, 1e-5);
		free(o);
		/* Fused, in place over a copy of the logits. */
		uint64_t X2 = dbuf(c, x, n);

		assert_int_equal(loom_k_xent_fused(c->s, c->k, X2, L, LO, 0, X2, R, C), 0);
		o = fetch(c, LO, R);
		check("xent_fused in place loss", o, lref, R, 1e-5, 1e-5);
		free(o);
		o = fetch(c, X2, n);
		check("xent_fused in place grad", o, gref, n, 1e-7, 1e-5);
		free(o);
		dfree(c, X2);
		/* In place over the logits. */
		assert_int_equal(loom_k_xent_grad(c->s, c->k, X, L, X, R, C), 0);
		o = fetch(c, X, n);
		check("xent_grad in place", o, gref, n, 1e-7, 1e-5);
		free(o);

		dfree(c, X);
		dfree(c, L);
		dfree(c, LO);
		dfree(c, MO);
		dfree(c, DX);
		free(x);
		free(lab);
		free(lref);
		free(gref);
	}
}

/* transpose: exact, every shape. */
static void transpose(void **state)
{
	struct ctx *c = *state;
	need("transpose");


	for (size_t t = 0; t < NSHAPES; t++) {
		uint32_t R = shapes[t].rows, C = shapes[t].cols;
		size_t n = (size_t)R * C;
		float *x = rand_buf(c, n, -1, 1), *want = malloc(n * 4), *o;
		uint64_t X = dbuf(c, x, n), O = dbuf(c, NULL, n);

		assert_non_null(want);
		for (uint32_t r = 0; r < R; r++)
			for (uint32_t j = 0; j < C; j++)
				want[(size_t)j * R + r] = x[(size_t)r * C + j];
		assert_int_equal(loom_k_transpose(c->s, c->k, X, O, R, C), 0);
		o = fetch(c, O, n);
		check_exact("transpose", o, want, n);
		free(o);
		dfree(c, X);
		dfree(c, O);
		free(x);
		free(want);
	}
}

/* casts: fp32 -> bf16 (RNE) -> fp32, exact; SKIP without bf16 code generation. */
static void casts(void **state)
{
	struct ctx *c = *state;
	static const uint32_t sizes[] = { 1, 127, 128, 129, 1000 };
	const char *why = NULL;

	if (loom_kernels_status("cast_f32_bf16", &why) ||
	    loom_kernels_status("cast_bf16_f32", &why)) {
		assert_int_equal(loom_k_cast_f32_bf16(c->s, c->k, 4096, 8192, 16), -EOPNOTSUPP);
		print_message("# SKIP casts: %s\n", why ? why : "not built");
		skip();
	}
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		uint32_t n = sizes[t];
		float *x = rand_buf(c, n, -1e3, 1e3), *o;
		uint16_t *h = malloc((n + GUARD) * 2), *exph = malloc(n * 2);
		uint64_t X, H, O = dbuf(c, NULL, n);

		assert_true(h && exph);
		if (n > 4) {
			x[0] = NAN;
			x[1] = INFINITY;
			x[2] = -0.0f;
			x[3] = 1.00390625f;	/* a tie: rounds to even */
		}
		X = dbuf(c, x, n);
		for (uint32_t i = 0; i < n + GUARD; i++)
			h[i] = 0x5555;
		assert_int_equal(loom_mem_alloc(c->dev, (n + GUARD) * 2, 0, &H), 0);
		assert_int_equal(loom_memcpy_h2d(c->s, H, h, (n + GUARD) * 2), 0);
		assert_int_equal(loom_k_cast_f32_bf16(c->s, c->k, X, H, n), 0);
		assert_int_equal(loom_stream_sync(c->s, 60 * SEC), 0);
		assert_int_equal(loom_memcpy_d2h(c->s, h, H, (n + GUARD) * 2), 0);
		assert_int_equal(loom_stream_sync(c->s, 60 * SEC), 0);
		for (uint32_t i = 0; i < n + GUARD; i++) {
			uint16_t e = i < n ? loom_f32_to_bf16(x[i]) : 0x5555;

			if (i < n && isnan(x[i]) ? (h[i] & 0x7fff) <= 0x7f80 : h[i] != e)
				fail_msg("cast_f32_bf16 n %u: %u: got 0x%04x, expected 0x%04x", n,
					 i, h[i], e);
			if (i < n)
				exph[i] = h[i];
		}
		assert_int_equal(loom_k_cast_bf16_f32(c->s, c->k, H, O, n), 0);
		o = fetch(c, O, n);
		for (uint32_t i = 0; i < n; i++) {
			float e = loom_bf16_to_f32(exph[i]);

			if (!(o[i] == e || (isnan(o[i]) && isnan(e))))
				fail_msg("cast_bf16_f32 n %u: %u: got %g, expected %g", n, i, o[i],
					 e);
		}
		free(o);
		dfree(c, X);
		dfree(c, H);
		dfree(c, O);
		free(x);
		free(h);
		free(exph);
	}
}

/* bad-args: every entry point refuses bad arguments with -EINVAL, queues nothing. */
static void bad_args(void **state)
{
	struct ctx *c = *state;
	loom_stream *s = c->s;
	loom_kernels *k = c->k;
	uint64_t A = dbuf(c, NULL, 1024), B = A + 1024, O = A + 2048;
	const char *why = (const char *)1;

	errno = 0;
	assert_null(loom_kernels_open(NULL));
	assert_int_equal(errno, EINVAL);
	loom_kernels_close(NULL);
	assert_int_equal(loom_kernels_status("softmax", &why), 0);
	assert_null(why);
	assert_int_equal(loom_kernels_status("no_such_kernel", NULL), -ENOENT);
	assert_int_equal(loom_kernels_status(NULL, NULL), -ENOENT);

	assert_int_equal(loom_k_add(NULL, k, A, B, O, 16), -EINVAL);
	assert_int_equal(loom_k_add(s, NULL, A, B, O, 16), -EINVAL);
	assert_int_equal(loom_k_add(s, k, A, B, O, 0), -EINVAL);
	assert_int_equal(loom_k_add(s, k, A, B, O, 1u << 31), -EINVAL);
	assert_int_equal(loom_k_add(s, k, 0, B, O, 16), -EINVAL);
	assert_int_equal(loom_k_add(s, k, A, B + 2, O, 16), -EINVAL);
	assert_int_equal(loom_k_mul(s, k, A, B, 0, 16), -EINVAL);
	assert_int_equal(loom_k_axpy(s, k, 1.0f, A, 0, 16), -EINVAL);
	assert_int_equal(loom_k_scale(s, k, 1.0f, A + 1, O, 16), -EINVAL);
	assert_int_equal(loom_k_relu(s, k, A, O, 0), -EINVAL);
	assert_int_equal(loom_k_relu_grad(s, k, A, 0, O, 16), -EINVAL);
	assert_int_equal(loom_k_gelu(NULL, k, A, O, 16), -EINVAL);
	assert_int_equal(loom_k_gelu_grad(s, NULL, A, B, O, 16), -EINVAL);
	assert_int_equal(loom_k_sigmoid(s, k, 0, O, 16), -EINVAL);
	assert_int_equal(loom_k_tanh(s, k, A, 3, 16), -EINVAL);

	assert_int_equal(loom_k_bias_add(s, k, A, B, O, 0, 4), -EINVAL);
	assert_int_equal(loom_k_bias_add(s, k, A, B, O, 4, 0), -EINVAL);
	assert_int_equal(loom_k_bias_add(s, k, A, 0, O, 4, 4), -EINVAL);
	assert_int_equal(loom_k_bias_grad(s, k, A, 0, 4, 4), -EINVAL);
	assert_int_equal(loom_k_bias_grad(s, k, A, O, 1u << 31, 4), -EINVAL);
	assert_int_equal(loom_k_reduce_rows(s, k, 3, A, O, 4, 4), -EINVAL);
	assert_int_equal(loom_k_reduce_rows(s, k, -1, A, O, 4, 4), -EINVAL);
	assert_int_equal(loom_k_reduce_cols(s, k, 7, A, O, 4, 4), -EINVAL);
	assert_int_equal(loom_k_reduce_cols(s, k, LOOM_K_SUM, A, O, 4, 0), -EINVAL);
	assert_int_equal(loom_k_softmax(s, k, A, O, 0, 4), -EINVAL);
	assert_int_equal(loom_k_softmax(s, NULL, A, O, 4, 4), -EINVAL);
	assert_int_equal(loom_k_log_softmax(s, k, A, O + 2, 4, 4), -EINVAL);
	assert_int_equal(loom_k_softmax_grad(s, k, A, 0, O, 4, 4), -EINVAL);
	assert_int_equal(loom_k_softmax_grad(s, k, A, B, O, 4, 0), -EINVAL);

	assert_int_equal(loom_k_layernorm(s, k, A, B, B, O, 0, 0, 4, 4, NAN), -EINVAL);
	assert_int_equal(loom_k_layernorm(s, k, A, B, B, O, 0, 0, 4, 4, -1.0f), -EINVAL);
	assert_int_equal(loom_k_layernorm(s, k, A, B, B, O, 0, 0, 4, 4, INFINITY), -EINVAL);
	assert_int_equal(loom_k_layernorm(s, k, A, B, B, O, O, 0, 4, 4, 1e-5f), -EINVAL);
	assert_int_equal(loom_k_layernorm(s, k, A, 0, B, O, 0, 0, 4, 4, 1e-5f), -EINVAL);
	assert_int_equal(loom_k_layernorm_grad(s, k, A, B, B, O, O, O, O, 0, 4, 4), -EINVAL);
	assert_int_equal(loom_k_layernorm_grad(s, k, A, B, B, 0, O, O, 0, 0, 4, 4), -EINVAL);
	assert_int_equal(loom_k_layernorm_grad(s, k, A, B, B, O, O, O, 0, 0, 0, 4), -EINVAL);

	assert_int_equal(loom_k_xent(s, k, A, 0, O, 0, 4, 4), -EINVAL);
	assert_int_equal(loom_k_xent(s, k, A, B, O, O + 1, 4, 4), -EINVAL);
	assert_int_equal(loom_k_xent(s, k, A, B, O, 0, 4, 0), -EINVAL);
	assert_int_equal(loom_k_xent_grad(s, k, A, B, 0, 4, 4), -EINVAL);
	assert_int_equal(loom_k_xent_grad(NULL, k, A, B, O, 4, 4), -EINVAL);
	assert_int_equal(loom_k_xent_fused(s, k, A, B, O, O + 2, O, 4, 4), -EINVAL);
	assert_int_equal(loom_k_transpose(s, k, A, O, 4, 0), -EINVAL);
	assert_int_equal(loom_k_transpose(s, k, 0, O, 4, 4), -EINVAL);
	if (!loom_kernels_status("cast_f32_bf16", NULL))
		assert_int_equal(loom_k_cast_f32_bf16(s, k, A, O + 1, 16), -EINVAL);
	assert_int_equal(loom_k_cast_f32_bf16(s, k, A, O, 0), -EINVAL);
	assert_int_equal(loom_k_cast_bf16_f32(s, k, A + 1, O, 16), -EINVAL);
	assert_int_equal(loom_k_cast_bf16_f32(NULL, k, A, O, 16), -EINVAL);

	/* A stream of another device. */
	{
		loom_device *d2 = loom_device_open(g_uri, NULL);
		loom_stream *s2 = d2 ? loom_stream_create(d2) : NULL;

		assert_non_null(s2);
		assert_int_equal(loom_k_relu(s2, k, A, O, 16), -EINVAL);
		loom_stream_destroy(s2);
		loom_device_close(d2);
	}

	/* Nothing was queued: the stream is idle and healthy, and still works. */
	assert_int_equal(loom_stream_query(s), 0);
	assert_int_equal(loom_k_relu(s, k, A, O, 16), 0);
	assert_int_equal(loom_stream_sync(s, 60 * SEC), 0);
	dfree(c, A);
}

/* device-error: a kernel over unmapped memory fails its stream, not the library. */
static void device_error(void **state)
{
	struct ctx *c = *state;
	loom_stream *s2 = loom_stream_create(c->dev);
	uint64_t A = dbuf(c, NULL, 256);
	float *o;

	assert_non_null(s2);
	assert_int_equal(loom_k_softmax(s2, c->k, A + (1ULL << 40), A, 2, 100), 0);
	assert_int_equal(loom_stream_sync(s2, 60 * SEC), -EFAULT);
	loom_stream_destroy(s2);
	/* The kernels still work on another stream. */
	assert_int_equal(loom_k_scale(c->s, c->k, 0.0f, A, A, 256), 0);
	o = fetch(c, A, 256);
	for (int i = 0; i < 256; i++)
		assert_true(o[i] == 0.0f);
	free(o);
	dfree(c, A);
}

struct thr {
	struct ctx *c;
	loom_kernels *k;
	int ret;
};

/* One thread's softmax on its own stream; 0 if the result is right. */
static void *thr_run(void *arg)
{
	struct thr *t = arg;
	loom_stream *s = loom_stream_create(t->c->dev);
	uint64_t a = 0, b = 0;
	float x[3 * 100], y[3 * 100];

	t->ret = -1;
	if (!s)
		return NULL;
	for (int i = 0; i < 300; i++)
		x[i] = (float)(i % 10);
	if (!loom_mem_alloc(t->c->dev, sizeof(x), 0, &a) &&
	    !loom_mem_alloc(t->c->dev, sizeof(y), 0, &b) &&
	    !loom_memcpy_h2d(s, a, x, sizeof(x)) &&
	    !loom_k_softmax(s, t->k, a, b, 3, 100) &&
	    !loom_memcpy_d2h(s, y, b, sizeof(y)) && !loom_stream_sync(s, 60 * SEC)) {
		double sum = 0;

		for (int i = 0; i < 100; i++)
			sum += y[100 + i];
		t->ret = fabs(sum - 1.0) < 1e-5 && y[9] > y[8] ? 0 : -2;
	}
	if (a)
		loom_mem_free(t->c->dev, a);
	if (b)
		loom_mem_free(t->c->dev, b);
	loom_stream_destroy(s);
	return NULL;
}

/* threads: four threads share a fresh loom_kernels (first use at once). */
static void threads(void **state)
{
	struct ctx *c = *state;
	loom_kernels *k = loom_kernels_open(c->dev);
	struct thr t[4];
	pthread_t th[4];

	assert_non_null(k);
	for (int i = 0; i < 4; i++) {
		t[i] = (struct thr){ .c = c, .k = k };
		assert_int_equal(pthread_create(&th[i], NULL, thr_run, &t[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(t[i].ret, 0);
	}
	loom_kernels_close(k);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ew_binary), cmocka_unit_test(ew_unary), cmocka_unit_test(bias),
		cmocka_unit_test(reduce), cmocka_unit_test(softmax), cmocka_unit_test(layernorm),
		cmocka_unit_test(xent), cmocka_unit_test(transpose), cmocka_unit_test(casts),
		cmocka_unit_test(bad_args), cmocka_unit_test(device_error),
		cmocka_unit_test(threads),
	};
	const char *which = argc > 1 ? argv[1] : "inproc";
	int ret;

	if (!strcmp(which, "loomd")) {
		if (loom_test_loomd_start(&g_loomd, "512M", NULL))
			return 1;
		snprintf(g_uri, sizeof(g_uri), "%s", g_loomd.uri);
	} else if (!strcmp(which, "kernel")) {	/* loom.ko's device (the QEMU guest's) */
		snprintf(g_uri, sizeof(g_uri), "kernel");
	} else {
		snprintf(g_uri, sizeof(g_uri), "inproc");
	}
	ret = cmocka_run_group_tests_name(which, tests, setup, teardown);
	if (g_loomd.pid)
		loom_test_loomd_stop(&g_loomd);
	return ret;
}
