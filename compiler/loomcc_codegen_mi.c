/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen_mi.c: machine instructions (struct cg_mi) as the passes
 * of code generation see them: which fields are registers of which class,
 * which are read and which written, which instructions have effects,
 * which are plain copies, and their encoding into a 64-bit word. All of
 * it follows from the opcode's form in hw/loom_tpc.h, so that a new
 * opcode needs no change here.
 */
#include <string.h>

#include "loomcc_codegen_int.h"

static enum cg_class cg_kind_class(unsigned k)
{
	switch (k) {
	case LOOM_TPC_K_S: return CG_S;
	case LOOM_TPC_K_V: return CG_V;
	case LOOM_TPC_K_I: return CG_I;
	case LOOM_TPC_K_P: return CG_P;
	case LOOM_TPC_K_VP: return CG_VP;
	default: return CG_NONE;
	}
}

static bool cg_op_is_store(unsigned op)
{
	return op == LOOM_TPC_OP_STT || op == LOOM_TPC_OP_STTS || op == LOOM_TPC_OP_STL ||
	       op == LOOM_TPC_OP_STLV;
}

/* Does the instruction write only part of d (so that d's old value lives on)? */
static bool cg_mi_partial(const struct cg_mi *mi)
{
	if (mi->fulldef)
		return false;
	if (mi->g >= 0)
		return true;
	switch (mi->op) {
	case LOOM_TPC_OP_ISET:
		return mi->a != 31;
	case LOOM_TPC_OP_IADD:
	case LOOM_TPC_OP_VINS:
		return true;
	case LOOM_TPC_OP_VCVT:
		return mi->type == LOOM_TPC_DT_BF16;
	default:
		return false;
	}
}

static void cg_ops_add(struct cg_operands *ops, int *reg, enum cg_class cls, unsigned how)
{
	if (cls == CG_NONE)
		return;
	ops->reg[ops->n] = reg;
	ops->cls[ops->n] = (uint8_t)cls;
	ops->how[ops->n] = (uint8_t)how;
	ops->n++;
}

void cg_mi_operands(struct cg_mi *mi, struct cg_operands *ops)
{
	const struct loom_tpc_op_desc *od = loom_tpc_op_desc(mi->op);
	const struct loom_tpc_form_desc *fd;
	unsigned dhow;

	ops->n = 0;
	if (!od)
		return;
	fd = loom_tpc_form_desc(od->form);
	if (cg_op_is_store(mi->op))
		dhow = CG_OP_USE;
	else
		dhow = cg_mi_partial(mi) ? CG_OP_USE | CG_OP_DEF : CG_OP_DEF;
	cg_ops_add(ops, &mi->d, cg_kind_class(fd->d), dhow);
	cg_ops_add(ops, &mi->a, cg_kind_class(fd->a),
		   mi->op == LOOM_TPC_OP_LOOP ? CG_OP_USE | CG_OP_DEF : CG_OP_USE);
	if (mi->bk == LOOM_TPC_BK_SREG)
		cg_ops_add(ops, &mi->b, CG_S, CG_OP_USE);
	else if (mi->bk == LOOM_TPC_BK_REG)
		cg_ops_add(ops, &mi->b, cg_kind_class(fd->b), CG_OP_USE);
	if (!(fd->imm == LOOM_TPC_IMM_BK && mi->bk == LOOM_TPC_BK_IMM))
		cg_ops_add(ops, &mi->c, cg_kind_class(fd->c), CG_OP_USE);
	if (mi->g >= 0)
		cg_ops_add(ops, &mi->g, od->guard == LOOM_TPC_G_LANE ? CG_VP : CG_P, CG_OP_USE);
}

bool cg_mi_is_branch(const struct cg_mi *mi)
{
	return mi->op == LOOM_TPC_OP_BR || mi->op == LOOM_TPC_OP_LOOP;
}

bool cg_mi_has_effect(const struct cg_mi *mi)
{
	return cg_op_is_store(mi->op) || cg_mi_is_branch(mi) || mi->op == LOOM_TPC_OP_HALT;
}

/* An unguarded copy of one register to another of its class. */
bool cg_mi_is_copy(const struct cg_mi *mi)
{
	if (mi->g >= 0)
		return false;
	switch (mi->op) {
	case LOOM_TPC_OP_MOV:
	case LOOM_TPC_OP_VMOV:
		return mi->bk == LOOM_TPC_BK_REG;
	case LOOM_TPC_OP_IMOV:
		return true;
	case LOOM_TPC_OP_POR:
	case LOOM_TPC_OP_VPOR:
		return mi->a == mi->b;
	default:
		return false;
	}
}

/* The source register of a copy. */
static int cg_copy_src(const struct cg_mi *mi)
{
	return mi->op == LOOM_TPC_OP_MOV || mi->op == LOOM_TPC_OP_VMOV ? mi->b : mi->a;
}

/* Successors from the branches that end block b (every block ends in br or halt). */
void cg_block_succ(struct cg *cg, int b)
{
	struct cg_block *bb = &cg->blocks[b];

	bb->nsucc = 0;
	for (int i = bb->n - 1; i >= 0 && i >= bb->n - 2; i--) {
		const struct cg_mi *mi = &bb->mi[i];

		if (!cg_mi_is_branch(mi))
			break;
		if (bb->nsucc < 2 && mi->target >= 0 &&
		    (bb->nsucc == 0 || bb->succ[0] != mi->target))
			bb->succ[bb->nsucc++] = mi->target;
	}
}

uint64_t cg_mi_encode(const struct cg_mi *mi)
{
	const struct loom_tpc_op_desc *od = loom_tpc_op_desc(mi->op);
	const struct loom_tpc_form_desc *fd = od ? loom_tpc_form_desc(od->form) : NULL;
	uint64_t w, hi = mi->hi;
	int g = mi->g >= 0 ? mi->g : 0;

	w = LOOM_TPC_INSN(mi->op, mi->type, mi->bk, mi->d, mi->a,
			  mi->bk == LOOM_TPC_BK_IMM ? 0 : mi->b, g, mi->g >= 0 && mi->pn);
	if (fd && !(fd->imm == LOOM_TPC_IMM_BK && mi->bk == LOOM_TPC_BK_IMM)) {
		if (fd->c == LOOM_TPC_K_S || fd->c == LOOM_TPC_K_V)
			hi |= LOOM_TPC_ENC_C(mi->c);
		else if (fd->c == LOOM_TPC_K_P || fd->c == LOOM_TPC_K_VP)
			hi |= LOOM_TPC_ENC_CP(mi->c, mi->cneg);
	}
	return w | hi;
}

/* Is mi a copy whose source and destination are the same register? */
bool cg_mi_is_self_copy(const struct cg_mi *mi)
{
	return cg_mi_is_copy(mi) && cg_copy_src(mi) == mi->d;
}

int cg_mi_copy_src(const struct cg_mi *mi)
{
	return cg_copy_src(mi);
}
