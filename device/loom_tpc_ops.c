// SPDX-License-Identifier: MIT
/*
 * TPC instruction semantics: every instruction but control flow, one at a
 * time, in every type, operand kind and guard (tpc_exec_one). This is the
 * reference the specialised handlers of loom_tpc_exec.c must agree with,
 * and what they fall back to for lane-guarded instructions, bf16, type
 * conversions on tensor accesses and tensor accesses off the fast path.
 * This file has the scalar, memory and index instructions; the vector ones
 * are in loom_tpc_ops_vec.c (tpc_exec_vec).
 */
#include "loom_tpc_ops.h"

/* Scalar ops: x = S<a>, y = b. */
#define TPC_SF(EXPR) do {							\
	float x = tpc_as_f(c->s[u->a]), y = tpc_as_f(tpc_bval(c, u));		\
	(void)y;								\
	c->s[u->d] = tpc_as_u(EXPR);						\
} while (0)
#define TPC_SI(EXPR) do {							\
	int32_t x = (int32_t)c->s[u->a], y = (int32_t)tpc_bval(c, u);		\
	(void)y;								\
	c->s[u->d] = (uint32_t)(EXPR);						\
} while (0)
#define TPC_SU(EXPR) do {							\
	uint32_t x = c->s[u->a], y = tpc_bval(c, u);				\
	(void)y;								\
	c->s[u->d] = (EXPR);							\
} while (0)
#define TPC_SCMP(OP)								\
	case TPC_UOP(0, LOOM_TPC_DT_F32):					\
		c->p[u->d] = tpc_as_f(c->s[u->a]) OP tpc_as_f(tpc_bval(c, u));	\
		break;								\
	case TPC_UOP(0, LOOM_TPC_DT_I32):					\
		c->p[u->d] = (int32_t)c->s[u->a] OP (int32_t)tpc_bval(c, u);	\
		break;								\
	case TPC_UOP(0, LOOM_TPC_DT_U32):					\
		c->p[u->d] = c->s[u->a] OP tpc_bval(c, u);			\
		break;

static uint32_t tpc_movsr(const struct tpc_core *c, uint32_t sr)
{
	const struct tpc_launch *l = c->l;

	if (sr < 8)
		return (uint32_t)c->off[sr];
	if (sr < 16)
		return (uint32_t)c->size[sr - 8];
	if (sr < 24)
		return l->index[sr - 16];
	switch (sr) {
	case LOOM_TPC_SR_CORE:
		return c->id;
	case LOOM_TPC_SR_NCORES:
		return LOOM_NUM_TPC;
	case LOOM_TPC_SR_ITEM:
		return c->item;
	case LOOM_TPC_SR_NITEMS:
		return l->nitems;
	default:
		return l->scalars[sr - LOOM_TPC_SR_ARG(0)];
	}
}

/* Local memory address of a scalar (4) or vector (256) access, or -1. */
static inline int64_t tpc_laddr(const struct tpc_core *c, const struct tpc_uop *u,
				uint32_t size, uint32_t len)
{
	uint32_t addr = c->s[u->a] + u->imm;

	if ((addr & 3) || size < len || addr > size - len)
		return -1;
	return addr;
}

/* ---- one instruction ----------------------------------------------------- */

TPC_CLONES
int tpc_exec_one(struct tpc_core *c, const struct tpc_uop *u)
{
	unsigned t = u->op & 3;

	switch (u->op) {
	/* ---- scalar ---- */
	case TPC_U(MOV, F32):
	case TPC_U(MOV, I32):
	case TPC_U(MOV, U32):
		c->s[u->d] = tpc_bval(c, u);
		break;
	case TPC_U(ADD, F32): TPC_SF(x + y); break;
	case TPC_U(ADD, I32):
	case TPC_U(ADD, U32): TPC_SU(x + y); break;
	case TPC_U(SUB, F32): TPC_SF(x - y); break;
	case TPC_U(SUB, I32):
	case TPC_U(SUB, U32): TPC_SU(x - y); break;
	case TPC_U(MUL, F32): TPC_SF(x * y); break;
	case TPC_U(MUL, I32):
	case TPC_U(MUL, U32): TPC_SU(x * y); break;
	case TPC_U(DIV, F32): TPC_SF(x / y); break;
	case TPC_U(DIV, I32): TPC_SI(tpc_sdiv(x, y)); break;
	case TPC_U(DIV, U32): TPC_SU(tpc_udiv(x, y)); break;
	case TPC_U(REM, I32): TPC_SI(tpc_srem(x, y)); break;
	case TPC_U(REM, U32): TPC_SU(tpc_urem(x, y)); break;
	case TPC_U(MIN, F32): TPC_SF(tpc_m_fmin(x, y)); break;
	case TPC_U(MIN, I32): TPC_SI(x < y ? x : y); break;
	case TPC_U(MIN, U32): TPC_SU(x < y ? x : y); break;
	case TPC_U(MAX, F32): TPC_SF(tpc_m_fmax(x, y)); break;
	case TPC_U(MAX, I32): TPC_SI(x > y ? x : y); break;
	case TPC_U(MAX, U32): TPC_SU(x > y ? x : y); break;
	case TPC_U(AND, I32):
	case TPC_U(AND, U32): TPC_SU(x & y); break;
	case TPC_U(OR, I32):
	case TPC_U(OR, U32): TPC_SU(x | y); break;
	case TPC_U(XOR, I32):
	case TPC_U(XOR, U32): TPC_SU(x ^ y); break;
	case TPC_U(SHL, I32):
	case TPC_U(SHL, U32): TPC_SU(x << (y & 31)); break;
	case TPC_U(SHR, I32): TPC_SI(tpc_sra(x, (uint32_t)y)); break;
	case TPC_U(SHR, U32): TPC_SU(x >> (y & 31)); break;
	case TPC_U(NOT, I32):
	case TPC_U(NOT, U32): c->s[u->d] = ~c->s[u->a]; break;
	case TPC_U(NEG, F32): TPC_SF(-x); break;
	case TPC_U(NEG, I32): TPC_SU(0U - x); break;
	case TPC_U(ABS, F32): TPC_SF(fabsf(x)); break;
	case TPC_U(ABS, I32): TPC_SU(tpc_iabs(x)); break;
	case TPC_U(FMA, F32):
		c->s[u->d] = tpc_as_u(fmaf(tpc_as_f(c->s[u->a]), tpc_as_f(c->s[u->b]),
					   tpc_as_f(c->s[u->c])));
		break;
	case TPC_U(FMA, I32):
	case TPC_U(FMA, U32):
		c->s[u->d] = c->s[u->a] * c->s[u->b] + c->s[u->c];
		break;
	case TPC_U(SEL, F32):
	case TPC_U(SEL, I32):
	case TPC_U(SEL, U32):
		c->s[u->d] = (c->p[u->c] ^ u->cpn) ? c->s[u->a] : c->s[u->b];
		break;
	case TPC_U(CVT, F32):
		c->s[u->d] = tpc_as_u(u->cvt_src == LOOM_TPC_DT_I32 ?
				      (float)(int32_t)c->s[u->a] : (float)c->s[u->a]);
		break;
	case TPC_U(CVT, I32):
		c->s[u->d] = (uint32_t)tpc_f2i(tpc_as_f(c->s[u->a]), u->cvt_rnd);
		break;
	case TPC_U(CVT, U32):
		c->s[u->d] = tpc_f2u(tpc_as_f(c->s[u->a]), u->cvt_rnd);
		break;
	case TPC_U(CMPEQ, F32): case TPC_U(CMPEQ, I32): case TPC_U(CMPEQ, U32):
		switch (t) { TPC_SCMP(==) }
		break;
	case TPC_U(CMPNE, F32): case TPC_U(CMPNE, I32): case TPC_U(CMPNE, U32):
		switch (t) { TPC_SCMP(!=) }
		break;
	case TPC_U(CMPLT, F32): case TPC_U(CMPLT, I32): case TPC_U(CMPLT, U32):
		switch (t) { TPC_SCMP(<) }
		break;
	case TPC_U(CMPLE, F32): case TPC_U(CMPLE, I32): case TPC_U(CMPLE, U32):
		switch (t) { TPC_SCMP(<=) }
		break;
	case TPC_U(CMPGT, F32): case TPC_U(CMPGT, I32): case TPC_U(CMPGT, U32):
		switch (t) { TPC_SCMP(>) }
		break;
	case TPC_U(CMPGE, F32): case TPC_U(CMPGE, I32): case TPC_U(CMPGE, U32):
		switch (t) { TPC_SCMP(>=) }
		break;
	case TPC_U(EXP, F32): TPC_SF(tpc_m_exp(x)); break;
	case TPC_U(LOG, F32): TPC_SF(tpc_m_log(x)); break;
	case TPC_U(RSQRT, F32): TPC_SF(tpc_m_rsqrt(x)); break;
	case TPC_U(RCP, F32): TPC_SF(tpc_m_rcp(x)); break;
	case TPC_U(SQRT, F32): TPC_SF(tpc_m_sqrt(x)); break;
	case TPC_U(TANH, F32): TPC_SF(tpc_m_tanh(x)); break;
	case TPC_U(SIGMOID, F32): TPC_SF(tpc_m_sigmoid(x)); break;
	case TPC_U0(MOVSR):
		c->s[u->d] = tpc_movsr(c, u->imm);
		break;
	case TPC_U0(PAND): c->p[u->d] = c->p[u->a] & c->p[u->b]; break;
	case TPC_U0(POR): c->p[u->d] = c->p[u->a] | c->p[u->b]; break;
	case TPC_U0(PXOR): c->p[u->d] = c->p[u->a] ^ c->p[u->b]; break;
	case TPC_U0(PNOT): c->p[u->d] = !c->p[u->a]; break;
	/* ---- memory ---- */
	case TPC_U(LDT, F32): case TPC_U(LDT, I32): case TPC_U(LDT, U32):
	case TPC_U(LDT, BF16):
		return tpc_tensor_vload(c, u->b, c->ir[u->a], t, &c->v[u->d],
					u->lguard ? c->vp[u->p] : NULL, u->pn ? ~0U : 0U);
	case TPC_U(STT, F32): case TPC_U(STT, I32): case TPC_U(STT, U32):
	case TPC_U(STT, BF16):
		return tpc_tensor_vstore(c, u->b, c->ir[u->a], t, &c->v[u->d],
					 u->lguard ? c->vp[u->p] : NULL, u->pn ? ~0U : 0U);
	case TPC_U(LDTS, F32): case TPC_U(LDTS, I32): case TPC_U(LDTS, U32):
		return tpc_tensor_sload(c, u->b, c->ir[u->a], t, &c->s[u->d]);
	case TPC_U(STTS, F32): case TPC_U(STTS, I32): case TPC_U(STTS, U32):
		return tpc_tensor_sstore(c, u->b, c->ir[u->a], t, c->s[u->d]);
	case TPC_U0(LDL): {
		int64_t a = tpc_laddr(c, u, c->l->slm_size, 4);

		if (a < 0) {
		return LOOM_ERR_TPC_OOB;
		}
		memcpy(&c->s[u->d], c->slm + a, 4);
		break;
	}
	case TPC_U0(STL): {
		int64_t a = tpc_laddr(c, u, c->l->slm_size, 4);

		if (a < 0) {
		return LOOM_ERR_TPC_OOB;
		}
		memcpy(c->slm + a, &c->s[u->d], 4);
		break;
	}
	case TPC_U(LDLV, F32): case TPC_U(LDLV, I32): case TPC_U(LDLV, U32):
	case TPC_U(LDLV, BF16): {
		int64_t a = tpc_laddr(c, u, c->l->vlm_size, LOOM_TPC_VBYTES);

		if (a < 0) {
		return LOOM_ERR_TPC_OOB;
		}
		if (u->lguard) {
			memcpy(&c->tmp, c->vlm + a, LOOM_TPC_VBYTES);
			tpc_vcommit(c, u, t == LOOM_TPC_DT_BF16);
		} else {
			memcpy(&c->v[u->d], c->vlm + a, LOOM_TPC_VBYTES);
		}
		break;
	}
	case TPC_U(STLV, F32): case TPC_U(STLV, I32): case TPC_U(STLV, U32):
	case TPC_U(STLV, BF16): {
		int64_t a = tpc_laddr(c, u, c->l->vlm_size, LOOM_TPC_VBYTES);

		if (a < 0) {
		return LOOM_ERR_TPC_OOB;
		}
		if (u->lguard) {
			uint32_t neg = u->pn ? ~0U : 0U;

			memcpy(&c->tmp, c->vlm + a, LOOM_TPC_VBYTES);
			if (t == LOOM_TPC_DT_BF16)
				tpc_blend16(c->tmp.h, c->v[u->d].h, c->vp[u->p], neg);
			else
				tpc_blend32(c->tmp.u, c->v[u->d].u, c->vp[u->p], neg);
			memcpy(c->vlm + a, &c->tmp, LOOM_TPC_VBYTES);
		} else {
			memcpy(c->vlm + a, &c->v[u->d], LOOM_TPC_VBYTES);
		}
		break;
	}
	case TPC_U0(TSIZE):
		if (!c->l->t[u->b].valid) {
		return LOOM_ERR_TPC_OOB;
		}
		c->s[u->d] = (uint32_t)c->l->t[u->b].size[u->a];
		break;

	/* ---- index registers ---- */
	case TPC_U0(IMOV):
		memcpy(c->ir[u->d], c->ir[u->a], sizeof(c->ir[0]));
		break;
	case TPC_U0(ISET): {
		int32_t x = (int32_t)tpc_bval(c, u);

		for (unsigned k = 0; k < LOOM_TPC_DIMS; k++)
			if (u->a & (1U << k))
				c->ir[u->d][k] = x;
		break;
	}
	case TPC_U0(IADD): {
		uint32_t x = tpc_bval(c, u);

		for (unsigned k = 0; k < LOOM_TPC_DIMS; k++)
			if (u->a & (1U << k))
				c->ir[u->d][k] = (int32_t)((uint32_t)c->ir[u->d][k] + x);
		break;
	}
	case TPC_U0(IGET):
		c->s[u->d] = (uint32_t)c->ir[u->a][u->b];
		break;
	case TPC_U0(IDXOFF):
		memcpy(c->ir[u->d], c->off, sizeof(c->off));
		break;
	case TPC_U0(IDXSIZE):
		memcpy(c->ir[u->d], c->size, sizeof(c->size));
		break;

	default:
		/* Vector opcodes; control flow and TPC_U_* are not run here. */
		if (u->op >= TPC_UOP(0x40, 0) && u->op < TPC_UOP(0x80, 0))
			return tpc_exec_vec(c, u);
		return LOOM_ERR_TPC_ILLEGAL;
	}
	return LOOM_ERR_NONE;
}
