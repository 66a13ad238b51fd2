/* SPDX-License-Identifier: MIT */
/*
 * The TPC's specialised vector handlers (struct tpc_uop.h), shared by the
 * interpreter's dispatch (loom_tpc_exec.c) and its checked loops
 * (loom_tpc_loop.c): each is a fixed 64-lane loop over the register file
 * that the host compiler vectorises, with its type and operand kind fixed.
 */
#ifndef LOOM_TPC_VOP_H
#define LOOM_TPC_VOP_H

#include "loom_tpc_internal.h"
#include "loom_tpc_math.h"

#define TPC_FADD(x, y)	((x) + (y))
#define TPC_FSUB(x, y)	((x) - (y))
#define TPC_FMUL(x, y)	((x) * (y))
#define TPC_FDIV(x, y)	((x) / (y))
#define TPC_FMIN(x, y)	tpc_m_fmin(x, y)
#define TPC_FMAX(x, y)	tpc_m_fmax(x, y)
#define TPC_UADD(x, y)	((x) + (y))
#define TPC_USUB(x, y)	((x) - (y))
#define TPC_UMUL(x, y)	((x) * (y))
#define TPC_UAND(x, y)	((x) & (y))
#define TPC_UOR(x, y)	((x) | (y))
#define TPC_UXOR(x, y)	((x) ^ (y))

/* Elementwise d = a OP b with b a vector; d may be a or b (same lane only). */
#define TPC_BODY_V(F, OP) do {							\
	union tpc_vreg *D = &c->v[u->d];					\
	const union tpc_vreg *A = &c->v[u->a], *B = &c->v[u->b];		\
	_Pragma("GCC ivdep")							\
	for (unsigned i = 0; i < TPC_L32; i++)					\
		D->F[i] = OP(A->F[i], B->F[i]);					\
} while (0)

/* The same with b one value (a scalar register or an immediate). */
#define TPC_BODY_S(F, TY, OP, Y) do {						\
	union tpc_vreg *D = &c->v[u->d];					\
	const union tpc_vreg *A = &c->v[u->a];					\
	const TY y = (Y);							\
	_Pragma("GCC ivdep")							\
	for (unsigned i = 0; i < TPC_L32; i++)					\
		D->F[i] = OP(A->F[i], y);					\
} while (0)

#define TPC_BODY_U(EXPR) do {							\
	union tpc_vreg *D = &c->v[u->d];					\
	const union tpc_vreg *A = &c->v[u->a];					\
	_Pragma("GCC ivdep")							\
	for (unsigned i = 0; i < TPC_L32; i++) {				\
		float x = A->f[i];						\
		D->f[i] = (EXPR);						\
	}									\
} while (0)

#define TPC_CASES_F(n)								\
	case TPC_H_##n##_V: TPC_BODY_V(f, TPC_##n); c->flops += TPC_L32; break;	\
	case TPC_H_##n##_S:							\
		TPC_BODY_S(f, float, TPC_##n, tpc_as_f(c->s[u->b]));		\
		c->flops += TPC_L32;						\
		break;								\
	case TPC_H_##n##_I:							\
		TPC_BODY_S(f, float, TPC_##n, tpc_as_f(u->imm));		\
		c->flops += TPC_L32;						\
		break;
#define TPC_CASES_U(n)								\
	case TPC_H_##n##_V: TPC_BODY_V(u, TPC_##n); break;			\
	case TPC_H_##n##_S: TPC_BODY_S(u, uint32_t, TPC_##n, c->s[u->b]); break;	\
	case TPC_H_##n##_I: TPC_BODY_S(u, uint32_t, TPC_##n, u->imm); break;

/* Reductions over all 64 lanes: a fixed pairwise tree (docs/isa.md 5.3). */
#define TPC_RED_STEP(R, H, OP) do {						\
	for (unsigned i = 0; i < (H); i++)					\
		R[i] = OP(R[i], R[i + (H)]);					\
} while (0)
#define TPC_BODY_RED(OP) do {							\
	float r[TPC_L32];							\
	memcpy(r, c->v[u->a].f, sizeof(r));					\
	TPC_RED_STEP(r, 32, OP); TPC_RED_STEP(r, 16, OP);			\
	TPC_RED_STEP(r, 8, OP); TPC_RED_STEP(r, 4, OP);				\
	TPC_RED_STEP(r, 2, OP); TPC_RED_STEP(r, 1, OP);				\
	for (unsigned i = 0; i < TPC_L32; i++)					\
		c->v[u->d].f[i] = r[0];						\
	c->flops += TPC_L32;							\
} while (0)

static inline __attribute__((always_inline)) void
tpc_ffma(struct tpc_core *c, const struct tpc_uop *u, bool sreg)
{
	union tpc_vreg *D = &c->v[u->d];
	const union tpc_vreg *A = &c->v[u->a], *B = &c->v[u->b], *C = &c->v[u->c];
	const float y = tpc_as_f(c->s[u->b]);

	if (sreg) {
		_Pragma("GCC ivdep")
		for (unsigned i = 0; i < TPC_L32; i++)
			D->f[i] = fmaf(A->f[i], y, C->f[i]);
	} else {
		_Pragma("GCC ivdep")
		for (unsigned i = 0; i < TPC_L32; i++)
			D->f[i] = fmaf(A->f[i], B->f[i], C->f[i]);
	}
	c->flops += 2 * TPC_L32;
}

static inline __attribute__((always_inline)) void tpc_vprefetch(const uint8_t *p)
{
	__builtin_prefetch(p + TPC_PREFETCH);
	__builtin_prefetch(p + TPC_PREFETCH + 64);
	__builtin_prefetch(p + TPC_PREFETCH + 128);
	__builtin_prefetch(p + TPC_PREFETCH + 192);
}

/* Are two vectors in memory the same or without common bytes? */
static inline bool tpc_apart(const float *p, const float *q)
{
	return p == q || p + TPC_L32 <= q || q + TPC_L32 <= p;
}

/*
 * ldt vX, x; ldt vY, y; vfma.f32 vD, vX, sK, vY; stt z, vD: the registers
 * get what the four instructions leave in them (vD last, it may be vY).
 */
static inline __attribute__((always_inline)) void
tpc_axpy(struct tpc_core *c, const struct tpc_uop *u, const float *x, const float *y,
	 float *z)
{
	float *vx = c->v[u[0].d].f, *vy = c->v[u[1].d].f, *vd = c->v[u[2].d].f;
	const float s = tpc_as_f(c->s[u[2].b]);

	tpc_vprefetch((const uint8_t *)x);
	tpc_vprefetch((const uint8_t *)y);
	_Pragma("GCC ivdep")
	for (unsigned i = 0; i < TPC_L32; i++) {
		float a = x[i], b = y[i], r = fmaf(a, s, b);

		vx[i] = a;
		vy[i] = b;
		vd[i] = r;
		z[i] = r;
	}
	c->flops += 2 * TPC_L32;
	c->bytes += 3 * LOOM_TPC_VBYTES;
}

/* Run vector handler h (TPC_H_VMOV_V .. TPC_H_FREDMIN) of micro-op u. */
static inline __attribute__((always_inline)) void
tpc_vop(struct tpc_core *c, const struct tpc_uop *u, unsigned h)
{
	switch (h) {
	case TPC_H_VMOV_V:
		c->v[u->d] = c->v[u->b];
		break;
	case TPC_H_VMOV_S:
	case TPC_H_VMOV_I: {
		const uint32_t x = h == TPC_H_VMOV_S ? c->s[u->b] : u->imm;

		for (unsigned i = 0; i < TPC_L32; i++)
			c->v[u->d].u[i] = x;
		break;
	}
	TPC_FBIN(TPC_CASES_F)
	TPC_UBIN(TPC_CASES_U)
	case TPC_H_FFMA_V:
		tpc_ffma(c, u, false);
		break;
	case TPC_H_FFMA_S:
		tpc_ffma(c, u, true);
		break;
	case TPC_H_FNEG: TPC_BODY_U(-x); break;
	case TPC_H_FABS: TPC_BODY_U(fabsf(x)); break;
	case TPC_H_FEXP: TPC_BODY_U(tpc_m_exp(x)); c->flops += TPC_L32; break;
	case TPC_H_FLOG: TPC_BODY_U(tpc_m_log(x)); c->flops += TPC_L32; break;
	case TPC_H_FRSQRT: TPC_BODY_U(tpc_m_rsqrt(x)); c->flops += TPC_L32; break;
	case TPC_H_FRCP: TPC_BODY_U(tpc_m_rcp(x)); c->flops += TPC_L32; break;
	case TPC_H_FSQRT: TPC_BODY_U(tpc_m_sqrt(x)); c->flops += TPC_L32; break;
	case TPC_H_FTANH: TPC_BODY_U(tpc_m_tanh(x)); c->flops += TPC_L32; break;
	case TPC_H_FSIGMOID: TPC_BODY_U(tpc_m_sigmoid(x)); c->flops += TPC_L32; break;
	case TPC_H_FREDSUM: TPC_BODY_RED(TPC_FADD); break;
	case TPC_H_FREDMAX: TPC_BODY_RED(tpc_m_fmax); break;
	case TPC_H_FREDMIN: TPC_BODY_RED(tpc_m_fmin); break;
	default:
		__builtin_unreachable();
	}
}

#endif /* LOOM_TPC_VOP_H */
