// SPDX-License-Identifier: MIT
/*
 * Tests of the TPC cores (device/loom_tpc*.c), driven through queues and
 * TPC_LAUNCH packets the way a driver drives them. Kernels are encoded
 * here with the hw/loom_tpc.h macros (not with the assembler, which has
 * its own tests), run on the device, and their results checked against
 * C references: elementwise arithmetic at odd sizes, reductions,
 * predicates and select, conversions, special functions within the
 * documented accuracy, tensor edges (padding, dropped and strict stores),
 * local memory, loops, the index-space split across cores, and bad
 * kernels (illegal instruction, out-of-bounds local memory, page faults,
 * a runaway loop) that must fail with the right error and event within a
 * bounded time while the device keeps serving. The cases live in groups:
 * test_tpc_math.h (reductions, predicates, conversions, special
 * functions), test_tpc_faults.h (bad kernels), test_tpc_fast.h (the
 * interpreter's fast paths behave as the instructions one by one); this
 * file has the fixture, the helpers and the rest.
 */
#include <math.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hw/loom_tpc.h"
#include "loom_test_pt.h"

#define TEST_DRAM	(512ULL << 20)
#define ASID		1
#define CHANNEL		1
#define RING_N		64
#define CQ_N		64
#define EQ_N		256

/* Device memory layout (VA == PA where mapped). Tables below 2 MiB. */
#define RING_PA(q)	(0x200000ULL + (uint64_t)(q) * 0x1000)
#define CQ_PA(q)	(0x240000ULL + (uint64_t)(q) * 0x1000)
#define EQ_PA		0x280000ULL
#define CB_VA(q)	(0x300000ULL + (uint64_t)(q) * 0x1000)
#define CODE_VA		0x400000ULL	/* 1 MiB of code */
#define DESC_VA		0x500000ULL
#define DATA_VA		0x800000ULL	/* data: 8 MiB .. 392 MiB */
#define DATA_END	(392ULL << 20)
#define RO_VA		(392ULL << 20)	/* 2 MiB read-only */
#define SCAT_VA		(396ULL << 20)	/* 32 x 4 KiB pages, PAs in reverse order */
#define SCAT_PA		(200ULL << 20)
#define UNMAPPED_VA	(1ULL << 32)

#define WAIT_MS		20000

struct ctx {
	struct loom_dev *dev;
	struct tpt pt;
	uint32_t pi[LOOM_NUM_QUEUES];
	uint32_t cq[LOOM_NUM_QUEUES];	/* CQ entries consumed */
	uint32_t eq_seen;
};

/* ---- kernel building ---------------------------------------------------------- */

struct kern {
	uint64_t w[4096];
	unsigned n;
};

#define OP(o)	LOOM_TPC_OP_##o
#define DT(t)	LOOM_TPC_DT_##t
#define BK(k)	LOOM_TPC_BK_##k

static unsigned K(struct kern *k, uint64_t w)
{
	assert_true(k->n < 4096);
	k->w[k->n] = w;
	return k->n++;
}

/* Registers in d, a, b (bk: REG or SREG). */
static uint64_t e(unsigned op, unsigned t, unsigned bk, unsigned d, unsigned a, unsigned b)
{
	return LOOM_TPC_INSN(op, t, bk, d, a, b, 0, 0);
}

/* b is an immediate. */
static uint64_t ei(unsigned op, unsigned t, unsigned d, unsigned a, uint32_t imm)
{
	return LOOM_TPC_INSN(op, t, BK(IMM), d, a, 0, 0, 0) | LOOM_TPC_ENC_IMM(imm);
}

/* Always-immediate forms (movsr, br, loop, ldl ...). */
static uint64_t ea(unsigned op, unsigned t, unsigned d, unsigned a, uint32_t imm)
{
	return LOOM_TPC_INSN(op, t, BK(REG), d, a, 0, 0, 0) | LOOM_TPC_ENC_IMM(imm);
}

static uint64_t guard(uint64_t w, unsigned p, unsigned pn)
{
	return w | ((uint64_t)p << 28) | ((uint64_t)pn << 31);
}

static uint32_t fb(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

/* Branch back to instruction top from the next slot. */
static void k_loop(struct kern *k, unsigned s, unsigned top)
{
	K(k, ea(OP(LOOP), 0, 0, s, (uint32_t)((int32_t)top - (int32_t)k->n)));
}

/*
 * Common prologue of 1-D vector kernels: s1 = points of this work item,
 * i0 = coordinates of its first element (point * 64 in dim 0).
 */
static void k_pre1d(struct kern *k)
{
	K(k, ea(OP(MOVSR), 0, 1, 0, LOOM_TPC_SR_SIZE(0)));
	K(k, ea(OP(MOVSR), 0, 2, 0, LOOM_TPC_SR_OFF(0)));
	K(k, ei(OP(SHL), DT(I32), 2, 2, 6));
	K(k, e(OP(IDXOFF), 0, 0, 0, 0, 0));
	K(k, e(OP(ISET), 0, BK(SREG), 0, 1, 2));
}

/* ---- device plumbing ------------------------------------------------------------ */

static uint32_t qreg(struct ctx *c, unsigned q, uint32_t r)
{
	return loom_reg_read(c->dev, LOOM_REG_QUEUE(q, r));
}

static void qreg_set(struct ctx *c, unsigned q, uint32_t r, uint32_t v)
{
	loom_reg_write(c->dev, LOOM_REG_QUEUE(q, r), v);
}

static void doorbell(struct ctx *c, unsigned q)
{
	uint64_t one = 1;

	assert_int_equal(write(loom_dev_doorbell_fd(c->dev, q), &one, sizeof(one)), 8);
}

static void queue_setup(struct ctx *c, unsigned q)
{
	memset(c->dev->dram + RING_PA(q), 0, RING_N * sizeof(struct loom_ring_entry));
	memset(c->dev->dram + CQ_PA(q), 0, CQ_N * sizeof(struct loom_cq_entry));
	loom_reg_write64(c->dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_BASE_LO), RING_PA(q));
	qreg_set(c, q, LOOM_QREG_RING_SIZE, RING_N);
	qreg_set(c, q, LOOM_QREG_RING_PI, 0);
	loom_reg_write64(c->dev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_BASE_LO), CQ_PA(q));
	qreg_set(c, q, LOOM_QREG_CQ_SIZE, CQ_N);
	qreg_set(c, q, LOOM_QREG_ASID, ASID);
	qreg_set(c, q, LOOM_QREG_CHANNEL, CHANNEL);
	qreg_set(c, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE);
	c->pi[q] = 0;
	c->cq[q] = 0;
	doorbell(c, q);
}

static bool qreg_wait(struct ctx *c, unsigned q, uint32_t r, uint32_t want, unsigned ms)
{
	uint64_t end = loom_now_ns() + (uint64_t)ms * 1000000ULL;

	while (qreg(c, q, r) != want) {
		if (loom_now_ns() > end)
			return false;
		usleep(50);
	}
	return true;
}

/* Wait up to ms for queue q's STATUS state field to read want. */
static bool qstate_wait(struct ctx *c, unsigned q, uint32_t want, unsigned ms)
{
	uint64_t end = loom_now_ns() + (uint64_t)ms * 1000000ULL;

	while (LOOM_QSTATUS_STATE(qreg(c, q, LOOM_QREG_STATUS)) != want) {
		if (loom_now_ns() > end)
			return false;
		usleep(50);
	}
	return true;
}

static void queue_recover(struct ctx *c, unsigned q)
{
	qreg_set(c, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE | LOOM_QCTRL_RESET);
	doorbell(c, q);
	assert_true(qreg_wait(c, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE, WAIT_MS));
	assert_int_equal(qreg(c, q, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
}

/* Launch parameters beyond the kernel. */
struct largs {
	const struct loom_tpc_tensor *t;
	unsigned nt;
	uint32_t index[5];	/* 0 = 1 */
	uint32_t part_dim, grain, timeout_ms;
	uint32_t slm, vlm;
	uint32_t scalars[16];
};

/* Submit a launch of kernel k on queue q (without waiting). */
static void launch_submit(struct ctx *c, unsigned q, const struct kern *k,
			  const struct largs *a)
{
	struct loom_pkt_tpc_launch p = {
		.header = LOOM_PKT_HDR(LOOM_PKT_TPC_LAUNCH, 0, sizeof(p) / 4),
		.code = CODE_VA + (uint64_t)q * 0x8000,
		.code_size = k->n * 8,
		.num_tensors = a->nt,
		.tensors = DESC_VA + (uint64_t)q * 0x1000,
		.slm_size = a->slm,
		.vlm_size = a->vlm,
		.part_dim = a->part_dim,
		.grain = a->grain,
		.timeout_ms = a->timeout_ms,
	};
	struct loom_ring_entry *slot;

	assert_true(k->n * 8 <= 0x8000);
	for (unsigned d = 0; d < 5; d++)
		p.index[d] = a->index[d] ? a->index[d] : 1;
	memcpy(p.scalars, a->scalars, sizeof(p.scalars));
	memcpy(c->dev->dram + p.code, k->w, k->n * 8);
	if (a->nt)
		memcpy(c->dev->dram + p.tensors, a->t, a->nt * sizeof(a->t[0]));
	memcpy(c->dev->dram + CB_VA(q), &p, sizeof(p));
	slot = (struct loom_ring_entry *)(c->dev->dram + RING_PA(q)) + (c->pi[q] % RING_N);
	*slot = (struct loom_ring_entry){ .cb_addr = CB_VA(q), .cb_size = sizeof(p),
					  .flags = LOOM_RING_F_COMPLETION, .tag = c->pi[q] };
	c->pi[q]++;
	qreg_set(c, q, LOOM_QREG_RING_PI, c->pi[q]);
	doorbell(c, q);
}

/* Wait for the next completion of queue q; its status. */
static uint32_t launch_wait(struct ctx *c, unsigned q)
{
	struct loom_cq_entry *ce;

	assert_true(qreg_wait(c, q, LOOM_QREG_CQ_PI, c->cq[q] + 1, WAIT_MS));
	ce = (struct loom_cq_entry *)(c->dev->dram + CQ_PA(q)) + (c->cq[q] % CQ_N);
	c->cq[q]++;
	return ce->status;
}

static uint32_t run(struct ctx *c, unsigned q, const struct kern *k, const struct largs *a)
{
	launch_submit(c, q, k, a);
	return launch_wait(c, q);
}

/* Is there an event of type with info since the last call, for queue q? */
static bool event_seen(struct ctx *c, uint32_t type, uint32_t info, unsigned q,
		       uint64_t *addr)
{
	struct loom_event *eq = (struct loom_event *)(c->dev->dram + EQ_PA);
	uint32_t pi = loom_reg_read(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_PI));
	bool seen = false;

	for (; c->eq_seen != pi; c->eq_seen++) {
		const struct loom_event *ev = &eq[c->eq_seen % EQ_N];

		if (ev->type == type && ev->info == info && ev->queue == q &&
		    ev->asid == ASID) {
			seen = true;
			if (addr)
				*addr = ev->addr;
		}
	}
	return seen;
}

static void *mem(struct ctx *c, uint64_t va)
{
	return c->dev->dram + va;
}

static struct loom_tpc_tensor td1(uint64_t va, unsigned dt, uint32_t n)
{
	return (struct loom_tpc_tensor){ .base = va, .dtype = dt, .ndims = 1,
					 .size = { n }, .stride = { 1 } };
}

static struct loom_tpc_tensor td2(uint64_t va, unsigned dt, uint32_t cols, uint32_t rows,
				  uint64_t ld)
{
	return (struct loom_tpc_tensor){ .base = va, .dtype = dt, .ndims = 2,
					 .size = { cols, rows }, .stride = { 1, ld } };
}

static uint32_t rnd_state = 12345;

static float frand(float lo, float hi)
{
	rnd_state = rnd_state * 1103515245U + 12345U;
	return lo + (hi - lo) * (float)((rnd_state >> 8) & 0xffffff) / 16777216.0f;
}

/* ---- fixture ---------------------------------------------------------------------- */

static int setup(void **state)
{
	struct loom_dev_config cfg = { .dram_size = TEST_DRAM };
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c || loom_dev_create(&cfg, &c->dev)) {
		free(c);
		return -1;
	}
	tpt_init(&c->pt, c->dev, ASID, 0x10000);
	tpt_map_range(&c->pt, RING_PA(0), RING_PA(0), 0x100000, LOOM_PTE_WRITE);
	tpt_map_range(&c->pt, CB_VA(0), CB_VA(0), 0x300000, LOOM_PTE_WRITE);
	tpt_map_range2m(&c->pt, DATA_VA, DATA_VA, DATA_END - DATA_VA, LOOM_PTE_WRITE);
	tpt_map_range2m(&c->pt, RO_VA, RO_VA, 2ULL << 20, 0);
	for (unsigned i = 0; i < 32; i++)
		tpt_map4k(&c->pt, SCAT_VA + i * 4096ULL, SCAT_PA + (31 - i) * 4096ULL, LOOM_PTE_WRITE);
	loom_reg_write(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CHANNEL), CHANNEL);
	memset(c->dev->dram + EQ_PA, 0, EQ_N * sizeof(struct loom_event));
	loom_reg_write64(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_BASE_LO), EQ_PA);
	loom_reg_write(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_SIZE), EQ_N);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	loom_dev_destroy(c->dev);
	free(c);
	return 0;
}

/* ---- elementwise ---------------------------------------------------------------- */

/* Kernel: t2 = t0 OP t1 over 1-D tensors of type t, 64 lanes per point. */
static void k_binary(struct kern *k, unsigned op, unsigned t)
{
	unsigned top;

	k->n = 0;
	k_pre1d(k);
	top = K(k, e(OP(LDT), t, 0, 0, 0, 0));
	K(k, e(OP(LDT), t, 0, 1, 0, 1));
	K(k, e(op, t, BK(REG), 2, 0, 1));
	K(k, e(OP(STT), t, 0, 2, 0, 2));
	K(k, ei(OP(IADD), 0, 0, 1, 64));
	k_loop(k, 1, top);
	K(k, e(OP(HALT), 0, 0, 0, 0, 0));
}

/* tpc-add: fp32 and int32 add/mul over odd sizes; the tensors' tails untouched. */
static void test_elementwise(void **state)
{
	static const uint32_t sizes[] = { 1, 63, 64, 65, 1000, 4097, 100003 };
	struct ctx *c = *state;
	struct kern k;
	const uint64_t A = DATA_VA, B = DATA_VA + (4ULL << 20), C = DATA_VA + (8ULL << 20);

	queue_setup(c, 0);
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
	queue_setup(c, 16);
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
	queue_setup(c, 1);
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
	queue_setup(c, 2);
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

/* Reductions, predicates, conversions, special functions. */
#include "test_tpc_math.h"

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
	queue_setup(c, 7);
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
	queue_recover(c, 7);

	/* Tensor number beyond the launch's table: TPC_OOB. */
	k.n = 0;
	K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 5));
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	assert_int_equal(run(c, 7, &k, &a), LOOM_ERR_TPC_OOB);
	queue_recover(c, 7);
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
	queue_setup(c, 8);
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
	queue_recover(c, 8);
	k.w[0] = ea(OP(STL), 0, 1, 0, 2);
	assert_int_equal(run(c, 8, &k, &a), LOOM_ERR_TPC_OOB);
	queue_recover(c, 8);
	k.w[0] = ea(OP(STLV), DT(F32), 1, 0, 800);
	assert_int_equal(run(c, 8, &k, &a), LOOM_ERR_TPC_OOB);
	queue_recover(c, 8);
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

	queue_setup(c, 9);
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

/* Bad kernels: illegal instructions, the watchdog, faults, bad launches. */
#include "test_tpc_faults.h"

/* The fast paths' cases (page-wise vectors, fused sequences, whole loops). */
#include "test_tpc_fast.h"

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
	queue_setup(c, 15);
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
		cmocka_unit_test(test_reduce),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_special),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_illegal),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_code_cache),
		cmocka_unit_test(test_straddle),
		cmocka_unit_test(test_loop_alias),
		cmocka_unit_test(test_fused_guards),
		cmocka_unit_test(test_loop_watchdog),
		cmocka_unit_test(test_while_loop),
		cmocka_unit_test(test_unrolled_axpy),
	};

	return cmocka_run_group_tests_name("tpc", tests, setup, teardown);
}
