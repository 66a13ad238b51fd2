/* SPDX-License-Identifier: MIT */
/*
 * The TPC cores' private interfaces, shared by the files of the block:
 *   loom_tpc.c         the engine: host thread pool, launch checks,
 *                      work-item scheduling, error record, accounting
 *   loom_tpc_decode.c  decoding into micro-ops, choice of specialised
 *                      handlers, fusion of common sequences
 *   loom_tpc_exec.c    the interpreter: dispatch and the specialised
 *                      handlers (loom_tpc_vop.h), one work item on one core
 *   loom_tpc_loop.c    whole counted loops over tensor rows
 *   loom_tpc_ops.c     every instruction's semantics, one at a time (the
 *                      general path the handlers fall back to); vector
 *                      ones in loom_tpc_ops_vec.c, helpers loom_tpc_ops.h
 *   loom_tpc_mem.c     tensor and local memory accesses
 *   loom_tpc_math.h    special functions written to vectorise
 * and the numeric helpers (bf16, conversions) they all use.
 */
#ifndef LOOM_TPC_INTERNAL_H
#define LOOM_TPC_INTERNAL_H

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "../hw/loom_tpc.h"
#include "loom_device.h"

#define TPC_L32		LOOM_TPC_LANES32
#define TPC_PREFETCH	1024	/* bytes ahead of a fast vector load */
#define TPC_L16		LOOM_TPC_LANES16
#define TPC_BUDGET	4096	/* backward branches between watchdog checks */
#define TPC_LOOP_MAX	32	/* instructions in a loop body TPC_H_X_LOOP runs */
#define TPC_LOOP_IADD	0	/* body; iadd iC.0, st; loop sN */
#define TPC_LOOP_WHILE	1	/* cmplt pK, sI, sN; @!pK br; iset iC.0, sI; body; add sI, st; br */
#define TPC_LOOP_ISET	2	/* iset iC.0, f(sI); body; add sI, st; loop sN (or unrolled) */

/*
 * The interpreter is built three times (x86-64-v4 with AVX-512, v3 with
 * AVX2 and FMA, and the baseline) and the host picks the best at load
 * time, so vector FMA and rounding are single instructions where the CPU
 * has them.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define TPC_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TPC_CLONES
#endif

/* A vector register. */
union tpc_vreg {
	float f[TPC_L32];
	int32_t i[TPC_L32];
	uint32_t u[TPC_L32];
	uint16_t h[TPC_L16];
} __attribute__((aligned(64)));

/* Micro-op numbers: opcode and type together (type < 4). */
#define TPC_UOP(op, t)		(((unsigned)(op) << 2) | (unsigned)(t))
#define TPC_U(op, t)		TPC_UOP(LOOM_TPC_OP_##op, LOOM_TPC_DT_##t)
#define TPC_U0(op)		TPC_UOP(LOOM_TPC_OP_##op, 0)
#define TPC_U_ILLEGAL		0x400	/* an illegal word, or the end of the code */
#define TPC_U_BR_OUT		0x401	/* a branch whose target is outside the code */
#define TPC_U_LOOP_OUT		0x402

/*
 * Handlers: what the interpreter's dispatch switches on. Each is one
 * opcode specialised by type and operand kind, for unguarded instructions
 * (a scalar guard is TPC_H_SGUARD in front of the handler); everything
 * else is TPC_H_GENERIC, which runs tpc_exec_one(). TPC_H_X_* are fused
 * sequences of several instructions (see loom_tpc_decode.c).
 */
#define TPC_FBIN(X) X(FADD) X(FSUB) X(FMUL) X(FDIV) X(FMIN) X(FMAX)	/* f32 */
#define TPC_UBIN(X) X(UADD) X(USUB) X(UMUL) X(UAND) X(UOR) X(UXOR)	/* i32, u32 */
#define TPC_FUN(X) X(FNEG) X(FABS) X(FEXP) X(FLOG) X(FRSQRT) X(FRCP) X(FSQRT) \
	X(FTANH) X(FSIGMOID) X(FREDSUM) X(FREDMAX) X(FREDMIN)		/* f32 unary */
#define TPC_HBIN(n)	TPC_H_##n##_V, TPC_H_##n##_S, TPC_H_##n##_I,
#define TPC_HUN(n)	TPC_H_##n,

enum tpc_handler {
	TPC_H_GENERIC,
	TPC_H_SGUARD,		/* scalar guard: test P<p>, then run h1 */
	TPC_H_ILLEGAL, TPC_H_BR_OUT, TPC_H_LOOP_OUT,
	TPC_H_NOP, TPC_H_HALT, TPC_H_BR, TPC_H_LOOP,
	TPC_H_LDT, TPC_H_STT,	/* any type: fast when in bounds and of the tensor's type */
	TPC_H_IADD_I,		/* iadd with an immediate */
	TPC_H_VMOV_V, TPC_H_VMOV_S, TPC_H_VMOV_I,	/* 32-bit types */
	TPC_FBIN(TPC_HBIN)
	TPC_UBIN(TPC_HBIN)
	TPC_H_FFMA_V, TPC_H_FFMA_S,
	TPC_FUN(TPC_HUN)
	TPC_H_X_LLFS,		/* ldt, ldt, vfma.f32, stt */
	TPC_H_X_AXPY,		/* the same as X = x, Y = y, D = X * s + Y, store D */
	TPC_H_X_IADD_LOOP,	/* iadd with an immediate, loop */
	TPC_H_X_LOOP,		/* a whole counted loop over tensor rows (loom_tpc_loop.c) */
	TPC_H_NUM
};

/* One pre-decoded instruction. */
struct tpc_uop {
	uint16_t op;		/* TPC_UOP(opcode, type) or TPC_U_* */
	uint8_t h;		/* TPC_H_*: how to run it (a fused handler runs several) */
	uint8_t h1;		/* the handler of this instruction alone */
	uint8_t d, a, b, c;
	uint8_t bk;		/* LOOM_TPC_BK_* */
	uint8_t p;		/* guard predicate */
	uint8_t pn;		/* guard negated */
	uint8_t sguard;		/* scalar guard other than "always" */
	uint8_t lguard;		/* lane guard other than "always" */
	uint8_t cvt_src, cvt_rnd, cvt_half;
	uint8_t cpn;		/* selector predicate negated (sel, vsel) */
	uint32_t imm;		/* immediate; branch: target pc */
	uint32_t xloop;		/* TPC_H_X_LOOP: pc of the backward branch */
	uint8_t xform;		/* TPC_H_X_LOOP: TPC_LOOP_* (loom_tpc_loop.c) */
	uint8_t xaxpy;		/* TPC_H_X_LOOP: the body is that many copies of axpy's */
	uint8_t xic, xsi;	/* TPC_H_X_LOOP, ISET: index register, induction register */
	uint8_t xax;		/* the first of axpy's ldt, ldt, vfma, stt (TPC_H_X_AXPY) */
};

/* A decoded kernel, cached by content. */
struct tpc_prog {
	uint64_t va;
	uint32_t n;		/* instructions */
	uint64_t hash;
	uint64_t *raw;		/* the code as fetched */
	struct tpc_uop *uops;	/* n + 1: a final TPC_U_ILLEGAL */
	uint64_t last_use;
	uint64_t ns_per_point;	/* host time per index point, averaged; 0: unknown */
};

/* A tensor descriptor resolved for one launch. */
struct tpc_tensor {
	bool valid;		/* slot < num_tensors */
	bool strict;
	uint8_t dtype;
	uint8_t esize;
	int64_t size[LOOM_TPC_DIMS];
	int64_t stride[LOOM_TPC_DIMS];
	uint64_t base;		/* VA */
	uint64_t span;		/* bytes from base to past the last element */
	uint8_t *rd;		/* host pointer of the whole span, readable, or NULL */
	uint8_t *wr;		/* same, writable */
	uint32_t pad;		/* padding bits in dtype */
	/* Fast paths: dtype if rows are contiguous (stride[0] == 1), else 0xff. */
	uint8_t fast_rd_t, fast_wr_t;
};

/* One launch, shared by the cores that run it. */
struct tpc_launch {
	struct loom_dev *dev;
	unsigned q;
	uint32_t asid;
	const struct tpc_prog *prog;
	uint64_t code_va;
	struct tpc_tensor t[LOOM_TPC_MAX_TENSORS];
	uint32_t index[LOOM_TPC_DIMS];
	uint32_t part_dim, grain, nitems;
	uint32_t slm_size, vlm_size;
	uint32_t scalars[LOOM_TPC_NUM_ARGS];
	uint64_t deadline_ns;	/* 0: no watchdog */
	atomic_uint next_core;	/* cores handed out to host threads */
	atomic_int stop;	/* an error happened: every core stops */

	/* Protects the error record below (first error wins). */
	pthread_mutex_t err_lock;
	int err;
	unsigned err_core;
	uint32_t err_pc;
	struct loom_fault fault;

	_Atomic uint64_t flops, bytes;
	atomic_uint active_cores;
};

/* A software TLB entry: one 4 KiB page of the launch's context. */
struct tpc_tlb {
	uint64_t vpn;		/* va >> 12, or ~0 */
	uint8_t *host;
	bool writable;
};

#define TPC_TLB_N	64

/* One core's state. Used by one host thread at a time. */
struct tpc_core {
	union tpc_vreg v[LOOM_TPC_NUM_VREGS];
	union tpc_vreg tmp, tmp2, bs;	/* scratch: results, broadcasts */
	uint32_t vp[LOOM_TPC_NUM_VPREGS][TPC_L16];	/* lane masks: 0 or ~0 */
	uint32_t s[LOOM_TPC_NUM_SREGS];
	int32_t ir[LOOM_TPC_NUM_IREGS][8];	/* 5 used */
	uint8_t p[LOOM_TPC_NUM_PREGS];
	unsigned id;
	uint8_t *slm;		/* LOOM_TPC_SLM_SIZE */
	uint8_t *vlm;		/* LOOM_TPC_VLM_SIZE */

	/* The work item being run. */
	struct tpc_launch *l;
	uint32_t item;
	int32_t off[LOOM_TPC_DIMS], size[LOOM_TPC_DIMS];
	uint32_t budget;	/* taken backward branches until the next watchdog check */
	uint64_t flops, bytes;	/* accounting, flushed per launch */
	struct loom_fault fault;	/* where a memory access faulted */
	struct tpc_tlb tlb[TPC_TLB_N];
};

/* ---- loom_tpc.c ----------------------------------------------------------- */
/* Record a core's error (the first one of the launch wins) and stop the others. */
void tpc_launch_fail(struct tpc_launch *l, unsigned core, uint32_t pc, int err,
		     const struct loom_fault *f);
/* Watchdog and abort check; returns LOOM_ERR_* */
int tpc_launch_check(struct tpc_launch *l);

/* ---- loom_tpc_decode.c ---------------------------------------------------- */
/* Decode n words; returns NULL on allocation failure. */
struct tpc_prog *tpc_prog_decode(const uint64_t *words, uint32_t n, uint64_t va,
				 uint64_t hash);
void tpc_prog_free(struct tpc_prog *prog);
uint64_t tpc_code_hash(const uint64_t *words, uint32_t n);

/* ---- loom_tpc_exec.c, loom_tpc_ops.c --------------------------------------- */
/* Reset a core's registers for a new launch (local memory: the declared part). */
void tpc_core_reset(struct tpc_core *c, struct tpc_launch *l);
/* Run the current work item from pc 0 to HALT. Returns LOOM_ERR_*; *pc
 * gets the failing instruction on error. */
int tpc_core_run(struct tpc_core *c, uint32_t *pc);
/* Run one instruction other than control flow; returns LOOM_ERR_*. */
int tpc_exec_one(struct tpc_core *c, const struct tpc_uop *u);
/* The same for a vector instruction (loom_tpc_ops_vec.c). */
int tpc_exec_vec(struct tpc_core *c, const struct tpc_uop *u);
/*
 * Run the loop whose body starts at top (a TPC_H_X_LOOP micro-op) for as
 * many iterations as all of its tensor accesses take the fast path.
 * Returns LOOM_ERR_* and sets *next to the micro-op to continue at (on
 * error: the one that failed); *next = top when no iteration could run.
 */
int tpc_loop_run(struct tpc_core *c, const struct tpc_uop *top, const struct tpc_uop **next);

/* ---- loom_tpc_mem.c ------------------------------------------------------- */
void tpc_tlb_flush(struct tpc_core *c);
/* Resolve descriptor slot i of the launch; returns LOOM_ERR_*. */
int tpc_tensor_resolve(struct tpc_launch *l, unsigned i, const struct loom_tpc_tensor *td,
		       struct loom_fault *f);
/* Vector tensor load/store of type t at coordinates co, guarded by mask (NULL: all). */
int tpc_tensor_vload(struct tpc_core *c, unsigned tn, const int32_t *co, unsigned t,
		     union tpc_vreg *dst, const uint32_t *mask, uint32_t mneg);
int tpc_tensor_vstore(struct tpc_core *c, unsigned tn, const int32_t *co, unsigned t,
		      const union tpc_vreg *src, const uint32_t *mask, uint32_t mneg);
int tpc_tensor_sload(struct tpc_core *c, unsigned tn, const int32_t *co, unsigned t,
		     uint32_t *dst);
int tpc_tensor_sstore(struct tpc_core *c, unsigned tn, const int32_t *co, unsigned t,
		      uint32_t v);

/*
 * Host address of a whole in-bounds vector of tensor tn at co, if the
 * tensor's type is t and its rows are contiguous host memory (the common
 * case, inlined); NULL sends the access to the general path.
 */
static inline __attribute__((always_inline)) uint8_t *
tpc_vfast(const struct tpc_launch *l, unsigned tn, const int32_t *co, unsigned t, bool wr)
{
	const struct tpc_tensor *tt = &l->t[tn];
	int64_t x0 = co[0];

	if ((wr ? tt->fast_wr_t : tt->fast_rd_t) != t || x0 < 0 ||
	    x0 + (int64_t)(t == LOOM_TPC_DT_BF16 ? TPC_L16 : TPC_L32) > tt->size[0] ||
	    (uint32_t)co[1] >= (uint64_t)tt->size[1] || (uint32_t)co[2] >= (uint64_t)tt->size[2] ||
	    (uint32_t)co[3] >= (uint64_t)tt->size[3] || (uint32_t)co[4] >= (uint64_t)tt->size[4])
		return NULL;
	x0 += co[1] * tt->stride[1] + co[2] * tt->stride[2] + co[3] * tt->stride[3] +
	      co[4] * tt->stride[4];
	return (wr ? tt->wr : tt->rd) + (uint64_t)x0 * tt->esize;
}

/* ---- numerics ------------------------------------------------------------- */
static inline float tpc_as_f(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static inline uint32_t tpc_as_u(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static inline float tpc_bf2f(uint16_t h)
{
	return tpc_as_f((uint32_t)h << 16);
}

/* fp32 -> bf16, round to nearest even; NaN stays a quiet NaN. */
static inline uint16_t tpc_f2bf(float x)
{
	uint32_t u = tpc_as_u(x);

	if ((u & 0x7fffffffU) > 0x7f800000U)
		return (uint16_t)((u >> 16) | 0x0040U);
	u += 0x7fffU + ((u >> 16) & 1U);
	return (uint16_t)(u >> 16);
}

/* fp32 -> bf16 toward zero. */
static inline uint16_t tpc_f2bf_rz(float x)
{
	uint32_t u = tpc_as_u(x);

	if ((u & 0x7fffffffU) > 0x7f800000U)
		return (uint16_t)((u >> 16) | 0x0040U);
	return (uint16_t)(u >> 16);
}

static inline float tpc_round(float x, unsigned rnd)
{
	switch (rnd) {
	case LOOM_TPC_RND_RZ:
		return truncf(x);
	case LOOM_TPC_RND_RD:
		return floorf(x);
	case LOOM_TPC_RND_RU:
		return ceilf(x);
	default:
		return rintf(x);	/* the default rounding mode: nearest even */
	}
}

static inline int32_t tpc_f2i(float x, unsigned rnd)
{
	float r;

	if (x != x)
		return 0;
	r = tpc_round(x, rnd);
	if (r >= 2147483648.0f)
		return INT32_MAX;
	if (r < -2147483648.0f)
		return INT32_MIN;
	return (int32_t)r;
}

static inline uint32_t tpc_f2u(float x, unsigned rnd)
{
	float r;

	if (x != x)
		return 0;
	r = tpc_round(x, rnd);
	if (r >= 4294967296.0f)
		return UINT32_MAX;
	if (r <= 0.0f)
		return 0;
	return (uint32_t)r;
}

/* A 32-bit value of type from -> type to, as LDT/STT convert (RNE). */
static inline uint32_t tpc_conv32(uint32_t v, unsigned from, unsigned to)
{
	float f;

	if (from == to)
		return v;
	switch (from) {
	case LOOM_TPC_DT_F32:
		f = tpc_as_f(v);
		break;
	case LOOM_TPC_DT_BF16:
		f = tpc_bf2f((uint16_t)v);
		break;
	case LOOM_TPC_DT_I32:
		if (to == LOOM_TPC_DT_U32)
			return v;
		f = (float)(int32_t)v;
		break;
	default:
		if (to == LOOM_TPC_DT_I32)
			return v;
		f = (float)v;
		break;
	}
	switch (to) {
	case LOOM_TPC_DT_F32:
		return tpc_as_u(f);
	case LOOM_TPC_DT_BF16:
		return tpc_f2bf(f);
	case LOOM_TPC_DT_I32:
		return (uint32_t)tpc_f2i(f, LOOM_TPC_RND_RNE);
	default:
		return tpc_f2u(f, LOOM_TPC_RND_RNE);
	}
}

static inline unsigned tpc_dt_size(unsigned dt)
{
	return dt == LOOM_TPC_DT_BF16 ? 2 : 4;
}

static inline unsigned tpc_lanes(unsigned t)
{
	return t == LOOM_TPC_DT_BF16 ? TPC_L16 : TPC_L32;
}

#endif /* LOOM_TPC_INTERNAL_H */
