// SPDX-License-Identifier: MIT
/*
 * Unit tests of the matrix engine (device/loom_mme.c): GEMMs checked
 * against a double-precision reference at odd sizes, every transpose,
 * alpha/beta, batches with strides, operands scattered over 4 KiB pages,
 * bf16 inputs and outputs, bf16 rounding, bad arguments and faults.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "loom_test_pt.h"

#define ASID	5
#define MB	(1ULL << 20)

#define VA_CONTIG	0x100000000ULL	/* 64 MiB, 2 MiB pages -> PA 4 MiB */
#define VA_SCAT		0x200000000ULL	/* 32 MiB, shuffled 4 KiB pages -> PA 68 MiB */
#define VA_RO		0x300000000ULL	/* 1 MiB read-only -> PA 100 MiB */
#define VA_HOLE		0x400000000ULL	/* unmapped */

struct fixture {
	struct loom_dev *dev;
	struct tpt pt;
	uint64_t next[2];	/* bump allocators: contiguous, scattered */
	unsigned seed;
};

static int setup(void **state)
{
	struct loom_dev_config cfg = { .dram_size = 128 * MB };
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || loom_dev_create(&cfg, &fx->dev)) {
		free(fx);
		return -1;
	}
	tpt_init(&fx->pt, fx->dev, ASID, 0);
	tpt_map_range2m(&fx->pt, VA_CONTIG, 4 * MB, 64 * MB, LOOM_PTE_WRITE);
	for (uint64_t i = 0; i < 8192; i++)
		tpt_map4k(&fx->pt, VA_SCAT + i * LOOM_PAGE_SIZE,
			  68 * MB + ((i * 7919) % 8192) * LOOM_PAGE_SIZE, LOOM_PTE_WRITE);
	tpt_map_range(&fx->pt, VA_RO, 100 * MB, 1 * MB, 0);
	fx->next[0] = VA_CONTIG;
	fx->next[1] = VA_SCAT + 100;	/* rows straddle page ends at odd places */
	fx->seed = 12345;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	loom_dev_destroy(fx->dev);
	free(fx);
	return 0;
}

static uint64_t va_alloc(struct fixture *fx, bool scattered, uint64_t bytes)
{
	uint64_t *next = &fx->next[scattered], va = *next;

	*next = (va + bytes + 63) & ~63ULL;
	if (scattered)
		*next += 4;	/* keep later operands off 64-byte alignment */
	return va;
}

static float frand(struct fixture *fx)
{
	fx->seed = fx->seed * 1103515245U + 12345U;
	return (float)((fx->seed >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* One operand in the test: its stored values (exact) and its VA. */
struct operand {
	uint64_t va;
	uint64_t elems;		/* of the whole batched span */
	float *v;
	bool bf16;
};

static void operand_make(struct fixture *fx, struct operand *o, bool scattered, bool bf16,
			 uint64_t elems, bool random)
{
	o->elems = elems;
	o->bf16 = bf16;
	o->v = malloc(elems * sizeof(float));
	assert_non_null(o->v);
	for (uint64_t i = 0; i < elems; i++) {
		float x = random ? frand(fx) : 0.0f;

		o->v[i] = bf16 ? loom_mme_bf16_to_f32(loom_mme_f32_to_bf16(x)) : x;
	}
	o->va = va_alloc(fx, scattered, elems * (bf16 ? 2 : 4));
}

static void operand_store(struct fixture *fx, const struct operand *o)
{
	uint64_t bytes = o->elems * (o->bf16 ? 2 : 4);
	struct loom_fault f;
	void *buf = malloc(bytes);

	assert_non_null(buf);
	for (uint64_t i = 0; i < o->elems; i++) {
		if (o->bf16)
			((uint16_t *)buf)[i] = loom_mme_f32_to_bf16(o->v[i]);
		else
			((float *)buf)[i] = o->v[i];
	}
	loom_dev_access_begin(fx->dev);
	assert_int_equal(loom_mmu_write(fx->dev, ASID, o->va, buf, bytes, &f), 0);
	loom_dev_access_end(fx->dev);
	free(buf);
}

/* Read an operand back as floats. */
static float *operand_load(struct fixture *fx, const struct operand *o)
{
	uint64_t bytes = o->elems * (o->bf16 ? 2 : 4);
	struct loom_fault f;
	float *out = malloc(o->elems * sizeof(float));
	void *buf = malloc(bytes);

	assert_non_null(out);
	assert_non_null(buf);
	loom_dev_access_begin(fx->dev);
	assert_int_equal(loom_mmu_read(fx->dev, ASID, o->va, buf, bytes, &f), 0);
	loom_dev_access_end(fx->dev);
	for (uint64_t i = 0; i < o->elems; i++)
		out[i] = o->bf16 ? loom_mme_bf16_to_f32(((uint16_t *)buf)[i]) : ((float *)buf)[i];
	free(buf);
	return out;
}

struct mcase {
	uint32_t m, n, k, batch;
	bool ta, tb;
	bool in16, out16;
	uint32_t pad_a, pad_b, pad_c, pad_d;	/* ld = minimum + pad */
	uint32_t gap;				/* elements between batch elements */
	float alpha, beta;
	bool scattered;
	bool c_is_d;
	bool b_shared;				/* stride_b = 0 */
	bool bias;				/* LOOM_MME_F_BCAST_C: C is one row */
	bool relu;				/* LOOM_MME_F_RELU */
	bool mask;				/* LOOM_MME_F_MASK_C (beta 0) */
};

static int mme_exec(struct fixture *fx, const struct loom_pkt_mme *p, struct loom_fault *f)
{
	int ret;

	loom_dev_access_begin(fx->dev);
	ret = loom_mme_exec(fx->dev, ASID, p, f);
	loom_dev_access_end(fx->dev);
	return ret;
}

static uint32_t fbits(float x)
{
	uint32_t u;

	memcpy(&u, &x, sizeof(u));
	return u;
}

/* Build the operands and the packet of a case, run it, check every element of D. */
static void run_case(struct fixture *fx, const struct mcase *c)
{
	uint32_t m = c->m, n = c->n, k = c->k, nb = c->batch;
	uint32_t lda = (c->ta ? m : k) + c->pad_a, ldb = (c->tb ? k : n) + c->pad_b;
	uint32_t ldc = n + c->pad_c, ldd = n + c->pad_d;
	uint64_t span_a = (uint64_t)((c->ta ? k : m) - 1) * lda + (c->ta ? m : k);
	uint64_t span_b = (uint64_t)((c->tb ? n : k) - 1) * ldb + (c->tb ? k : n);
	uint64_t span_c = (uint64_t)(m - 1) * ldc + n, span_d = (uint64_t)(m - 1) * ldd + n;
	uint64_t sa = span_a + c->gap, sb = c->b_shared ? 0 : span_b + c->gap;
	uint64_t sc = span_c + c->gap, sd = span_d + c->gap;
	struct operand A, B, C = { 0 }, D;
	struct loom_pkt_mme p;
	struct loom_fault f = { 0 };
	const struct operand *pc;
	float *got;
	int ret;

	if (c->c_is_d) {
		ldc = ldd;
		sc = sd;
	}
	if (c->bias) {
		span_c = n;
		sc = span_c + c->gap;
	}
	operand_make(fx, &A, c->scattered, c->in16, sa * (nb - 1) + span_a, true);
	operand_make(fx, &B, c->scattered, c->in16, sb * (nb - 1) + span_b, true);
	operand_make(fx, &D, c->scattered, c->out16, sd * (nb - 1) + span_d, true);
	if ((c->beta != 0.0f || c->mask) && !c->c_is_d)
		operand_make(fx, &C, c->scattered, c->out16, sc * (nb - 1) + span_c, true);
	if (c->beta == 0.0f) {
		/* D must be overwritten, never read: plant NaNs in it. */
		for (uint64_t i = 0; i < D.elems; i += 3)
			D.v[i] = NAN;
	}
	operand_store(fx, &A);
	operand_store(fx, &B);
	operand_store(fx, &D);
	if (C.v)
		operand_store(fx, &C);
	pc = c->c_is_d ? &D : &C;

	p = (struct loom_pkt_mme){
		.header = LOOM_PKT_HDR(LOOM_PKT_MME, 0, sizeof(p) / 4),
		.ctrl = LOOM_MME_CTRL((c->ta ? LOOM_MME_F_TRANS_A : 0) |
				      (c->tb ? LOOM_MME_F_TRANS_B : 0) |
				      (c->bias ? LOOM_MME_F_BCAST_C : 0) |
				      (c->relu ? LOOM_MME_F_RELU : 0) |
				      (c->mask ? LOOM_MME_F_MASK_C : 0),
				      c->in16 ? LOOM_DTYPE_BF16 : LOOM_DTYPE_F32,
				      c->out16 ? LOOM_DTYPE_BF16 : LOOM_DTYPE_F32),
		.a = A.va, .b = B.va, .c = c->beta != 0.0f || c->mask ? pc->va : 0, .d = D.va,
		.m = m, .n = n, .k = k, .batch = nb,
		.lda = lda, .ldb = ldb, .ldc = c->bias ? 0 : ldc, .ldd = ldd,
		.stride_a = sa * (c->in16 ? 2 : 4), .stride_b = sb * (c->in16 ? 2 : 4),
		.stride_c = sc * (c->out16 ? 2 : 4), .stride_d = sd * (c->out16 ? 2 : 4),
		.alpha = fbits(c->alpha), .beta = fbits(c->beta),
	};
	ret = mme_exec(fx, &p, &f);
	assert_int_equal(ret, LOOM_ERR_NONE);

	got = operand_load(fx, &D);
	for (uint32_t b = 0; b < nb; b++) {
		for (uint32_t i = 0; i < m; i++) {
			for (uint32_t j = 0; j < n; j++) {
				double acc = 0, mag = 0, ref, tol, cv = 0;
				uint64_t di = b * sd + (uint64_t)i * ldd + j;

				for (uint32_t q = 0; q < k; q++) {
					double av = A.v[b * sa + (c->ta ? (uint64_t)q * lda + i :
								   (uint64_t)i * lda + q)];
					double bv = B.v[b * sb + (c->tb ? (uint64_t)j * ldb + q :
								   (uint64_t)q * ldb + j)];
					acc += av * bv;
					mag += fabs(av * bv);
				}
				if (c->beta != 0.0f)
					cv = pc->v[b * sc + (c->bias ? 0 : (uint64_t)i * ldc) + j];
				ref = c->alpha * acc + c->beta * cv;
				if (c->relu && !(ref > 0))
					ref = 0;
				if (c->mask &&
				    !(pc->v[b * sc + (uint64_t)i * ldc + j] > 0))
					ref = 0;
				mag = fabs(c->alpha) * mag + fabs(c->beta * cv);
				tol = mag * (k + 4) * 2e-7 + 1e-30;
				if (c->out16)
					tol = 2 * tol + fabs(ref) / 256;
				if (!(fabs(got[di] - ref) <= tol))
					fail_msg("D[%u][%u][%u] = %.9g, expected %.9g (tol %.3g)",
						 b, i, j, got[di], ref, tol);
				D.v[di] = got[di];	/* checked; gaps are compared below */
			}
		}
	}
	/* Everything outside the m x n matrices is as it was. */
	for (uint64_t i = 0; i < D.elems; i++)
		if (memcmp(&got[i], &D.v[i], sizeof(float)))
			fail_msg("D element %llu outside the result changed",
				 (unsigned long long)i);
	free(got);
	free(A.v);
	free(B.v);
	free(C.v);
	free(D.v);
}

static void gemm_sizes(void **state)
{
	static const uint32_t sz[][3] = { { 1, 1, 1 }, { 17, 33, 9 }, { 65, 1, 130 },
					  { 128, 96, 200 } };

	for (unsigned i = 0; i < 4; i++) {
		struct mcase c = { .m = sz[i][0], .n = sz[i][1], .k = sz[i][2], .batch = 1,
				   .alpha = 1.0f };

		run_case(*state, &c);
		c.scattered = true;
		run_case(*state, &c);
	}
}

/* The output stage: a bias row added to every row, then ReLU. */
static void gemm_bias_relu(void **state)
{
	for (unsigned v = 0; v < 8; v++) {
		struct mcase c = { .m = 37, .n = 70, .k = 19, .batch = 1, .alpha = 1.0f,
				   .beta = 1.0f, .bias = true, .relu = v & 1, .pad_a = 2 };

		c.ta = v & 2;
		c.tb = v & 4;
		run_case(*state, &c);
		c.scattered = true;		/* gathered operands, a temporary output */
		c.out16 = true;
		run_case(*state, &c);
	}
	struct mcase b = { .m = 9, .n = 130, .k = 33, .batch = 3, .gap = 5, .alpha = 0.5f,
			   .beta = -2.0f, .bias = true, .relu = true, .in16 = true };

	run_case(*state, &b);
	b.scattered = true;
	run_case(*state, &b);
	/* The mask: a ReLU's gradient, C read as where the output was > 0. */
	for (unsigned v = 0; v < 4; v++) {
		struct mcase mk = { .m = 29, .n = 66, .k = 23, .batch = 2, .gap = 3, .alpha = 1.0f,
				    .mask = true, .pad_c = 5, .ta = v & 1, .tb = v & 2 };

		run_case(*state, &mk);
		mk.scattered = true;
		mk.out16 = v & 1;
		run_case(*state, &mk);
	}
	struct mcase mi = { .m = 16, .n = 16, .k = 16, .batch = 1, .alpha = 1.0f, .mask = true,
			    .c_is_d = true };	/* the mask is D itself: read first */

	run_case(*state, &mi);
	/* ReLU alone, over C added in full (no bias row). */
	struct mcase r = { .m = 20, .n = 20, .k = 8, .batch = 2, .alpha = 1.0f, .beta = 1.0f,
			   .relu = true, .pad_c = 3 };

	run_case(*state, &r);
	r.beta = 0.0f;
	run_case(*state, &r);
}

static void gemm_transposes(void **state)
{
	for (unsigned t = 0; t < 4; t++) {
		struct mcase c = { .m = 17, .n = 33, .k = 9, .batch = 1, .alpha = 1.0f,
				   .ta = t & 1, .tb = t & 2, .pad_a = 3, .pad_b = 1, .pad_d = 2 };

		run_case(*state, &c);
		c.m = 65;
		c.n = 1;
		c.k = 130;
		c.scattered = true;
		run_case(*state, &c);
		c.m = 128;
		c.n = 96;
		c.k = 200;
		c.scattered = false;
		run_case(*state, &c);
	}
}

static void gemm_alpha_beta(void **state)
{
	struct mcase c = { .m = 33, .n = 20, .k = 17, .batch = 1, .alpha = 0.5f, .beta = -2.0f,
			   .pad_c = 5, .pad_d = 3 };

	run_case(*state, &c);
	c.scattered = true;
	run_case(*state, &c);
	/* beta = 0: c = 0 and D's NaNs are not read. */
	c.beta = 0.0f;
	c.alpha = -1.25f;
	run_case(*state, &c);
	c.scattered = false;
	run_case(*state, &c);
	/* C == D, in place. */
	c.beta = 1.5f;
	c.c_is_d = true;
	run_case(*state, &c);
	c.scattered = true;
	run_case(*state, &c);
	/* alpha = 0 leaves beta * C. */
	c.alpha = 0.0f;
	c.c_is_d = false;
	run_case(*state, &c);
}

/* C overlapping D without being it (C shifted by one row). */
static void gemm_c_overlaps_d(void **state)
{
	struct fixture *fx = *state;
	uint32_t m = 8, n = 6, k = 5;
	struct operand A, B, CD;
	struct loom_fault f = { 0 };
	struct loom_pkt_mme p;
	float *got;

	operand_make(fx, &A, false, false, m * k, true);
	operand_make(fx, &B, false, false, k * n, true);
	operand_make(fx, &CD, false, false, (m + 1) * n, true);
	operand_store(fx, &A);
	operand_store(fx, &B);
	operand_store(fx, &CD);
	p = (struct loom_pkt_mme){
		.header = LOOM_PKT_HDR(LOOM_PKT_MME, 0, sizeof(p) / 4),
		.a = A.va, .b = B.va, .c = CD.va + n * 4, .d = CD.va,
		.m = m, .n = n, .k = k, .batch = 1, .lda = k, .ldb = n, .ldc = n, .ldd = n,
		.alpha = fbits(1.0f), .beta = fbits(1.0f),
	};
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_NONE);
	got = operand_load(fx, &CD);
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t j = 0; j < n; j++) {
			double ref = CD.v[(i + 1) * n + j];

			for (uint32_t q = 0; q < k; q++)
				ref += (double)A.v[i * k + q] * B.v[q * n + j];
			assert_true(fabs(got[i * n + j] - ref) < 1e-5);
		}
	free(got);
	free(A.v);
	free(B.v);
	free(CD.v);
}

static void gemm_batch(void **state)
{
	struct mcase c = { .m = 17, .n = 9, .k = 33, .batch = 4, .alpha = 1.0f, .beta = 0.75f,
			   .pad_a = 2, .pad_d = 1, .gap = 13, .tb = true };

	run_case(*state, &c);
	c.scattered = true;
	run_case(*state, &c);
	/* One B for every element (stride 0). */
	c.b_shared = true;
	c.ta = true;
	run_case(*state, &c);
	c.in16 = true;
	c.out16 = true;
	run_case(*state, &c);
}

static void gemm_bf16(void **state)
{
	for (unsigned t = 0; t < 4; t++) {
		/* bf16 in, fp32 out. */
		struct mcase c = { .m = 65, .n = 33, .k = 130, .batch = 1, .alpha = 1.0f,
				   .ta = t & 1, .tb = t & 2, .in16 = true, .pad_a = 1 };

		run_case(*state, &c);
		c.scattered = true;
		c.beta = 0.5f;
		run_case(*state, &c);
		/* bf16 in, bf16 out, with and without C. */
		c.out16 = true;
		c.pad_d = 3;
		run_case(*state, &c);
		c.scattered = false;
		c.beta = 0.0f;
		run_case(*state, &c);
		c.c_is_d = true;
		c.beta = -1.0f;
		run_case(*state, &c);
		/* fp32 in, bf16 out. */
		c.in16 = false;
		c.c_is_d = false;
		c.scattered = true;
		run_case(*state, &c);
	}
}

static float f32_of(uint32_t u)
{
	float x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

static void bf16_rounding(void **state)
{
	uint16_t h;
	uint32_t u;
	float x;

	assert_int_equal(loom_mme_f32_to_bf16(1.0f), 0x3f80);
	assert_int_equal(loom_mme_f32_to_bf16(-2.0f), 0xc000);
	/* Ties go to even: 1 + 2^-8 down to 1, 1 + 3 * 2^-8 up to 1 + 2^-6. */
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0x3f808000)), 0x3f80);
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0x3f818000)), 0x3f82);
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0xbf818000)), 0xbf82);
	/* Just above and below the tie. */
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0x3f808001)), 0x3f81);
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0x3f817fff)), 0x3f81);
	/* Infinities, overflow to infinity, zeros, subnormals. */
	assert_int_equal(loom_mme_f32_to_bf16(INFINITY), 0x7f80);
	assert_int_equal(loom_mme_f32_to_bf16(-INFINITY), 0xff80);
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0x7f7fffff)), 0x7f80);
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0x7f7f7fff)), 0x7f7f);
	assert_int_equal(loom_mme_f32_to_bf16(-0.0f), 0x8000);
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0x00008000)), 0x0000);
	assert_int_equal(loom_mme_f32_to_bf16(f32_of(0x00018000)), 0x0002);
	/* NaNs stay NaNs and come out quiet, even when rounding would carry. */
	h = loom_mme_f32_to_bf16(NAN);
	assert_int_equal(h & 0x7fc0, 0x7fc0);
	h = loom_mme_f32_to_bf16(f32_of(0x7f800001));	/* signalling, low payload */
	assert_int_equal(h & 0x7fc0, 0x7fc0);
	h = loom_mme_f32_to_bf16(f32_of(0xffffffff));
	assert_int_equal(h, 0xffff);
	h = loom_mme_f32_to_bf16(f32_of(0x7fbfffff));
	assert_int_equal(h & 0x7fc0, 0x7fc0);
	/* Back to fp32: exact, NaN quiet. */
	assert_true(loom_mme_bf16_to_f32(0x3f80) == 1.0f);
	assert_true(loom_mme_bf16_to_f32(0xff80) == -INFINITY);
	assert_true(loom_mme_bf16_to_f32(0x0001) == f32_of(0x00010000));
	x = loom_mme_bf16_to_f32(0x7f81);
	assert_true(isnan(x));
	memcpy(&u, &x, sizeof(u));
	assert_int_equal(u & 0x7fc00000, 0x7fc00000);
	/* Every bf16 value round-trips. */
	for (u = 0; u < 0x10000; u++) {
		if ((u & 0x7f80) == 0x7f80 && (u & 0x7f))
			continue;
		assert_int_equal(loom_mme_f32_to_bf16(loom_mme_bf16_to_f32((uint16_t)u)), u);
	}
}

static struct loom_pkt_mme good_pkt(uint64_t a, uint64_t b, uint64_t d)
{
	return (struct loom_pkt_mme){
		.header = LOOM_PKT_HDR(LOOM_PKT_MME, 0, sizeof(struct loom_pkt_mme) / 4),
		.a = a, .b = b, .d = d,
		.m = 4, .n = 5, .k = 6, .batch = 1, .lda = 6, .ldb = 5, .ldc = 5, .ldd = 5,
		.alpha = fbits(1.0f),
	};
}

static void bad_args(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t a = VA_CONTIG, b = VA_CONTIG + 4096, d = VA_CONTIG + 8192;
	struct loom_pkt_mme p = good_pkt(a, b, d);

	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_NONE);
#define BAD(stmt) do {							\
		p = good_pkt(a, b, d);					\
		stmt;							\
		assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_BAD_ARG); \
	} while (0)
	BAD(p.m = 0);
	BAD(p.n = 0);
	BAD(p.k = 0);
	BAD(p.batch = 0);
	BAD(p.m = 0x80000000U);
	BAD(p.lda = 5);
	BAD(p.ctrl = LOOM_MME_F_TRANS_A; p.lda = 3);
	BAD(p.ldb = 4);
	BAD(p.ctrl = LOOM_MME_F_TRANS_B; p.ldb = 5);		/* >= k = 6 */
	BAD(p.ldd = 4);
	BAD(p.beta = fbits(1.0f); p.c = d; p.ldc = 4);
	BAD(p.beta = fbits(1.0f); p.c = 0);
	BAD(p.a = a + 2);
	BAD(p.b = b + 1);
	BAD(p.d = d + 3);
	BAD(p.ctrl = LOOM_MME_CTRL(0, LOOM_DTYPE_BF16, 0); p.a = a + 1);
	BAD(p.ctrl = LOOM_MME_CTRL(0, 0, LOOM_DTYPE_BF16); p.d = d + 1);
	BAD(p.beta = fbits(2.0f); p.c = d + 2);
	BAD(p.batch = 2; p.stride_a = 4100; p.stride_b = 4100; p.stride_d = 4100 + 2);
	BAD(p.ctrl = LOOM_MME_CTRL(0, 2, 0));
	BAD(p.ctrl = LOOM_MME_CTRL(0, 0, 15));
	BAD(p.ctrl = LOOM_MME_F_BCAST_C; p.beta = fbits(1.0f); p.c = 0);
	BAD(p.ctrl = LOOM_MME_F_BCAST_C; p.beta = fbits(1.0f); p.c = d + 1);
	BAD(p.ctrl = LOOM_MME_F_MASK_C; p.c = 0);
	BAD(p.ctrl = LOOM_MME_F_MASK_C; p.c = d; p.ldc = 4);
	BAD(p.ctrl = LOOM_MME_F_MASK_C; p.c = d; p.ldc = 8; p.beta = fbits(1.0f));
	BAD(p.ctrl = LOOM_MME_F_MASK_C | LOOM_MME_F_BCAST_C; p.c = d; p.ldc = 8);
	BAD(p.ctrl = 1U << 12);
	BAD(p.batch = 2; p.stride_a = 0xfffffffffffff000ULL);	/* wraps around */
#undef BAD
	/* Transposed A only needs lda >= m. */
	p = good_pkt(a, b, d);
	p.ctrl = LOOM_MME_F_TRANS_A;
	p.lda = 4;
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_NONE);
	/* The mask with everything right (C may be D). */
	p = good_pkt(a, b, d);
	p.ctrl = LOOM_MME_F_MASK_C;
	p.c = d;
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_NONE);
	/* With beta = 0, C's fields are not used. */
	p = good_pkt(a, b, d);
	p.c = 3;
	p.ldc = 0;
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_NONE);
}

static void faults(void **state)
{
	struct fixture *fx = *state;
	struct loom_fault f = { 0 };
	uint64_t a = VA_CONTIG, b = VA_CONTIG + 4096, d = VA_CONTIG + 8192;
	struct loom_pkt_mme p = good_pkt(a, b, d);

	memset(fx->dev->dram + 4 * MB + 8192, 0x11, 4096);
	p.b = VA_HOLE + 64;
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_PAGE_FAULT);
	assert_int_equal(f.cause, LOOM_FAULT_NOT_PRESENT);
	assert_int_equal(f.va, VA_HOLE + 64);
	assert_int_equal(f.asid, ASID);
	assert_int_equal(fx->dev->dram[4 * MB + 8192], 0x11);	/* D untouched */
	/* A runs off the end of the scattered region into the hole after it. */
	p = good_pkt(VA_SCAT + 32 * MB - 40, b, d);
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_PAGE_FAULT);
	assert_int_equal(f.va, VA_SCAT + 32 * MB);
	/* C faults. */
	p = good_pkt(a, b, d);
	p.beta = fbits(1.0f);
	p.c = VA_HOLE;
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_PAGE_FAULT);
	assert_int_equal(f.va, VA_HOLE);
	/* D read-only. */
	p = good_pkt(a, b, VA_RO + 128);
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_PERMISSION);
	assert_int_equal(f.cause, LOOM_FAULT_WRITE);
	assert_int_equal(f.va, VA_RO + 128);
	/* Reading operands from read-only memory is fine. */
	p = good_pkt(VA_RO, VA_RO + 4096, d);
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_NONE);
	/* The second element of a batch faults. */
	p = good_pkt(a, b, d);
	p.batch = 2;
	p.stride_a = VA_HOLE - a;
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_PAGE_FAULT);
	assert_int_equal(f.va, VA_HOLE);
	/* Disabled context. */
	loom_reg_write(fx->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL), 0);
	p = good_pkt(a, b, d);
	assert_int_equal(mme_exec(fx, &p, &f), LOOM_ERR_PAGE_FAULT);
	assert_int_equal(f.cause, LOOM_FAULT_ASID);
	loom_reg_write(fx->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(gemm_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(gemm_transposes, setup, teardown),
		cmocka_unit_test_setup_teardown(gemm_bias_relu, setup, teardown),
		cmocka_unit_test_setup_teardown(gemm_alpha_beta, setup, teardown),
		cmocka_unit_test_setup_teardown(gemm_c_overlaps_d, setup, teardown),
		cmocka_unit_test_setup_teardown(gemm_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(gemm_bf16, setup, teardown),
		cmocka_unit_test(bf16_rounding),
		cmocka_unit_test_setup_teardown(bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(faults, setup, teardown),
	};

	return cmocka_run_group_tests_name("test_mme", tests, NULL, NULL);
}
