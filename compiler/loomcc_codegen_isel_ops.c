/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen_isel_ops.c: instruction selection, part 2 - arithmetic,
 * comparisons, selects, conversions, broadcasts, reductions and bf16.
 *
 * Operand folding (cg_fold): where a form allows it, operand b is an
 * immediate when its value is a known constant, or the scalar register
 * of a broadcast when the broadcast is in the same block and its scalar
 * has not changed since; commutative operations swap such an operand
 * into b. A float64 `a * b + c` whose product is used only there becomes
 * one vfma (contraction, as C compilers do under FP_CONTRACT ON). A
 * select whose other arm is a constant is a copy and a guarded move.
 */
#include <string.h>

#include "loomcc_codegen_int.h"

int cg_copy(struct cg *cg, int mb, int d, int a, enum lcc_irtype t);

/* The latest definition of vreg in the current block before the current instruction. */
static const struct lcc_irinsn *cg_local_def(struct cg *cg, int vreg, int *at)
{
	const struct lcc_irblock *bb = cg->cur_bb;

	if (!bb)
		return NULL;
	for (int i = cg->cur_i - 1; i >= 0; i--)
		if (bb->insns[i].dst == vreg) {
			*at = i;
			return &bb->insns[i];
		}
	return NULL;
}

static bool cg_redefined_since(struct cg *cg, int vreg, int from)
{
	for (int i = from + 1; i < cg->cur_i; i++)
		if (cg->cur_bb->insns[i].dst == vreg)
			return true;
	return false;
}

/* Is vreg's value here a known constant (bits)? */
bool cg_ir_const(struct cg *cg, int vreg, uint32_t *bits)
{
	const struct lcc_irinsn *d;
	int at;

	if (vreg < 0 || vreg >= cg->fn->nvregs)
		return false;
	d = cg_local_def(cg, vreg, &at);
	if (!d && cg->ir[vreg].ndefs == 1)
		d = cg->ir[vreg].def;
	if (!d || d->op != IR_CONST)
		return false;
	if (cg_ir_type(cg, vreg) == IRT_F32)
		memcpy(bits, &d->fimm, 4);
	else
		*bits = (uint32_t)d->imm;
	return true;
}

/* How operand b is given: a register of the form's class, a scalar, or an immediate. */
struct cg_opnd {
	unsigned bk;
	int reg;
	uint32_t imm;
	int sreg;		/* IMM: a scalar register holding the value, or -1 */
};

/* Is vreg here a broadcast of a scalar (returned)? */
static int cg_bcast_src(struct cg *cg, int vreg)
{
	const struct lcc_irinsn *d;
	int at;

	if (vreg < 0 || vreg >= cg->fn->nvregs)
		return -1;
	d = cg_local_def(cg, vreg, &at);
	if (d && d->op == IR_BCAST && !cg_redefined_since(cg, d->src[0], at))
		return d->src[0];
	if (!d && cg->ir[vreg].ndefs == 1 && cg->ir[vreg].def && cg->ir[vreg].def->op == IR_BCAST) {
		uint32_t bits;
		int s = cg->ir[vreg].def->src[0];

		if (s >= 0 && s < cg->fn->nvregs && cg->ir[s].ndefs == 1 && cg->ir[s].def &&
		    cg->ir[s].def->op == IR_CONST && cg_ir_const(cg, s, &bits))
			return s;
	}
	return -1;
}

static struct cg_opnd cg_fold(struct cg *cg, int vreg, bool vec)
{
	struct cg_opnd o = { LOOM_TPC_BK_REG, vreg, 0, -1 };
	int s = vec ? cg_bcast_src(cg, vreg) : vreg;

	if (s >= 0 && cg_ir_const(cg, s, &o.imm)) {
		o.bk = LOOM_TPC_BK_IMM;
		o.sreg = s;
	} else if (vec && s >= 0) {
		o.bk = LOOM_TPC_BK_SREG;
		o.reg = s;
	}
	return o;
}

/* Set operand b of mi to o, within the form's legal kinds (bkm); vreg is the operand. */
static void cg_set_b(struct cg *cg, struct cg_mi *mi, struct cg_opnd o, unsigned bkm, int vreg)
{
	(void)cg;
	if (o.bk == LOOM_TPC_BK_IMM && !(bkm & LOOM_TPC_BKM(LOOM_TPC_BK_IMM))) {
		if (o.sreg >= 0 && (bkm & LOOM_TPC_BKM(LOOM_TPC_BK_SREG)))
			o = (struct cg_opnd){ LOOM_TPC_BK_SREG, o.sreg, 0, -1 };
		else
			o = (struct cg_opnd){ LOOM_TPC_BK_REG, vreg, 0, -1 };
	}
	if (o.bk == LOOM_TPC_BK_SREG && !(bkm & LOOM_TPC_BKM(LOOM_TPC_BK_SREG)))
		o = (struct cg_opnd){ LOOM_TPC_BK_REG, vreg, 0, -1 };
	mi->bk = (uint8_t)o.bk;
	if (o.bk == LOOM_TPC_BK_IMM)
		mi->hi = LOOM_TPC_ENC_IMM(o.imm);
	else
		mi->b = o.reg;
}

static bool cg_commutes(enum lcc_irop op)
{
	switch (op) {
	case IR_ADD: case IR_MUL: case IR_MIN: case IR_MAX: case IR_UMIN: case IR_UMAX:
	case IR_AND: case IR_OR: case IR_XOR: case IR_EQ: case IR_NE:
		return true;
	default:
		return false;
	}
}

static unsigned cg_type(enum lcc_irtype t, bool uns)
{
	if (t == IRT_V128BF16)
		return LOOM_TPC_DT_BF16;
	if (lcc_irtype_lane(t) == IRT_I32)
		return uns ? LOOM_TPC_DT_U32 : LOOM_TPC_DT_I32;
	return LOOM_TPC_DT_F32;
}

/* a * b + c with a product used only here: one fused instruction. */
static bool cg_contract(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	for (int k = 0; k < 2; k++) {
		int m = in->src[k], at;
		const struct lcc_irinsn *d = cg_local_def(cg, m, &at);
		struct cg_mi *mi;
		int x, y;

		if (!d || d->op != IR_MUL || cg->ir[m].nuses != 1 || cg->ir[m].ndefs != 1 ||
		    cg_ir_type(cg, m) != IRT_V64F32 || d->src[0] == m || d->src[1] == m ||
		    cg_redefined_since(cg, d->src[0], at) || cg_redefined_since(cg, d->src[1], at))
			continue;
		x = d->src[0];
		y = d->src[1];
		if (cg_bcast_src(cg, x) >= 0 && cg_bcast_src(cg, y) < 0) {
			x = d->src[1];
			y = d->src[0];
		}
		mi = cg_emit(cg, mb, LOOM_TPC_OP_VFMA, LOOM_TPC_DT_F32);
		if (!mi)
			return true;
		mi->d = in->dst;
		mi->a = x;
		mi->c = in->src[1 - k];
		cg_set_b(cg, mi, cg_fold(cg, y, true), LOOM_TPC_BKM_RS, y);
		return true;
	}
	return false;
}

static int cg_binop(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = cg_ir_type(cg, in->src[0]);
	bool vec = lcc_irtype_is_vector(t), uns = false;
	unsigned sop = 0, vop = 0, bkm;
	int a = in->src[0], b = in->src[1];
	struct cg_opnd ob;
	struct cg_mi *mi;

	switch (in->op) {
	case IR_ADD: sop = LOOM_TPC_OP_ADD; vop = LOOM_TPC_OP_VADD; break;
	case IR_SUB: sop = LOOM_TPC_OP_SUB; vop = LOOM_TPC_OP_VSUB; break;
	case IR_MUL: sop = LOOM_TPC_OP_MUL; vop = LOOM_TPC_OP_VMUL; break;
	case IR_DIV: sop = LOOM_TPC_OP_DIV; vop = LOOM_TPC_OP_VDIV; break;
	case IR_UDIV: sop = LOOM_TPC_OP_DIV; uns = true; break;
	case IR_REM: sop = LOOM_TPC_OP_REM; break;
	case IR_UREM: sop = LOOM_TPC_OP_REM; uns = true; break;
	case IR_MIN: sop = LOOM_TPC_OP_MIN; vop = LOOM_TPC_OP_VMIN; break;
	case IR_MAX: sop = LOOM_TPC_OP_MAX; vop = LOOM_TPC_OP_VMAX; break;
	case IR_UMIN: sop = LOOM_TPC_OP_MIN; vop = LOOM_TPC_OP_VMIN; uns = true; break;
	case IR_UMAX: sop = LOOM_TPC_OP_MAX; vop = LOOM_TPC_OP_VMAX; uns = true; break;
	case IR_AND: sop = LOOM_TPC_OP_AND; vop = LOOM_TPC_OP_VAND; break;
	case IR_OR: sop = LOOM_TPC_OP_OR; vop = LOOM_TPC_OP_VOR; break;
	case IR_XOR: sop = LOOM_TPC_OP_XOR; vop = LOOM_TPC_OP_VXOR; break;
	case IR_SHL: sop = LOOM_TPC_OP_SHL; vop = LOOM_TPC_OP_VSHL; break;
	case IR_SHR: sop = LOOM_TPC_OP_SHR; vop = LOOM_TPC_OP_VSHR; break;
	case IR_USHR: sop = LOOM_TPC_OP_SHR; vop = LOOM_TPC_OP_VSHR; uns = true; break;
	default: break;
	}
	if ((vec ? vop : sop) == 0 || (sop == LOOM_TPC_OP_REM && lcc_irtype_lane(t) == IRT_F32) ||
	    (vec && t == IRT_V64I32 && vop == LOOM_TPC_OP_VDIV))
		return cg_unsupported(cg, lcc_irop_name(in->op));
	if (in->op == IR_ADD && t == IRT_V64F32 && cg_contract(cg, mb, in))
		return cg->err;
	if (cg_commutes(in->op) && cg_fold(cg, a, vec).bk != LOOM_TPC_BK_REG &&
	    cg_fold(cg, b, vec).bk == LOOM_TPC_BK_REG) {
		a = in->src[1];
		b = in->src[0];
	}
	ob = cg_fold(cg, b, vec);
	bkm = vec ? LOOM_TPC_BKM_RSI : LOOM_TPC_BKM_RI;
	mi = cg_emit(cg, mb, vec ? vop : sop, cg_type(t, uns));
	if (!mi)
		return cg->err;
	mi->d = in->dst;
	mi->a = a;
	cg_set_b(cg, mi, ob, bkm, b);
	return cg->err;
}

static int cg_predop(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	bool vec = cg_ir_type(cg, in->dst) == IRT_V64BOOL;
	struct cg_mi *mi;
	unsigned op;

	switch (in->op) {
	case IR_AND: op = vec ? LOOM_TPC_OP_VPAND : LOOM_TPC_OP_PAND; break;
	case IR_OR: op = vec ? LOOM_TPC_OP_VPOR : LOOM_TPC_OP_POR; break;
	case IR_XOR: op = vec ? LOOM_TPC_OP_VPXOR : LOOM_TPC_OP_PXOR; break;
	default: op = vec ? LOOM_TPC_OP_VPNOT : LOOM_TPC_OP_PNOT; break;
	}
	mi = cg_emit(cg, mb, op, 0);
	if (mi) {
		mi->d = in->dst;
		mi->a = in->src[0];
		mi->b = in->op == IR_NOT ? 0 : in->src[1];
	}
	return cg->err;
}

static int cg_compare(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	static const unsigned swapped[6] = { 0, 1, 4, 5, 2, 3 };	/* a op b == b op' a */
	enum lcc_irtype t = cg_ir_type(cg, in->src[0]);
	bool vec = lcc_irtype_is_vector(t), uns = false;
	int a = in->src[0], b = in->src[1];
	struct cg_mi *mi;
	unsigned k;

	switch (in->op) {
	case IR_EQ: k = 0; break;
	case IR_NE: k = 1; break;
	case IR_LT: k = 2; break;
	case IR_LE: k = 3; break;
	case IR_GT: k = 4; break;
	case IR_GE: k = 5; break;
	case IR_ULT: k = 2; uns = true; break;
	case IR_ULE: k = 3; uns = true; break;
	case IR_UGT: k = 4; uns = true; break;
	default: k = 5; uns = true; break;
	}
	if (t == IRT_V128BF16 || (cg_class_of(t) != CG_S && cg_class_of(t) != CG_V))
		return cg_unsupported(cg, lcc_irop_name(in->op));
	if (cg_fold(cg, a, vec).bk != LOOM_TPC_BK_REG && cg_fold(cg, b, vec).bk == LOOM_TPC_BK_REG) {
		a = in->src[1];
		b = in->src[0];
		k = swapped[k];
	}
	mi = cg_emit(cg, mb, (vec ? LOOM_TPC_OP_VCMPEQ : LOOM_TPC_OP_CMPEQ) + k, cg_type(t, uns));
	if (!mi)
		return cg->err;
	mi->d = in->dst;
	mi->a = a;
	cg_set_b(cg, mi, cg_fold(cg, b, vec), vec ? LOOM_TPC_BKM_RSI : LOOM_TPC_BKM_RI, b);
	return cg->err;
}

static int cg_unop(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = cg_ir_type(cg, in->src[0]);
	bool vec = lcc_irtype_is_vector(t);
	struct cg_mi *mi;
	unsigned op;

	switch (in->op) {
	case IR_NEG: op = vec ? LOOM_TPC_OP_VNEG : LOOM_TPC_OP_NEG; break;
	case IR_NOT: op = vec ? LOOM_TPC_OP_VNOT : LOOM_TPC_OP_NOT; break;
	case IR_ABS: op = vec ? LOOM_TPC_OP_VABS : LOOM_TPC_OP_ABS; break;
	default:
		op = (vec ? LOOM_TPC_OP_VEXP : LOOM_TPC_OP_EXP) + (unsigned)(in->op - IR_EXP);
		break;
	}
	mi = cg_emit(cg, mb, op, cg_type(t, false));
	if (mi) {
		mi->d = in->dst;
		mi->a = in->src[0];
	}
	return cg->err;
}

static int cg_convert(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	bool vec = lcc_irtype_is_vector(cg_ir_type(cg, in->src[0]));
	unsigned dt, st, rnd = LOOM_TPC_RND_RNE, half = 0;
	struct cg_mi *mi;

	switch (in->op) {
	case IR_SITOFP: dt = LOOM_TPC_DT_F32; st = LOOM_TPC_DT_I32; break;
	case IR_UITOFP: dt = LOOM_TPC_DT_F32; st = LOOM_TPC_DT_U32; break;
	case IR_FPTOSI: dt = LOOM_TPC_DT_I32; st = LOOM_TPC_DT_F32; rnd = LOOM_TPC_RND_RZ; break;
	case IR_FPTOUI: dt = LOOM_TPC_DT_U32; st = LOOM_TPC_DT_F32; rnd = LOOM_TPC_RND_RZ; break;
	case IR_UNPACK_HI: half = 1;
		/* fall through */
	default: dt = LOOM_TPC_DT_F32; st = LOOM_TPC_DT_BF16; break;	/* unpack */
	}
	mi = cg_emit(cg, mb, vec ? LOOM_TPC_OP_VCVT : LOOM_TPC_OP_CVT, dt);
	if (mi) {
		mi->d = in->dst;
		mi->a = in->src[0];
		mi->hi = LOOM_TPC_ENC_CVT(st, rnd, half);
	}
	return cg->err;
}

/* pack_bf16 lo, hi: two conversions, each writing one half of d. */
static int cg_pack(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	int d = in->dst;

	/* If d is an operand, build the result aside first. */
	if (d == in->src[0] || d == in->src[1])
		d = cg_vreg_new(cg, CG_V);
	for (int h = 0; h < 2; h++) {
		struct cg_mi *mi = cg_emit(cg, mb, LOOM_TPC_OP_VCVT, LOOM_TPC_DT_BF16);

		if (!mi)
			return cg->err;
		mi->d = d;
		mi->a = in->src[h];
		mi->hi = LOOM_TPC_ENC_CVT(LOOM_TPC_DT_F32, LOOM_TPC_RND_RNE, h);
		mi->fulldef = h == 0;
	}
	if (d != in->dst)
		cg_copy(cg, mb, in->dst, d, IRT_V128BF16);
	return cg->err;
}

/* Vector broadcast of one scalar into a predicate. */
static int cg_vpset(struct cg *cg, int mb, int c)
{
	int t = cg_vreg_new(cg, CG_VP);
	struct cg_mi *mi = cg_emit(cg, mb, LOOM_TPC_OP_VPSET, 0);

	if (mi) {
		mi->d = t;
		mi->a = c;
	}
	return t;
}

static int cg_select(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = cg_ir_type(cg, in->dst), ct = cg_ir_type(cg, in->src[0]);
	enum cg_class cls = cg_class_of(t);
	int c = in->src[0], a = in->src[1], b = in->src[2], d = in->dst;
	struct cg_mi *mi;
	struct cg_opnd oa, ob;
	bool neg = false;

	switch (cls) {
	case CG_S:
		mi = cg_emit(cg, mb, LOOM_TPC_OP_SEL, cg_type(t, false));
		if (mi) {
			mi->d = d;
			mi->c = c;
			mi->a = a;
			mi->b = b;
		}
		return cg->err;
	case CG_I:
		/* d = b; @c d = a (built aside when d is a or the condition's inputs) */
		if (d == a) {
			mi = cg_emit(cg, mb, LOOM_TPC_OP_IMOV, 0);
			if (mi) {
				mi->d = d;
				mi->a = b;
				mi->g = c;
				mi->pn = true;
			}
			return cg->err;
		}
		if (d != b)
			cg_copy(cg, mb, d, b, t);
		mi = cg_emit(cg, mb, LOOM_TPC_OP_IMOV, 0);
		if (mi) {
			mi->d = d;
			mi->a = a;
			mi->g = c;
		}
		return cg->err;
	case CG_P:
	case CG_VP: {
		bool v = cls == CG_VP;
		int cc = v && ct == IRT_BOOL ? cg_vpset(cg, mb, c) : c;
		int t1 = cg_vreg_new(cg, cls), t2 = cg_vreg_new(cg, cls);
		unsigned and = v ? LOOM_TPC_OP_VPAND : LOOM_TPC_OP_PAND;
		struct cg_mi *m;

		/* d = (a & c) | (b & !c) */
		if ((m = cg_emit(cg, mb, and, 0))) { m->d = t1; m->a = a; m->b = cc; }
		if ((m = cg_emit(cg, mb, v ? LOOM_TPC_OP_VPNOT : LOOM_TPC_OP_PNOT, 0))) {
			m->d = t2;
			m->a = cc;
		}
		if ((m = cg_emit(cg, mb, and, 0))) { m->d = t2; m->a = b; m->b = t2; }
		if ((m = cg_emit(cg, mb, v ? LOOM_TPC_OP_VPOR : LOOM_TPC_OP_POR, 0))) {
			m->d = d;
			m->a = t1;
			m->b = t2;
		}
		return cg->err;
	}
	case CG_V:
		break;
	default:
		return cg_unsupported(cg, "sel of this type");
	}
	if (ct == IRT_BOOL)
		c = cg_vpset(cg, mb, c);
	oa = cg_fold(cg, a, true);
	ob = cg_fold(cg, b, true);
	if (oa.bk != LOOM_TPC_BK_REG && ob.bk == LOOM_TPC_BK_REG) {
		int x = a;

		a = b;
		b = x;
		ob = oa;
		neg = true;
	}
	if (ob.bk == LOOM_TPC_BK_IMM) {
		/* d = a; @!c d = imm */
		if (d != a)
			cg_copy(cg, mb, d, a, t);
		mi = cg_emit(cg, mb, LOOM_TPC_OP_VMOV, cg_type(t, false));
		if (mi) {
			mi->bk = LOOM_TPC_BK_IMM;
			mi->d = d;
			mi->hi = LOOM_TPC_ENC_IMM(ob.imm);
			mi->g = c;
			mi->pn = !neg;
		}
		return cg->err;
	}
	mi = cg_emit(cg, mb, LOOM_TPC_OP_VSEL, cg_type(t, false));
	if (mi) {
		mi->d = d;
		mi->c = c;
		mi->cneg = neg;
		mi->a = a;
		cg_set_b(cg, mi, ob, LOOM_TPC_BKM_RS, b);
	}
	return cg->err;
}

static int cg_fma(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = cg_ir_type(cg, in->dst);
	int a = in->src[0], b = in->src[1], c = in->src[2];
	struct cg_mi *mi;

	if (cg_bcast_src(cg, a) >= 0 && cg_bcast_src(cg, b) < 0) {
		a = in->src[1];
		b = in->src[0];
	}
	mi = cg_emit(cg, mb, LOOM_TPC_OP_VFMA, cg_type(t, false));
	if (mi) {
		mi->d = in->dst;
		mi->a = a;
		mi->c = c;
		cg_set_b(cg, mi, cg_fold(cg, b, true), LOOM_TPC_BKM_RS, b);
	}
	return cg->err;
}

static int cg_reduce(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	enum lcc_irtype vt = cg_ir_type(cg, in->src[0]);
	bool uns = in->op == IR_RUMAX || in->op == IR_RUMIN;
	unsigned op = in->op == IR_RADD ? LOOM_TPC_OP_VREDSUM :
		      in->op == IR_RMAX || in->op == IR_RUMAX ? LOOM_TPC_OP_VREDMAX :
		      LOOM_TPC_OP_VREDMIN;
	int t = cg_vreg_new(cg, CG_V);
	struct cg_mi *mi;

	if (vt == IRT_V128BF16 || !lcc_irtype_is_vector(vt))
		return cg_unsupported(cg, lcc_irop_name(in->op));
	mi = cg_emit(cg, mb, op, cg_type(vt, uns));
	if (mi) {
		mi->d = t;
		mi->a = in->src[0];
	}
	mi = cg_emit(cg, mb, LOOM_TPC_OP_VEXT, cg_type(vt, uns));
	if (mi) {
		mi->bk = LOOM_TPC_BK_IMM;
		mi->d = in->dst;
		mi->a = t;
	}
	return cg->err;
}

int cg_isel_arith(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	enum cg_class dc = cg_class_of(cg_ir_type(cg, in->dst));
	struct cg_mi *mi;

	switch (in->op) {
	case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIV: case IR_UDIV:
	case IR_REM: case IR_UREM: case IR_MIN: case IR_MAX: case IR_UMIN: case IR_UMAX:
	case IR_SHL: case IR_SHR: case IR_USHR:
		return cg_binop(cg, mb, in);
	case IR_AND: case IR_OR: case IR_XOR: case IR_NOT:
		if (dc == CG_P || dc == CG_VP)
			return cg_predop(cg, mb, in);
		return in->op == IR_NOT ? cg_unop(cg, mb, in) : cg_binop(cg, mb, in);
	case IR_NEG: case IR_ABS:
	case IR_EXP: case IR_LOG: case IR_RSQRT: case IR_RCP: case IR_SQRT: case IR_TANH:
	case IR_SIGMOID:
		return cg_unop(cg, mb, in);
	case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE:
	case IR_ULT: case IR_ULE: case IR_UGT: case IR_UGE:
		return cg_compare(cg, mb, in);
	case IR_SEL:
		return cg_select(cg, mb, in);
	case IR_SITOFP: case IR_UITOFP: case IR_FPTOSI: case IR_FPTOUI:
	case IR_UNPACK_LO: case IR_UNPACK_HI:
		return cg_convert(cg, mb, in);
	case IR_PACK_BF16:
		return cg_pack(cg, mb, in);
	case IR_ZEXT:
		mi = cg_emit(cg, mb, LOOM_TPC_OP_MOV, LOOM_TPC_DT_I32);
		if (mi) {
			mi->bk = LOOM_TPC_BK_IMM;
			mi->d = in->dst;
		}
		mi = cg_emit(cg, mb, LOOM_TPC_OP_MOV, LOOM_TPC_DT_I32);
		if (mi) {
			mi->bk = LOOM_TPC_BK_IMM;
			mi->d = in->dst;
			mi->g = in->src[0];
			mi->hi = LOOM_TPC_ENC_IMM(1);
		}
		return cg->err;
	case IR_BCAST: {
		enum lcc_irtype t = cg_ir_type(cg, in->dst);
		uint32_t bits;

		if (t == IRT_V64BOOL) {
			mi = cg_emit(cg, mb, LOOM_TPC_OP_VPSET, 0);
			if (mi) {
				mi->d = in->dst;
				mi->a = in->src[0];
			}
			return cg->err;
		}
		mi = cg_emit(cg, mb, LOOM_TPC_OP_VMOV, cg_type(t, false));
		if (!mi)
			return cg->err;
		mi->d = in->dst;
		if (cg_ir_const(cg, in->src[0], &bits)) {
			mi->bk = LOOM_TPC_BK_IMM;
			mi->hi = LOOM_TPC_ENC_IMM(bits);
		} else {
			mi->bk = LOOM_TPC_BK_SREG;
			mi->b = in->src[0];
		}
		return cg->err;
	}
	case IR_FMA:
		return cg_fma(cg, mb, in);
	case IR_RADD: case IR_RMAX: case IR_RMIN: case IR_RUMAX: case IR_RUMIN:
		return cg_reduce(cg, mb, in);
	case IR_LANE_ID:
		mi = cg_emit(cg, mb, LOOM_TPC_OP_VIOTA, LOOM_TPC_DT_I32);
		if (mi)
			mi->d = in->dst;
		return cg->err;
	default:
		return cg_unsupported(cg, lcc_irop_name(in->op));
	}
}
