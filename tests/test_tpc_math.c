// SPDX-License-Identifier: MIT
/*
 * Tests of the TPC cores' vector arithmetic beyond the elementwise ops
 * (test_tpc has those), with kernels encoded and launched through the
 * fixture of tests/loom_test_tpc.h: row reductions over padding,
 * predicates and select, conversions with each rounding mode, and the
 * special functions within their documented accuracy against libm.
 */
#include "loom_test_tpc.h"

/* ---- reductions, predicates ------------------------------------------------------ */

/*
 * tpc-reduce: row sums and maxima of a rows x cols matrix (cols odd); one
 * index point per row; the tail of each row reads the padding (0 for the
 * sum, -inf for the max through a second descriptor of the same memory).
 */
static void test_reduce(void **state)
{
	struct ctx *c = *state;
	const uint32_t rows = 37, cols = 301, ld = 320;
	const uint64_t M = DATA_VA, S = DATA_VA + (1ULL << 20), X = DATA_VA + (2ULL << 20);
	struct loom_tpc_tensor t[4] = {
		td2(M, DT(F32), cols, rows, ld), td1(S, DT(F32), rows),
		td2(M, DT(F32), cols, rows, ld), td1(X, DT(F32), rows),
	};
	struct largs a = { .t = t, .nt = 4, .index = { rows }, .grain = 5 };
	float *m = mem(c, M), *s = mem(c, S), *x = mem(c, X);
	struct kern k = { .n = 0 };
	unsigned top, row;

	t[2].pad = fb(-INFINITY);
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t i = 0; i < ld; i++)
			m[r * ld + i] = i < cols ? frand(-1, 1) : 1000.0f;	/* beyond cols: never read */
	/* s1 = rows of the item, i1 = (0, first row) */
	K(&k, ea(OP(MOVSR), 0, 1, 0, LOOM_TPC_SR_SIZE(0)));
	K(&k, ea(OP(MOVSR), 0, 2, 0, LOOM_TPC_SR_OFF(0)));
	K(&k, ei(OP(ISET), 0, 1, 0x1f, 0));
	K(&k, e(OP(ISET), 0, BK(SREG), 1, 2, 2));		/* i1.1 = row */
	row = K(&k, ei(OP(MOV), DT(I32), 3, 0, (cols + 63) / 64));	/* s3 = vectors per row */
	K(&k, ei(OP(ISET), 0, 1, 1, 0));			/* i1.0 = 0 */
	K(&k, ei(OP(VMOV), DT(F32), 4, 0, 0));			/* v4 = 0 (sum) */
	K(&k, ei(OP(VMOV), DT(F32), 5, 0, fb(-INFINITY)));	/* v5 = -inf (max) */
	top = K(&k, e(OP(LDT), DT(F32), 0, 0, 1, 0));
	K(&k, e(OP(LDT), DT(F32), 0, 1, 1, 2));
	K(&k, e(OP(VADD), DT(F32), BK(REG), 4, 4, 0));
	K(&k, e(OP(VMAX), DT(F32), BK(REG), 5, 5, 1));
	K(&k, ei(OP(IADD), 0, 1, 1, 64));
	k_loop(&k, 3, top);
	K(&k, e(OP(VREDSUM), DT(F32), 0, 6, 4, 0));
	K(&k, e(OP(VREDMAX), DT(F32), 0, 7, 5, 0));
	K(&k, ei(OP(VEXT), DT(F32), 10, 6, 0));
	K(&k, ei(OP(VEXT), DT(F32), 11, 7, 5));
	K(&k, e(OP(IGET), 0, 0, 12, 1, 1));			/* s12 = row */
	K(&k, e(OP(ISET), 0, BK(SREG), 2, 1, 12));		/* i2.0 = row */
	K(&k, e(OP(STTS), DT(F32), 0, 10, 2, 1));
	K(&k, e(OP(STTS), DT(F32), 0, 11, 2, 3));
	K(&k, ei(OP(IADD), 0, 1, 2, 1));			/* next row */
	k_loop(&k, 1, row);
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 3, ASID);
	assert_int_equal(run(c, 3, &k, &a), 0);
	for (uint32_t r = 0; r < rows; r++) {
		double sum = 0;
		float mx = -INFINITY;

		for (uint32_t i = 0; i < cols; i++) {
			sum += m[r * ld + i];
			mx = fmaxf(mx, m[r * ld + i]);
		}
		assert_true(fabs(s[r] - sum) < 1e-4);
		assert_true(x[r] == mx);
	}
}

/*
 * tpc-predicates: leaky ReLU by compare + select, a lane-guarded add, a
 * negated guard, vpany/vpall and a scalar guard on a branch.
 */
static void test_predicates(void **state)
{
	struct ctx *c = *state;
	const uint32_t n = 200;
	const uint64_t X = DATA_VA, Y = DATA_VA + (1ULL << 20), Z = DATA_VA + (2ULL << 20),
		       F = DATA_VA + (3ULL << 20);
	struct loom_tpc_tensor t[4] = { td1(X, DT(F32), n), td1(Y, DT(F32), n),
					td1(Z, DT(F32), n), td1(F, DT(I32), 4) };
	struct largs a = { .t = t, .nt = 4, .index = { 1 } };
	float *x = mem(c, X), *y = mem(c, Y), *z = mem(c, Z);
	int32_t *flags = mem(c, F);
	struct kern k = { .n = 0 };
	unsigned top, skip;

	for (uint32_t i = 0; i < n; i++)
		x[i] = (i % 3 == 0) ? -(float)i : (float)i;
	flags[0] = flags[1] = flags[2] = flags[3] = -1;
	K(&k, ei(OP(MOV), DT(I32), 1, 0, (n + 63) / 64));
	top = K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));
	K(&k, ei(OP(VCMPGT), DT(F32), 1, 0, fb(0.0f)));		/* vp1 = x > 0 */
	K(&k, ei(OP(VMUL), DT(F32), 1, 0, fb(0.125f)));		/* v1 = x / 8 */
	K(&k, e(OP(VSEL), DT(F32), BK(REG), 2, 0, 1) | LOOM_TPC_ENC_CP(1, 0));
	K(&k, e(OP(STT), DT(F32), 0, 2, 0, 1));
	/* z = x where x > 0, else 5 (guarded add over a preset vector) */
	K(&k, ei(OP(VMOV), DT(F32), 3, 0, fb(5.0f)));
	K(&k, guard(e(OP(VMOV), DT(F32), BK(REG), 3, 0, 0), 1, 0));
	K(&k, guard(ei(OP(VADD), DT(F32), 3, 3, fb(0.5f)), 1, 1));	/* @!vp1 += 0.5 */
	K(&k, e(OP(STT), DT(F32), 0, 3, 0, 2));
	K(&k, ei(OP(IADD), 0, 0, 1, 64));
	k_loop(&k, 1, top);
	/* vpany/vpall on the last compare, and a guarded branch */
	K(&k, e(OP(VPANY), DT(F32), 0, 2, 1, 0));
	K(&k, e(OP(VPALL), DT(F32), 0, 3, 1, 0));
	K(&k, e(OP(ISET), 0, BK(IMM), 4, 1, 0));
	K(&k, guard(ei(OP(MOV), DT(I32), 5, 0, 11), 2, 0));
	K(&k, guard(ei(OP(MOV), DT(I32), 5, 0, 22), 2, 1));
	K(&k, e(OP(STTS), DT(I32), 0, 5, 4, 3));
	K(&k, ei(OP(ISET), 0, 4, 1, 1));
	K(&k, ei(OP(MOV), DT(I32), 5, 0, 33));
	K(&k, guard(ea(OP(BR), 0, 0, 0, 2), 3, 1));		/* @!p3 br over the next */
	K(&k, ei(OP(MOV), DT(I32), 5, 0, 44));
	skip = K(&k, e(OP(STTS), DT(I32), 0, 5, 4, 3));
	(void)skip;
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 4, ASID);
	assert_int_equal(run(c, 4, &k, &a), 0);
	for (uint32_t i = 0; i < n; i++) {
		float want = x[i] > 0 ? x[i] : x[i] * 0.125f;

		assert_true(y[i] == want);
		assert_true(z[i] == (x[i] > 0 ? x[i] : 5.5f));
	}
	/* The last vector covers 192..255: lanes 0..7 valid, pads read 0: some true, not all. */
	assert_int_equal(flags[0], 11);
	assert_int_equal(flags[1], 33);
}

/* ---- conversions and special functions ------------------------------------------ */

/* tpc-convert: f32 <-> i32 with each rounding, f32 -> bf16 halves, bf16 -> f32. */
static void test_convert(void **state)
{
	static const float in[] = { 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.7f, 2.7f, 1e10f,
				    -1e10f, NAN, 3.0f, -0.0f };
	struct ctx *c = *state;
	const unsigned n = sizeof(in) / sizeof(in[0]);
	const uint64_t X = DATA_VA, O = DATA_VA + (1ULL << 20), H = DATA_VA + (2ULL << 20),
		       W = DATA_VA + (3ULL << 20);
	struct loom_tpc_tensor t[4] = { td1(X, DT(F32), 64), td2(O, DT(I32), 64, 5, 64),
					td1(H, DT(BF16), 128), td1(W, DT(F32), 128) };
	struct largs a = { .t = t, .nt = 4, .index = { 1 } };
	float *x = mem(c, X), *w = mem(c, W);
	int32_t *o = mem(c, O);
	uint16_t *h = mem(c, H);
	struct kern k = { .n = 0 };

	for (unsigned i = 0; i < 64; i++)
		x[i] = i < n ? in[i] : (float)i * 1.25f;
	K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));			/* v0 = x */
	for (unsigned r = 0; r < 4; r++) {
		K(&k, e(OP(VCVT), DT(I32), 0, 1, 0, 0) | LOOM_TPC_ENC_CVT(DT(F32), r, 0));
		K(&k, ei(OP(ISET), 0, 1, 2, r));
		K(&k, e(OP(STT), DT(I32), 0, 1, 1, 1));
	}
	K(&k, e(OP(VCVT), DT(F32), 0, 2, 1, 0) | LOOM_TPC_ENC_CVT(DT(I32), 0, 0));
	K(&k, e(OP(VCVT), DT(I32), 0, 2, 2, 0) | LOOM_TPC_ENC_CVT(DT(F32), 0, 0));
	K(&k, ei(OP(ISET), 0, 1, 2, 4));
	K(&k, e(OP(STT), DT(I32), 0, 2, 1, 1));
	/* bf16: lo half = x, hi half = x * 2 (toward zero), then widen both. */
	K(&k, e(OP(VCVT), DT(BF16), 0, 3, 0, 0) | LOOM_TPC_ENC_CVT(DT(F32), 0, 0));
	K(&k, ei(OP(VMUL), DT(F32), 4, 0, fb(2.0f)));
	K(&k, e(OP(VCVT), DT(BF16), 0, 3, 4, 0) | LOOM_TPC_ENC_CVT(DT(F32), LOOM_TPC_RND_RZ, 1));
	K(&k, e(OP(STT), DT(BF16), 0, 3, 0, 2));
	K(&k, e(OP(VCVT), DT(F32), 0, 5, 3, 0) | LOOM_TPC_ENC_CVT(DT(BF16), 0, 1));
	K(&k, ei(OP(ISET), 0, 6, 1, 64));
	K(&k, e(OP(STT), DT(F32), 0, 5, 6, 3));
	K(&k, e(OP(VCVT), DT(F32), 0, 5, 3, 0) | LOOM_TPC_ENC_CVT(DT(BF16), 0, 0));
	K(&k, e(OP(STT), DT(F32), 0, 5, 0, 3));
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 5, ASID);
	assert_int_equal(run(c, 5, &k, &a), 0);
	for (unsigned i = 0; i < 64; i++) {
		float v = x[i];
		float r[4] = { rintf(v), truncf(v), floorf(v), ceilf(v) };
		uint32_t u;

		for (unsigned m = 0; m < 4; m++) {
			int32_t want = isnan(v) ? 0 : r[m] >= 2147483648.0f ? INT32_MAX :
				       r[m] < -2147483648.0f ? INT32_MIN : (int32_t)r[m];

			assert_int_equal(o[m * 64 + i], want);
		}
		assert_int_equal(o[4 * 64 + i], o[3 * 64 + i]);	/* RU, to f32 and back */
		assert_int_equal(h[i], loom_mme_f32_to_bf16(v));
		memcpy(&u, &(float){ v * 2.0f }, 4);
		if (!isnan(v))
			assert_int_equal(h[64 + i], u >> 16);
		assert_true(isnan(v) ? isnan(w[i]) : w[i] == loom_mme_bf16_to_f32(h[i]));
		assert_true(isnan(v) ? isnan(w[64 + i]) : w[64 + i] == loom_mme_bf16_to_f32(h[64 + i]));
	}
}

/* Distance in ulps between f and the double reference r, rounded to float. */
static double ulps(float f, double r)
{
	float rf = (float)r;
	double ulp;

	if (isnan(r))
		return isnan(f) ? 0 : 1e9;
	if (isinf(rf) || isinf(f))
		return f == rf ? 0 : 1e9;
	ulp = nextafterf(fabsf(rf), INFINITY) - fabsf(rf);
	if (ulp == 0 || !isfinite(ulp))
		ulp = 1e-45;
	return fabs((double)f - r) / ulp;
}

/* tpc-special: exp, log, rsqrt, rcp, sqrt, tanh, sigmoid in fp32 against libm in double. */
static void test_special(void **state)
{
	static const struct {
		unsigned op;
		double (*ref)(double);
		float lo, hi;
		double max_ulp;
	} fn[] = {
		{ OP(VEXP), exp, -87.0f, 88.0f, 4 },
		{ OP(VLOG), log, 1e-30f, 1e30f, 4 },
		{ OP(VRSQRT), NULL, 1e-20f, 1e20f, 4 },
		{ OP(VRCP), NULL, -1e10f, 1e10f, 0.5 },
		{ OP(VSQRT), sqrt, 0.0f, 1e30f, 0.5 },
		{ OP(VTANH), tanh, -10.0f, 10.0f, 4 },
		{ OP(VSIGMOID), NULL, -30.0f, 30.0f, 4 },
	};
	struct ctx *c = *state;
	const uint32_t n = 4096;
	const uint64_t X = DATA_VA, Y = DATA_VA + (1ULL << 20);
	struct loom_tpc_tensor t[2] = { td1(X, DT(F32), n), td1(Y, DT(F32), n) };
	struct largs a = { .t = t, .nt = 2, .index = { n / 64 } };
	float *x = mem(c, X), *y = mem(c, Y);
	struct kern k;
	unsigned top;

	queue_setup(&c->tq, 6, ASID);
	for (unsigned f = 0; f < sizeof(fn) / sizeof(fn[0]); f++) {
		double worst = 0;

		for (uint32_t i = 0; i < n; i++)
			x[i] = fn[f].lo + (fn[f].hi - fn[f].lo) * (float)i / n;
		if (fn[f].op == OP(VLOG) || fn[f].op == OP(VRSQRT))
			for (uint32_t i = 0; i < n; i++)	/* log-spaced */
				x[i] = fn[f].lo * powf(fn[f].hi / fn[f].lo, (float)i / n);
		k.n = 0;
		k_pre1d(&k);
		top = K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));
		K(&k, e(fn[f].op, DT(F32), 0, 1, 0, 0));
		K(&k, e(OP(STT), DT(F32), 0, 1, 0, 1));
		K(&k, ei(OP(IADD), 0, 0, 1, 64));
		k_loop(&k, 1, top);
		K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
		assert_int_equal(run(c, 6, &k, &a), 0);
		for (uint32_t i = 0; i < n; i++) {
			double r, xi = x[i];

			if (fn[f].op == OP(VRSQRT))
				r = 1.0 / sqrt(xi);
			else if (fn[f].op == OP(VRCP))
				r = 1.0 / xi;
			else if (fn[f].op == OP(VSIGMOID))
				r = 1.0 / (1.0 + exp(-xi));
			else
				r = fn[f].ref(xi);
			if (ulps(y[i], r) > worst)
				worst = ulps(y[i], r);
		}
		assert_true(worst <= fn[f].max_ulp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reduce),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_special),
	};

	return cmocka_run_group_tests_name("tpc-math", tests, tpc_setup, tpc_teardown);
}
