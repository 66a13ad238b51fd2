/* SPDX-License-Identifier: MIT */
/*
 * loomcc_lower.c: lowering the checked AST to IR.
 *
 * Produces the one IR function of the kernel (loomcc_ir.h) from main.
 * Every source variable is one virtual register (declared variables
 * without an initializer start at zero, so every register is defined on
 * every path). Helper calls are inlined here: each call gets fresh
 * registers for the helper's parameters and locals and a return block; the
 * language has no recursion, so a helper is never active twice at once.
 * Loops have a uniform shape that the loop hints name:
 *
 *   while/for:  header: cond; cbr body, exit | body ... br latch |
 *               latch: (for: increment) br header | exit
 *   do:         header = body ... br latch | latch: cond; cbr header, exit | exit
 *
 * continue goes to the latch, break to the exit (when the increment or
 * condition inlines a helper, the latch is the block of the back edge and
 * continue goes to the start of that code); a constant true (or absent)
 * condition becomes an unconditional branch. && || and scalar ?:
 * branch; a ?: on a bool64 selects lanes (both arms are evaluated).
 */
#include <string.h>

#include "loomcc.h"
#include "loomcc_ir.h"
#include "loomcc_sema.h"

struct lcc_lower {
	struct lcc_ctx *ctx;
	struct lcc_program *prog;
	struct lcc_ir_func *fn;
	struct lcc_irblock *bb;		/* where code goes */
	struct lcc_irblock *brk, *cont;	/* innermost loop of this function */
	int cur_loop;			/* innermost loop, -1 */
	struct lcc_irblock *ret_bb;	/* inlined helper: its return block */
	int ret_vreg;			/* inlined helper: its return value */
	bool in_main;
	int depth;
	struct lcc_loc loc;
};

static int lower_expr(struct lcc_lower *lw, struct lcc_node *n);
static void lower_stmt(struct lcc_lower *lw, struct lcc_node *n);

/* ---- emission ---- */

static void lw_enter(struct lcc_lower *lw, struct lcc_irblock *bb)
{
	lcc_ir_block_place(lw->ctx, lw->fn, bb);
	lw->bb = bb;
}

static struct lcc_irinsn *lw_emit(struct lcc_lower *lw, enum lcc_irop op)
{
	struct lcc_irinsn *in;

	/* Code after a return, break or continue goes into an unreachable block. */
	if (lcc_ir_block_terminated(lw->bb))
		lw_enter(lw, lcc_ir_block_detached(lw->ctx));
	in = lcc_ir_emit(lw->ctx, lw->fn, lw->bb, op);
	in->loc = lw->loc;
	return in;
}

static int lw_vreg(struct lcc_lower *lw, enum lcc_irtype t, const char *name)
{
	return lcc_ir_vreg_new(lw->ctx, lw->fn, t, name);
}

static int lw_op(struct lcc_lower *lw, enum lcc_irop op, enum lcc_irtype t, int nsrc,
		 int a, int b, int c)
{
	struct lcc_irinsn *in = lw_emit(lw, op);

	in->dst = lw_vreg(lw, t, NULL);
	in->nsrc = nsrc;
	in->src[0] = a;
	in->src[1] = b;
	in->src[2] = c;
	return in->dst;
}

static void lw_mov(struct lcc_lower *lw, int dst, int src)
{
	struct lcc_irinsn *in;

	if (dst == src)
		return;
	in = lw_emit(lw, IR_MOV);
	in->dst = dst;
	in->nsrc = 1;
	in->src[0] = src;
}

/*
 * dst = src for a variable's register dst. When src is a temporary that
 * the last instruction of the block has just defined, that instruction
 * writes dst instead (no mov). src must not be used afterwards.
 */
static void lw_assign(struct lcc_lower *lw, int dst, int src)
{
	struct lcc_irblock *bb = lw->bb;
	struct lcc_irinsn *last = bb->ninsns ? &bb->insns[bb->ninsns - 1] : NULL;

	if (last && last->dst == src && src != dst && !lw->fn->vregs[src].name &&
	    !lcc_irop_is_terminator(last->op)) {
		last->dst = dst;
		return;
	}
	lw_mov(lw, dst, src);
}

static int lw_const_i(struct lcc_lower *lw, enum lcc_irtype t, int32_t v)
{
	struct lcc_irinsn *in = lw_emit(lw, IR_CONST);

	in->dst = lw_vreg(lw, t, NULL);
	in->imm = t == IRT_BOOL ? v != 0 : v;
	return in->dst;
}

static int lw_const_f(struct lcc_lower *lw, float v)
{
	struct lcc_irinsn *in = lw_emit(lw, IR_CONST);

	in->dst = lw_vreg(lw, IRT_F32, NULL);
	in->fimm = v;
	return in->dst;
}

static void lw_br(struct lcc_lower *lw, struct lcc_irblock *target)
{
	struct lcc_irinsn *in = lw_emit(lw, IR_BR);

	in->target[0] = target;
}

static void lw_cbr(struct lcc_lower *lw, int c, struct lcc_irblock *t, struct lcc_irblock *f)
{
	struct lcc_irinsn *in = lw_emit(lw, IR_CBR);

	in->nsrc = 1;
	in->src[0] = c;
	in->target[0] = t;
	in->target[1] = f;
}

/* A zero of any value type. */
static int lw_zero(struct lcc_lower *lw, enum lcc_irtype t)
{
	int z;

	switch (t) {
	case IRT_I32:
	case IRT_BOOL:
		return lw_const_i(lw, t, 0);
	case IRT_F32:
		return lw_const_f(lw, 0.0f);
	case IRT_COORD5: {
		struct lcc_irinsn *in;

		z = lw_const_i(lw, IRT_I32, 0);
		in = lw_emit(lw, IR_COORD_MAKE);
		in->dst = lw_vreg(lw, IRT_COORD5, NULL);
		in->nsrc = 5;
		for (int i = 0; i < 5; i++)
			in->src[i] = z;
		return in->dst;
	}
	default:
		z = lw_zero(lw, lcc_irtype_lane(t));
		return lw_op(lw, IR_BCAST, t, 1, z, 0, 0);
	}
}

static void lw_enter_depth(struct lcc_lower *lw, const struct lcc_node *n)
{
	if (++lw->depth > LCC_MAX_LOWER_DEPTH)
		lcc_error_at(lw->ctx, &n->loc,
			     "the kernel is nested too deeply after inlining helpers (more than %d levels)",
			     LCC_MAX_LOWER_DEPTH);
	lw->loc = n->loc;
}

/* ---- conversions ---- */

static int lower_cast(struct lcc_lower *lw, int v, const struct lcc_type *from,
		      const struct lcc_type *to)
{
	enum lcc_irtype ft = lcc_irtype_of(from), tt = lcc_irtype_of(to);

	if (to->kind == TY_VOID)
		return -1;
	if (from->kind == to->kind || ft == tt)
		return v;	/* int <-> unsigned, int64 <-> uint64: same bits */
	if (lcc_type_is_scalar(from) && lcc_type_is_scalar(to)) {
		if (to->kind == TY_BOOL)
			return lw_op(lw, IR_NE, IRT_BOOL, 2, v, lw_zero(lw, ft), 0);
		if (from->kind == TY_BOOL) {
			v = lw_op(lw, IR_ZEXT, IRT_I32, 1, v, 0, 0);
			return tt == IRT_F32 ? lw_op(lw, IR_SITOFP, IRT_F32, 1, v, 0, 0) : v;
		}
		if (to->kind == TY_FLOAT)
			return lw_op(lw, from->kind == TY_UINT ? IR_UITOFP : IR_SITOFP, IRT_F32, 1, v, 0, 0);
		return lw_op(lw, to->kind == TY_UINT ? IR_FPTOUI : IR_FPTOSI, IRT_I32, 1, v, 0, 0);
	}
	if (lcc_type_is_scalar(from) && lcc_type_is_vector(to)) {
		v = lower_cast(lw, v, from, lcc_type_elem(to));
		return lw_op(lw, IR_BCAST, tt, 1, v, 0, 0);
	}
	if (lcc_type_is_vector(from) && lcc_type_is_vector(to)) {
		if (to->kind == TY_FLOAT64)
			return lw_op(lw, from->kind == TY_UINT64 ? IR_UITOFP : IR_SITOFP, tt, 1, v, 0, 0);
		if (from->kind == TY_FLOAT64)
			return lw_op(lw, to->kind == TY_UINT64 ? IR_FPTOUI : IR_FPTOSI, tt, 1, v, 0, 0);
	}
	lcc_internal_error(lw->ctx, "lowering: no conversion from %s to %s",
			   lcc_type_name(lw->ctx, from), lcc_type_name(lw->ctx, to));
}

/* ---- lvalues ---- */

enum lw_lvkind { LV_VAR, LV_ELEM, LV_LANE };

struct lw_lvalue {
	enum lw_lvkind kind;
	int vreg;	/* LV_VAR, LV_LANE: the variable */
	int local;	/* LV_ELEM */
	int index;	/* LV_ELEM: index register; LV_LANE: lane */
	enum lcc_irtype type;
};

static struct lw_lvalue lower_lvalue(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lw_lvalue lv = { 0 };

	lv.type = lcc_irtype_of(n->ty);
	if (n->kind == ND_VAR) {
		lv.kind = LV_VAR;
		lv.vreg = n->var->vreg;
	} else if (n->kind == ND_ELEM) {
		lv.kind = LV_ELEM;
		lv.local = n->var->index;
		lv.index = lower_expr(lw, n->rhs);
	} else if (n->kind == ND_COORD_ELEM && n->lhs->kind == ND_VAR) {
		lv.kind = LV_LANE;
		lv.vreg = n->lhs->var->vreg;
		lv.index = (int)n->ival;
	} else {
		lcc_internal_error(lw->ctx, "lowering: not an lvalue (node %d)", n->kind);
	}
	return lv;
}

static int lw_load(struct lcc_lower *lw, const struct lw_lvalue *lv)
{
	struct lcc_irinsn *in;

	switch (lv->kind) {
	case LV_VAR:
		return lv->vreg;
	case LV_ELEM:
		in = lw_emit(lw, IR_LD_LOCAL);
		in->dst = lw_vreg(lw, lv->type, NULL);
		in->local = lv->local;
		in->nsrc = 1;
		in->src[0] = lv->index;
		return in->dst;
	default:
		in = lw_emit(lw, IR_COORD_GET);
		in->dst = lw_vreg(lw, IRT_I32, NULL);
		in->nsrc = 1;
		in->src[0] = lv->vreg;
		in->imm = lv->index;
		return in->dst;
	}
}

static void lw_store(struct lcc_lower *lw, const struct lw_lvalue *lv, int v)
{
	struct lcc_irinsn *in;

	switch (lv->kind) {
	case LV_VAR:
		lw_assign(lw, lv->vreg, v);
		return;
	case LV_ELEM:
		in = lw_emit(lw, IR_ST_LOCAL);
		in->local = lv->local;
		in->nsrc = 2;
		in->src[0] = lv->index;
		in->src[1] = v;
		return;
	default:
		in = lw_emit(lw, IR_COORD_SET);
		in->dst = lv->vreg;
		in->nsrc = 2;
		in->src[0] = lv->vreg;
		in->src[1] = v;
		in->imm = lv->index;
		return;
	}
}

/* ---- expressions ---- */

/* The IR operation of a binary operator computed in type t. */
static enum lcc_irop lw_binop(enum lcc_nodekind k, const struct lcc_type *t)
{
	bool u = lcc_type_is_unsigned(t);

	switch (k) {
	case ND_ADD: return IR_ADD;
	case ND_SUB: return IR_SUB;
	case ND_MUL: return IR_MUL;
	case ND_DIV: return u ? IR_UDIV : IR_DIV;
	case ND_MOD: return u ? IR_UREM : IR_REM;
	case ND_SHL: return IR_SHL;
	case ND_SHR: return u ? IR_USHR : IR_SHR;
	case ND_BITAND: return IR_AND;
	case ND_BITOR: return IR_OR;
	case ND_BITXOR: return IR_XOR;
	case ND_EQ: return IR_EQ;
	case ND_NE: return IR_NE;
	case ND_LT: return u ? IR_ULT : IR_LT;
	case ND_LE: return u ? IR_ULE : IR_LE;
	case ND_GT: return u ? IR_UGT : IR_GT;
	case ND_GE: return u ? IR_UGE : IR_GE;
	default: return IR_OP_COUNT;
	}
}

static int lower_logical(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lcc_irblock *rhs_bb = lcc_ir_block_detached(lw->ctx);
	struct lcc_irblock *end = lcc_ir_block_detached(lw->ctx);
	int r = lw_vreg(lw, IRT_BOOL, NULL);
	int a = lower_expr(lw, n->lhs), b;

	lw_mov(lw, r, a);
	if (n->kind == ND_LAND)
		lw_cbr(lw, a, rhs_bb, end);
	else
		lw_cbr(lw, a, end, rhs_bb);
	lw_enter(lw, rhs_bb);
	b = lower_expr(lw, n->rhs);
	lw_mov(lw, r, b);
	lw_br(lw, end);
	lw_enter(lw, end);
	return r;
}

static int lower_cond(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lcc_irblock *then_bb, *else_bb, *end;
	enum lcc_irtype t = lcc_irtype_of(n->ty);
	int c = lower_expr(lw, n->cond), r = -1, v;

	if (n->cond->ty->kind == TY_BOOL64) {
		int a = lower_expr(lw, n->then), b = lower_expr(lw, n->els);

		return lw_op(lw, IR_SEL, t, 3, c, a, b);
	}
	then_bb = lcc_ir_block_detached(lw->ctx);
	else_bb = lcc_ir_block_detached(lw->ctx);
	end = lcc_ir_block_detached(lw->ctx);
	if (t != IRT_VOID)
		r = lw_vreg(lw, t, NULL);
	lw_cbr(lw, c, then_bb, else_bb);
	lw_enter(lw, then_bb);
	v = lower_expr(lw, n->then);
	if (r >= 0)
		lw_mov(lw, r, v);
	lw_br(lw, end);
	lw_enter(lw, else_bb);
	v = lower_expr(lw, n->els);
	if (r >= 0)
		lw_mov(lw, r, v);
	lw_br(lw, end);
	lw_enter(lw, end);
	return r;
}

static int lower_incdec(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lw_lvalue lv = lower_lvalue(lw, n->lhs);
	bool inc = n->kind == ND_PREINC || n->kind == ND_POSTINC;
	bool post = n->kind == ND_POSTINC || n->kind == ND_POSTDEC;
	int old = lw_load(lw, &lv), one, nv;

	if (post && lv.kind == LV_VAR)
		old = lw_op(lw, IR_MOV, lv.type, 1, old, 0, 0);
	one = lv.type == IRT_F32 ? lw_const_f(lw, 1.0f) : lw_const_i(lw, IRT_I32, 1);
	nv = lw_op(lw, inc ? IR_ADD : IR_SUB, lv.type, 2, old, one, 0);
	lw_store(lw, &lv, nv);
	if (post)
		return old;
	return lv.kind == LV_VAR ? lv.vreg : nv;
}

static int lower_opassign(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lw_lvalue lv = lower_lvalue(lw, n->lhs);
	const struct lcc_type *l = lcc_type_unqual(n->lhs->ty), *t = n->op_ty;
	int old = lw_load(lw, &lv);
	int a = lower_cast(lw, old, l, t);
	int b = lower_expr(lw, n->rhs);
	int r = lw_op(lw, lw_binop(n->op, t), lcc_irtype_of(t), 2, a, b, 0);

	r = lower_cast(lw, r, t, l);
	lw_store(lw, &lv, r);
	return lv.kind == LV_VAR ? lv.vreg : r;
}

static int lower_funcall(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lcc_func *def = n->func->canon->def;
	struct lcc_lower saved = *lw;
	int args[LCC_MAX_PARAMS + 1];
	int i = 0;

	for (struct lcc_node *a = n->args; a; a = a->next)
		args[i++] = lower_expr(lw, a);
	for (i = 0; i < def->nparams; i++) {
		struct lcc_obj *p = def->param_objs[i];

		/*
		 * A temporary is used by nothing but this call: the parameter
		 * can live in it. A variable's register must be copied (the
		 * helper may assign its parameter).
		 */
		if (!lw->fn->vregs[args[i]].name) {
			p->vreg = args[i];
			lw->fn->vregs[p->vreg].name = p->name;	/* now a variable */
			continue;
		}
		p->vreg = lw_vreg(lw, lcc_irtype_of(p->ty), p->name);
		lw_mov(lw, p->vreg, args[i]);
	}
	lw->ret_bb = lcc_ir_block_detached(lw->ctx);
	lw->ret_vreg = def->ret->kind == TY_VOID ? -1 :
		       lw_vreg(lw, lcc_irtype_of(def->ret), NULL);
	lw->brk = lw->cont = NULL;
	lw->in_main = false;
	lower_stmt(lw, def->body);
	lw_br(lw, lw->ret_bb);
	lw_enter(lw, lw->ret_bb);
	saved.bb = lw->bb;
	saved.loc = lw->loc;
	i = lw->ret_vreg;
	*lw = saved;
	return i;
}

static int lower_intrin(struct lcc_lower *lw, struct lcc_node *n)
{
	const struct lcc_intrin_desc *d = lcc_intrin_desc(n->intrin);
	enum lcc_irtype t = lcc_irtype_of(n->ty);
	int a[3] = { 0, 0, 0 }, k = 0;
	struct lcc_irinsn *in;
	bool u;

	for (struct lcc_node *x = n->args; x; x = x->next, k++)
		if (x->ty->kind != TY_TENSOR)
			a[k] = lower_expr(lw, x);
	switch (n->intrin) {
	case IN_INDEX_OFFSET:
		return lw_op(lw, IR_INDEX_OFFSET, t, 0, 0, 0, 0);
	case IN_INDEX_SIZE:
		return lw_op(lw, IR_INDEX_SIZE, t, 0, 0, 0, 0);
	case IN_DIM_SIZE:
		in = lw_emit(lw, IR_DIM_SIZE);
		in->dst = lw_vreg(lw, IRT_I32, NULL);
		in->tensor = n->args->var->index;
		in->imm = (int32_t)n->ival;
		return in->dst;
	case IN_LANE_ID:
		return lw_op(lw, IR_LANE_ID, t, 0, 0, 0, 0);
	default:
		break;
	}
	switch (d->cls) {
	case ICL_LOAD:
		in = lw_emit(lw, IR_LD_TNSR);
		in->dst = lw_vreg(lw, t, NULL);
		in->tensor = n->args->next->var->index;
		in->nsrc = 1;
		in->src[0] = a[0];
		return in->dst;
	case ICL_STORE:
		in = lw_emit(lw, IR_ST_TNSR);
		in->tensor = n->args->next->var->index;
		in->nsrc = 2;
		in->src[0] = a[0];
		in->src[1] = a[2];
		return -1;
	case ICL_UNARY_F: {
		static const enum lcc_irop ops[] = {
			[IN_EXP] = IR_EXP, [IN_LOG] = IR_LOG, [IN_RSQRT] = IR_RSQRT,
			[IN_RCP] = IR_RCP, [IN_SQRT] = IR_SQRT, [IN_TANH] = IR_TANH,
			[IN_SIGMOID] = IR_SIGMOID,
		};

		return lw_op(lw, ops[n->intrin], t, 1, a[0], 0, 0);
	}
	case ICL_ABS:
		return lw_op(lw, IR_ABS, t, 1, a[0], 0, 0);
	case ICL_MINMAX:
		u = n->ty->kind == TY_UINT64;
		if (n->intrin == IN_MAX)
			return lw_op(lw, u ? IR_UMAX : IR_MAX, t, 2, a[0], a[1], 0);
		return lw_op(lw, u ? IR_UMIN : IR_MIN, t, 2, a[0], a[1], 0);
	case ICL_FMA:
		return lw_op(lw, IR_FMA, t, 3, a[0], a[1], a[2]);
	case ICL_SEL:
		return lw_op(lw, IR_SEL, t, 3, a[0], a[1], a[2]);
	case ICL_REDUCE:
		u = n->args->ty->kind == TY_UINT64;
		if (n->intrin == IN_REDUCE_ADD)
			return lw_op(lw, IR_RADD, t, 1, a[0], 0, 0);
		if (n->intrin == IN_REDUCE_MAX)
			return lw_op(lw, u ? IR_RUMAX : IR_RMAX, t, 1, a[0], 0, 0);
		return lw_op(lw, u ? IR_RUMIN : IR_RMIN, t, 1, a[0], 0, 0);
	case ICL_PACK:
		return lw_op(lw, IR_PACK_BF16, t, 2, a[0], a[1], 0);
	case ICL_UNPACK:
		return lw_op(lw, n->intrin == IN_BF16_TO_F32_LO ? IR_UNPACK_LO : IR_UNPACK_HI,
			     t, 1, a[0], 0, 0);
	default:
		lcc_internal_error(lw->ctx, "lowering: intrinsic %s", d->name);
	}
}

static int lower_expr_inner(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lw_lvalue lv;
	int a, b;

	switch (n->kind) {
	case ND_NUM:
		if (n->ty->kind == TY_FLOAT)
			return lw_const_f(lw, n->fval);
		return lw_const_i(lw, lcc_irtype_of(n->ty), (int32_t)(uint32_t)n->ival);
	case ND_VAR:
		return n->var->vreg;
	case ND_ELEM:
	case ND_COORD_ELEM:
		if (n->kind == ND_COORD_ELEM && n->lhs->kind != ND_VAR) {
			struct lcc_irinsn *in;

			a = lower_expr(lw, n->lhs);
			in = lw_emit(lw, IR_COORD_GET);
			in->dst = lw_vreg(lw, IRT_I32, NULL);
			in->nsrc = 1;
			in->src[0] = a;
			in->imm = (int32_t)n->ival;
			return in->dst;
		}
		lv = lower_lvalue(lw, n);
		return lw_load(lw, &lv);
	case ND_CAST:
		a = lower_expr(lw, n->lhs);
		return lower_cast(lw, a, lcc_type_unqual(n->lhs->ty), lcc_type_unqual(n->ty));
	case ND_NEG:
		return lw_op(lw, IR_NEG, lcc_irtype_of(n->ty), 1, lower_expr(lw, n->lhs), 0, 0);
	case ND_BITNOT:
	case ND_LNOT:
		return lw_op(lw, IR_NOT, lcc_irtype_of(n->ty), 1, lower_expr(lw, n->lhs), 0, 0);
	case ND_PREINC:
	case ND_PREDEC:
	case ND_POSTINC:
	case ND_POSTDEC:
		return lower_incdec(lw, n);
	case ND_LAND:
	case ND_LOR:
		return lower_logical(lw, n);
	case ND_ASSIGN:
		lv = lower_lvalue(lw, n->lhs);
		a = lower_expr(lw, n->rhs);
		lw_store(lw, &lv, a);
		return lv.kind == LV_VAR ? lv.vreg : a;
	case ND_OPASSIGN:
		return lower_opassign(lw, n);
	case ND_COMMA:
		lower_expr(lw, n->lhs);
		return lower_expr(lw, n->rhs);
	case ND_COND:
		return lower_cond(lw, n);
	case ND_FUNCALL:
		return lower_funcall(lw, n);
	case ND_INTRIN:
		return lower_intrin(lw, n);
	default:
		break;
	}
	if (lw_binop(n->kind, n->lhs->ty) == IR_OP_COUNT)
		lcc_internal_error(lw->ctx, "lowering: expression kind %d", n->kind);
	a = lower_expr(lw, n->lhs);
	b = lower_expr(lw, n->rhs);
	return lw_op(lw, lw_binop(n->kind, n->lhs->ty), lcc_irtype_of(n->ty), 2, a, b, 0);
}

static int lower_expr(struct lcc_lower *lw, struct lcc_node *n)
{
	int v;

	lw_enter_depth(lw, n);
	v = lower_expr_inner(lw, n);
	lw->depth--;
	return v;
}

/* ---- statements ---- */

/* An expression whose value is not used: x++ needs no copy of x. */
static void lower_discard(struct lcc_lower *lw, struct lcc_node *n)
{
	if (n->kind == ND_COMMA) {
		lw_enter_depth(lw, n);
		lower_discard(lw, n->lhs);
		lower_discard(lw, n->rhs);
		lw->depth--;
		return;
	}
	if (n->kind == ND_POSTINC)
		n->kind = ND_PREINC;	/* idempotent: helpers are lowered many times */
	else if (n->kind == ND_POSTDEC)
		n->kind = ND_PREDEC;
	lower_expr(lw, n);
}

static void lower_decl(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lcc_obj *obj = n->var;
	enum lcc_irtype t = lcc_irtype_of(obj->ty);
	int v;

	if (n->init && n->init->kind == ND_INITLIST) {
		struct lcc_irinsn *in;
		int lanes[5], k = 0, zero = -1;

		for (struct lcc_node *a = n->init->args; a; a = a->next)
			lanes[k++] = lower_expr(lw, a);
		for (; k < 5; k++) {
			if (zero < 0)
				zero = lw_const_i(lw, IRT_I32, 0);
			lanes[k] = zero;
		}
		in = lw_emit(lw, IR_COORD_MAKE);
		in->dst = lw_vreg(lw, IRT_COORD5, NULL);
		in->nsrc = 5;
		memcpy(in->src, lanes, sizeof(lanes));
		v = in->dst;
	} else if (n->init) {
		v = lower_expr(lw, n->init);
	} else {
		v = lw_zero(lw, t);
	}
	obj->vreg = lw_vreg(lw, t, obj->name);
	lw_assign(lw, obj->vreg, v);
}

static int lw_loop_new(struct lcc_lower *lw, struct lcc_node *n, struct lcc_irblock *header,
		       struct lcc_irblock *latch, struct lcc_irblock *exit)
{
	struct lcc_ir_func *fn = lw->fn;
	struct lcc_irloop *l;

	fn->loops = lcc_grow(lw->ctx, fn->loops, &fn->lcap, fn->nloops + 1, sizeof(*fn->loops));
	l = &fn->loops[fn->nloops];
	l->header = header;
	l->latch = latch;
	l->exit = exit;
	l->parent = lw->cur_loop;
	l->unroll = n->has_unroll ? n->unroll : -1;
	l->loc = n->loc;
	return fn->nloops++;
}

/* Branch on a loop condition; a constant true one does not branch. */
static void lw_loop_cond(struct lcc_lower *lw, struct lcc_node *cond, struct lcc_irblock *body,
			 struct lcc_irblock *exit)
{
	int64_t v;

	if (!cond || (sema_const_int(cond, &v) && v)) {
		lw_br(lw, body);
		return;
	}
	lw_cbr(lw, lower_expr(lw, cond), body, exit);
}

static void lower_loop(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lcc_irblock *header = lcc_ir_block_detached(lw->ctx);
	struct lcc_irblock *body = n->kind == ND_DO ? header : lcc_ir_block_detached(lw->ctx);
	struct lcc_irblock *latch = lcc_ir_block_detached(lw->ctx);
	struct lcc_irblock *exit = lcc_ir_block_detached(lw->ctx);
	struct lcc_irblock *brk = lw->brk, *cont = lw->cont;
	int outer = lw->cur_loop;
	int id;

	if (n->kind == ND_FOR && n->init)
		lower_stmt(lw, n->init);
	id = lw_loop_new(lw, n, header, latch, exit);
	/* The condition and the increment are in the loop too. */
	lw->cur_loop = id;
	lw_br(lw, header);
	lw_enter(lw, header);
	if (n->kind != ND_DO) {
		lw->loc = n->loc;
		lw_loop_cond(lw, n->cond, body, exit);
		lw_enter(lw, body);
	}
	lw->brk = exit;
	lw->cont = latch;
	lower_stmt(lw, n->body);
	lw->brk = brk;
	lw->cont = cont;
	lw_br(lw, latch);
	lw_enter(lw, latch);
	lw->loc = n->loc;
	if (n->kind == ND_DO) {
		lw_loop_cond(lw, n->cond, header, exit);
	} else {
		if (n->inc)
			lower_discard(lw, n->inc);
		lw_br(lw, header);
	}
	/* The latch is where the back edge is (an inlined helper may split it). */
	lw->fn->loops[id].latch = lw->bb;
	lw->cur_loop = outer;
	lw_enter(lw, exit);
}

static void lower_stmt_inner(struct lcc_lower *lw, struct lcc_node *n)
{
	struct lcc_irblock *then_bb, *else_bb, *end;

	switch (n->kind) {
	case ND_BLOCK:
		for (struct lcc_node *c = n->body; c; c = c->next)
			lower_stmt(lw, c);
		return;
	case ND_DECL:
		lower_decl(lw, n);
		return;
	case ND_EXPR_STMT:
		lower_discard(lw, n->lhs);
		return;
	case ND_IF:
		then_bb = lcc_ir_block_detached(lw->ctx);
		end = lcc_ir_block_detached(lw->ctx);
		else_bb = n->els ? lcc_ir_block_detached(lw->ctx) : end;
		lw_cbr(lw, lower_expr(lw, n->cond), then_bb, else_bb);
		lw_enter(lw, then_bb);
		lower_stmt(lw, n->then);
		lw_br(lw, end);
		if (n->els) {
			lw_enter(lw, else_bb);
			lower_stmt(lw, n->els);
			lw_br(lw, end);
		}
		lw_enter(lw, end);
		return;
	case ND_WHILE:
	case ND_DO:
	case ND_FOR:
		lower_loop(lw, n);
		return;
	case ND_BREAK:
		lw_br(lw, lw->brk);
		return;
	case ND_CONTINUE:
		lw_br(lw, lw->cont);
		return;
	case ND_RETURN:
		if (n->lhs) {
			int v = lower_expr(lw, n->lhs);

			if (lw->ret_vreg >= 0)
				lw_assign(lw, lw->ret_vreg, v);
		}
		if (lw->in_main)
			lw_emit(lw, IR_RET);
		else
			lw_br(lw, lw->ret_bb);
		return;
	case ND_EMPTY:
		return;
	default:
		lcc_internal_error(lw->ctx, "lowering: statement kind %d", n->kind);
	}
}

static void lower_stmt(struct lcc_lower *lw, struct lcc_node *n)
{
	lw_enter_depth(lw, n);
	lower_stmt_inner(lw, n);
	lw->depth--;
}

struct lcc_ir_func *lcc_lower(struct lcc_ctx *ctx, struct lcc_program *prog)
{
	struct lcc_lower *lw = lcc_alloc(ctx, sizeof(*lw));
	struct lcc_func *main = prog->main;
	struct lcc_ir_func *fn = lcc_ir_func_new(ctx, "main");

	lw->ctx = ctx;
	lw->prog = prog;
	lw->fn = fn;
	lw->cur_loop = -1;
	lw->ret_vreg = -1;
	lw->in_main = true;
	lw->loc = main->loc;
	fn->file = main->loc.file ? main->loc.file->name : NULL;
	fn->ntensors = prog->ntensors;
	fn->tensors = lcc_alloc(ctx, sizeof(*fn->tensors) * (prog->ntensors + 1));
	for (int i = 0; i < prog->ntensors; i++)
		fn->tensors[i].name = prog->tensors[i]->name;
	fn->nscalars = prog->nscalars;
	fn->scalars = lcc_alloc(ctx, sizeof(*fn->scalars) * (prog->nscalars + 1));
	for (int i = 0; i < prog->nscalars; i++) {
		struct lcc_obj *o = prog->scalars[i];

		o->vreg = lw_vreg(lw, lcc_irtype_of(o->ty), o->name);
		fn->scalars[i].name = o->name;
		fn->scalars[i].type = lcc_irtype_of(o->ty);
		fn->scalars[i].vreg = o->vreg;
		fn->scalars[i].is_unsigned = o->ty->kind == TY_UINT;
	}
	fn->nlocals = prog->nlocals;
	fn->locals = lcc_alloc(ctx, sizeof(*fn->locals) * (prog->nlocals + 1));
	for (int i = 0; i < prog->nlocals; i++) {
		fn->locals[i].name = prog->locals[i]->name;
		fn->locals[i].elem = lcc_irtype_of(prog->locals[i]->ty->base);
		fn->locals[i].len = prog->locals[i]->ty->len;
	}
	lw_enter(lw, lcc_ir_block_detached(ctx));
	lower_stmt(lw, main->body);
	if (!lcc_ir_block_terminated(lw->bb))
		lw_emit(lw, IR_RET);
	return fn;
}
