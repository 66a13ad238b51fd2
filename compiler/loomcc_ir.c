/* SPDX-License-Identifier: MIT */
/*
 * loomcc_ir.c: the IR's construction, its text form and its verifier.
 *
 * The printer writes the stable text format of docs/kernel-language.md
 * ("The IR"): a header naming the kernel's tensors ($N), scalar
 * parameters (registers), __local__ arrays (@N) and loops, then the live
 * blocks in layout order, renumbered b0, b1, ... (b0 is the entry).
 *
 * The verifier checks what code generation relies on: one terminator at
 * the end of every block, branch targets that exist, operand counts and
 * types for every operation, operand numbers in range, loop hints that
 * name live blocks, and that every register is defined on every path
 * before it is used (a forward "must be defined" data flow; for a huge
 * function a weaker check in block order). A failure is an internal
 * error: the front end produced bad IR.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "loomcc.h"
#include "loomcc_ir.h"

static const char *const lcc_irtype_names[IRT_COUNT] = {
	[IRT_VOID] = "void", [IRT_I32] = "i32", [IRT_F32] = "f32", [IRT_BOOL] = "bool",
	[IRT_V64F32] = "v64f32", [IRT_V64I32] = "v64i32", [IRT_V128BF16] = "v128bf16",
	[IRT_V64BOOL] = "v64bool", [IRT_COORD5] = "coord5",
};

static const char *const lcc_irop_names[IR_OP_COUNT] = {
	[IR_CONST] = "const", [IR_MOV] = "mov", [IR_ADD] = "add", [IR_SUB] = "sub",
	[IR_MUL] = "mul", [IR_DIV] = "div", [IR_UDIV] = "udiv", [IR_REM] = "rem",
	[IR_UREM] = "urem", [IR_NEG] = "neg", [IR_AND] = "and", [IR_OR] = "or",
	[IR_XOR] = "xor", [IR_NOT] = "not", [IR_SHL] = "shl", [IR_SHR] = "shr",
	[IR_USHR] = "ushr", [IR_EQ] = "eq", [IR_NE] = "ne", [IR_LT] = "lt", [IR_LE] = "le",
	[IR_GT] = "gt", [IR_GE] = "ge", [IR_ULT] = "ult", [IR_ULE] = "ule", [IR_UGT] = "ugt",
	[IR_UGE] = "uge", [IR_SEL] = "sel", [IR_SITOFP] = "sitofp", [IR_UITOFP] = "uitofp",
	[IR_FPTOSI] = "fptosi", [IR_FPTOUI] = "fptoui", [IR_ZEXT] = "zext",
	[IR_BCAST] = "bcast", [IR_PACK_BF16] = "pack_bf16", [IR_UNPACK_LO] = "unpack_lo",
	[IR_UNPACK_HI] = "unpack_hi", [IR_EXP] = "exp", [IR_LOG] = "log",
	[IR_RSQRT] = "rsqrt", [IR_RCP] = "rcp", [IR_SQRT] = "sqrt", [IR_TANH] = "tanh",
	[IR_SIGMOID] = "sigmoid", [IR_ABS] = "abs", [IR_MAX] = "max", [IR_MIN] = "min",
	[IR_UMAX] = "umax", [IR_UMIN] = "umin", [IR_FMA] = "fma", [IR_RADD] = "radd",
	[IR_RMAX] = "rmax", [IR_RMIN] = "rmin", [IR_RUMAX] = "rumax", [IR_RUMIN] = "rumin",
	[IR_LANE_ID] = "lane_id", [IR_COORD_MAKE] = "coord.make",
	[IR_COORD_GET] = "coord.get", [IR_COORD_SET] = "coord.set",
	[IR_INDEX_OFFSET] = "index_offset", [IR_INDEX_SIZE] = "index_size",
	[IR_DIM_SIZE] = "dim_size", [IR_LD_TNSR] = "ld_tnsr", [IR_ST_TNSR] = "st_tnsr",
	[IR_LD_LOCAL] = "ld_local", [IR_ST_LOCAL] = "st_local", [IR_BR] = "br",
	[IR_CBR] = "cbr", [IR_RET] = "ret",
};

const char *lcc_irtype_name(enum lcc_irtype t)
{
	return t < IRT_COUNT ? lcc_irtype_names[t] : "?";
}

const char *lcc_irop_name(enum lcc_irop op)
{
	return op < IR_OP_COUNT ? lcc_irop_names[op] : "?";
}

bool lcc_irop_is_terminator(enum lcc_irop op)
{
	return op == IR_BR || op == IR_CBR || op == IR_RET;
}

bool lcc_irop_has_side_effect(enum lcc_irop op)
{
	return op == IR_ST_TNSR || op == IR_ST_LOCAL || lcc_irop_is_terminator(op);
}

bool lcc_irtype_is_vector(enum lcc_irtype t)
{
	return t == IRT_V64F32 || t == IRT_V64I32 || t == IRT_V128BF16 || t == IRT_V64BOOL;
}

enum lcc_irtype lcc_irtype_lane(enum lcc_irtype t)
{
	switch (t) {
	case IRT_V64F32:
	case IRT_V128BF16:
		return IRT_F32;
	case IRT_V64I32:
		return IRT_I32;
	case IRT_V64BOOL:
		return IRT_BOOL;
	default:
		return t;
	}
}

enum lcc_irtype lcc_irtype_of(const struct lcc_type *ty)
{
	switch (ty->kind) {
	case TY_BOOL: return IRT_BOOL;
	case TY_INT:
	case TY_UINT: return IRT_I32;
	case TY_FLOAT: return IRT_F32;
	case TY_FLOAT64: return IRT_V64F32;
	case TY_INT64:
	case TY_UINT64: return IRT_V64I32;
	case TY_BFLOAT128: return IRT_V128BF16;
	case TY_BOOL64: return IRT_V64BOOL;
	case TY_INT5: return IRT_COORD5;
	default: return IRT_VOID;
	}
}

/* ---- construction ---- */

struct lcc_ir_func *lcc_ir_func_new(struct lcc_ctx *ctx, const char *name)
{
	struct lcc_ir_func *fn = lcc_alloc(ctx, sizeof(*fn));

	fn->name = name;
	return fn;
}

int lcc_ir_vreg_new(struct lcc_ctx *ctx, struct lcc_ir_func *fn, enum lcc_irtype t,
		    const char *name)
{
	fn->vregs = lcc_grow(ctx, fn->vregs, &fn->vcap, fn->nvregs + 1, sizeof(*fn->vregs));
	fn->vregs[fn->nvregs].type = t;
	fn->vregs[fn->nvregs].name = name;
	return fn->nvregs++;
}

struct lcc_irblock *lcc_ir_block_detached(struct lcc_ctx *ctx)
{
	struct lcc_irblock *bb = lcc_alloc(ctx, sizeof(*bb));

	bb->id = -1;
	return bb;
}

void lcc_ir_block_place(struct lcc_ctx *ctx, struct lcc_ir_func *fn, struct lcc_irblock *bb)
{
	if (bb->id >= 0)
		return;
	fn->blocks = lcc_grow(ctx, fn->blocks, &fn->bcap, fn->nblocks + 1, sizeof(*fn->blocks));
	bb->id = fn->nblocks;
	fn->blocks[fn->nblocks++] = bb;
}

struct lcc_irblock *lcc_ir_block_new(struct lcc_ctx *ctx, struct lcc_ir_func *fn)
{
	struct lcc_irblock *bb = lcc_ir_block_detached(ctx);

	lcc_ir_block_place(ctx, fn, bb);
	return bb;
}

struct lcc_irinsn *lcc_ir_emit(struct lcc_ctx *ctx, struct lcc_ir_func *fn,
			       struct lcc_irblock *bb, enum lcc_irop op)
{
	struct lcc_irinsn *in;

	if (++fn->ninsns > (int)LCC_MAX_IR_INSNS)
		lcc_error(ctx, "the kernel is too large after inlining (more than %u IR instructions)",
			  LCC_MAX_IR_INSNS);
	bb->insns = lcc_grow(ctx, bb->insns, &bb->cap, bb->ninsns + 1, sizeof(*bb->insns));
	in = &bb->insns[bb->ninsns++];
	memset(in, 0, sizeof(*in));
	in->op = op;
	in->dst = -1;
	return in;
}

bool lcc_ir_block_terminated(const struct lcc_irblock *bb)
{
	return bb->ninsns > 0 && lcc_irop_is_terminator(bb->insns[bb->ninsns - 1].op);
}

int lcc_ir_successors(const struct lcc_irblock *bb, struct lcc_irblock *succ[2])
{
	const struct lcc_irinsn *t;

	if (!lcc_ir_block_terminated(bb))
		return 0;
	t = &bb->insns[bb->ninsns - 1];
	if (t->op == IR_BR) {
		succ[0] = t->target[0];
		return 1;
	}
	if (t->op == IR_CBR) {
		succ[0] = t->target[0];
		succ[1] = t->target[1];
		return succ[0] == succ[1] ? 1 : 2;
	}
	return 0;
}

/* ---- printer ---- */

/* Layout numbers of live blocks: order = bN, or -1. */
static void ir_number_blocks(const struct lcc_ir_func *fn)
{
	int n = 0;

	for (int i = 0; i < fn->nblocks; i++)
		fn->blocks[i]->order = fn->blocks[i]->dead ? -1 : n++;
}

static void ir_print_f32(FILE *out, float f)
{
	if (isnan(f))
		fprintf(out, "nan");
	else if (isinf(f))
		fprintf(out, f > 0 ? "inf" : "-inf");
	else
		fprintf(out, "%.9g", (double)f);
}

static void ir_print_insn(const struct lcc_ir_func *fn, const struct lcc_irinsn *in, FILE *out)
{
	int first = 0;

	fprintf(out, "  ");
	if (in->dst >= 0)
		fprintf(out, "%%%d:%s = ", in->dst, lcc_irtype_name(fn->vregs[in->dst].type));
	fprintf(out, "%s", lcc_irop_name(in->op));
	switch (in->op) {
	case IR_CONST:
		if (fn->vregs[in->dst].type == IRT_F32) {
			fputc(' ', out);
			ir_print_f32(out, in->fimm);
		} else if (fn->vregs[in->dst].type == IRT_BOOL) {
			fprintf(out, " %s", in->imm ? "true" : "false");
		} else {
			fprintf(out, " %d", in->imm);
		}
		break;
	case IR_DIM_SIZE:
		fprintf(out, " $%d, %d", in->tensor, in->imm);
		break;
	case IR_LD_TNSR:
	case IR_ST_TNSR:
		fprintf(out, " $%d", in->tensor);
		first = 1;
		break;
	case IR_LD_LOCAL:
	case IR_ST_LOCAL:
		fprintf(out, " @%d", in->local);
		first = 1;
		break;
	default:
		break;
	}
	for (int i = 0; i < in->nsrc; i++) {
		fprintf(out, "%s%%%d", i == 0 && !first ? " " : ", ", in->src[i]);
		if (i == 0 && (in->op == IR_COORD_GET || in->op == IR_COORD_SET))
			fprintf(out, ", %d", in->imm);
	}
	if (in->op == IR_BR)
		fprintf(out, " b%d", in->target[0]->order);
	else if (in->op == IR_CBR)
		fprintf(out, ", b%d, b%d", in->target[0]->order, in->target[1]->order);
	fputc('\n', out);
}

int lcc_ir_print(const struct lcc_ir_func *fn, FILE *out)
{
	ir_number_blocks(fn);
	fprintf(out, "; loomcc IR 1\n");
	if (fn->file)
		fprintf(out, "; source: %s\n", fn->file);
	fprintf(out, "kernel %s\n", fn->name);
	for (int i = 0; i < fn->ntensors; i++)
		fprintf(out, "tensor $%d %s\n", i, fn->tensors[i].name);
	for (int i = 0; i < fn->nscalars; i++)
		fprintf(out, "param %%%d:%s%s %s\n", fn->scalars[i].vreg,
			lcc_irtype_name(fn->scalars[i].type),
			fn->scalars[i].is_unsigned ? " unsigned" : "", fn->scalars[i].name);
	for (int i = 0; i < fn->nlocals; i++)
		fprintf(out, "local @%d %s: %s[%d]\n", i, fn->locals[i].name,
			lcc_irtype_name(fn->locals[i].elem), fn->locals[i].len);
	for (int i = 0; i < fn->nloops; i++) {
		const struct lcc_irloop *l = &fn->loops[i];

		fprintf(out, "loop L%d: header b%d, latch b%d, ", i, l->header->order,
			l->latch->order);
		if (l->exit)
			fprintf(out, "exit b%d", l->exit->order);
		else
			fprintf(out, "exit -");
		if (l->parent >= 0)
			fprintf(out, ", parent L%d", l->parent);
		if (l->unroll == 0)
			fprintf(out, ", unroll full");
		else if (l->unroll > 0)
			fprintf(out, ", unroll %d", l->unroll);
		fprintf(out, " ; line %d\n", l->loc.line);
	}
	for (int i = 0; i < fn->nblocks; i++) {
		const struct lcc_irblock *bb = fn->blocks[i];

		if (bb->dead)
			continue;
		fprintf(out, "b%d:\n", bb->order);
		for (int j = 0; j < bb->ninsns; j++)
			ir_print_insn(fn, &bb->insns[j], out);
	}
	fprintf(out, "end\n");
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

/* ---- verifier ---- */

struct ir_verifier {
	struct lcc_ctx *ctx;
	struct lcc_ir_func *fn;
	const struct lcc_irblock *bb;
	const struct lcc_irinsn *in;
};

_Noreturn static void ir_fail(struct ir_verifier *v, const char *what)
{
	if (v->in)
		lcc_internal_error(v->ctx, "IR verifier: block %d, '%s' (line %d): %s", v->bb->id,
				   lcc_irop_name(v->in->op), v->in->loc.line, what);
	lcc_internal_error(v->ctx, "IR verifier: %s", what);
}

static enum lcc_irtype ir_src_type(struct ir_verifier *v, int i)
{
	return v->fn->vregs[v->in->src[i]].type;
}

static bool ir_in(enum lcc_irtype t, const enum lcc_irtype *set, int n)
{
	for (int i = 0; i < n; i++)
		if (t == set[i])
			return true;
	return false;
}

#define IN(t, ...)	ir_in((t), (const enum lcc_irtype[]){ __VA_ARGS__ }, \
			      sizeof((const enum lcc_irtype[]){ __VA_ARGS__ }) / sizeof(enum lcc_irtype))

/* Expected operand count, and whether a destination is required. */
static void ir_shape(enum lcc_irop op, int *nsrc, bool *has_dst)
{
	*has_dst = true;
	switch (op) {
	case IR_CONST: case IR_LANE_ID: case IR_INDEX_OFFSET: case IR_INDEX_SIZE:
	case IR_DIM_SIZE:
		*nsrc = 0;
		break;
	case IR_MOV: case IR_NEG: case IR_NOT: case IR_SITOFP: case IR_UITOFP:
	case IR_FPTOSI: case IR_FPTOUI: case IR_ZEXT: case IR_BCAST: case IR_UNPACK_LO:
	case IR_UNPACK_HI: case IR_EXP: case IR_LOG: case IR_RSQRT: case IR_RCP: case IR_SQRT:
	case IR_TANH: case IR_SIGMOID: case IR_ABS: case IR_RADD: case IR_RMAX: case IR_RMIN:
	case IR_RUMAX: case IR_RUMIN: case IR_COORD_GET: case IR_LD_TNSR: case IR_LD_LOCAL:
		*nsrc = 1;
		break;
	case IR_SEL: case IR_FMA:
		*nsrc = 3;
		break;
	case IR_COORD_MAKE:
		*nsrc = 5;
		break;
	case IR_ST_TNSR: case IR_ST_LOCAL:
		*nsrc = 2;
		*has_dst = false;
		break;
	case IR_CBR:
		*nsrc = 1;
		*has_dst = false;
		break;
	case IR_BR: case IR_RET:
		*nsrc = 0;
		*has_dst = false;
		break;
	default:
		*nsrc = 2;
		break;
	}
}

static void ir_check_types(struct ir_verifier *v)
{
	const struct lcc_irinsn *in = v->in;
	enum lcc_irtype d = in->dst >= 0 ? v->fn->vregs[in->dst].type : IRT_VOID;
	enum lcc_irtype a = in->nsrc > 0 ? ir_src_type(v, 0) : IRT_VOID;
	enum lcc_irtype b = in->nsrc > 1 ? ir_src_type(v, 1) : IRT_VOID;
	enum lcc_irtype c = in->nsrc > 2 ? ir_src_type(v, 2) : IRT_VOID;
	bool ok;

	switch (in->op) {
	case IR_CONST:
		ok = IN(d, IRT_I32, IRT_F32, IRT_BOOL);
		break;
	case IR_MOV:
		ok = d == a && d != IRT_VOID;
		break;
	case IR_ADD: case IR_SUB: case IR_MUL:
		ok = d == a && d == b && IN(d, IRT_I32, IRT_F32, IRT_V64F32, IRT_V64I32, IRT_V128BF16);
		break;
	case IR_DIV:
		ok = d == a && d == b && IN(d, IRT_I32, IRT_F32, IRT_V64F32);
		break;
	case IR_UDIV: case IR_REM: case IR_UREM:
		ok = d == a && d == b && d == IRT_I32;
		break;
	case IR_NEG:
		ok = d == a && IN(d, IRT_I32, IRT_F32, IRT_V64F32, IRT_V64I32, IRT_V128BF16);
		break;
	case IR_AND: case IR_OR: case IR_XOR:
		ok = d == a && d == b && IN(d, IRT_I32, IRT_BOOL, IRT_V64I32, IRT_V64BOOL);
		break;
	case IR_NOT:
		ok = d == a && IN(d, IRT_I32, IRT_BOOL, IRT_V64I32, IRT_V64BOOL);
		break;
	case IR_SHL: case IR_SHR: case IR_USHR:
		ok = d == a && d == b && IN(d, IRT_I32, IRT_V64I32);
		break;
	case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE:
		ok = a == b && IN(a, IRT_I32, IRT_F32, IRT_V64F32, IRT_V64I32) &&
		     d == (lcc_irtype_is_vector(a) ? IRT_V64BOOL : IRT_BOOL);
		break;
	case IR_ULT: case IR_ULE: case IR_UGT: case IR_UGE:
		ok = a == b && IN(a, IRT_I32, IRT_V64I32) &&
		     d == (lcc_irtype_is_vector(a) ? IRT_V64BOOL : IRT_BOOL);
		break;
	case IR_SEL:
		ok = d == b && d == c && ((a == IRT_BOOL && d != IRT_VOID) ||
			(a == IRT_V64BOOL && IN(d, IRT_V64F32, IRT_V64I32, IRT_V64BOOL)));
		break;
	case IR_SITOFP: case IR_UITOFP:
		ok = (a == IRT_I32 && d == IRT_F32) || (a == IRT_V64I32 && d == IRT_V64F32);
		break;
	case IR_FPTOSI: case IR_FPTOUI:
		ok = (a == IRT_F32 && d == IRT_I32) || (a == IRT_V64F32 && d == IRT_V64I32);
		break;
	case IR_ZEXT:
		ok = a == IRT_BOOL && d == IRT_I32;
		break;
	case IR_BCAST:
		ok = lcc_irtype_is_vector(d) && a == lcc_irtype_lane(d);
		break;
	case IR_PACK_BF16:
		ok = a == IRT_V64F32 && b == IRT_V64F32 && d == IRT_V128BF16;
		break;
	case IR_UNPACK_LO: case IR_UNPACK_HI:
		ok = a == IRT_V128BF16 && d == IRT_V64F32;
		break;
	case IR_EXP: case IR_LOG: case IR_RSQRT: case IR_RCP: case IR_SQRT: case IR_TANH:
	case IR_SIGMOID:
		ok = d == a && d == IRT_V64F32;
		break;
	case IR_ABS:
		ok = d == a && IN(d, IRT_V64F32, IRT_V64I32, IRT_V128BF16);
		break;
	case IR_MAX: case IR_MIN:
		ok = d == a && d == b && IN(d, IRT_V64F32, IRT_V64I32, IRT_V128BF16);
		break;
	case IR_UMAX: case IR_UMIN:
		ok = d == a && d == b && d == IRT_V64I32;
		break;
	case IR_FMA:
		ok = d == a && d == b && d == c && IN(d, IRT_V64F32, IRT_V128BF16);
		break;
	case IR_RADD: case IR_RMAX: case IR_RMIN:
		ok = IN(a, IRT_V64F32, IRT_V64I32) && d == lcc_irtype_lane(a);
		break;
	case IR_RUMAX: case IR_RUMIN:
		ok = a == IRT_V64I32 && d == IRT_I32;
		break;
	case IR_LANE_ID:
		ok = d == IRT_V64I32;
		break;
	case IR_COORD_MAKE:
		ok = d == IRT_COORD5;
		for (int i = 0; i < 5; i++)
			ok = ok && ir_src_type(v, i) == IRT_I32;
		break;
	case IR_COORD_GET:
		ok = a == IRT_COORD5 && d == IRT_I32 && in->imm >= 0 && in->imm <= 4;
		break;
	case IR_COORD_SET:
		ok = a == IRT_COORD5 && b == IRT_I32 && d == IRT_COORD5 && in->imm >= 0 && in->imm <= 4;
		break;
	case IR_INDEX_OFFSET: case IR_INDEX_SIZE:
		ok = d == IRT_COORD5;
		break;
	case IR_DIM_SIZE:
		ok = d == IRT_I32 && in->imm >= 0 && in->imm <= 4 &&
		     in->tensor >= 0 && in->tensor < v->fn->ntensors;
		break;
	case IR_LD_TNSR:
		ok = a == IRT_COORD5 && IN(d, IRT_V64F32, IRT_V64I32, IRT_V128BF16, IRT_F32, IRT_I32) &&
		     in->tensor >= 0 && in->tensor < v->fn->ntensors;
		break;
	case IR_ST_TNSR:
		ok = a == IRT_COORD5 && IN(b, IRT_V64F32, IRT_V64I32, IRT_V128BF16, IRT_F32, IRT_I32) &&
		     in->tensor >= 0 && in->tensor < v->fn->ntensors;
		break;
	case IR_LD_LOCAL:
		ok = in->local >= 0 && in->local < v->fn->nlocals && a == IRT_I32 &&
		     d == v->fn->locals[in->local].elem;
		break;
	case IR_ST_LOCAL:
		ok = in->local >= 0 && in->local < v->fn->nlocals && a == IRT_I32 &&
		     b == v->fn->locals[in->local].elem;
		break;
	case IR_CBR:
		ok = a == IRT_BOOL;
		break;
	default:
		ok = true;
		break;
	}
	if (!ok)
		ir_fail(v, "operand or result types do not fit the operation");
}

static bool ir_block_live(const struct lcc_ir_func *fn, const struct lcc_irblock *bb)
{
	return bb && !bb->dead && bb->id >= 0 && bb->id < fn->nblocks && fn->blocks[bb->id] == bb;
}

/* Reverse postorder of the reachable blocks (iterative DFS). */
static int ir_rpo(struct lcc_ctx *ctx, struct lcc_ir_func *fn, struct lcc_irblock **rpo)
{
	struct lcc_irblock **stack = lcc_alloc(ctx, sizeof(*stack) * (fn->nblocks + 1));
	int *next = lcc_alloc(ctx, sizeof(*next) * (fn->nblocks + 1));
	int sp = 0, n = fn->nblocks;

	for (int i = 0; i < fn->nblocks; i++)
		fn->blocks[i]->seen = false;
	stack[sp++] = fn->blocks[0];
	fn->blocks[0]->seen = true;
	while (sp) {
		struct lcc_irblock *bb = stack[sp - 1], *succ[2];
		int ns = lcc_ir_successors(bb, succ);

		if (next[bb->id] < ns) {
			struct lcc_irblock *s = succ[next[bb->id]++];

			if (!s->seen) {
				s->seen = true;
				stack[sp++] = s;
			}
			continue;
		}
		sp--;
		rpo[--n] = bb;
	}
	/* rpo[n .. nblocks) are the reachable blocks */
	memmove(rpo, rpo + n, sizeof(*rpo) * (fn->nblocks - n));
	return fn->nblocks - n;
}

static void ir_check_defs(struct ir_verifier *v)
{
	struct lcc_ir_func *fn = v->fn;
	struct lcc_irblock **rpo = lcc_alloc(v->ctx, sizeof(*rpo) * (fn->nblocks + 1));
	int nr = ir_rpo(v->ctx, fn, rpo);
	size_t words = ((size_t)fn->nvregs + 63) / 64;
	uint64_t *in, *cur;
	bool changed = true;
	int rounds = 0;

	for (int i = 0; i < nr; i++)
		rpo[i]->order = i;
	if ((size_t)nr * words > (8u << 20) / 8) {
		/* Huge: every use must follow a definition in reverse postorder. */
		bool *def = lcc_alloc(v->ctx, (size_t)fn->nvregs + 1);

		for (int i = 0; i < fn->nscalars; i++)
			def[fn->scalars[i].vreg] = true;
		for (int i = 0; i < nr; i++) {
			v->bb = rpo[i];
			for (int j = 0; j < rpo[i]->ninsns; j++) {
				v->in = &rpo[i]->insns[j];
				for (int k = 0; k < v->in->nsrc; k++)
					if (!def[v->in->src[k]])
						ir_fail(v, "a register is used before it is defined");
				if (v->in->dst >= 0)
					def[v->in->dst] = true;
			}
		}
		v->in = NULL;
		return;
	}
	/* in[b] = registers defined on every path to b (all ones = unknown) */
	in = lcc_alloc(v->ctx, sizeof(*in) * words * nr + 8);
	cur = lcc_alloc(v->ctx, sizeof(*cur) * words + 8);
	for (int i = 1; i < nr; i++)
		memset(in + (size_t)i * words, 0xff, sizeof(*in) * words);
	for (int i = 0; i < fn->nscalars; i++)
		in[fn->scalars[i].vreg / 64] |= 1ull << (fn->scalars[i].vreg % 64);
	while (changed) {
		changed = false;
		if (++rounds > nr + 2)
			ir_fail(v, "definedness analysis did not converge");
		for (int i = 0; i < nr; i++) {
			struct lcc_irblock *bb = rpo[i], *succ[2];
			int ns;

			memcpy(cur, in + (size_t)i * words, sizeof(*cur) * words);
			for (int j = 0; j < bb->ninsns; j++)
				if (bb->insns[j].dst >= 0)
					cur[bb->insns[j].dst / 64] |= 1ull << (bb->insns[j].dst % 64);
			ns = lcc_ir_successors(bb, succ);
			for (int k = 0; k < ns; k++) {
				uint64_t *sin = in + (size_t)succ[k]->order * words;

				for (size_t w = 0; w < words; w++) {
					uint64_t nv = sin[w] & cur[w];

					if (nv != sin[w]) {
						sin[w] = nv;
						changed = true;
					}
				}
			}
		}
	}
	for (int i = 0; i < nr; i++) {
		struct lcc_irblock *bb = rpo[i];

		memcpy(cur, in + (size_t)i * words, sizeof(*cur) * words);
		v->bb = bb;
		for (int j = 0; j < bb->ninsns; j++) {
			v->in = &bb->insns[j];
			for (int k = 0; k < v->in->nsrc; k++) {
				int r = v->in->src[k];

				if (!(cur[r / 64] & (1ull << (r % 64))))
					ir_fail(v, lcc_format(v->ctx, "%%%d may be used before it is defined", r));
			}
			if (v->in->dst >= 0)
				cur[v->in->dst / 64] |= 1ull << (v->in->dst % 64);
		}
	}
	v->in = NULL;
}

/*
 * Loop structure: the latch branches to the header, and the header of a
 * nested loop lies in the natural loop of its parent (the header and the
 * blocks that reach the latch without passing the header). Skipped for
 * functions too large for the quadratic check.
 */
static void ir_check_loops(struct ir_verifier *v)
{
	struct lcc_ir_func *fn = v->fn;
	size_t words = ((size_t)fn->nblocks + 63) / 64;
	int *npred, **preds, *stack;
	uint64_t *body;

	if (fn->nloops == 0 || (size_t)fn->nloops * words > (1u << 20))
		return;
	npred = lcc_alloc(v->ctx, sizeof(*npred) * fn->nblocks);
	preds = lcc_alloc(v->ctx, sizeof(*preds) * fn->nblocks);
	stack = lcc_alloc(v->ctx, sizeof(*stack) * (fn->nblocks + 1));
	body = lcc_alloc(v->ctx, sizeof(*body) * words * fn->nloops);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < fn->nblocks; i++) {
			struct lcc_irblock *succ[2];
			int ns;

			if (fn->blocks[i]->dead)
				continue;
			ns = lcc_ir_successors(fn->blocks[i], succ);
			for (int k = 0; k < ns; k++) {
				int t = succ[k]->id;

				if (pass == 1)
					preds[t][npred[t]] = i;
				npred[t]++;
			}
		}
		if (pass == 0) {
			for (int i = 0; i < fn->nblocks; i++) {
				preds[i] = lcc_alloc(v->ctx, sizeof(**preds) * (npred[i] + 1));
				npred[i] = 0;
			}
		}
	}
	for (int l = 0; l < fn->nloops; l++) {
		struct lcc_irloop *lp = &fn->loops[l];
		uint64_t *b = body + (size_t)l * words;
		struct lcc_irblock *succ[2];
		int ns = lcc_ir_successors(lp->latch, succ), sp = 0;
		int h = lp->header->id;

		if (!((ns > 0 && succ[0] == lp->header) || (ns > 1 && succ[1] == lp->header)))
			ir_fail(v, lcc_format(v->ctx, "the latch of loop L%d does not branch to its header", l));
		b[h / 64] |= 1ull << (h % 64);
		if (!(b[lp->latch->id / 64] & (1ull << (lp->latch->id % 64)))) {
			b[lp->latch->id / 64] |= 1ull << (lp->latch->id % 64);
			stack[sp++] = lp->latch->id;
		}
		while (sp) {
			int x = stack[--sp];

			for (int k = 0; k < npred[x]; k++) {
				int p = preds[x][k];

				if (!(b[p / 64] & (1ull << (p % 64)))) {
					b[p / 64] |= 1ull << (p % 64);
					stack[sp++] = p;
				}
			}
		}
		if (lp->exit && (b[lp->exit->id / 64] & (1ull << (lp->exit->id % 64))))
			ir_fail(v, lcc_format(v->ctx, "the exit of loop L%d is inside the loop", l));
		if (lp->parent >= 0 &&
		    !(body[(size_t)lp->parent * words + h / 64] & (1ull << (h % 64))))
			ir_fail(v, lcc_format(v->ctx, "loop L%d is not inside its parent L%d", l,
					      lp->parent));
	}
}

void lcc_ir_verify(struct lcc_ctx *ctx, struct lcc_ir_func *fn)
{
	struct ir_verifier v = { ctx, fn, NULL, NULL };

	if (fn->nblocks == 0 || fn->blocks[0]->dead)
		ir_fail(&v, "no entry block");
	for (int i = 0; i < fn->nscalars; i++)
		if (fn->scalars[i].vreg < 0 || fn->scalars[i].vreg >= fn->nvregs ||
		    fn->vregs[fn->scalars[i].vreg].type != fn->scalars[i].type)
			ir_fail(&v, "a scalar parameter has no register of its type");
	for (int i = 0; i < fn->nlocals; i++)
		if (fn->locals[i].len <= 0 || !IN(fn->locals[i].elem, IRT_I32, IRT_F32, IRT_V64F32,
						   IRT_V64I32, IRT_V128BF16))
			ir_fail(&v, "a __local__ array has a bad element type or length");
	for (int i = 0; i < fn->nblocks; i++) {
		struct lcc_irblock *bb = fn->blocks[i];

		if (bb->dead)
			continue;
		v.bb = bb;
		v.in = NULL;
		if (bb->id != i)
			ir_fail(&v, "block numbering is inconsistent");
		if (!lcc_ir_block_terminated(bb))
			ir_fail(&v, lcc_format(ctx, "block %d does not end with a terminator", i));
		for (int j = 0; j < bb->ninsns; j++) {
			struct lcc_irinsn *in = &bb->insns[j];
			int nsrc;
			bool has_dst;

			v.in = in;
			if (in->op >= IR_OP_COUNT)
				ir_fail(&v, "unknown operation");
			if (lcc_irop_is_terminator(in->op) && j != bb->ninsns - 1)
				ir_fail(&v, "a terminator in the middle of a block");
			ir_shape(in->op, &nsrc, &has_dst);
			if (in->nsrc != nsrc || (in->dst >= 0) != has_dst)
				ir_fail(&v, "wrong number of operands or results");
			if (in->dst >= fn->nvregs)
				ir_fail(&v, "result register out of range");
			for (int k = 0; k < in->nsrc; k++)
				if (in->src[k] < 0 || in->src[k] >= fn->nvregs)
					ir_fail(&v, "operand register out of range");
			if (in->op == IR_BR || in->op == IR_CBR) {
				if (!ir_block_live(fn, in->target[0]) ||
				    (in->op == IR_CBR && !ir_block_live(fn, in->target[1])))
					ir_fail(&v, "a branch to a block that does not exist");
			}
			ir_check_types(&v);
		}
	}
	v.in = NULL;
	for (int i = 0; i < fn->nloops; i++) {
		struct lcc_irloop *l = &fn->loops[i];

		if (!ir_block_live(fn, l->header) || !ir_block_live(fn, l->latch) ||
		    (l->exit && !ir_block_live(fn, l->exit)) || l->parent >= i || l->parent < -1)
			ir_fail(&v, lcc_format(ctx, "loop L%d names a block that does not exist", i));
	}
	ir_check_loops(&v);
	ir_check_defs(&v);
}
