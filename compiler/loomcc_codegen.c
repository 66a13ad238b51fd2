/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen.c: instruction selection and the object writer for
 * loomcc, from the IR (loomcc_ir.h) to a kernel object (docs/isa.md).
 *
 * Register allocation is the simplest that is correct for the non-SSA
 * IR: every IR register that a live instruction names gets a physical
 * register of its class for the whole kernel (s for i32/f32, v for
 * vectors, i for coord5, p1..p7 for bool, vp1..vp6 for v64bool; vp7 is a
 * scratch predicate, v31 a scratch vector). A kernel needing more is refused. Blocks are laid
 * out in IR order; branches to the next block are dropped and the others
 * are fixed up once every block's address is known. Scalar parameters
 * are read from the launch arguments at entry; ret is halt.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loomcc_codegen.h"

enum cg_class { CG_NONE, CG_S, CG_V, CG_I, CG_P, CG_VP, CG_NCLASS };

#define CG_VP_SCRATCH	7
#define CG_V_SCRATCH	31

struct cg_fixup {
	uint32_t pc;
	int block;		/* index in fn->blocks */
};

struct cg {
	const struct lcc_ir_func *fn;
	struct loom_obj *o;
	int *reg;		/* vreg -> physical register, -1 none */
	uint32_t *bpc;		/* block index -> first instruction */
	struct cg_fixup *fix;
	int nfix;
	char **diag;
	int err;
};

static enum cg_class cg_class_of(enum lcc_irtype t)
{
	switch (t) {
	case IRT_I32: case IRT_F32:
		return CG_S;
	case IRT_V64F32: case IRT_V64I32:
		return CG_V;
	case IRT_COORD5:
		return CG_I;
	case IRT_BOOL:
		return CG_P;
	case IRT_V64BOOL:
		return CG_VP;
	default:
		return CG_NONE;
	}
}

static int cg_fail(struct cg *cg, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (cg->err)
		return cg->err;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return cg->err = -ENOMEM;
	*cg->diag = s;
	return cg->err = -ENOTSUP;
}

static int cg_unsupported(struct cg *cg, enum lcc_irop op)
{
	return cg_fail(cg, "loomcc: %s is not supported by code generation yet\n",
		       lcc_irop_name(op));
}

static void cg_word(struct cg *cg, uint64_t w)
{
	if (!cg->err && loom_obj_add_code(cg->o, w))
		cg->err = -ENOMEM;
}

static void cg_emit(struct cg *cg, unsigned op, unsigned type, unsigned bk, unsigned d,
		    unsigned a, unsigned b, uint64_t hi)
{
	cg_word(cg, LOOM_TPC_INSN(op, type, bk, d, a, b, 0, 0) | hi);
}

static void cg_emit_guarded(struct cg *cg, unsigned op, unsigned type, unsigned bk,
			    unsigned d, unsigned a, unsigned b, unsigned p, unsigned pn,
			    uint64_t hi)
{
	cg_word(cg, LOOM_TPC_INSN(op, type, bk, d, a, b, p, pn) | hi);
}

/* Instruction type of an IR type's lanes; unsigned selects u32. */
static unsigned cg_dt(enum lcc_irtype t, bool is_unsigned)
{
	switch (lcc_irtype_lane(t)) {
	case IRT_F32:
		return LOOM_TPC_DT_F32;
	case IRT_I32:
		return is_unsigned ? LOOM_TPC_DT_U32 : LOOM_TPC_DT_I32;
	default:
		return LOOM_TPC_DT_F32;
	}
}

/* Where an IR register is named: its first block, and if it is local to it. */
struct cg_use {
	int block;		/* -1: not named by a live instruction */
	int first, last;	/* instruction indexes in that block */
	bool global;		/* named in several blocks, or read before written */
};

static void cg_use_note(struct cg_use *u, int b, int i, bool def)
{
	if (u->block < 0) {
		u->block = b;
		u->first = i;
		u->global |= !def;
	} else if (u->block != b) {
		u->global = true;
	}
	u->last = i;
}

static int cg_too_large(struct cg *cg)
{
	return cg_fail(cg, "loomcc: kernel too large for the register file (not supported yet)\n");
}

/*
 * Registers named in several blocks (or read before written in their
 * block) get one physical register each for the whole kernel; the others
 * live inside one block and share the rest of the file, allocated
 * linearly over that block (a register is reused only after the
 * instruction that last reads the previous value).
 */
static int cg_alloc(struct cg *cg)
{
	const struct lcc_ir_func *fn = cg->fn;
	static const int limit[CG_NCLASS] = { 0, 32, 31, 32, 7, 6 };
	static const int first[CG_NCLASS] = { 0, 0, 0, 0, 1, 1 };
	int next[CG_NCLASS], owner[CG_NCLASS][32];
	struct cg_use *use;

	use = calloc((size_t)fn->nvregs + 1, sizeof(*use));
	cg->reg = malloc(((size_t)fn->nvregs + 1) * sizeof(*cg->reg));
	if (!use || !cg->reg) {
		free(use);
		return cg->err = -ENOMEM;
	}
	for (int r = 0; r < fn->nvregs; r++) {
		use[r].block = -1;
		cg->reg[r] = -1;
	}
	for (int i = 0; i < fn->nscalars; i++) {
		int r = fn->scalars[i].vreg;

		if (r >= 0 && r < fn->nvregs) {
			cg_use_note(&use[r], -2, -1, true);
			use[r].global = true;
		}
	}
	for (int b = 0; b < fn->nblocks; b++) {
		const struct lcc_irblock *bb = fn->blocks[b];

		if (bb->dead)
			continue;
		for (int i = 0; i < bb->ninsns; i++) {
			const struct lcc_irinsn *in = &bb->insns[i];

			for (int k = 0; k < in->nsrc; k++)
				if (in->src[k] >= 0 && in->src[k] < fn->nvregs)
					cg_use_note(&use[in->src[k]], b, i, false);
			if (in->dst >= 0 && in->dst < fn->nvregs)
				cg_use_note(&use[in->dst], b, i, true);
		}
	}
	for (int c = 0; c < CG_NCLASS; c++)
		next[c] = first[c];
	for (int r = 0; r < fn->nvregs && !cg->err; r++) {
		enum cg_class c = cg_class_of(fn->vregs[r].type);

		if (use[r].block == -1)
			continue;
		if (c == CG_NONE)
			cg_fail(cg, "loomcc: %s values are not supported by code generation yet\n",
				lcc_irtype_name(fn->vregs[r].type));
		else if (use[r].global && next[c] >= first[c] + limit[c])
			cg_too_large(cg);
		else if (use[r].global)
			cg->reg[r] = next[c]++;
	}
	for (int b = 0; b < fn->nblocks && !cg->err; b++) {
		const struct lcc_irblock *bb = fn->blocks[b];

		if (bb->dead)
			continue;
		for (int c = 0; c < CG_NCLASS; c++)
			for (int p = 0; p < 32; p++)
				owner[c][p] = -1;
		for (int i = 0; i < bb->ninsns && !cg->err; i++) {
			int d = bb->insns[i].dst, p;
			enum cg_class c;

			for (c = 0; c < CG_NCLASS; c++)
				for (p = 0; p < 32; p++)
					if (owner[c][p] >= 0 && use[owner[c][p]].last < i)
						owner[c][p] = -1;
			if (d < 0 || d >= fn->nvregs || use[d].global || use[d].block != b ||
			    use[d].first != i || cg->reg[d] >= 0)
				continue;
			c = cg_class_of(fn->vregs[d].type);
			for (p = next[c]; p < first[c] + limit[c] && owner[c][p] >= 0; p++)
				;
			if (p >= first[c] + limit[c]) {
				cg_too_large(cg);
				break;
			}
			owner[c][p] = d;
			cg->reg[d] = p;
		}
	}
	free(use);
	return cg->err;
}

static int R(struct cg *cg, int vreg)
{
	return vreg >= 0 && vreg < cg->fn->nvregs && cg->reg[vreg] >= 0 ? cg->reg[vreg] : 0;
}

static enum lcc_irtype T(struct cg *cg, int vreg)
{
	return vreg >= 0 && vreg < cg->fn->nvregs ? cg->fn->vregs[vreg].type : IRT_VOID;
}

static int cg_block_index(const struct lcc_ir_func *fn, const struct lcc_irblock *bb)
{
	for (int b = 0; b < fn->nblocks; b++)
		if (fn->blocks[b] == bb)
			return b;
	return -1;
}

/* The live block laid out after block b, or -1. */
static int cg_next_block(const struct lcc_ir_func *fn, int b)
{
	for (b++; b < fn->nblocks; b++)
		if (!fn->blocks[b]->dead)
			return b;
	return -1;
}

static void cg_branch(struct cg *cg, const struct lcc_irblock *to, unsigned p, unsigned pn)
{
	struct cg_fixup *f;
	int b = cg_block_index(cg->fn, to);

	if (cg->err)
		return;
	if (b < 0) {
		cg_fail(cg, "loomcc: branch to a block outside the kernel\n");
		return;
	}
	f = realloc(cg->fix, ((size_t)cg->nfix + 1) * sizeof(*f));
	if (!f) {
		cg->err = -ENOMEM;
		return;
	}
	cg->fix = f;
	f[cg->nfix].pc = cg->o->ncode;
	f[cg->nfix].block = b;
	cg->nfix++;
	cg_emit_guarded(cg, LOOM_TPC_OP_BR, 0, 0, 0, 0, 0, p, pn, 0);
}

/* Binary operations: scalar opcode, vector opcode (0: none). */
static int cg_binop(struct cg *cg, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = T(cg, in->src[0]);
	bool vec = lcc_irtype_is_vector(t), fp = lcc_irtype_lane(t) == IRT_F32;
	bool uns = false;
	unsigned sop = 0, vop = 0;

	switch (in->op) {
	case IR_ADD: sop = LOOM_TPC_OP_ADD; vop = LOOM_TPC_OP_VADD; break;
	case IR_SUB: sop = LOOM_TPC_OP_SUB; vop = LOOM_TPC_OP_VSUB; break;
	case IR_MUL: sop = LOOM_TPC_OP_MUL; vop = LOOM_TPC_OP_VMUL; break;
	case IR_DIV: sop = LOOM_TPC_OP_DIV; vop = LOOM_TPC_OP_VDIV; break;
	case IR_UDIV: sop = LOOM_TPC_OP_DIV; uns = true; break;
	case IR_REM: sop = fp ? 0 : LOOM_TPC_OP_REM; break;
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
	if (vec && (in->op == IR_UDIV || in->op == IR_UREM || in->op == IR_REM))
		vop = 0;
	if ((vec ? vop : sop) == 0 || t == IRT_V128BF16)
		return cg_unsupported(cg, in->op);
	cg_emit(cg, vec ? vop : sop, cg_dt(t, uns), LOOM_TPC_BK_REG,
		R(cg, in->dst), R(cg, in->src[0]), R(cg, in->src[1]), 0);
	return 0;
}

static int cg_predop(struct cg *cg, const struct lcc_irinsn *in)
{
	bool vec = T(cg, in->dst) == IRT_V64BOOL;
	unsigned op;

	switch (in->op) {
	case IR_AND: op = vec ? LOOM_TPC_OP_VPAND : LOOM_TPC_OP_PAND; break;
	case IR_OR: op = vec ? LOOM_TPC_OP_VPOR : LOOM_TPC_OP_POR; break;
	case IR_XOR: op = vec ? LOOM_TPC_OP_VPXOR : LOOM_TPC_OP_PXOR; break;
	case IR_NOT:
		cg_emit(cg, vec ? LOOM_TPC_OP_VPNOT : LOOM_TPC_OP_PNOT, 0, 0, R(cg, in->dst),
			R(cg, in->src[0]), 0, 0);
		return 0;
	case IR_MOV:
		cg_emit(cg, vec ? LOOM_TPC_OP_VPOR : LOOM_TPC_OP_POR, 0, 0, R(cg, in->dst),
			R(cg, in->src[0]), R(cg, in->src[0]), 0);
		return 0;
	default:
		return cg_unsupported(cg, in->op);
	}
	cg_emit(cg, op, 0, 0, R(cg, in->dst), R(cg, in->src[0]), R(cg, in->src[1]), 0);
	return 0;
}

static int cg_compare(struct cg *cg, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = T(cg, in->src[0]);
	bool vec = lcc_irtype_is_vector(t), uns = false;
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
	if (cg_class_of(t) != CG_S && !(vec && t != IRT_V128BF16))
		return cg_unsupported(cg, in->op);
	cg_emit(cg, (vec ? LOOM_TPC_OP_VCMPEQ : LOOM_TPC_OP_CMPEQ) + k, cg_dt(t, uns),
		LOOM_TPC_BK_REG, R(cg, in->dst), R(cg, in->src[0]),
		R(cg, in->src[1]), 0);
	return 0;
}

static int cg_unop(struct cg *cg, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = T(cg, in->src[0]);
	bool vec = lcc_irtype_is_vector(t);
	unsigned op;

	if (t == IRT_V128BF16)
		return cg_unsupported(cg, in->op);
	switch (in->op) {
	case IR_NEG: op = vec ? LOOM_TPC_OP_VNEG : LOOM_TPC_OP_NEG; break;
	case IR_NOT: op = vec ? LOOM_TPC_OP_VNOT : LOOM_TPC_OP_NOT; break;
	case IR_ABS: op = vec ? LOOM_TPC_OP_VABS : LOOM_TPC_OP_ABS; break;
	default:
		op = (vec ? LOOM_TPC_OP_VEXP : LOOM_TPC_OP_EXP) + (unsigned)(in->op - IR_EXP);
		break;
	}
	cg_emit(cg, op, cg_dt(t, false), 0, R(cg, in->dst), R(cg, in->src[0]), 0, 0);
	return 0;
}

static int cg_convert(struct cg *cg, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = T(cg, in->src[0]);
	bool vec = lcc_irtype_is_vector(t);
	unsigned dt, st, rnd = LOOM_TPC_RND_RNE;

	switch (in->op) {
	case IR_SITOFP: dt = LOOM_TPC_DT_F32; st = LOOM_TPC_DT_I32; break;
	case IR_UITOFP: dt = LOOM_TPC_DT_F32; st = LOOM_TPC_DT_U32; break;
	case IR_FPTOSI: dt = LOOM_TPC_DT_I32; st = LOOM_TPC_DT_F32; rnd = LOOM_TPC_RND_RZ; break;
	default: dt = LOOM_TPC_DT_U32; st = LOOM_TPC_DT_F32; rnd = LOOM_TPC_RND_RZ; break;
	}
	if (t == IRT_V128BF16 || T(cg, in->dst) == IRT_V128BF16)
		return cg_unsupported(cg, in->op);
	cg_emit(cg, vec ? LOOM_TPC_OP_VCVT : LOOM_TPC_OP_CVT, dt, 0, R(cg, in->dst),
		R(cg, in->src[0]), 0, LOOM_TPC_ENC_CVT(st, rnd, 0));
	return 0;
}

static int cg_select(struct cg *cg, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = T(cg, in->dst), ct = T(cg, in->src[0]);
	int c = R(cg, in->src[0]);

	if (cg_class_of(t) == CG_S && ct == IRT_BOOL) {
		cg_emit(cg, LOOM_TPC_OP_SEL, cg_dt(t, false), 0, R(cg, in->dst),
			R(cg, in->src[1]), R(cg, in->src[2]), LOOM_TPC_ENC_CP(c, 0));
		return 0;
	}
	if (cg_class_of(t) != CG_V || t == IRT_V128BF16)
		return cg_unsupported(cg, in->op);
	if (ct == IRT_BOOL) {
		cg_emit(cg, LOOM_TPC_OP_VPSET, 0, 0, CG_VP_SCRATCH, c, 0, 0);
		c = CG_VP_SCRATCH;
	}
	cg_emit(cg, LOOM_TPC_OP_VSEL, cg_dt(t, false), LOOM_TPC_BK_REG, R(cg, in->dst),
		R(cg, in->src[1]), R(cg, in->src[2]), LOOM_TPC_ENC_CP(c, 0));
	return 0;
}

static int cg_tensor_dtype(const struct lcc_irinsn *in, enum lcc_irtype t, uint32_t *dts,
			   uint32_t *flags)
{
	unsigned dt = lcc_irtype_lane(t) == IRT_I32 ? LOOM_TPC_DT_I32 : LOOM_TPC_DT_F32;

	flags[in->tensor] |= in->op == IR_LD_TNSR ? LOOM_TPC_ARG_F_READ : LOOM_TPC_ARG_F_WRITE;
	dts[in->tensor] = dt;
	return 0;
}

static int cg_insn(struct cg *cg, const struct lcc_irinsn *in, int b, uint32_t *dts,
		   uint32_t *flags)
{
	const struct lcc_ir_func *fn = cg->fn;
	enum lcc_irtype dt = T(cg, in->dst);
	int d = R(cg, in->dst), a = R(cg, in->src[0]);

	switch (in->op) {
	case IR_CONST:
		if (dt == IRT_BOOL) {
			cg_emit(cg, in->imm ? LOOM_TPC_OP_CMPEQ : LOOM_TPC_OP_CMPNE,
				LOOM_TPC_DT_I32, LOOM_TPC_BK_REG, d, 0, 0, 0);
		} else if (dt == IRT_F32) {
			uint32_t bits;

			memcpy(&bits, &in->fimm, 4);
			cg_emit(cg, LOOM_TPC_OP_MOV, LOOM_TPC_DT_F32, LOOM_TPC_BK_IMM, d, 0, 0,
				LOOM_TPC_ENC_IMM(bits));
		} else if (dt == IRT_I32) {
			cg_emit(cg, LOOM_TPC_OP_MOV, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, d, 0, 0,
				LOOM_TPC_ENC_IMM((uint32_t)in->imm));
		} else {
			return cg_unsupported(cg, in->op);
		}
		return 0;
	case IR_MOV:
		switch (cg_class_of(dt)) {
		case CG_S:
			cg_emit(cg, LOOM_TPC_OP_MOV, cg_dt(dt, false), LOOM_TPC_BK_REG, d, 0, a, 0);
			return 0;
		case CG_V:
			cg_emit(cg, LOOM_TPC_OP_VMOV, dt == IRT_V128BF16 ? LOOM_TPC_DT_BF16 :
				cg_dt(dt, false), LOOM_TPC_BK_REG, d, 0, a, 0);
			return 0;
		case CG_I:
			cg_emit(cg, LOOM_TPC_OP_IMOV, 0, 0, d, a, 0, 0);
			return 0;
		default:
			return cg_predop(cg, in);
		}
	case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIV: case IR_UDIV:
	case IR_REM: case IR_UREM: case IR_MIN: case IR_MAX: case IR_UMIN: case IR_UMAX:
	case IR_SHL: case IR_SHR: case IR_USHR:
		return cg_binop(cg, in);
	case IR_AND: case IR_OR: case IR_XOR:
		if (cg_class_of(dt) == CG_P || cg_class_of(dt) == CG_VP)
			return cg_predop(cg, in);
		return cg_binop(cg, in);
	case IR_NOT:
		if (cg_class_of(dt) == CG_P || cg_class_of(dt) == CG_VP)
			return cg_predop(cg, in);
		return cg_unop(cg, in);
	case IR_NEG: case IR_ABS:
	case IR_EXP: case IR_LOG: case IR_RSQRT: case IR_RCP: case IR_SQRT: case IR_TANH:
	case IR_SIGMOID:
		return cg_unop(cg, in);
	case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE:
	case IR_ULT: case IR_ULE: case IR_UGT: case IR_UGE:
		return cg_compare(cg, in);
	case IR_SEL:
		return cg_select(cg, in);
	case IR_SITOFP: case IR_UITOFP: case IR_FPTOSI: case IR_FPTOUI:
		return cg_convert(cg, in);
	case IR_ZEXT:
		cg_emit(cg, LOOM_TPC_OP_MOV, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, d, 0, 0, 0);
		cg_emit_guarded(cg, LOOM_TPC_OP_MOV, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, d, 0, 0, a, 0,
				LOOM_TPC_ENC_IMM(1));
		return 0;
	case IR_BCAST:
		if (dt == IRT_V128BF16)
			return cg_unsupported(cg, in->op);
		cg_emit(cg, LOOM_TPC_OP_VMOV, cg_dt(dt, false), LOOM_TPC_BK_SREG, d, 0, a, 0);
		return 0;
	case IR_FMA:
		if (dt == IRT_V128BF16)
			return cg_unsupported(cg, in->op);
		cg_emit(cg, lcc_irtype_is_vector(dt) ? LOOM_TPC_OP_VFMA : LOOM_TPC_OP_FMA,
			cg_dt(dt, false), LOOM_TPC_BK_REG, d, a, R(cg, in->src[1]),
			LOOM_TPC_ENC_C(R(cg, in->src[2])));
		return 0;
	case IR_RADD: case IR_RMAX: case IR_RMIN: case IR_RUMAX: case IR_RUMIN: {
		enum lcc_irtype vt = T(cg, in->src[0]);
		bool uns = in->op == IR_RUMAX || in->op == IR_RUMIN;
		unsigned op = in->op == IR_RADD ? LOOM_TPC_OP_VREDSUM :
			      in->op == IR_RMAX || in->op == IR_RUMAX ? LOOM_TPC_OP_VREDMAX :
			      LOOM_TPC_OP_VREDMIN;

		if (vt == IRT_V128BF16 || !lcc_irtype_is_vector(vt))
			return cg_unsupported(cg, in->op);
		cg_emit(cg, op, cg_dt(vt, uns), 0, CG_V_SCRATCH, a, 0, 0);
		cg_emit(cg, LOOM_TPC_OP_VEXT, cg_dt(vt, uns), LOOM_TPC_BK_IMM, d, CG_V_SCRATCH, 0,
			LOOM_TPC_ENC_IMM(0));
		return 0;
	}
	case IR_LANE_ID:
		cg_emit(cg, LOOM_TPC_OP_VIOTA, LOOM_TPC_DT_I32, 0, d, 0, 0, 0);
		return 0;
	case IR_COORD_MAKE:
		for (int k = 0; k < 5 && k < in->nsrc; k++)
			cg_emit(cg, LOOM_TPC_OP_ISET, 0, LOOM_TPC_BK_SREG, d, 1u << k,
				R(cg, in->src[k]), 0);
		return 0;
	case IR_COORD_GET:
		cg_emit(cg, LOOM_TPC_OP_IGET, 0, 0, d, a, (unsigned)in->imm, 0);
		return 0;
	case IR_COORD_SET:
		if (d != a)
			cg_emit(cg, LOOM_TPC_OP_IMOV, 0, 0, d, a, 0, 0);
		cg_emit(cg, LOOM_TPC_OP_ISET, 0, LOOM_TPC_BK_SREG, d, 1u << in->imm,
			R(cg, in->src[1]), 0);
		return 0;
	case IR_INDEX_OFFSET:
		cg_emit(cg, LOOM_TPC_OP_IDXOFF, 0, 0, d, 0, 0, 0);
		return 0;
	case IR_INDEX_SIZE:
		cg_emit(cg, LOOM_TPC_OP_IDXSIZE, 0, 0, d, 0, 0, 0);
		return 0;
	case IR_DIM_SIZE:
		cg_emit(cg, LOOM_TPC_OP_TSIZE, 0, 0, d, (unsigned)in->imm, (unsigned)in->tensor, 0);
		return 0;
	case IR_LD_TNSR:
		if (dt == IRT_V128BF16 || in->tensor < 0 || in->tensor >= fn->ntensors)
			return cg_unsupported(cg, in->op);
		cg_tensor_dtype(in, dt, dts, flags);
		cg_emit(cg, lcc_irtype_is_vector(dt) ? LOOM_TPC_OP_LDT : LOOM_TPC_OP_LDTS,
			cg_dt(dt, false), 0, d, a, (unsigned)in->tensor, 0);
		return 0;
	case IR_ST_TNSR: {
		enum lcc_irtype vt = T(cg, in->src[1]);

		if (vt == IRT_V128BF16 || in->tensor < 0 || in->tensor >= fn->ntensors)
			return cg_unsupported(cg, in->op);
		cg_tensor_dtype(in, vt, dts, flags);
		cg_emit(cg, lcc_irtype_is_vector(vt) ? LOOM_TPC_OP_STT : LOOM_TPC_OP_STTS,
			cg_dt(vt, false), 0, R(cg, in->src[1]), a, (unsigned)in->tensor, 0);
		return 0;
	}
	case IR_BR:
		if (cg_next_block(fn, b) < 0 || fn->blocks[cg_next_block(fn, b)] != in->target[0])
			cg_branch(cg, in->target[0], 0, 0);
		return 0;
	case IR_CBR: {
		int next = cg_next_block(fn, b);

		if (next >= 0 && fn->blocks[next] == in->target[0]) {
			cg_branch(cg, in->target[1], (unsigned)a, 1);
			return 0;
		}
		cg_branch(cg, in->target[0], (unsigned)a, 0);
		if (next < 0 || fn->blocks[next] != in->target[1])
			cg_branch(cg, in->target[1], 0, 0);
		return 0;
	}
	case IR_RET:
		cg_emit(cg, LOOM_TPC_OP_HALT, 0, 0, 0, 0, 0, 0);
		return 0;
	default:
		return cg_unsupported(cg, in->op);
	}
}

static int cg_run(struct cg *cg, uint32_t *dts, uint32_t *flags)
{
	const struct lcc_ir_func *fn = cg->fn;
	int ret = cg_alloc(cg);

	if (ret)
		return ret;
	cg->bpc = calloc((size_t)fn->nblocks + 1, sizeof(*cg->bpc));
	if (!cg->bpc)
		return cg->err = -ENOMEM;
	for (int i = 0; i < fn->nscalars; i++) {
		if (i >= LOOM_TPC_NUM_ARGS)
			return cg_fail(cg, "loomcc: more than %d scalar parameters are not supported\n",
				       LOOM_TPC_NUM_ARGS);
		if (cg_class_of(fn->scalars[i].type) != CG_S)
			return cg_fail(cg, "loomcc: %s parameters are not supported by code generation yet\n",
				       lcc_irtype_name(fn->scalars[i].type));
		if (fn->scalars[i].vreg >= 0 && cg->reg[fn->scalars[i].vreg] >= 0)
			cg_emit(cg, LOOM_TPC_OP_MOVSR, 0, 0, R(cg, fn->scalars[i].vreg), 0, 0,
				LOOM_TPC_ENC_IMM(LOOM_TPC_SR_ARG(i)));
	}
	for (int b = 0; b < fn->nblocks && !cg->err; b++) {
		const struct lcc_irblock *bb = fn->blocks[b];

		if (bb->dead)
			continue;
		cg->bpc[b] = cg->o->ncode;
		for (int i = 0; i < bb->ninsns && !cg->err; i++)
			cg_insn(cg, &bb->insns[i], b, dts, flags);
	}
	if (cg->err)
		return cg->err;
	if (fn->nlocals > 0)
		return cg_fail(cg, "loomcc: __local__ arrays are not supported by code generation yet\n");
	for (int f = 0; f < cg->nfix; f++) {
		int64_t off = (int64_t)cg->bpc[cg->fix[f].block] - cg->fix[f].pc;

		cg->o->code[cg->fix[f].pc] |= LOOM_TPC_ENC_IMM((uint32_t)(int32_t)off);
	}
	return 0;
}

int lcc_codegen(const struct lcc_ir_func *fn, struct loom_obj *out, char **diag)
{
	struct cg cg = { .fn = fn, .o = out, .diag = diag };
	uint32_t dts[LOOM_TPC_MAX_TENSORS] = { 0 }, flags[LOOM_TPC_MAX_TENSORS] = { 0 };
	int ret;

	*diag = NULL;
	if (fn->ntensors > LOOM_TPC_MAX_TENSORS) {
		ret = cg_fail(&cg, "loomcc: more than %d tensor parameters are not supported\n",
			      LOOM_TPC_MAX_TENSORS);
		goto out;
	}
	out->name = strdup(fn->name ? fn->name : "");
	if (!out->name) {
		ret = -ENOMEM;
		goto out;
	}
	ret = cg_run(&cg, dts, flags);
	for (int i = 0; !ret && i < fn->ntensors; i++) {
		ret = loom_obj_add_arg(out, LOOM_TPC_ARG_TENSOR, dts[i], fn->tensors[i].name);
		if (!ret)
			out->args[out->nargs - 1].flags = flags[i];
	}
	for (int i = 0; !ret && i < fn->nscalars; i++) {
		enum lcc_irtype t = fn->scalars[i].type;

		ret = loom_obj_add_arg(out, LOOM_TPC_ARG_SCALAR, cg_dt(t, fn->scalars[i].is_unsigned),
				       fn->scalars[i].name);
	}
	if (!ret)
		ret = loom_obj_add_sym(out, 0, fn->name ? fn->name : "main");
out:
	free(cg.reg);
	free(cg.bpc);
	free(cg.fix);
	if (ret) {
		loom_obj_clear(out);
		if (ret != -ENOTSUP) {
			free(*diag);
			*diag = NULL;
		}
	}
	return ret;
}
