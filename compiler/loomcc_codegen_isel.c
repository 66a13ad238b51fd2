/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen_isel.c: instruction selection, part 1 - the driver, and
 * the IR operations that are not arithmetic: constants, copies, the
 * entry (scalar parameters from the launch arguments), coordinates,
 * tensor and local memory accesses, and control flow.
 *
 * Machine block i starts as IR block i (dead IR blocks stay empty and
 * out of the layout), after a prologue block that reads the scalar
 * parameters. IR register %N is virtual register N; instruction
 * selection adds temporaries after them. Every block ends in explicit
 * branches (`@p br T; br F`, `br T`) or `halt`; branches to the next
 * block in the layout are dropped when the code is encoded.
 *
 * Operand folding: a register whose value is a known constant, or a
 * broadcast of a scalar, is used as an immediate or a scalar operand
 * (bk IMM or SREG) where the form allows it (see cg_ir_const and
 * cg_fold in loomcc_codegen_isel_ops.c); the instructions that computed
 * it are then removed as dead by register allocation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loomcc_codegen_int.h"

struct cg_mi *cg_emit(struct cg *cg, int mb, unsigned op, unsigned type)
{
	struct cg_mi *mi = cg_mi_add(cg, mb);

	if (!mi)
		return NULL;
	mi->op = (uint8_t)op;
	mi->type = (uint8_t)type;
	return mi;
}

int cg_ir_type(struct cg *cg, int vreg)
{
	return vreg >= 0 && vreg < cg->fn->nvregs ? (int)cg->fn->vregs[vreg].type : IRT_VOID;
}

static void cg_tensor_note(struct cg *cg, const struct lcc_irinsn *in, enum lcc_irtype t)
{
	unsigned dt;

	if (t == IRT_V128BF16)
		dt = LOOM_TPC_DT_BF16;
	else if (lcc_irtype_lane(t) == IRT_I32)
		dt = LOOM_TPC_DT_I32;
	else
		dt = LOOM_TPC_DT_F32;
	cg->tflags[in->tensor] |= in->op == IR_LD_TNSR ? LOOM_TPC_ARG_F_READ : LOOM_TPC_ARG_F_WRITE;
	if (!cg->tdtype_set[in->tensor]) {
		cg->tdtype[in->tensor] = dt;
		cg->tdtype_set[in->tensor] = true;
	}
}

static unsigned cg_vtype(enum lcc_irtype t)
{
	switch (t) {
	case IRT_V128BF16: return LOOM_TPC_DT_BF16;
	case IRT_V64I32: case IRT_I32: return LOOM_TPC_DT_I32;
	default: return LOOM_TPC_DT_F32;
	}
}

static int cg_isel_const(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	enum lcc_irtype t = cg_ir_type(cg, in->dst);
	struct cg_mi *mi;
	uint32_t bits;

	if (t == IRT_BOOL) {
		mi = cg_emit(cg, mb, in->imm ? LOOM_TPC_OP_POR : LOOM_TPC_OP_PNOT, 0);
		if (mi) {
			mi->d = in->dst;
			mi->a = cg->p0;
			mi->b = in->imm ? cg->p0 : 0;
		}
		return cg->err;
	}
	if (t == IRT_F32)
		memcpy(&bits, &in->fimm, 4);
	else if (t == IRT_I32)
		bits = (uint32_t)in->imm;
	else
		return cg_unsupported(cg, "const of this type");
	mi = cg_emit(cg, mb, LOOM_TPC_OP_MOV, t == IRT_F32 ? LOOM_TPC_DT_F32 : LOOM_TPC_DT_I32);
	if (mi) {
		mi->bk = LOOM_TPC_BK_IMM;
		mi->d = in->dst;
		mi->hi = LOOM_TPC_ENC_IMM(bits);
	}
	return cg->err;
}

/* d = a for any class. */
int cg_copy(struct cg *cg, int mb, int d, int a, enum lcc_irtype t);
int cg_copy(struct cg *cg, int mb, int d, int a, enum lcc_irtype t)
{
	struct cg_mi *mi;

	switch (cg_class_of(t)) {
	case CG_S:
		mi = cg_emit(cg, mb, LOOM_TPC_OP_MOV, cg_vtype(t));
		if (mi) {
			mi->d = d;
			mi->b = a;
		}
		break;
	case CG_V:
		mi = cg_emit(cg, mb, LOOM_TPC_OP_VMOV, cg_vtype(t));
		if (mi) {
			mi->d = d;
			mi->b = a;
		}
		break;
	case CG_I:
		mi = cg_emit(cg, mb, LOOM_TPC_OP_IMOV, 0);
		if (mi) {
			mi->d = d;
			mi->a = a;
		}
		break;
	case CG_P:
	case CG_VP:
		mi = cg_emit(cg, mb, cg_class_of(t) == CG_P ? LOOM_TPC_OP_POR : LOOM_TPC_OP_VPOR, 0);
		if (mi) {
			mi->d = d;
			mi->a = a;
			mi->b = a;
		}
		break;
	default:
		return cg_unsupported(cg, "mov of this type");
	}
	return cg->err;
}

static int cg_isel_coord(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	struct cg_mi *mi;
	unsigned done = 0;

	switch (in->op) {
	case IR_COORD_MAKE:
		/* One iset per distinct value; lanes with the same value share it. */
		for (int k = 0; k < 5 && k < in->nsrc; k++) {
			uint32_t bits, bits2;
			unsigned mask = 1u << k;
			bool kc = cg_ir_const(cg, in->src[k], &bits);

			if (done & mask)
				continue;
			for (int j = k + 1; j < 5 && j < in->nsrc; j++)
				if (in->src[j] == in->src[k] ||
				    (kc && cg_ir_const(cg, in->src[j], &bits2) && bits2 == bits))
					mask |= 1u << j;
			done |= mask;
			mi = cg_emit(cg, mb, LOOM_TPC_OP_ISET, 0);
			if (!mi)
				break;
			mi->d = in->dst;
			mi->a = (int)mask;
			/* The first iset writes every lane not yet set later: count it as a def. */
			mi->fulldef = k == 0;
			if (kc) {
				mi->bk = LOOM_TPC_BK_IMM;
				mi->hi = LOOM_TPC_ENC_IMM(bits);
			} else {
				mi->bk = LOOM_TPC_BK_SREG;
				mi->b = in->src[k];
			}
		}
		return cg->err;
	case IR_COORD_GET:
		mi = cg_emit(cg, mb, LOOM_TPC_OP_IGET, 0);
		if (mi) {
			mi->d = in->dst;
			mi->a = in->src[0];
			mi->b = in->imm;
		}
		return cg->err;
	case IR_COORD_SET: {
		uint32_t bits;

		if (in->dst != in->src[0])
			cg_copy(cg, mb, in->dst, in->src[0], IRT_COORD5);
		mi = cg_emit(cg, mb, LOOM_TPC_OP_ISET, 0);
		if (!mi)
			return cg->err;
		mi->d = in->dst;
		mi->a = 1 << in->imm;
		if (cg_ir_const(cg, in->src[1], &bits)) {
			mi->bk = LOOM_TPC_BK_IMM;
			mi->hi = LOOM_TPC_ENC_IMM(bits);
		} else {
			mi->bk = LOOM_TPC_BK_SREG;
			mi->b = in->src[1];
		}
		return cg->err;
	}
	case IR_INDEX_OFFSET:
	case IR_INDEX_SIZE:
		mi = cg_emit(cg, mb, in->op == IR_INDEX_OFFSET ? LOOM_TPC_OP_IDXOFF :
			     LOOM_TPC_OP_IDXSIZE, 0);
		if (mi)
			mi->d = in->dst;
		return cg->err;
	default:	/* IR_DIM_SIZE */
		mi = cg_emit(cg, mb, LOOM_TPC_OP_TSIZE, 0);
		if (mi) {
			mi->d = in->dst;
			mi->a = in->imm;
			mi->b = in->tensor;
		}
		return cg->err;
	}
}

static int cg_isel_tensor(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	bool ld = in->op == IR_LD_TNSR;
	enum lcc_irtype t = cg_ir_type(cg, ld ? in->dst : in->src[1]);
	bool vec = lcc_irtype_is_vector(t);
	struct cg_mi *mi;

	if (in->tensor < 0 || in->tensor >= cg->fn->ntensors)
		return cg_fail(cg, "loomcc: tensor $%d does not exist\n", in->tensor);
	cg_tensor_note(cg, in, t);
	mi = cg_emit(cg, mb, vec ? (ld ? LOOM_TPC_OP_LDT : LOOM_TPC_OP_STT) :
		     (ld ? LOOM_TPC_OP_LDTS : LOOM_TPC_OP_STTS), cg_vtype(t));
	if (mi) {
		mi->d = ld ? in->dst : in->src[1];
		mi->a = in->src[0];
		mi->b = in->tensor;
	}
	return cg->err;
}

/* ld_local / st_local: SLM for scalar elements, VLM for vectors. */
static int cg_isel_local(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	const struct lcc_irparam *l;
	bool ld = in->op == IR_LD_LOCAL, vec;
	unsigned esize;
	struct cg_mi *mi;
	uint32_t k, off;
	int base;

	if (in->local < 0 || in->local >= cg->fn->nlocals)
		return cg_fail(cg, "loomcc: local array @%d does not exist\n", in->local);
	l = &cg->fn->locals[in->local];
	vec = lcc_irtype_is_vector(l->elem);
	esize = vec ? LOOM_TPC_VBYTES : 4;
	off = cg->local_off[in->local];
	if (cg_ir_const(cg, in->src[0], &k)) {
		/* A constant index is in bounds (the checker says so). */
		off += k * esize;
		cg->zero_reg = true;
		base = cg->zero;
	} else {
		base = cg_vreg_new(cg, CG_S);
		mi = cg_emit(cg, mb, LOOM_TPC_OP_SHL, LOOM_TPC_DT_I32);
		if (!mi)
			return cg->err;
		mi->bk = LOOM_TPC_BK_IMM;
		mi->d = base;
		mi->a = in->src[0];
		mi->hi = LOOM_TPC_ENC_IMM(vec ? 8 : 2);
	}
	mi = cg_emit(cg, mb, vec ? (ld ? LOOM_TPC_OP_LDLV : LOOM_TPC_OP_STLV) :
		     (ld ? LOOM_TPC_OP_LDL : LOOM_TPC_OP_STL), vec ? cg_vtype(l->elem) : 0);
	if (mi) {
		mi->d = ld ? in->dst : in->src[1];
		mi->a = base;
		mi->hi = LOOM_TPC_ENC_IMM(off);
	}
	return cg->err;
}

static int cg_isel_branch(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	struct cg_mi *mi;

	if (in->op == IR_RET) {
		cg_emit(cg, mb, LOOM_TPC_OP_HALT, 0);
		return cg->err;
	}
	for (int k = 0; k < (in->op == IR_CBR ? 2 : 1); k++) {
		const struct lcc_irblock *to = in->target[k];
		int tb = -1;

		for (int b = 0; b < cg->fn->nblocks; b++)
			if (cg->fn->blocks[b] == to)
				tb = cg->irblock[b];
		if (tb < 0)
			return cg_fail(cg, "loomcc: branch to a block outside the kernel\n");
		mi = cg_emit(cg, mb, LOOM_TPC_OP_BR, 0);
		if (!mi)
			return cg->err;
		mi->target = tb;
		if (in->op == IR_CBR && k == 0)
			mi->g = in->src[0];
	}
	return cg->err;
}

int cg_isel_insn(struct cg *cg, int mb, const struct lcc_irinsn *in)
{
	switch (in->op) {
	case IR_CONST:
		return cg_isel_const(cg, mb, in);
	case IR_MOV:
		return cg_copy(cg, mb, in->dst, in->src[0], cg_ir_type(cg, in->dst));
	case IR_COORD_MAKE: case IR_COORD_GET: case IR_COORD_SET:
	case IR_INDEX_OFFSET: case IR_INDEX_SIZE: case IR_DIM_SIZE:
		return cg_isel_coord(cg, mb, in);
	case IR_LD_TNSR: case IR_ST_TNSR:
		return cg_isel_tensor(cg, mb, in);
	case IR_LD_LOCAL: case IR_ST_LOCAL:
		return cg_isel_local(cg, mb, in);
	case IR_BR: case IR_CBR: case IR_RET:
		return cg_isel_branch(cg, mb, in);
	default:
		return cg_isel_arith(cg, mb, in);
	}
}

/* Count definitions and uses of the IR registers, for folding. */
static int cg_isel_scan(struct cg *cg)
{
	const struct lcc_ir_func *fn = cg->fn;

	cg->ir = calloc((size_t)fn->nvregs + 1, sizeof(*cg->ir));
	if (!cg->ir)
		return cg->err = -ENOMEM;
	for (int i = 0; i < fn->nscalars; i++)
		if (fn->scalars[i].vreg >= 0 && fn->scalars[i].vreg < fn->nvregs)
			cg->ir[fn->scalars[i].vreg].ndefs++;
	for (int b = 0; b < fn->nblocks; b++) {
		const struct lcc_irblock *bb = fn->blocks[b];

		if (bb->dead)
			continue;
		for (int i = 0; i < bb->ninsns; i++) {
			const struct lcc_irinsn *in = &bb->insns[i];

			for (int k = 0; k < in->nsrc; k++)
				if (in->src[k] >= 0 && in->src[k] < fn->nvregs)
					cg->ir[in->src[k]].nuses++;
			if (in->dst >= 0 && in->dst < fn->nvregs) {
				cg->ir[in->dst].ndefs++;
				cg->ir[in->dst].def = in;
			}
		}
	}
	return 0;
}

/* The prologue: scalar parameters from the launch's arguments. */
static int cg_isel_prologue(struct cg *cg, int mb)
{
	const struct lcc_ir_func *fn = cg->fn;
	struct cg_mi *mi;

	if (fn->nscalars > LOOM_TPC_NUM_ARGS)
		return cg_fail(cg, "loomcc: more than %d scalar parameters are not supported\n",
			       LOOM_TPC_NUM_ARGS);
	for (int i = 0; i < fn->nscalars && !cg->err; i++) {
		const struct lcc_irparam *p = &fn->scalars[i];
		enum cg_class c = cg_class_of(p->type);
		int r = p->vreg;

		if (r < 0 || r >= fn->nvregs)
			continue;
		if (c != CG_S && p->type != IRT_BOOL)
			return cg_fail(cg, "loomcc: %s parameters are not supported by code generation\n",
				       lcc_irtype_name(p->type));
		mi = cg_emit(cg, mb, LOOM_TPC_OP_MOVSR, 0);
		if (!mi)
			break;
		mi->d = c == CG_S ? r : cg_vreg_new(cg, CG_S);
		mi->hi = LOOM_TPC_ENC_IMM(LOOM_TPC_SR_ARG(i));
		if (p->type == IRT_BOOL) {
			/* A bool argument is a 32-bit word: anything but 0 is true. */
			int t = mi->d;

			mi = cg_emit(cg, mb, LOOM_TPC_OP_CMPNE, LOOM_TPC_DT_I32);
			if (!mi)
				break;
			mi->bk = LOOM_TPC_BK_IMM;
			mi->d = r;
			mi->a = t;
		}
	}
	return cg->err;
}

int cg_isel(struct cg *cg)
{
	const struct lcc_ir_func *fn = cg->fn;
	int pro, first = -1;
	struct cg_mi *mi;

	if (cg_isel_scan(cg))
		return cg->err;
	cg->irblock = malloc(((size_t)fn->nblocks + 1) * sizeof(*cg->irblock));
	if (!cg->irblock)
		return cg->err = -ENOMEM;
	pro = cg_block_new(cg);
	for (int b = 0; b < fn->nblocks && !cg->err; b++) {
		cg->irblock[b] = fn->blocks[b]->dead ? -1 : cg_block_new(cg);
		if (first < 0 && cg->irblock[b] >= 0)
			first = cg->irblock[b];
	}
	if (cg->err)
		return cg->err;
	if (first < 0)
		return cg_fail(cg, "loomcc: the kernel has no code\n");
	cg_isel_prologue(cg, pro);
	mi = cg_emit(cg, pro, LOOM_TPC_OP_BR, 0);
	if (mi)
		mi->target = first;
	for (int b = 0; b < fn->nblocks && !cg->err; b++) {
		const struct lcc_irblock *bb = fn->blocks[b];

		if (bb->dead)
			continue;
		cg->cur_bb = bb;
		for (int i = 0; i < bb->ninsns && !cg->err; i++) {
			cg->cur_i = i;
			cg_isel_insn(cg, cg->irblock[b], &bb->insns[i]);
		}
	}
	cg->cur_bb = NULL;
	return cg->err;
}
