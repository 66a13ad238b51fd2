// SPDX-License-Identifier: MIT
/*
 * Tests of the TPC interpreter's fast paths, through the fixture of
 * tests/loom_test_tpc.h: each must behave as the instructions run one by
 * one. Vectors moved a page at a time, fused sequences and the guards
 * inside them, whole loops run at once (aliasing, edges, unrolled and
 * loomcc shapes, the registers they leave, the watchdog).
 */
#include "loom_test_tpc.h"

/* Host address of a VA in the scattered pages (mapped in reverse order). */
static void *scat(struct ctx *c, uint64_t va)
{
	return mem(c, SCAT_PA + (31 - (va - SCAT_VA) / 4096) * 4096 + va % 4096);
}

/*
 * tpc-straddle: whole vectors of a tensor without a host pointer cross page
 * boundaries (the page-by-page copy), loads and stores; a store and a load
 * whose second page is not mapped fault at that page, the store having
 * written its first page.
 */
static void test_straddle(void **state)
{
	struct ctx *c = *state;
	const uint32_t n = 3000;
	const uint64_t X = SCAT_VA + 400, Y = DATA_VA, Z = SCAT_VA + 65536 + 800;
	const uint64_t LAST = SCAT_VA + 31 * 4096 + 3968;	/* 128 bytes before the end */
	struct loom_tpc_tensor t[3] = { td1(X, DT(F32), n), td1(Y, DT(F32), n),
					td1(Z, DT(F32), n) };
	struct largs a = { .t = t, .nt = 3, .index = { (n + 63) / 64 } };
	float *y = mem(c, Y);
	struct kern k;
	uint64_t addr;

	for (uint32_t i = 0; i < n + 64; i++) {
		*(float *)scat(c, X + 4ULL * i) = (float)i;
		*(float *)scat(c, Z + 4ULL * i) = -1.0f;
		y[i] = 0.25f;
	}
	queue_setup(&c->tq, 17, ASID);
	k_binary(&k, OP(VADD), DT(F32));
	assert_int_equal(run(c, 17, &k, &a), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_true(*(float *)scat(c, Z + 4ULL * i) == (float)i + 0.25f);
	for (uint32_t i = n; i < n + 64; i++)
		assert_true(*(float *)scat(c, Z + 4ULL * i) == -1.0f);

	/* Store v0 (from y) to 64 floats whose second half is not mapped. */
	t[0] = td1(Y, DT(F32), 64);
	t[1] = td1(LAST, DT(F32), 64);
	a.nt = 2;
	a.index[0] = 1;
	for (uint32_t i = 0; i < 32; i++)
		*(float *)scat(c, LAST + 4ULL * i) = 0.0f;
	k.n = 0;
	K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));
	K(&k, e(OP(STT), DT(F32), 0, 0, 0, 1));
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	assert_int_equal(run(c, 17, &k, &a), LOOM_ERR_PAGE_FAULT);
	assert_true(event_seen(c, LOOM_EVENT_PAGE_FAULT, LOOM_FAULT_NOT_PRESENT, 17, &addr));
	assert_int_equal(addr, SCAT_VA + 32 * 4096);
	for (uint32_t i = 0; i < 32; i++)
		assert_true(*(float *)scat(c, LAST + 4ULL * i) == 0.25f);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_TPC_ERR_VA_LO), CODE_VA + 17 * 0x8000 + 8);
	queue_recover(&c->tq, 17);

	/* The same vector as a load. */
	k.w[0] = e(OP(LDT), DT(F32), 0, 0, 0, 1);
	assert_int_equal(run(c, 17, &k, &a), LOOM_ERR_PAGE_FAULT);
	assert_true(event_seen(c, LOOM_EVENT_PAGE_FAULT, LOOM_FAULT_NOT_PRESENT, 17, &addr));
	assert_int_equal(addr, SCAT_VA + 32 * 4096);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_TPC_ERR_VA_LO), CODE_VA + 17 * 0x8000);
	queue_recover(&c->tq, 17);
}

/*
 * t2 = alpha * t0 + t1, a vector at a time in order, simulated on host
 * memory base (tensors of n floats at byte offsets xo, yo, zo, padding 0).
 */
static void axpy_model(uint8_t *base, uint64_t xo, uint64_t yo, uint64_t zo, uint32_t n,
		       float alpha)
{
	for (uint32_t v = 0; v < (n + 63) / 64; v++) {
		float x[64], y[64];

		for (uint32_t j = 0; j < 64; j++) {
			uint32_t i = v * 64 + j;

			x[j] = i < n ? ((float *)(base + xo))[i] : 0.0f;
			y[j] = i < n ? ((float *)(base + yo))[i] : 0.0f;
		}
		for (uint32_t j = 0; j < 64 && v * 64 + j < n; j++)
			((float *)(base + zo))[v * 64 + j] = fmaf(x[j], alpha, y[j]);
	}
}

/*
 * tpc-loop-alias: axpy's loop with the stored tensor equal to either
 * loaded one (streamed), overlapping one at an offset (vector by vector),
 * and apart: the result is always that of the instructions in order.
 */
static void test_loop_alias(void **state)
{
	static const int64_t zoff[] = { 0, 128, -768, 4 << 20, -(1 << 20) };	/* from y */
	/* Small, and long enough for the streamed loop to read x by pages. */
	static const uint32_t sizes[] = { 5003, 300037 };
	struct ctx *c = *state;
	const uint64_t lo = DATA_VA, span = 16ULL << 20;
	struct loom_tpc_tensor t[3];
	struct largs a = { .t = t, .nt = 3 };
	uint8_t *model = malloc(span);
	struct kern k;
	unsigned top;

	assert_non_null(model);
	a.scalars[0] = fb(0.75f);
	queue_setup(&c->tq, 18, ASID);
	for (unsigned shape = 0; shape < 4; shape++) {
		/* shape & 1: 0 body, iadd, loop; 1 loomcc's iset, body, add, loop */
		const uint32_t n = sizes[shape / 2], nv = (n + 63) / 64;
		const uint64_t X = DATA_VA + (1ULL << 20) + (shape / 2) * 100;
		const uint64_t Y = DATA_VA + (3ULL << 20);

		a.index[0] = a.grain = nv;
		t[0] = td1(X, DT(F32), n);
		t[1] = td1(Y, DT(F32), n);
		k.n = 0;
		k_pre1d(&k);
		K(&k, ea(OP(MOVSR), 0, 3, 0, LOOM_TPC_SR_ARG(0)));
		top = k.n;
		if (shape & 1)
			K(&k, e(OP(ISET), 0, BK(SREG), 0, 1, 2));
		K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));
		K(&k, e(OP(LDT), DT(F32), 0, 1, 0, 1));
		K(&k, e(OP(VFMA), DT(F32), BK(SREG), 1, 0, 3) | LOOM_TPC_ENC_C(1));
		K(&k, e(OP(STT), DT(F32), 0, 1, 0, 2));
		K(&k, shape & 1 ? ei(OP(ADD), DT(I32), 2, 2, 64) : ei(OP(IADD), 0, 0, 1, 64));
		k_loop(&k, 1, top);
		K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
		for (unsigned z = 0; z < sizeof(zoff) / sizeof(zoff[0]) + 1; z++) {
			uint64_t Z = z < sizeof(zoff) / sizeof(zoff[0]) ? Y + zoff[z] : X;

			t[2] = td1(Z, DT(F32), n);
			for (uint64_t i = 0; i < span / 4; i++)
				((float *)mem(c, lo))[i] = frand(-4, 4);
			memcpy(model, mem(c, lo), span);
			axpy_model(model, X - lo, Y - lo, Z - lo, n, 0.75f);
			assert_int_equal(run(c, 18, &k, &a), 0);
			assert_memory_equal(mem(c, lo), model, span);
		}
	}
	free(model);
}

/*
 * Kernel: axpy as loomcc unrolls it by 4 (mul, iset from the product, ldt,
 * ldt, vfma, stt, add, four times, loop), then a remainder loop of one
 * copy; over one work item of np >= 4 points, np % 4 != 0; t2 gets s1,
 * s6 and i2.0 after the loops.
 */
static void k_axpy_unrolled(struct kern *k)
{
	unsigned top;

	k->n = 0;
	K(k, ea(OP(MOVSR), 0, 0, 0, LOOM_TPC_SR_ARG(0)));
	K(k, e(OP(IDXOFF), 0, 0, 0, 0, 0));
	K(k, e(OP(IGET), 0, 0, 1, 0, 0));			/* s1 = first point */
	K(k, ea(OP(MOVSR), 0, 5, 0, LOOM_TPC_SR_SIZE(0)));
	K(k, ei(OP(AND), DT(U32), 7, 5, 3));			/* s7 = points % 4 */
	K(k, ei(OP(SHR), DT(U32), 5, 5, 2));			/* s5 = points / 4 */
	K(k, ei(OP(ISET), 0, 2, 0x1f, 0));
	for (unsigned l = 0; l < 2; l++) {
		top = k->n;
		for (unsigned c = 0; c < (l ? 1 : 4); c++) {
			K(k, ei(OP(MUL), DT(I32), 6, 1, 64));
			K(k, e(OP(ISET), 0, BK(SREG), 2, 1, 6));
			K(k, e(OP(LDT), DT(F32), 0, 0, 2, 0));
			K(k, e(OP(LDT), DT(F32), 0, 1, 2, 1));
			K(k, e(OP(VFMA), DT(F32), BK(SREG), 2, 0, 0) | LOOM_TPC_ENC_C(1));
			K(k, e(OP(STT), DT(F32), 0, 2, 2, 2));
			K(k, ei(OP(ADD), DT(I32), 1, 1, 1));
		}
		k_loop(k, l ? 7 : 5, top);
	}
	K(k, e(OP(IGET), 0, 0, 8, 2, 0));
	K(k, ei(OP(ISET), 0, 3, 0x1f, 0));
	K(k, e(OP(STTS), DT(I32), 0, 1, 3, 3));
	K(k, ei(OP(ISET), 0, 3, 1, 1));
	K(k, e(OP(STTS), DT(I32), 0, 6, 3, 3));
	K(k, ei(OP(ISET), 0, 3, 1, 2));
	K(k, e(OP(STTS), DT(I32), 0, 8, 3, 3));
	K(k, e(OP(HALT), 0, 0, 0, 0, 0));
}

/*
 * tpc-unrolled-axpy: k_axpy_unrolled's loop runs whole (copies over
 * consecutive vectors, streamed when the store is in place or apart),
 * with the same memory and registers as the instructions one by one.
 */
static void test_unrolled_axpy(void **state)
{
	static const int64_t zoff[] = { 0, 128, -768, 4 << 20 };	/* from y */
	struct ctx *c = *state;
	const uint32_t np = 103, n = np * 64 - 17;
	const uint64_t X = DATA_VA + (1ULL << 20), Y = DATA_VA + (2ULL << 20);
	const uint64_t lo = DATA_VA, span = 8ULL << 20, R = DATA_VA + (9ULL << 20);
	struct loom_tpc_tensor t[4] = { td1(X, DT(F32), n), td1(Y, DT(F32), n),
					td1(Y, DT(F32), n), td1(R, DT(I32), 3) };
	struct largs a = { .t = t, .nt = 4, .index = { np }, .grain = np };
	uint8_t *model = malloc(span);
	int32_t *r = mem(c, R);
	struct kern k;

	assert_non_null(model);
	a.scalars[0] = fb(-1.25f);
	k_axpy_unrolled(&k);
	queue_setup(&c->tq, 22, ASID);
	for (unsigned z = 0; z < sizeof(zoff) / sizeof(zoff[0]); z++) {
		uint64_t Z = Y + zoff[z];

		t[2] = td1(Z, DT(F32), n);
		for (uint64_t i = 0; i < span / 4; i++)
			((float *)mem(c, lo))[i] = frand(-4, 4);
		memcpy(model, mem(c, lo), span);
		axpy_model(model, X - lo, Y - lo, Z - lo, n, -1.25f);
		memset(r, 0, 12);
		assert_int_equal(run(c, 22, &k, &a), 0);
		assert_memory_equal(mem(c, lo), model, span);
		assert_int_equal(r[0], np);
		assert_int_equal(r[1], (np - 1) * 64);
		assert_int_equal(r[2], (np - 1) * 64);
	}
	free(model);
}

/*
 * tpc-fused-guards: guarded instructions inside what would be a fused
 * sequence or a whole loop are honoured: a lane-guarded vfma (both ways),
 * a store under an empty lane mask, an iadd under a true predicate.
 */
static void test_fused_guards(void **state)
{
	struct ctx *c = *state;
	const uint32_t n = 1000;
	const uint64_t X = DATA_VA, Y = DATA_VA + (1ULL << 20);
	struct loom_tpc_tensor t[2] = { td1(X, DT(F32), n), td1(Y, DT(F32), n) };
	struct largs a = { .t = t, .nt = 2, .index = { (n + 63) / 64 } };
	float *x = mem(c, X), *y = mem(c, Y), *y0 = malloc(n * sizeof(float));
	struct kern k;
	unsigned top, fma, st, ia;

	assert_non_null(y0);
	a.scalars[0] = fb(1.5f);
	k.n = 0;
	k_pre1d(&k);
	K(&k, ea(OP(MOVSR), 0, 3, 0, LOOM_TPC_SR_ARG(0)));
	K(&k, e(OP(VIOTA), DT(I32), 0, 5, 0, 0));
	K(&k, ei(OP(VCMPLT), DT(I32), 1, 5, 20));		/* vp1: lanes 0..19 */
	top = K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));
	K(&k, e(OP(LDT), DT(F32), 0, 1, 0, 1));
	fma = K(&k, e(OP(VFMA), DT(F32), BK(SREG), 1, 0, 3) | LOOM_TPC_ENC_C(1));
	st = K(&k, e(OP(STT), DT(F32), 0, 1, 0, 1));
	ia = K(&k, ei(OP(IADD), 0, 0, 1, 64));
	k_loop(&k, 1, top);
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 19, ASID);

	for (unsigned v = 0; v < 4; v++) {
		for (uint32_t i = 0; i < n; i++) {
			x[i] = frand(-2, 2);
			y[i] = y0[i] = frand(-2, 2);
		}
		k.w[fma] = e(OP(VFMA), DT(F32), BK(SREG), 1, 0, 3) | LOOM_TPC_ENC_C(1);
		k.w[st] = e(OP(STT), DT(F32), 0, 1, 0, 1);
		k.w[ia] = ei(OP(IADD), 0, 0, 1, 64);
		if (v == 0)
			k.w[fma] = guard(k.w[fma], 1, 0);	/* @vp1 */
		else if (v == 1)
			k.w[st] = guard(k.w[st], 2, 0);		/* @vp2: no lane */
		else if (v == 2)
			k.w[ia] = guard(k.w[ia], 1, 1);		/* @!p1 */
		else
			k.w[fma] = guard(k.w[fma], 1, 1);	/* @!vp1: lanes 20..63 */
		assert_int_equal(run(c, 19, &k, &a), 0);
		for (uint32_t i = 0; i < n; i++) {
			bool on = v == 2 || (v == 0 && i % 64 < 20) || (v == 3 && i % 64 >= 20);

			assert_true(y[i] == (on ? fmaf(x[i], 1.5f, y0[i]) : y0[i]));
		}
	}
	free(y0);
}

/*
 * tpc-loop-watchdog: a counted loop whose accesses stay in bounds forever
 * (step 0, a counter of 2^32) is stopped by the watchdog at its loop
 * instruction, as the same loop one instruction at a time would be.
 */
static void test_loop_watchdog(void **state)
{
	struct ctx *c = *state;
	struct loom_tpc_tensor t[1] = { td1(DATA_VA, DT(F32), 64) };
	struct largs a = { .t = t, .nt = 1, .index = { 1 }, .timeout_ms = 200 };
	struct kern k = { .n = 0 };
	unsigned top, lp;
	uint64_t t0;

	K(&k, ei(OP(MOV), DT(I32), 1, 0, 0));
	K(&k, ei(OP(ISET), 0, 0, 0x1f, 0));
	top = K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));
	K(&k, ei(OP(VMUL), DT(F32), 0, 0, fb(0.5f)));
	K(&k, e(OP(STT), DT(F32), 0, 0, 0, 0));
	K(&k, ei(OP(IADD), 0, 0, 1, 0));
	lp = k.n;
	k_loop(&k, 1, top);
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 20, ASID);
	t0 = loom_now_ns();
	assert_int_equal(run(c, 20, &k, &a), LOOM_ERR_TPC_TIMEOUT);
	assert_true(loom_now_ns() - t0 >= 200000000ULL);
	assert_true(loom_now_ns() - t0 < 3000000000ULL);
	assert_true(event_seen(c, LOOM_EVENT_QUEUE_ERROR, LOOM_ERR_TPC_TIMEOUT, 20, NULL));
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_TPC_ERR_VA_LO),
			 CODE_VA + 20 * 0x8000 + 8 * lp);
	queue_recover(&c->tq, 20);
}

/*
 * Kernel for test_while_loop: out = 3 * in over rows, with the loop in one
 * of loomcc's shapes: 0 (cmplt, @!p br out, iset, body, add, br), 1 (iset,
 * body, add, loop over a trip count), 2 (the same unrolled twice); then
 * r[row] = the last vector, and s2, p1 (as 0/1) and i2.0 in lanes 64..66.
 */
static void k_rows(struct kern *k, unsigned shape)
{
	const bool while_shape = shape == 0;
	unsigned row, top, brout = 0;

	k->n = 0;
	K(k, e(OP(IDXOFF), 0, 0, 0, 0, 0));
	K(k, ea(OP(MOVSR), 0, 1, 0, LOOM_TPC_SR_SIZE(0)));
	K(k, e(OP(TSIZE), 0, 0, 0, 0, 0));			/* s0 = cols */
	K(k, e(OP(IGET), 0, 0, 6, 0, 0));			/* s6 = first row */
	K(k, ei(OP(MOV), DT(F32), 5, 0, fb(3.0f)));
	K(k, ei(OP(ISET), 0, 2, 0x1f, 0));
	row = K(k, e(OP(ISET), 0, BK(SREG), 2, 2, 6));		/* i2.1 = row */
	K(k, ei(OP(MOV), DT(I32), 2, 0, 0));
	if (while_shape) {
		top = K(k, e(OP(CMPLT), DT(I32), BK(REG), 1, 2, 0));
		brout = K(k, 0);
	} else {
		K(k, ei(OP(ADD), DT(I32), 4, 0, 64 * shape - 1));
		K(k, ei(OP(SHR), DT(U32), 4, 4, 5 + shape));	/* s4 = trips per row */
		top = k->n;
	}
	for (unsigned u = 0; u < (shape == 2 ? 2 : 1); u++) {
		K(k, e(OP(ISET), 0, BK(SREG), 2, 1, 2));	/* i2.0 = s2 */
		K(k, e(OP(LDT), DT(F32), 0, 1, 2, 0));
		K(k, e(OP(VMUL), DT(F32), BK(SREG), 1, 1, 5));
		K(k, e(OP(STT), DT(F32), 0, 1, 2, 1));
		K(k, ei(OP(ADD), DT(I32), 2, 2, 64));
	}
	if (while_shape) {
		K(k, ea(OP(BR), 0, 0, 0, (uint32_t)((int32_t)top - (int32_t)k->n)));
		k->w[brout] = guard(ea(OP(BR), 0, 0, 0, k->n - brout), 1, 1);
	} else {
		k_loop(k, 4, top);
	}
	K(k, e(OP(IGET), 0, 0, 8, 2, 0));
	K(k, ei(OP(ISET), 0, 2, 1, 0));
	K(k, e(OP(STT), DT(F32), 0, 1, 2, 2));
	K(k, ei(OP(ISET), 0, 2, 1, 64));
	K(k, e(OP(STTS), DT(I32), 0, 2, 2, 2));
	K(k, ei(OP(MOV), DT(I32), 7, 0, 0));
	K(k, guard(ei(OP(MOV), DT(I32), 7, 0, 1), 1, 0));	/* @p1 s7 = 1 */
	K(k, ei(OP(ISET), 0, 2, 1, 65));
	K(k, e(OP(STTS), DT(I32), 0, 7, 2, 2));
	K(k, ei(OP(ISET), 0, 2, 1, 66));
	K(k, e(OP(STTS), DT(I32), 0, 8, 2, 2));
	K(k, ei(OP(ADD), DT(I32), 6, 6, 1));
	k_loop(k, 1, row);
	K(k, e(OP(HALT), 0, 0, 0, 0, 0));
}

/*
 * tpc-while-loop: the loop shapes loomcc generates (k_rows), plain and
 * unrolled, over rows of odd and whole width: results, the padded last
 * vector, and the registers the loop leaves behind (counter, predicate,
 * index).
 */
static void test_while_loop(void **state)
{
	static const uint32_t widths[] = { 1000, 1024 };
	struct ctx *c = *state;
	const uint32_t rows = 5, ld = 1024;
	const uint64_t I = DATA_VA, O = DATA_VA + (1ULL << 20), R = DATA_VA + (2ULL << 20);
	struct loom_tpc_tensor t[3];
	struct largs a = { .t = t, .nt = 3, .index = { rows }, .grain = 2 };
	float *in = mem(c, I), *out = mem(c, O), *r = mem(c, R);
	struct kern k;

	queue_setup(&c->tq, 21, ASID);
	for (unsigned v = 0; v < 6; v++) {
		/* (widths are such that the unrolled shape ends at the same vector) */
		const uint32_t cols = widths[v % 2], last = (cols + 63) / 64 * 64 - 64;

		k_rows(&k, v / 2);
		t[0] = td2(I, DT(F32), cols, rows, ld);
		t[1] = td2(O, DT(F32), cols, rows, ld);
		t[2] = td2(R, DT(F32), 64 + 3, rows, 128);
		t[0].pad = fb(7.0f);
		for (uint32_t i = 0; i < rows * ld; i++) {
			in[i] = frand(-8, 8);
			out[i] = -1.0f;
		}
		memset(r, 0, rows * 128 * 4);
		assert_int_equal(run(c, 21, &k, &a), 0);
		for (uint32_t y = 0; y < rows; y++) {
			for (uint32_t i = 0; i < ld; i++)
				assert_true(out[y * ld + i] ==
					    (i < cols ? in[y * ld + i] * 3.0f : -1.0f));
			for (uint32_t j = 0; j < 64; j++) {
				uint32_t x = last + j;

				assert_true(r[y * 128 + j] ==
					    (x < cols ? in[y * ld + x] : 7.0f) * 3.0f);
			}
			/* stts.i32 into an f32 tensor converts */
			assert_true(r[y * 128 + 64] == (float)(last + 64));
			assert_true(r[y * 128 + 65] == 0.0f);
			assert_true(r[y * 128 + 66] == (float)last);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_straddle),
		cmocka_unit_test(test_loop_alias),
		cmocka_unit_test(test_fused_guards),
		cmocka_unit_test(test_loop_watchdog),
		cmocka_unit_test(test_while_loop),
		cmocka_unit_test(test_unrolled_axpy),
	};

	return cmocka_run_group_tests_name("tpc-fast", tests, tpc_setup, tpc_teardown);
}
