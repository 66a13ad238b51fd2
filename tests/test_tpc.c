// SPDX-License-Identifier: MIT
/*
 * Tests of the TPC cores (device/loom_tpc*.c), driven through queues and
 * TPC_LAUNCH packets the way a driver drives them. Kernels are encoded
 * with the hw/loom_tpc.h macros (not with the assembler, which has its
 * own tests), run on the device, and their results checked against C
 * references: elementwise arithmetic at odd sizes, scattered and strided
 * tensors, fused multiply-add, bf16, tensor edges (padding, dropped and
 * strict stores), local memory, loops, the index-space split across
 * cores and the code cache. The fixture (device, page table, queues,
 * kernel encoding, launches) is tests/loom_test_tpc.h; the other TPC
 * programs use it too: test_tpc_math (reductions, predicates,
 * conversions, special functions), test_tpc_faults (bad kernels that
 * must fail with the right error and event within a bounded time while
 * the device keeps serving) and test_tpc_fast (the interpreter's fast
 * paths behave as the instructions one by one).
 */
#include "loom_test_tpc.h"

/* ---- elementwise ---------------------------------------------------------------- */

/* tpc-add: fp32 and int32 add/mul over odd sizes; the tensors' tails untouched. */
static void test_elementwise(void **state)
{
	static const uint32_t sizes[] = { 1, 63, 64, 65, 1000, 4097, 100003 };
	struct ctx *c = *state;
	struct kern k;
	const uint64_t A = DATA_VA, B = DATA_VA + (4ULL << 20), C = DATA_VA + (8ULL << 20);

	queue_setup(&c->tq, 0, ASID);
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t n = sizes[s];
		struct loom_tpc_tensor t[3] = { td1(A, DT(F32), n), td1(B, DT(F32), n),
						td1(C, DT(F32), n) };
		struct largs a = { .t = t, .nt = 3, .index = { (n + 63) / 64 } };
		float *pa = mem(c, A), *pb = mem(c, B), *pc = mem(c, C);

		for (uint32_t i = 0; i < n + 64; i++) {
			pa[i] = frand(-10, 10);
			pb[i] = frand(-10, 10);
			pc[i] = -12345.0f;
		}
		k_binary(&k, OP(VADD), DT(F32));
		assert_int_equal(run(c, 0, &k, &a), 0);
		for (uint32_t i = 0; i < n; i++)
			assert_true(pc[i] == pa[i] + pb[i]);
		for (uint32_t i = n; i < n + 64; i++)
			assert_true(pc[i] == -12345.0f);

		k_binary(&k, OP(VMUL), DT(F32));
		assert_int_equal(run(c, 0, &k, &a), 0);
		for (uint32_t i = 0; i < n; i++)
			assert_true(pc[i] == pa[i] * pb[i]);

		/* The same memory as int32. */
		for (unsigned i = 0; i < 3; i++)
			t[i].dtype = DT(I32);
		k_binary(&k, OP(VSUB), DT(I32));
		assert_int_equal(run(c, 0, &k, &a), 0);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal((uint32_t)((int32_t *)pc)[i],
					 (uint32_t)((int32_t *)pa)[i] - (uint32_t)((int32_t *)pb)[i]);
	}
}

/*
 * tpc-scattered: tensors whose pages are not contiguous in device memory
 * (no fast path: element by element through the TLB), and a strided one.
 */
static void test_scattered(void **state)
{
	struct ctx *c = *state;
	const uint32_t n = 8000;	/* 32000 bytes: spans 8 scattered pages */
	const uint64_t Y = DATA_VA, S = DATA_VA + (1ULL << 20);
	struct loom_tpc_tensor t[3] = { td1(SCAT_VA, DT(F32), n), td1(Y, DT(F32), n),
					td1(SCAT_VA + 65536, DT(F32), 4000) };
	struct largs a = { .t = t, .nt = 3, .index = { (n + 63) / 64 } };
	float *y = mem(c, Y), *s = mem(c, S);
	struct kern k;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t va = SCAT_VA + i * 4ULL;
		float *x = mem(c, SCAT_PA + (31 - (va - SCAT_VA) / 4096) * 4096 + va % 4096);

		*x = (float)i;
		y[i] = 0.5f;
	}
	queue_setup(&c->tq, 16, ASID);
	k_binary(&k, OP(VMUL), DT(F32));
	/* out (t2) holds only 4000 elements: the rest is dropped. */
	assert_int_equal(run(c, 16, &k, &a), 0);
	for (uint32_t i = 0; i < 4000; i++) {
		uint64_t va = SCAT_VA + 65536 + i * 4ULL;
		float *o = mem(c, SCAT_PA + (31 - (va - SCAT_VA) / 4096) * 4096 + va % 4096);

		assert_true(*o == (float)i * 0.5f);
	}

	/* Every other element of y (stride 2) times itself into s. */
	for (uint32_t i = 0; i < n; i++)
		y[i] = (float)i;
	t[0] = td1(Y, DT(F32), n / 2);
	t[0].stride[0] = 2;
	t[1] = t[0];
	t[2] = td1(S, DT(F32), n / 2);
	a.index[0] = (n / 2 + 63) / 64;
	assert_int_equal(run(c, 16, &k, &a), 0);
	for (uint32_t i = 0; i < n / 2; i++)
		assert_true(s[i] == (float)(2 * i) * (float)(2 * i));
}

/* tpc-fma: y = alpha * x + y with alpha a scalar argument; fused. */
static void test_fma(void **state)
{
	struct ctx *c = *state;
	const uint32_t n = 77777;
	const uint64_t X = DATA_VA, Y = DATA_VA + (4ULL << 20);
	struct loom_tpc_tensor t[2] = { td1(X, DT(F32), n), td1(Y, DT(F32), n) };
	struct largs a = { .t = t, .nt = 2, .index = { (n + 63) / 64 } };
	float *x = mem(c, X), *y = mem(c, Y), *ref = malloc(n * sizeof(float));
	const float alpha = 1.7f;
	struct kern k = { .n = 0 };
	unsigned top;

	assert_non_null(ref);
	for (uint32_t i = 0; i < n; i++) {
		x[i] = frand(-3, 3);
		y[i] = frand(-3, 3);
		ref[i] = fmaf(alpha, x[i], y[i]);
	}
	a.scalars[0] = fb(alpha);
	k_pre1d(&k);
	K(&k, ea(OP(MOVSR), 0, 3, 0, LOOM_TPC_SR_ARG(0)));
	top = K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));
	K(&k, e(OP(LDT), DT(F32), 0, 1, 0, 1));
	K(&k, e(OP(VFMA), DT(F32), BK(SREG), 1, 0, 3) | LOOM_TPC_ENC_C(1));
	K(&k, e(OP(STT), DT(F32), 0, 1, 0, 1));
	K(&k, ei(OP(IADD), 0, 0, 1, 64));
	k_loop(&k, 1, top);
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 1, ASID);
	assert_int_equal(run(c, 1, &k, &a), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_true(y[i] == ref[i]);
	free(ref);
}

/* tpc-bf16: bf16 tensors loaded as 128 lanes, added, and as f32 (widened). */
static void test_bf16(void **state)
{
	struct ctx *c = *state;
	const uint32_t n = 1000;
	const uint64_t A = DATA_VA, B = DATA_VA + (1ULL << 20), C = DATA_VA + (2ULL << 20);
	struct loom_tpc_tensor t[3] = { td1(A, DT(BF16), n), td1(B, DT(BF16), n),
					td1(C, DT(BF16), n) };
	struct largs a = { .t = t, .nt = 3, .index = { (n + 127) / 128 } };
	uint16_t *pa = mem(c, A), *pb = mem(c, B), *pc = mem(c, C);
	struct kern k = { .n = 0 };
	unsigned top;

	for (uint32_t i = 0; i < n + 128; i++) {
		pa[i] = loom_mme_f32_to_bf16(frand(-4, 4));
		pb[i] = loom_mme_f32_to_bf16(frand(-4, 4));
		pc[i] = 0xdead;
	}
	/* 128 lanes per point: shift by 7. */
	K(&k, ea(OP(MOVSR), 0, 1, 0, LOOM_TPC_SR_SIZE(0)));
	K(&k, ea(OP(MOVSR), 0, 2, 0, LOOM_TPC_SR_OFF(0)));
	K(&k, ei(OP(SHL), DT(I32), 2, 2, 7));
	K(&k, e(OP(ISET), 0, BK(SREG), 0, 1, 2));
	top = K(&k, e(OP(LDT), DT(BF16), 0, 0, 0, 0));
	K(&k, e(OP(LDT), DT(BF16), 0, 1, 0, 1));
	K(&k, e(OP(VADD), DT(BF16), BK(REG), 2, 0, 1));
	K(&k, e(OP(STT), DT(BF16), 0, 2, 0, 2));
	K(&k, ei(OP(IADD), 0, 0, 1, 128));
	k_loop(&k, 1, top);
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 2, ASID);
	assert_int_equal(run(c, 2, &k, &a), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(pc[i], loom_mme_f32_to_bf16(loom_mme_bf16_to_f32(pa[i]) +
							     loom_mme_bf16_to_f32(pb[i])));
	assert_int_equal(pc[n], 0xdead);

	/* bf16 in memory, f32 in registers (64 lanes), f32 out. */
	t[2] = td1(C, DT(F32), n);
	a.index[0] = (n + 63) / 64;
	k_binary(&k, OP(VMUL), DT(F32));
	assert_int_equal(run(c, 2, &k, &a), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_true(((float *)pc)[i] == loom_mme_bf16_to_f32(pa[i]) *
						loom_mme_bf16_to_f32(pb[i]));
}

/* ---- tensors at the edges, local memory, loops ----------------------------------------- */

/*
 * tpc-edges: loads outside a tensor read its padding value (negative
 * coordinates too), stores outside are dropped, a strict tensor fails with
 * TPC_OOB, and a 2-D tensor's rows outside the tensor are skipped whole.
 */
static void test_edges(void **state)
{
	struct ctx *c = *state;
	const uint64_t X = DATA_VA, Y = DATA_VA + (1ULL << 20);
	struct loom_tpc_tensor t[3] = { td1(X, DT(F32), 10), td1(Y, DT(F32), 100),
					td1(Y, DT(F32), 100) };
	struct largs a = { .t = t, .nt = 3, .index = { 1 } };
	float *x = mem(c, X), *y = mem(c, Y);
	struct kern k = { .n = 0 };

	t[0].pad = fb(7.0f);
	t[2].flags = LOOM_TPC_TENSOR_F_STRICT;
	for (unsigned i = 0; i < 256; i++) {
		x[i] = (float)i;
		y[i] = -1.0f;
	}
	K(&k, ei(OP(ISET), 0, 0, 1, (uint32_t)-5));		/* i0 = (-5, 0, ..) */
	K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));			/* x[-5 .. 58] */
	K(&k, ei(OP(ISET), 0, 1, 1, 60));
	K(&k, e(OP(STT), DT(F32), 0, 0, 1, 1));			/* y[60 .. 123]: 60..99 kept */
	K(&k, ei(OP(ISET), 0, 2, 2, 3));			/* row 3 of a 1-D tensor */
	K(&k, e(OP(STT), DT(F32), 0, 0, 2, 1));			/* dropped entirely */
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 7, ASID);
	assert_int_equal(run(c, 7, &k, &a), 0);
	for (unsigned i = 0; i < 60; i++)
		assert_true(y[i] == -1.0f);
	for (unsigned i = 60; i < 100; i++) {
		int j = (int)i - 60 - 5;

		assert_true(y[i] == (j >= 0 && j < 10 ? (float)j : 7.0f));
	}
	for (unsigned i = 100; i < 256; i++)
		assert_true(y[i] == -1.0f);

	/* The strict view of y: the same store fails, nothing written by it. */
	y[60] = -2.0f;
	k.w[3] = e(OP(STT), DT(F32), 0, 0, 1, 2);
	k.n = 4;
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	assert_int_equal(run(c, 7, &k, &a), LOOM_ERR_TPC_OOB);
	assert_true(y[60] == -2.0f);
	assert_true(event_seen(c, LOOM_EVENT_QUEUE_ERROR, LOOM_ERR_TPC_OOB, 7, NULL));
	queue_recover(&c->tq, 7);

	/* Tensor number beyond the launch's table: TPC_OOB. */
	k.n = 0;
	K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 5));
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	assert_int_equal(run(c, 7, &k, &a), LOOM_ERR_TPC_OOB);
	queue_recover(&c->tq, 7);
}

/* tpc-local: SLM and VLM round trips, zeroed per launch; loops and branches. */
static void test_local(void **state)
{
	struct ctx *c = *state;
	const uint64_t O = DATA_VA;
	struct loom_tpc_tensor t[1] = { td1(O, DT(I32), 256) };
	struct largs a = { .t = t, .nt = 1, .index = { 1 }, .slm = 1024, .vlm = 1024 };
	int32_t *o = mem(c, O);
	struct kern k = { .n = 0 };
	unsigned top, inner;

	/* SLM: store i*i at [4i] for i < 256 with a counted loop, sum back. */
	K(&k, ei(OP(MOV), DT(I32), 1, 0, 256));			/* s1 = count */
	K(&k, ei(OP(MOV), DT(I32), 2, 0, 0));			/* s2 = i */
	top = K(&k, e(OP(MUL), DT(I32), 0, 3, 2, 2));		/* s3 = i*i */
	K(&k, ei(OP(SHL), DT(I32), 4, 2, 2));
	K(&k, ea(OP(STL), 0, 3, 4, 0));				/* [s4] = s3 */
	K(&k, ei(OP(ADD), DT(I32), 2, 2, 1));
	k_loop(&k, 1, top);
	/* sum with cmp/branch instead: s5 = sum, s2 = i from 255 down */
	K(&k, ei(OP(MOV), DT(I32), 5, 0, 0));
	K(&k, ei(OP(MOV), DT(I32), 2, 0, 1020));
	inner = K(&k, ea(OP(LDL), 0, 6, 2, 0));
	K(&k, e(OP(ADD), DT(I32), 0, 5, 5, 6));
	K(&k, ei(OP(SUB), DT(I32), 2, 2, 4));
	K(&k, ei(OP(CMPGE), DT(I32), 1, 2, 0));
	K(&k, guard(ea(OP(BR), 0, 0, 0, (uint32_t)((int32_t)inner - (int32_t)k.n)), 1, 0));
	K(&k, e(OP(STTS), DT(I32), 0, 5, 0, 0));		/* o[0] = sum */
	K(&k, ea(OP(LDL), 0, 7, 0, 1020));			/* s7 = SLM[1020] */
	/* VLM: v0 = iota, store at 512, load back into v1, store to o[64..127] */
	K(&k, e(OP(VIOTA), DT(I32), 0, 0, 0, 0));
	K(&k, ea(OP(STLV), DT(I32), 0, 0, 512));
	K(&k, ea(OP(LDLV), DT(I32), 1, 0, 512));
	K(&k, ei(OP(ISET), 0, 1, 1, 64));
	K(&k, e(OP(STT), DT(I32), 0, 1, 1, 0));
	K(&k, ea(OP(LDLV), DT(I32), 2, 0, 768));		/* never stored: zero */
	K(&k, ei(OP(ISET), 0, 1, 1, 128));
	K(&k, e(OP(STT), DT(I32), 0, 2, 1, 0));
	K(&k, ei(OP(ISET), 0, 1, 1, 1));
	K(&k, e(OP(STTS), DT(I32), 0, 7, 1, 0));		/* o[1] = first SLM read */
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 8, ASID);
	memset(o, 0xff, 1024);
	assert_int_equal(run(c, 8, &k, &a), 0);
	assert_int_equal(o[0], 5559680);	/* sum of i^2, i < 256 */
	assert_int_equal(o[1], 65025);
	for (int i = 0; i < 64; i++) {
		assert_int_equal(o[64 + i], i);
		assert_int_equal(o[128 + i], 0);	/* VLM never stored there: zero */
	}
	/* Without the stores, the next launch reads zeroed local memory. */
	memset(o, 0xff, 1024);
	k.w[4] = e(OP(NOP), 0, 0, 0, 0, 0);
	assert_int_equal(run(c, 8, &k, &a), 0);
	assert_int_equal(o[0], 0);
	assert_int_equal(o[1], 0);

	/* Out of bounds: beyond slm_size, misaligned, VLM beyond vlm_size. */
	k.n = 0;
	K(&k, ea(OP(LDL), 0, 1, 0, 1024));
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	assert_int_equal(run(c, 8, &k, &a), LOOM_ERR_TPC_OOB);
	assert_true(event_seen(c, LOOM_EVENT_QUEUE_ERROR, LOOM_ERR_TPC_OOB, 8, NULL));
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_TPC_ERR_VA_LO), CODE_VA + 8 * 0x8000);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_TPC_ERR_INFO),
			 LOOM_ERR_TPC_OOB | (8U << 16));
	queue_recover(&c->tq, 8);
	k.w[0] = ea(OP(STL), 0, 1, 0, 2);
	assert_int_equal(run(c, 8, &k, &a), LOOM_ERR_TPC_OOB);
	queue_recover(&c->tq, 8);
	k.w[0] = ea(OP(STLV), DT(F32), 1, 0, 800);
	assert_int_equal(run(c, 8, &k, &a), LOOM_ERR_TPC_OOB);
	queue_recover(&c->tq, 8);
}

/* ---- the index space ----------------------------------------------------------------- */

/*
 * tpc-partition: every index point is run exactly once, by the documented
 * core: the kernel adds 1 to cnt[point] and records core and item; 2-D
 * spaces split along either dimension, with explicit and automatic grain.
 */
static void test_partition(void **state)
{
	static const struct { uint32_t x, y, pd, grain; } cases[] = {
		{ 37, 5, 0, 3 }, { 37, 5, 1, 1 }, { 1000, 3, 0, 0 }, { 7, 11, 1, 0 },
		{ 1, 1, 0, 0 }, { 100, 1, 0, 200 },
	};
	struct ctx *c = *state;
	const uint64_t CNT = DATA_VA, CORE = DATA_VA + (1ULL << 20), ITEM = DATA_VA + (2ULL << 20);
	struct kern k = { .n = 0 };
	unsigned ly, lx;

	/* for y in item: for x in item: cnt[y][x] += 1; core[y][x] = core; item[y][x] = item */
	K(&k, e(OP(IDXOFF), 0, 0, 0, 0, 0));
	K(&k, ea(OP(MOVSR), 0, 1, 0, LOOM_TPC_SR_SIZE(1)));
	K(&k, ea(OP(MOVSR), 0, 5, 0, LOOM_TPC_SR_CORE));
	K(&k, ea(OP(MOVSR), 0, 6, 0, LOOM_TPC_SR_ITEM));
	K(&k, ea(OP(MOVSR), 0, 7, 0, LOOM_TPC_SR_OFF(0)));
	ly = K(&k, ea(OP(MOVSR), 0, 2, 0, LOOM_TPC_SR_SIZE(0)));
	K(&k, e(OP(ISET), 0, BK(SREG), 0, 1, 7));
	lx = K(&k, e(OP(LDTS), DT(I32), 0, 3, 0, 0));
	K(&k, ei(OP(ADD), DT(I32), 3, 3, 1));
	K(&k, e(OP(STTS), DT(I32), 0, 3, 0, 0));
	K(&k, e(OP(STTS), DT(I32), 0, 5, 0, 1));
	K(&k, e(OP(STTS), DT(I32), 0, 6, 0, 2));
	K(&k, ei(OP(IADD), 0, 0, 1, 1));
	k_loop(&k, 2, lx);
	K(&k, ei(OP(IADD), 0, 0, 2, 1));
	k_loop(&k, 1, ly);
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));

	queue_setup(&c->tq, 9, ASID);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t X = cases[i].x, Y = cases[i].y, pd = cases[i].pd;
		uint32_t n = pd ? Y : X, grain = cases[i].grain ? cases[i].grain :
						   (n + LOOM_NUM_TPC - 1) / LOOM_NUM_TPC;
		struct loom_tpc_tensor t[3] = { td2(CNT, DT(I32), X, Y, X),
						td2(CORE, DT(I32), X, Y, X),
						td2(ITEM, DT(I32), X, Y, X) };
		struct largs a = { .t = t, .nt = 3, .index = { X, Y }, .part_dim = pd,
				   .grain = cases[i].grain };
		int32_t *cnt = mem(c, CNT), *core = mem(c, CORE), *item = mem(c, ITEM);

		memset(cnt, 0, X * Y * 4);
		assert_int_equal(run(c, 9, &k, &a), 0);
		for (uint32_t y = 0; y < Y; y++)
			for (uint32_t x = 0; x < X; x++) {
				uint32_t it = (pd ? y : x) / grain;

				assert_int_equal(cnt[y * X + x], 1);
				assert_int_equal(item[y * X + x], it);
				assert_int_equal(core[y * X + x], it % LOOM_NUM_TPC);
			}
	}
}

/* tpc-code-cache: code rewritten at the same VA runs the new code. */
static void test_code_cache(void **state)
{
	struct ctx *c = *state;
	const uint64_t O = DATA_VA;
	struct loom_tpc_tensor t[1] = { td1(O, DT(I32), 4) };
	struct largs a = { .t = t, .nt = 1, .index = { 1 } };
	int32_t *o = mem(c, O);
	struct kern k = { .n = 0 };

	K(&k, ei(OP(MOV), DT(I32), 1, 0, 111));
	K(&k, e(OP(STTS), DT(I32), 0, 1, 0, 0));
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 15, ASID);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(run(c, 15, &k, &a), 0);
		assert_int_equal(o[0], 111 + i);
		k.w[0] = ei(OP(MOV), DT(I32), 1, 0, 112 + i);
	}
	assert_true(loom_reg_read(c->dev, LOOM_REG_CAPS) & LOOM_CAP_TPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elementwise),
		cmocka_unit_test(test_scattered),
		cmocka_unit_test(test_fma),
		cmocka_unit_test(test_bf16),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_code_cache),
	};

	return cmocka_run_group_tests_name("tpc", tests, tpc_setup, tpc_teardown);
}
