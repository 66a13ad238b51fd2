// SPDX-License-Identifier: MIT
/*
 * TPC instruction semantics, vector instructions (opcodes 0x40..0x7f), in
 * every type, operand kind and guard: the general path behind
 * tpc_exec_one(). Each is a plain loop over the 64 (or 128 bf16) lanes
 * that the host compiler vectorises; special functions come from
 * loom_tpc_math.h, reductions are one function per kind and type.
 */
#include "loom_tpc_ops.h"

/* ---- instruction bodies --------------------------------------------------- */

#define TPC_V32(TY, F, EXPR) do {						\
	union tpc_vreg *D = tpc_vd(c, u);					\
	const union tpc_vreg *A = &c->v[u->a];					\
	const union tpc_vreg *B = tpc_vb(c, u, false);				\
	_Pragma("GCC ivdep")							\
	for (unsigned i = 0; i < TPC_L32; i++) {				\
		TY x = (TY)A->F[i], y = (TY)B->F[i];				\
		D->F[i] = (EXPR);						\
	}									\
	(void)B;								\
	tpc_vcommit(c, u, false);						\
} while (0)

#define TPC_V32U(TY, F, EXPR) do {						\
	union tpc_vreg *D = tpc_vd(c, u);					\
	const union tpc_vreg *A = &c->v[u->a];					\
	_Pragma("GCC ivdep")							\
	for (unsigned i = 0; i < TPC_L32; i++) {				\
		TY x = (TY)A->F[i];						\
		D->F[i] = (EXPR);						\
	}									\
	tpc_vcommit(c, u, false);						\
} while (0)

#define TPC_V16(EXPR) do {							\
	union tpc_vreg *D = tpc_vd(c, u);					\
	const union tpc_vreg *A = &c->v[u->a];					\
	const union tpc_vreg *B = tpc_vb(c, u, true);				\
	_Pragma("GCC ivdep")							\
	for (unsigned i = 0; i < TPC_L16; i++) {				\
		float x = tpc_bf2f(A->h[i]), y = tpc_bf2f(B->h[i]);		\
		D->h[i] = tpc_f2bf(EXPR);					\
	}									\
	(void)B;								\
	tpc_vcommit(c, u, true);						\
} while (0)

#define TPC_V16U(EXPR) do {							\
	union tpc_vreg *D = tpc_vd(c, u);					\
	const union tpc_vreg *A = &c->v[u->a];					\
	_Pragma("GCC ivdep")							\
	for (unsigned i = 0; i < TPC_L16; i++) {				\
		float x = tpc_bf2f(A->h[i]);					\
		D->h[i] = tpc_f2bf(EXPR);					\
	}									\
	tpc_vcommit(c, u, true);						\
} while (0)

/* Vector compare into predicate d. */
#define TPC_VCMP32(TY, F, OP) do {						\
	const union tpc_vreg *A = &c->v[u->a];					\
	const union tpc_vreg *B = tpc_vb(c, u, false);				\
	uint32_t r[TPC_L32];							\
	for (unsigned i = 0; i < TPC_L32; i++)					\
		r[i] = ((TY)A->F[i] OP (TY)B->F[i]) ? ~0U : 0U;			\
	tpc_pcommit(c, u, r, TPC_L32);						\
} while (0)

#define TPC_VCMP16(OP) do {							\
	const union tpc_vreg *A = &c->v[u->a];					\
	const union tpc_vreg *B = tpc_vb(c, u, true);				\
	uint32_t r[TPC_L16];							\
	for (unsigned i = 0; i < TPC_L16; i++)					\
		r[i] = (tpc_bf2f(A->h[i]) OP tpc_bf2f(B->h[i])) ? ~0U : 0U;	\
	tpc_pcommit(c, u, r, TPC_L16);						\
} while (0)

/* All four types of a vector compare. */
#define TPC_VCMP_ALL(NAME, OP)							\
	case TPC_U(NAME, F32): TPC_VCMP32(float, f, OP); break;			\
	case TPC_U(NAME, I32): TPC_VCMP32(int32_t, i, OP); break;		\
	case TPC_U(NAME, U32): TPC_VCMP32(uint32_t, u, OP); break;		\
	case TPC_U(NAME, BF16): TPC_VCMP16(OP); break;

/*
 * Reductions: the guarded lanes (the others replaced by the identity),
 * then a fixed pairwise tree (lanes i and i + n/2, then halves again).
 * One function per kind and type, so that every step vectorises.
 */
#define TPC_RED_STEP(R, H, F) do {						\
	for (unsigned i = 0; i < (H); i++)					\
		R[i] = F(R[i], R[i + (H)]);					\
} while (0)
#define TPC_RED_TREE(R, F) do {							\
	TPC_RED_STEP(R, 32, F); TPC_RED_STEP(R, 16, F); TPC_RED_STEP(R, 8, F);	\
	TPC_RED_STEP(R, 4, F); TPC_RED_STEP(R, 2, F); TPC_RED_STEP(R, 1, F);	\
} while (0)
#define TPC_ADD(x, y)	((x) + (y))
#define TPC_MAXI(x, y)	((x) > (y) ? (x) : (y))
#define TPC_MINI(x, y)	((x) < (y) ? (x) : (y))

#define TPC_RED32(NAME, TY, F, ID, OP)						\
static void NAME(struct tpc_core *c, const struct tpc_uop *u)			\
{										\
	const union tpc_vreg *A = &c->v[u->a];					\
	const uint32_t *m = c->vp[u->p];					\
	uint32_t neg = u->pn ? ~0U : 0U;					\
	TY r[TPC_L32];								\
										\
	if (u->lguard) {							\
		for (unsigned i = 0; i < TPC_L32; i++)				\
			r[i] = (m[i] ^ neg) ? A->F[i] : (ID);			\
	} else {								\
		for (unsigned i = 0; i < TPC_L32; i++)				\
			r[i] = A->F[i];						\
	}									\
	TPC_RED_TREE(r, OP);							\
	for (unsigned i = 0; i < TPC_L32; i++)					\
		c->v[u->d].F[i] = r[0];						\
}

TPC_RED32(tpc_redsum_f32, float, f, 0.0f, TPC_ADD)
TPC_RED32(tpc_redmax_f32, float, f, -INFINITY, tpc_m_fmax)
TPC_RED32(tpc_redmin_f32, float, f, INFINITY, tpc_m_fmin)
TPC_RED32(tpc_redsum_u32, uint32_t, u, 0U, TPC_ADD)
TPC_RED32(tpc_redmax_i32, int32_t, i, INT32_MIN, TPC_MAXI)
TPC_RED32(tpc_redmin_i32, int32_t, i, INT32_MAX, TPC_MINI)
TPC_RED32(tpc_redmax_u32, uint32_t, u, 0U, TPC_MAXI)
TPC_RED32(tpc_redmin_u32, uint32_t, u, UINT32_MAX, TPC_MINI)

/* bf16: the tree in fp32, one rounding at the end. */
static void tpc_vred16(struct tpc_core *c, const struct tpc_uop *u, unsigned kind)
{
	const union tpc_vreg *A = &c->v[u->a];
	const uint32_t *m = c->vp[u->p];
	uint32_t neg = u->pn ? ~0U : 0U;
	float r[TPC_L16], id = kind == 0 ? 0.0f : kind == 1 ? -INFINITY : INFINITY;
	unsigned i;
	uint16_t res;

	for (i = 0; i < TPC_L16; i++)
		r[i] = !u->lguard || (m[i] ^ neg) ? tpc_bf2f(A->h[i]) : id;
	if (kind == 0) {
		TPC_RED_STEP(r, 64, TPC_ADD);
		TPC_RED_TREE(r, TPC_ADD);
	} else if (kind == 1) {
		TPC_RED_STEP(r, 64, tpc_m_fmax);
		TPC_RED_TREE(r, tpc_m_fmax);
	} else {
		TPC_RED_STEP(r, 64, tpc_m_fmin);
		TPC_RED_TREE(r, tpc_m_fmin);
	}
	res = tpc_f2bf(r[0]);
	for (i = 0; i < TPC_L16; i++)
		c->v[u->d].h[i] = res;
	c->flops += TPC_L16;
}

static void tpc_vcvt(struct tpc_core *c, const struct tpc_uop *u, unsigned t)
{
	const union tpc_vreg *A = &c->v[u->a];
	union tpc_vreg *T = &c->tmp2;
	unsigned i, base = u->cvt_half ? TPC_L32 : 0, rnd = u->cvt_rnd;

	if (t == LOOM_TPC_DT_BF16) {
		*T = c->v[u->d];
		for (i = 0; i < TPC_L32; i++)
			T->h[base + i] = rnd == LOOM_TPC_RND_RZ ? tpc_f2bf_rz(A->f[i]) :
				tpc_f2bf(A->f[i]);
	} else if (u->cvt_src == LOOM_TPC_DT_BF16) {
		for (i = 0; i < TPC_L32; i++)
			T->f[i] = tpc_bf2f(A->h[base + i]);
	} else if (t == LOOM_TPC_DT_F32) {
		if (u->cvt_src == LOOM_TPC_DT_I32)
			for (i = 0; i < TPC_L32; i++)
				T->f[i] = (float)A->i[i];
		else
			for (i = 0; i < TPC_L32; i++)
				T->f[i] = (float)A->u[i];
	} else if (t == LOOM_TPC_DT_I32) {
		for (i = 0; i < TPC_L32; i++)
			T->i[i] = tpc_f2i(A->f[i], rnd);
	} else {
		for (i = 0; i < TPC_L32; i++)
			T->u[i] = tpc_f2u(A->f[i], rnd);
	}
	if (!u->lguard)
		c->v[u->d] = *T;
	else if (t == LOOM_TPC_DT_BF16)
		tpc_blend16(c->v[u->d].h, T->h, c->vp[u->p], u->pn ? ~0U : 0U);
	else
		tpc_blend32(c->v[u->d].u, T->u, c->vp[u->p], u->pn ? ~0U : 0U);
}

static void tpc_vshuf(struct tpc_core *c, const struct tpc_uop *u, bool bf)
{
	const union tpc_vreg *A = &c->v[u->a], *B = &c->v[u->b];
	union tpc_vreg *D = &c->tmp;
	unsigned i;

	if (bf)
		for (i = 0; i < TPC_L16; i++)
			D->h[i] = A->h[B->h[i] & (TPC_L16 - 1)];
	else
		for (i = 0; i < TPC_L32; i++)
			D->u[i] = A->u[B->u[i] & (TPC_L32 - 1)];
	if (u->lguard)
		tpc_vcommit(c, u, bf);
	else
		c->v[u->d] = *D;
}

/* ---- one vector instruction ---------------------------------------------- */

TPC_CLONES
int tpc_exec_vec(struct tpc_core *c, const struct tpc_uop *u)
{
	unsigned t = u->op & 3;

	switch (u->op) {
	/* ---- vector arithmetic ---- */
	case TPC_U(VMOV, F32):
	case TPC_U(VMOV, I32):
	case TPC_U(VMOV, U32): {
		const union tpc_vreg *B = tpc_vb(c, u, false);

		if (u->lguard)
			tpc_blend32(c->v[u->d].u, B->u, c->vp[u->p], u->pn ? ~0U : 0U);
		else if (B != &c->v[u->d])
			c->v[u->d] = *B;
		break;
	}
	case TPC_U(VMOV, BF16): {
		const union tpc_vreg *B = tpc_vb(c, u, true);

		if (u->lguard)
			tpc_blend16(c->v[u->d].h, B->h, c->vp[u->p], u->pn ? ~0U : 0U);
		else if (B != &c->v[u->d])
			c->v[u->d] = *B;
		break;
	}
	case TPC_U(VADD, F32): TPC_V32(float, f, x + y); c->flops += TPC_L32; break;
	case TPC_U(VADD, I32):
	case TPC_U(VADD, U32): TPC_V32(uint32_t, u, x + y); break;
	case TPC_U(VADD, BF16): TPC_V16(x + y); c->flops += TPC_L16; break;
	case TPC_U(VSUB, F32): TPC_V32(float, f, x - y); c->flops += TPC_L32; break;
	case TPC_U(VSUB, I32):
	case TPC_U(VSUB, U32): TPC_V32(uint32_t, u, x - y); break;
	case TPC_U(VSUB, BF16): TPC_V16(x - y); c->flops += TPC_L16; break;
	case TPC_U(VMUL, F32): TPC_V32(float, f, x * y); c->flops += TPC_L32; break;
	case TPC_U(VMUL, I32):
	case TPC_U(VMUL, U32): TPC_V32(uint32_t, u, x * y); break;
	case TPC_U(VMUL, BF16): TPC_V16(x * y); c->flops += TPC_L16; break;
	case TPC_U(VDIV, F32): TPC_V32(float, f, x / y); c->flops += TPC_L32; break;
	case TPC_U(VDIV, I32): TPC_V32(int32_t, i, tpc_sdiv(x, y)); break;
	case TPC_U(VDIV, U32): TPC_V32(uint32_t, u, tpc_udiv(x, y)); break;
	case TPC_U(VDIV, BF16): TPC_V16(x / y); c->flops += TPC_L16; break;
	case TPC_U(VMIN, F32): TPC_V32(float, f, tpc_m_fmin(x, y)); break;
	case TPC_U(VMIN, I32): TPC_V32(int32_t, i, x < y ? x : y); break;
	case TPC_U(VMIN, U32): TPC_V32(uint32_t, u, x < y ? x : y); break;
	case TPC_U(VMIN, BF16): TPC_V16(tpc_m_fmin(x, y)); break;
	case TPC_U(VMAX, F32): TPC_V32(float, f, tpc_m_fmax(x, y)); break;
	case TPC_U(VMAX, I32): TPC_V32(int32_t, i, x > y ? x : y); break;
	case TPC_U(VMAX, U32): TPC_V32(uint32_t, u, x > y ? x : y); break;
	case TPC_U(VMAX, BF16): TPC_V16(tpc_m_fmax(x, y)); break;
	case TPC_U(VAND, I32):
	case TPC_U(VAND, U32): TPC_V32(uint32_t, u, x & y); break;
	case TPC_U(VOR, I32):
	case TPC_U(VOR, U32): TPC_V32(uint32_t, u, x | y); break;
	case TPC_U(VXOR, I32):
	case TPC_U(VXOR, U32): TPC_V32(uint32_t, u, x ^ y); break;
	case TPC_U(VSHL, I32):
	case TPC_U(VSHL, U32): TPC_V32(uint32_t, u, x << (y & 31)); break;
	case TPC_U(VSHR, I32): TPC_V32(int32_t, i, tpc_sra(x, (uint32_t)y)); break;
	case TPC_U(VSHR, U32): TPC_V32(uint32_t, u, x >> (y & 31)); break;
	case TPC_U(VNOT, I32):
	case TPC_U(VNOT, U32): TPC_V32U(uint32_t, u, ~x); break;
	case TPC_U(VNEG, F32): TPC_V32U(float, f, -x); break;
	case TPC_U(VNEG, I32): TPC_V32U(uint32_t, u, 0U - x); break;
	case TPC_U(VNEG, BF16): TPC_V16U(-x); break;
	case TPC_U(VABS, F32): TPC_V32U(float, f, fabsf(x)); break;
	case TPC_U(VABS, I32): TPC_V32U(uint32_t, u, tpc_iabs(x)); break;
	case TPC_U(VABS, BF16): TPC_V16U(fabsf(x)); break;
	case TPC_U(VFMA, F32): {
		const union tpc_vreg *C = &c->v[u->c];

		TPC_V32(float, f, fmaf(x, y, C->f[i]));
		c->flops += 2 * TPC_L32;
		break;
	}
	case TPC_U(VFMA, I32):
	case TPC_U(VFMA, U32): {
		const union tpc_vreg *C = &c->v[u->c];

		TPC_V32(uint32_t, u, x * y + C->u[i]);
		break;
	}
	case TPC_U(VFMA, BF16): {
		const union tpc_vreg *C = &c->v[u->c];

		TPC_V16(fmaf(x, y, tpc_bf2f(C->h[i])));
		c->flops += 2 * TPC_L16;
		break;
	}
	case TPC_U(VSEL, F32):
	case TPC_U(VSEL, I32):
	case TPC_U(VSEL, U32): {
		const uint32_t *m = c->vp[u->c];
		uint32_t neg = u->cpn ? ~0U : 0U;

		TPC_V32(uint32_t, u, (x & (m[i] ^ neg)) | (y & ~(m[i] ^ neg)));
		break;
	}
	case TPC_U(VSEL, BF16): {
		union tpc_vreg *D = tpc_vd(c, u);
		const union tpc_vreg *A = &c->v[u->a], *B = tpc_vb(c, u, true);
		const uint32_t *m = c->vp[u->c];
		uint32_t neg = u->cpn ? ~0U : 0U;

		_Pragma("GCC ivdep")
		for (unsigned i = 0; i < TPC_L16; i++) {
			uint16_t k = (uint16_t)(m[i] ^ neg);

			D->h[i] = (uint16_t)((A->h[i] & k) | (B->h[i] & ~k));
		}
		tpc_vcommit(c, u, true);
		break;
	}
	case TPC_U(VCVT, F32):
	case TPC_U(VCVT, I32):
	case TPC_U(VCVT, U32):
	case TPC_U(VCVT, BF16):
		tpc_vcvt(c, u, t);
		break;
	TPC_VCMP_ALL(VCMPEQ, ==)
	TPC_VCMP_ALL(VCMPNE, !=)
	TPC_VCMP_ALL(VCMPLT, <)
	TPC_VCMP_ALL(VCMPLE, <=)
	TPC_VCMP_ALL(VCMPGT, >)
	TPC_VCMP_ALL(VCMPGE, >=)
	case TPC_U(VEXP, F32): TPC_V32U(float, f, tpc_m_exp(x)); c->flops += TPC_L32; break;
	case TPC_U(VEXP, BF16): TPC_V16U(tpc_m_exp(x)); c->flops += TPC_L16; break;
	case TPC_U(VLOG, F32): TPC_V32U(float, f, tpc_m_log(x)); c->flops += TPC_L32; break;
	case TPC_U(VLOG, BF16): TPC_V16U(tpc_m_log(x)); c->flops += TPC_L16; break;
	case TPC_U(VRSQRT, F32): TPC_V32U(float, f, tpc_m_rsqrt(x)); c->flops += TPC_L32; break;
	case TPC_U(VRSQRT, BF16): TPC_V16U(tpc_m_rsqrt(x)); c->flops += TPC_L16; break;
	case TPC_U(VRCP, F32): TPC_V32U(float, f, tpc_m_rcp(x)); c->flops += TPC_L32; break;
	case TPC_U(VRCP, BF16): TPC_V16U(tpc_m_rcp(x)); c->flops += TPC_L16; break;
	case TPC_U(VSQRT, F32): TPC_V32U(float, f, tpc_m_sqrt(x)); c->flops += TPC_L32; break;
	case TPC_U(VSQRT, BF16): TPC_V16U(tpc_m_sqrt(x)); c->flops += TPC_L16; break;
	case TPC_U(VTANH, F32): TPC_V32U(float, f, tpc_m_tanh(x)); c->flops += TPC_L32; break;
	case TPC_U(VTANH, BF16): TPC_V16U(tpc_m_tanh(x)); c->flops += TPC_L16; break;
	case TPC_U(VSIGMOID, F32):
		TPC_V32U(float, f, tpc_m_sigmoid(x));
		c->flops += TPC_L32;
		break;
	case TPC_U(VSIGMOID, BF16): TPC_V16U(tpc_m_sigmoid(x)); c->flops += TPC_L16; break;
	case TPC_U(VREDSUM, F32): tpc_redsum_f32(c, u); c->flops += TPC_L32; break;
	case TPC_U(VREDMAX, F32): tpc_redmax_f32(c, u); c->flops += TPC_L32; break;
	case TPC_U(VREDMIN, F32): tpc_redmin_f32(c, u); c->flops += TPC_L32; break;
	case TPC_U(VREDSUM, I32): case TPC_U(VREDSUM, U32): tpc_redsum_u32(c, u); break;
	case TPC_U(VREDMAX, I32): tpc_redmax_i32(c, u); break;
	case TPC_U(VREDMIN, I32): tpc_redmin_i32(c, u); break;
	case TPC_U(VREDMAX, U32): tpc_redmax_u32(c, u); break;
	case TPC_U(VREDMIN, U32): tpc_redmin_u32(c, u); break;
	case TPC_U(VREDSUM, BF16): tpc_vred16(c, u, 0); break;
	case TPC_U(VREDMAX, BF16): tpc_vred16(c, u, 1); break;
	case TPC_U(VREDMIN, BF16): tpc_vred16(c, u, 2); break;
	case TPC_U(VSHUF, F32): case TPC_U(VSHUF, I32): case TPC_U(VSHUF, U32):
		tpc_vshuf(c, u, false);
		break;
	case TPC_U(VSHUF, BF16):
		tpc_vshuf(c, u, true);
		break;
	case TPC_U(VBCAST, F32): case TPC_U(VBCAST, I32): case TPC_U(VBCAST, U32): {
		uint32_t x = c->v[u->a].u[tpc_bval(c, u) & (TPC_L32 - 1)];
		union tpc_vreg *D = tpc_vd(c, u);

		for (unsigned i = 0; i < TPC_L32; i++)
			D->u[i] = x;
		tpc_vcommit(c, u, false);
		break;
	}
	case TPC_U(VBCAST, BF16): {
		uint16_t x = c->v[u->a].h[tpc_bval(c, u) & (TPC_L16 - 1)];
		union tpc_vreg *D = tpc_vd(c, u);

		for (unsigned i = 0; i < TPC_L16; i++)
			D->h[i] = x;
		tpc_vcommit(c, u, true);
		break;
	}
	case TPC_U(VEXT, F32): case TPC_U(VEXT, I32): case TPC_U(VEXT, U32):
		c->s[u->d] = c->v[u->a].u[tpc_bval(c, u) & (TPC_L32 - 1)];
		break;
	case TPC_U(VEXT, BF16):
		c->s[u->d] = tpc_as_u(tpc_bf2f(c->v[u->a].h[tpc_bval(c, u) & (TPC_L16 - 1)]));
		break;
	case TPC_U(VINS, F32): case TPC_U(VINS, I32): case TPC_U(VINS, U32): {
		unsigned lane = tpc_bval(c, u) & (TPC_L32 - 1);

		if (tpc_guard_lane(c, u, lane))
			c->v[u->d].u[lane] = c->s[u->a];
		break;
	}
	case TPC_U(VINS, BF16): {
		unsigned lane = tpc_bval(c, u) & (TPC_L16 - 1);

		if (tpc_guard_lane(c, u, lane))
			c->v[u->d].h[lane] = tpc_f2bf(tpc_as_f(c->s[u->a]));
		break;
	}
	case TPC_U(VIOTA, F32): {
		union tpc_vreg *D = tpc_vd(c, u);

		for (unsigned i = 0; i < TPC_L32; i++)
			D->f[i] = (float)i;
		tpc_vcommit(c, u, false);
		break;
	}
	case TPC_U(VIOTA, I32):
	case TPC_U(VIOTA, U32): {
		union tpc_vreg *D = tpc_vd(c, u);

		for (unsigned i = 0; i < TPC_L32; i++)
			D->u[i] = i;
		tpc_vcommit(c, u, false);
		break;
	}
	case TPC_U(VIOTA, BF16): {
		union tpc_vreg *D = tpc_vd(c, u);

		for (unsigned i = 0; i < TPC_L16; i++)
			D->h[i] = tpc_f2bf((float)i);
		tpc_vcommit(c, u, true);
		break;
	}

	/* ---- vector predicates ---- */
	case TPC_U0(VPAND): case TPC_U0(VPOR): case TPC_U0(VPXOR): case TPC_U0(VPNOT):
	case TPC_U0(VPSET): {
		const uint32_t *A = c->vp[u->a], *B = c->vp[u->b];
		uint32_t r[TPC_L16], s = c->p[u->a] ? ~0U : 0U;
		unsigned op = u->op >> 2;

		for (unsigned i = 0; i < TPC_L16; i++)
			r[i] = op == LOOM_TPC_OP_VPAND ? A[i] & B[i] :
			       op == LOOM_TPC_OP_VPOR ? A[i] | B[i] :
			       op == LOOM_TPC_OP_VPXOR ? A[i] ^ B[i] :
			       op == LOOM_TPC_OP_VPNOT ? ~A[i] : s;
		tpc_pcommit(c, u, r, TPC_L16);
		break;
	}
	case TPC_U(VPANY, F32): case TPC_U(VPANY, I32): case TPC_U(VPANY, U32):
	case TPC_U(VPANY, BF16): case TPC_U(VPALL, F32): case TPC_U(VPALL, I32):
	case TPC_U(VPALL, U32): case TPC_U(VPALL, BF16): {
		unsigned n = tpc_lanes(t), any = 0, all = 1;

		for (unsigned i = 0; i < n; i++) {
			any |= c->vp[u->a][i] != 0;
			all &= c->vp[u->a][i] != 0;
		}
		c->p[u->d] = (uint8_t)((u->op >> 2) == LOOM_TPC_OP_VPANY ? any : all);
		break;
	}
	default:
		return LOOM_ERR_TPC_ILLEGAL;
	}
	return LOOM_ERR_NONE;
}
