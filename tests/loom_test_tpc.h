/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the TPC programs (test_tpc, test_tpc_math,
 * test_tpc_faults, test_tpc_fast): a device with one context whose page
 * table maps rings, CBs, code, descriptors, a data area, a read-only area
 * and scattered pages (VA == PA except the scattered ones), an event queue
 * on its channel; kernels encoded with the hw/loom_tpc.h macros, launched
 * through TPC_LAUNCH packets on a queue (tests/loom_test_queue.h) and
 * waited for; tensor descriptors, events and a deterministic random
 * source. Header-only; fixture code, no tests.
 */
#ifndef LOOM_TEST_TPC_H
#define LOOM_TEST_TPC_H

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
#include "loom_test_queue.h"

#define TEST_DRAM	(512ULL << 20)
#define ASID		1
#define CHANNEL		1
#define EQ_N		256

/* Device memory layout (VA == PA where mapped). Tables below 2 MiB. */
#define RING_PA(q)	(0x200000ULL + (uint64_t)(q) * TQ_STRIDE)
#define CQ_PA(q)	(0x240000ULL + (uint64_t)(q) * TQ_STRIDE)
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
	struct tq tq;		/* the queues, in context ASID */
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

static inline unsigned K(struct kern *k, uint64_t w)
{
	assert_true(k->n < 4096);
	k->w[k->n] = w;
	return k->n++;
}

/* Registers in d, a, b (bk: REG or SREG). */
static inline uint64_t e(unsigned op, unsigned t, unsigned bk, unsigned d, unsigned a,
			 unsigned b)
{
	return LOOM_TPC_INSN(op, t, bk, d, a, b, 0, 0);
}

/* b is an immediate. */
static inline uint64_t ei(unsigned op, unsigned t, unsigned d, unsigned a, uint32_t imm)
{
	return LOOM_TPC_INSN(op, t, BK(IMM), d, a, 0, 0, 0) | LOOM_TPC_ENC_IMM(imm);
}

/* Always-immediate forms (movsr, br, loop, ldl ...). */
static inline uint64_t ea(unsigned op, unsigned t, unsigned d, unsigned a, uint32_t imm)
{
	return LOOM_TPC_INSN(op, t, BK(REG), d, a, 0, 0, 0) | LOOM_TPC_ENC_IMM(imm);
}

static inline uint64_t guard(uint64_t w, unsigned p, unsigned pn)
{
	return w | ((uint64_t)p << 28) | ((uint64_t)pn << 31);
}

static inline uint32_t fb(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

/* Branch back to instruction top from the next slot. */
static inline void k_loop(struct kern *k, unsigned s, unsigned top)
{
	K(k, ea(OP(LOOP), 0, 0, s, (uint32_t)((int32_t)top - (int32_t)k->n)));
}

/*
 * Common prologue of 1-D vector kernels: s1 = points of this work item,
 * i0 = coordinates of its first element (point * 64 in dim 0).
 */
static inline void k_pre1d(struct kern *k)
{
	K(k, ea(OP(MOVSR), 0, 1, 0, LOOM_TPC_SR_SIZE(0)));
	K(k, ea(OP(MOVSR), 0, 2, 0, LOOM_TPC_SR_OFF(0)));
	K(k, ei(OP(SHL), DT(I32), 2, 2, 6));
	K(k, e(OP(IDXOFF), 0, 0, 0, 0, 0));
	K(k, e(OP(ISET), 0, BK(SREG), 0, 1, 2));
}

/* Kernel: t2 = t0 OP t1 over 1-D tensors of type t, 64 lanes per point. */
static inline void k_binary(struct kern *k, unsigned op, unsigned t)
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

/* ---- launches ------------------------------------------------------------------- */

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
static inline void launch_submit(struct ctx *c, unsigned q, const struct kern *k,
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
	struct loom_ring_entry re = { .cb_addr = CB_VA(q), .cb_size = sizeof(p),
				      .flags = LOOM_RING_F_COMPLETION, .tag = c->tq.pi[q] };

	assert_true(k->n * 8 <= 0x8000);
	for (unsigned d = 0; d < 5; d++)
		p.index[d] = a->index[d] ? a->index[d] : 1;
	memcpy(p.scalars, a->scalars, sizeof(p.scalars));
	memcpy(c->dev->dram + p.code, k->w, k->n * 8);
	if (a->nt)
		memcpy(c->dev->dram + p.tensors, a->t, a->nt * sizeof(a->t[0]));
	memcpy(c->dev->dram + CB_VA(q), &p, sizeof(p));
	submit_entry(&c->tq, q, &re);
}

/* Wait for the next completion of queue q; its status. */
static inline uint32_t launch_wait(struct ctx *c, unsigned q)
{
	return cq_next(&c->tq, q).status;
}

static inline uint32_t run(struct ctx *c, unsigned q, const struct kern *k,
			   const struct largs *a)
{
	launch_submit(c, q, k, a);
	return launch_wait(c, q);
}

/* Is there an event of type with info since the last call, for queue q? */
static inline bool event_seen(struct ctx *c, uint32_t type, uint32_t info, unsigned q,
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

/* ---- memory ---------------------------------------------------------------------- */

static inline void *mem(struct ctx *c, uint64_t va)
{
	return c->dev->dram + va;
}

static inline struct loom_tpc_tensor td1(uint64_t va, unsigned dt, uint32_t n)
{
	return (struct loom_tpc_tensor){ .base = va, .dtype = dt, .ndims = 1,
					 .size = { n }, .stride = { 1 } };
}

static inline struct loom_tpc_tensor td2(uint64_t va, unsigned dt, uint32_t cols,
					 uint32_t rows, uint64_t ld)
{
	return (struct loom_tpc_tensor){ .base = va, .dtype = dt, .ndims = 2,
					 .size = { cols, rows }, .stride = { 1, ld } };
}

/* A fixed sequence, the same on every run of a program. */
static uint32_t rnd_state = 12345;

static inline float frand(float lo, float hi)
{
	rnd_state = rnd_state * 1103515245U + 12345U;
	return lo + (hi - lo) * (float)((rnd_state >> 8) & 0xffffff) / 16777216.0f;
}

/* ---- fixture ---------------------------------------------------------------------- */

/* The group's device, its page table, queues (set up by each test) and EQ. */
static inline int tpc_setup(void **state)
{
	struct loom_dev_config cfg = { .dram_size = TEST_DRAM };
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c || loom_dev_create(&cfg, &c->dev)) {
		free(c);
		return -1;
	}
	tq_init(&c->tq, c->dev, RING_PA(0), CQ_PA(0), CHANNEL, WAIT_MS);
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

static inline int tpc_teardown(void **state)
{
	struct ctx *c = *state;

	loom_dev_destroy(c->dev);
	free(c);
	return 0;
}

#endif /* LOOM_TEST_TPC_H */
