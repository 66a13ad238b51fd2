/* SPDX-License-Identifier: MIT */
/*
 * loomcc_opt.c: target-independent clean-ups of the IR.
 *
 *  - unreachable blocks are dropped (and loops whose header went with
 *    them);
 *  - constant folding of scalar operations whose operands are registers
 *    with a single definition, a constant (bool, i32, f32); a cbr on a
 *    constant becomes a br. Nothing is folded whose result the device
 *    defines differently or not at all: integer division by zero or
 *    INT_MIN / -1, float-to-int conversion out of range;
 *  - dead code elimination: operations without side effects whose result
 *    is never used.
 *
 * Every pass keeps the invariants lcc_ir_verify checks; the pipeline
 * verifies again after lcc_opt. Each loop of passes is bounded.
 */
#include <math.h>
#include <string.h>

#include "loomcc.h"
#include "loomcc_ir.h"

#define OPT_MAX_ROUNDS	16

void lcc_ir_remove_unreachable(struct lcc_ctx *ctx, struct lcc_ir_func *fn)
{
	struct lcc_irblock **stack = lcc_alloc(ctx, sizeof(*stack) * (fn->nblocks + 1));
	int *remap = lcc_alloc(ctx, sizeof(*remap) * (fn->nloops + 1));
	int sp = 0, nl = 0;

	for (int i = 0; i < fn->nblocks; i++)
		fn->blocks[i]->seen = false;
	stack[sp++] = fn->blocks[0];
	fn->blocks[0]->seen = true;
	while (sp) {
		struct lcc_irblock *bb = stack[--sp], *succ[2];
		int ns = lcc_ir_successors(bb, succ);

		for (int k = 0; k < ns; k++) {
			if (!succ[k]->seen) {
				succ[k]->seen = true;
				stack[sp++] = succ[k];
			}
		}
	}
	for (int i = 0; i < fn->nblocks; i++)
		if (!fn->blocks[i]->seen)
			fn->blocks[i]->dead = true;
	/*
	 * A loop stays while its header and latch are reachable and the
	 * latch still branches back (a folded do ... while (0) does not); an
	 * exit nothing reaches (an endless loop) becomes NULL.
	 */
	for (int i = 0; i < fn->nloops; i++) {
		struct lcc_irloop *l = &fn->loops[i];

		struct lcc_irblock *succ[2];
		int ns = l->latch->dead ? 0 : lcc_ir_successors(l->latch, succ);
		bool back = (ns > 0 && succ[0] == l->header) || (ns > 1 && succ[1] == l->header);

		if (l->exit && l->exit->dead)
			l->exit = NULL;
		if (l->header->dead || l->latch->dead || !back) {
			remap[i] = l->parent >= 0 ? remap[l->parent] : -1;
			continue;
		}
		remap[i] = nl;
		fn->loops[nl] = *l;
		fn->loops[nl].parent = l->parent >= 0 ? remap[l->parent] : -1;
		nl++;
	}
	fn->nloops = nl;
}

/* ---- constant folding ---- */

struct opt_state {
	struct lcc_ctx *ctx;
	struct lcc_ir_func *fn;
	int *ndefs;			/* definitions per register */
	struct lcc_irinsn **def;	/* the definition if there is one */
};

static void opt_count_defs(struct opt_state *o)
{
	struct lcc_ir_func *fn = o->fn;

	memset(o->ndefs, 0, sizeof(*o->ndefs) * fn->nvregs);
	for (int i = 0; i < fn->nscalars; i++)
		o->ndefs[fn->scalars[i].vreg] = 2;	/* defined by the launch */
	for (int i = 0; i < fn->nblocks; i++) {
		struct lcc_irblock *bb = fn->blocks[i];

		if (bb->dead)
			continue;
		for (int j = 0; j < bb->ninsns; j++) {
			int d = bb->insns[j].dst;

			if (d >= 0) {
				o->ndefs[d]++;
				o->def[d] = &bb->insns[j];
			}
		}
	}
}

static bool opt_const(struct opt_state *o, int r, const struct lcc_irinsn **k)
{
	if (o->ndefs[r] != 1 || o->def[r]->op != IR_CONST)
		return false;
	*k = o->def[r];
	return true;
}

static bool opt_fold_int(enum lcc_irop op, int32_t a, int32_t b, int32_t *out)
{
	uint32_t ua = (uint32_t)a, ub = (uint32_t)b;

	switch (op) {
	case IR_ADD: *out = (int32_t)(ua + ub); return true;
	case IR_SUB: *out = (int32_t)(ua - ub); return true;
	case IR_MUL: *out = (int32_t)(ua * ub); return true;
	case IR_DIV:
		if (b == 0 || (a == INT32_MIN && b == -1))
			return false;
		*out = a / b;
		return true;
	case IR_REM:
		if (b == 0 || (a == INT32_MIN && b == -1))
			return false;
		*out = a % b;
		return true;
	case IR_UDIV:
		if (b == 0)
			return false;
		*out = (int32_t)(ua / ub);
		return true;
	case IR_UREM:
		if (b == 0)
			return false;
		*out = (int32_t)(ua % ub);
		return true;
	case IR_AND: *out = a & b; return true;
	case IR_OR: *out = a | b; return true;
	case IR_XOR: *out = a ^ b; return true;
	case IR_SHL: *out = (int32_t)(ua << (ub & 31)); return true;
	case IR_SHR: *out = a >> (ub & 31); return true;
	case IR_USHR: *out = (int32_t)(ua >> (ub & 31)); return true;
	case IR_EQ: *out = a == b; return true;
	case IR_NE: *out = a != b; return true;
	case IR_LT: *out = a < b; return true;
	case IR_LE: *out = a <= b; return true;
	case IR_GT: *out = a > b; return true;
	case IR_GE: *out = a >= b; return true;
	case IR_ULT: *out = ua < ub; return true;
	case IR_ULE: *out = ua <= ub; return true;
	case IR_UGT: *out = ua > ub; return true;
	case IR_UGE: *out = ua >= ub; return true;
	default: return false;
	}
}

static bool opt_fold_float(enum lcc_irop op, float a, float b, float *f, int32_t *i)
{
	switch (op) {
	case IR_ADD: *f = a + b; return true;
	case IR_SUB: *f = a - b; return true;
	case IR_MUL: *f = a * b; return true;
	case IR_DIV: *f = a / b; return true;
	case IR_EQ: *i = a == b; return true;
	case IR_NE: *i = a != b; return true;
	case IR_LT: *i = a < b; return true;
	case IR_LE: *i = a <= b; return true;
	case IR_GT: *i = a > b; return true;
	case IR_GE: *i = a >= b; return true;
	default: return false;
	}
}

static void opt_make_const(struct lcc_irinsn *in, int32_t imm, float fimm)
{
	in->op = IR_CONST;
	in->nsrc = 0;
	in->imm = imm;
	in->fimm = fimm;
}

/* Fold one instruction; true if it changed. */
static bool opt_fold_insn(struct opt_state *o, struct lcc_irinsn *in)
{
	struct lcc_ir_func *fn = o->fn;
	const struct lcc_irinsn *ka, *kb;
	enum lcc_irtype dt, at;
	int32_t i;
	float f;

	if (in->op == IR_CBR && opt_const(o, in->src[0], &ka)) {
		in->op = IR_BR;
		in->target[0] = ka->imm ? in->target[0] : in->target[1];
		in->target[1] = NULL;
		in->nsrc = 0;
		return true;
	}
	if (in->dst < 0 || in->op == IR_CONST || in->nsrc < 1 || in->nsrc > 2)
		return false;
	dt = fn->vregs[in->dst].type;
	if (lcc_irtype_is_vector(dt) || dt == IRT_COORD5 ||
	    !opt_const(o, in->src[0], &ka))
		return false;
	at = fn->vregs[in->src[0]].type;
	if (in->nsrc == 1) {
		switch (in->op) {
		case IR_MOV:
			opt_make_const(in, ka->imm, ka->fimm);
			return true;
		case IR_NEG:
			if (at == IRT_F32)
				opt_make_const(in, 0, -ka->fimm);
			else
				opt_make_const(in, (int32_t)(0u - (uint32_t)ka->imm), 0);
			return true;
		case IR_NOT:
			opt_make_const(in, at == IRT_BOOL ? !ka->imm : ~ka->imm, 0);
			return true;
		case IR_ZEXT:
			opt_make_const(in, ka->imm != 0, 0);
			return true;
		case IR_SITOFP:
			opt_make_const(in, 0, (float)ka->imm);
			return true;
		case IR_UITOFP:
			opt_make_const(in, 0, (float)(uint32_t)ka->imm);
			return true;
		case IR_FPTOSI:
			if (!(ka->fimm > -2147483904.0f && ka->fimm < 2147483648.0f))
				return false;
			opt_make_const(in, (int32_t)ka->fimm, 0);
			return true;
		case IR_FPTOUI:
			if (!(ka->fimm > -1.0f && ka->fimm < 4294967296.0f))
				return false;
			opt_make_const(in, (int32_t)(uint32_t)ka->fimm, 0);
			return true;
		default:
			return false;
		}
	}
	if (!opt_const(o, in->src[1], &kb))
		return false;
	if (at == IRT_F32) {
		i = 0;
		f = 0;
		if (!opt_fold_float(in->op, ka->fimm, kb->fimm, &f, &i))
			return false;
		opt_make_const(in, i, f);
		return true;
	}
	if (at == IRT_BOOL && (in->op == IR_AND || in->op == IR_OR || in->op == IR_XOR ||
			       in->op == IR_EQ || in->op == IR_NE)) {
		opt_fold_int(in->op, ka->imm, kb->imm, &i);
		opt_make_const(in, i != 0, 0);
		return true;
	}
	if (at != IRT_I32 || !opt_fold_int(in->op, ka->imm, kb->imm, &i))
		return false;
	opt_make_const(in, i, 0);
	return true;
}

static bool opt_fold(struct opt_state *o)
{
	bool changed = false, cfg = false;

	opt_count_defs(o);
	for (int i = 0; i < o->fn->nblocks; i++) {
		struct lcc_irblock *bb = o->fn->blocks[i];

		if (bb->dead)
			continue;
		for (int j = 0; j < bb->ninsns; j++) {
			struct lcc_irinsn *in = &bb->insns[j];
			bool was_cbr = in->op == IR_CBR;

			/* A register with one definition may now be a constant. */
			if (opt_fold_insn(o, in)) {
				changed = true;
				cfg |= was_cbr;
			}
		}
	}
	if (cfg)
		lcc_ir_remove_unreachable(o->ctx, o->fn);
	return changed;
}

/* ---- dead code ---- */

static bool opt_dce(struct opt_state *o)
{
	struct lcc_ir_func *fn = o->fn;
	int *uses = o->ndefs;	/* reused as a use count */
	bool changed = false;

	memset(uses, 0, sizeof(*uses) * fn->nvregs);
	for (int i = 0; i < fn->nblocks; i++) {
		struct lcc_irblock *bb = fn->blocks[i];

		if (bb->dead)
			continue;
		for (int j = 0; j < bb->ninsns; j++)
			for (int k = 0; k < bb->insns[j].nsrc; k++)
				uses[bb->insns[j].src[k]]++;
	}
	for (int i = 0; i < fn->nblocks; i++) {
		struct lcc_irblock *bb = fn->blocks[i];
		int n = 0;

		if (bb->dead)
			continue;
		for (int j = 0; j < bb->ninsns; j++) {
			struct lcc_irinsn *in = &bb->insns[j];

			if (!lcc_irop_has_side_effect(in->op) && in->dst >= 0 && !uses[in->dst]) {
				changed = true;
				continue;
			}
			bb->insns[n++] = *in;
		}
		bb->ninsns = n;
	}
	return changed;
}

void lcc_opt(struct lcc_ctx *ctx, struct lcc_ir_func *fn)
{
	struct opt_state o = { ctx, fn, NULL, NULL };

	o.ndefs = lcc_alloc(ctx, sizeof(*o.ndefs) * (fn->nvregs + 1));
	o.def = lcc_alloc(ctx, sizeof(*o.def) * (fn->nvregs + 1));
	lcc_ir_remove_unreachable(ctx, fn);
	for (int round = 0; round < OPT_MAX_ROUNDS && opt_fold(&o); round++)
		;
	for (int round = 0; round < OPT_MAX_ROUNDS && opt_dce(&o); round++)
		;
}
