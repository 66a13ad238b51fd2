/* SPDX-License-Identifier: MIT */
/*
 * loomcc_sema.c: semantic analysis.
 *
 * Resolves every name (scopes as in C, except that a variable's scope
 * starts after its initializer), gives every expression a type, makes
 * every implicit conversion an explicit ND_CAST (is_implicit) so that
 * lowering never has to guess, and enforces the rules of
 * docs/kernel-language.md: main's signature, where tensors and __local__
 * arrays may appear, vector/scalar mixing, intrinsic arity and types,
 * break/continue outside loops, missing returns, recursion, and the
 * compile-time constants (array sizes, int5 lanes, dimensions). This file
 * checks expressions; statements are checked in loomcc_sema_stmt.c,
 * intrinsic calls in loomcc_sema_intrin.c, file scope, main and recursion
 * in loomcc_sema_top.c.
 */
#include <string.h>

#include "loomcc.h"
#include "loomcc_sema.h"

/* ---- scopes ---- */

void sema_scope_push(struct lcc_sema *s)
{
	s->scope_depth++;
}

void sema_scope_pop(struct lcc_sema *s)
{
	while (s->vars && s->vars->depth == s->scope_depth) {
		struct lcc_scope_var *v = s->vars;

		lcc_map_put(s->ctx, &s->names, v->name, v->len, v->shadowed);
		s->vars = v->next;
	}
	s->scope_depth--;
}

static struct lcc_scope_var *scope_find(struct lcc_sema *s, const char *name, int len)
{
	return lcc_map_get(&s->names, name, len);
}

struct lcc_obj *sema_declare(struct lcc_sema *s, const char *name, int len,
			     const struct lcc_type *ty, const struct lcc_loc *loc,
			     enum lcc_objkind kind)
{
	struct lcc_scope_var *v = scope_find(s, name, len);
	struct lcc_obj *obj;

	if (v && v->depth == s->scope_depth)
		lcc_error_at(s->ctx, loc, "redefinition of '%.*s'", len, name);
	obj = lcc_alloc(s->ctx, sizeof(*obj));
	obj->kind = kind;
	obj->name = lcc_strndup(s->ctx, name, (size_t)len);
	obj->ty = ty;
	obj->loc = *loc;
	obj->vreg = -1;
	v = lcc_alloc(s->ctx, sizeof(*v));
	v->name = obj->name;
	v->len = len;
	v->obj = obj;
	v->depth = s->scope_depth;
	v->next = s->vars;
	v->shadowed = scope_find(s, name, len);
	s->vars = v;
	lcc_map_put(s->ctx, &s->names, v->name, len, v);
	return obj;
}

/* ---- small helpers shared with loomcc_sema_intrin.c ---- */

const char *sema_tyname(struct lcc_sema *s, const struct lcc_type *ty)
{
	return lcc_type_name(s->ctx, ty);
}

struct lcc_node *sema_cast(struct lcc_sema *s, struct lcc_node *n, const struct lcc_type *ty)
{
	struct lcc_node *c;

	if (lcc_type_same(lcc_type_unqual(n->ty), lcc_type_unqual(ty)))
		return n;
	c = lcc_alloc(s->ctx, sizeof(*c));
	c->kind = ND_CAST;
	c->loc = n->loc;
	c->lhs = n;
	c->ty = lcc_type_unqual(ty);
	c->is_implicit = true;
	c->depth = n->depth + 1;
	return c;
}

/* The usual arithmetic conversions of two scalars (bool promotes to int). */
const struct lcc_type *sema_usual(const struct lcc_type *a, const struct lcc_type *b)
{
	if (a->kind == TY_FLOAT || b->kind == TY_FLOAT)
		return lcc_type_get(TY_FLOAT, false);
	if (a->kind == TY_UINT || b->kind == TY_UINT)
		return lcc_type_get(TY_UINT, false);
	return lcc_type_get(TY_INT, false);
}

/* The vector whose lanes have this scalar type. */
const struct lcc_type *sema_vector_of(const struct lcc_type *scalar)
{
	switch (scalar->kind) {
	case TY_FLOAT: return lcc_type_get(TY_FLOAT64, false);
	case TY_UINT: return lcc_type_get(TY_UINT64, false);
	case TY_BOOL: return lcc_type_get(TY_BOOL64, false);
	default: return lcc_type_get(TY_INT64, false);
	}
}

/* Can scalar type `from` be broadcast into vector `to` without a cast? */
static bool sema_broadcastable(const struct lcc_type *from, const struct lcc_type *to)
{
	if (!lcc_type_is_scalar(from))
		return false;
	if (to->kind == TY_BOOL64)
		return from->kind == TY_BOOL;
	if (lcc_type_is_int_vector(to))
		return from->kind != TY_FLOAT;
	return to->kind == TY_FLOAT64 || to->kind == TY_BFLOAT128;
}

/* Implicit conversion (assignment, initialization, arguments, return). */
struct lcc_node *sema_convert(struct lcc_sema *s, struct lcc_node *n, const struct lcc_type *to,
			      const char *what)
{
	const struct lcc_type *from = n->ty;

	if (lcc_type_same(lcc_type_unqual(from), lcc_type_unqual(to)))
		return n;
	if (lcc_type_is_scalar(from) && lcc_type_is_scalar(to))
		return sema_cast(s, n, to);
	if (lcc_type_is_vector(to) && sema_broadcastable(from, to))
		return sema_cast(s, n, to);
	if (lcc_type_is_vector(to) && from->kind == TY_FLOAT)
		lcc_error_at(s->ctx, &n->loc,
			     "cannot convert 'float' to '%s' in %s implicitly (it would truncate; use a cast)",
			     sema_tyname(s, to), what);
	if (lcc_type_is_vector(from) && lcc_type_is_scalar(to))
		lcc_error_at(s->ctx, &n->loc,
			     "cannot convert '%s' to '%s' in %s (use v_reduce_*; lane access is not supported)",
			     sema_tyname(s, from), sema_tyname(s, to), what);
	if (lcc_type_is_vector(from) && lcc_type_is_vector(to) &&
	    from->kind != TY_BOOL64 && to->kind != TY_BOOL64 &&
	    from->kind != TY_BFLOAT128 && to->kind != TY_BFLOAT128)
		lcc_error_at(s->ctx, &n->loc, "cannot convert '%s' to '%s' in %s without a cast",
			     sema_tyname(s, from), sema_tyname(s, to), what);
	lcc_error_at(s->ctx, &n->loc, "cannot convert '%s' to '%s' in %s",
		     sema_tyname(s, from), sema_tyname(s, to), what);
}

/* ---- constants ---- */

static int64_t sema_wrap(const struct lcc_type *ty, int64_t v)
{
	if (ty->kind == TY_BOOL)
		return v != 0;
	if (ty->kind == TY_UINT)
		return (int64_t)(uint32_t)v;
	return (int64_t)(int32_t)(uint32_t)v;
}

/* The value of an integer constant expression (checked node), if it is one. */
bool sema_const_int(const struct lcc_node *n, int64_t *out)
{
	int64_t a, b;

	if (!n->ty || !lcc_type_is_integer(n->ty))
		return false;
	switch (n->kind) {
	case ND_NUM:
		*out = n->ival;
		return true;
	case ND_CAST:
		if (n->lhs->ty && n->lhs->ty->kind == TY_FLOAT)
			return false;
		if (!sema_const_int(n->lhs, &a))
			return false;
		*out = sema_wrap(n->ty, a);
		return true;
	case ND_NEG:
	case ND_BITNOT:
	case ND_LNOT:
		if (!sema_const_int(n->lhs, &a))
			return false;
		*out = sema_wrap(n->ty, n->kind == ND_NEG ? (int64_t)(0 - (uint64_t)a) :
				 n->kind == ND_BITNOT ? ~a : !a);
		return true;
	case ND_COND:
		if (!sema_const_int(n->cond, &a))
			return false;
		return sema_const_int(a ? n->then : n->els, out);
	default:
		break;
	}
	if (!n->lhs || !n->rhs || !sema_const_int(n->lhs, &a) || !sema_const_int(n->rhs, &b))
		return false;
	{
		bool u = lcc_type_is_unsigned(n->lhs->ty);
		uint64_t ua = (uint64_t)a, ub = (uint64_t)b;

		switch (n->kind) {
		case ND_ADD: *out = (int64_t)(ua + ub); break;
		case ND_SUB: *out = (int64_t)(ua - ub); break;
		case ND_MUL: *out = (int64_t)(uint32_t)(ua * ub); break;
		case ND_DIV:
		case ND_MOD:
			if (b == 0)
				return false;
			if (u)
				*out = n->kind == ND_DIV ? (int64_t)((uint32_t)a / (uint32_t)b) :
					(int64_t)((uint32_t)a % (uint32_t)b);
			else if (b == -1)
				*out = n->kind == ND_DIV ? (int64_t)(0 - ua) : 0;
			else
				*out = n->kind == ND_DIV ? a / b : a % b;
			break;
		case ND_SHL: *out = (int64_t)(uint32_t)(ua << (ub & 31)); break;
		case ND_SHR:
			*out = u ? (int64_t)((uint32_t)a >> (ub & 31)) :
				(int64_t)((int32_t)a >> (ub & 31));
			break;
		case ND_BITAND: *out = a & b; break;
		case ND_BITOR: *out = a | b; break;
		case ND_BITXOR: *out = a ^ b; break;
		case ND_EQ: *out = a == b; break;
		case ND_NE: *out = a != b; break;
		case ND_LT: *out = u ? (uint32_t)a < (uint32_t)b : a < b; break;
		case ND_LE: *out = u ? (uint32_t)a <= (uint32_t)b : a <= b; break;
		case ND_GT: *out = u ? (uint32_t)a > (uint32_t)b : a > b; break;
		case ND_GE: *out = u ? (uint32_t)a >= (uint32_t)b : a >= b; break;
		case ND_LAND: *out = a && b; break;
		case ND_LOR: *out = a || b; break;
		default:
			return false;
		}
	}
	*out = sema_wrap(n->ty, *out);
	return true;
}

/* ---- expressions ---- */

static const char *op_name(enum lcc_nodekind k)
{
	switch (k) {
	case ND_ADD: return "+";
	case ND_SUB: return "-";
	case ND_MUL: return "*";
	case ND_DIV: return "/";
	case ND_MOD: return "%";
	case ND_SHL: return "<<";
	case ND_SHR: return ">>";
	case ND_BITAND: return "&";
	case ND_BITOR: return "|";
	case ND_BITXOR: return "^";
	case ND_EQ: return "==";
	case ND_NE: return "!=";
	case ND_LT: return "<";
	case ND_LE: return "<=";
	case ND_GT: return ">";
	case ND_GE: return ">=";
	case ND_LAND: return "&&";
	case ND_LOR: return "||";
	case ND_NEG: return "-";
	case ND_POS: return "+";
	case ND_BITNOT: return "~";
	case ND_LNOT: return "!";
	case ND_PREINC: case ND_POSTINC: return "++";
	case ND_PREDEC: case ND_POSTDEC: return "--";
	default: return "?";
	}
}

static bool is_compare(enum lcc_nodekind k)
{
	return k == ND_EQ || k == ND_NE || k == ND_LT || k == ND_LE || k == ND_GT || k == ND_GE;
}

/* Find what an identifier names; NULL if nothing. */
struct lcc_obj *sema_lookup_obj(struct lcc_sema *s, const char *name, int len)
{
	struct lcc_scope_var *v = scope_find(s, name, len);
	struct lcc_gsym *g;

	if (v)
		return v->obj;
	g = lcc_map_get(&s->globals, name, len);
	return g && g->obj ? g->obj : NULL;
}

static struct lcc_node *check_ident(struct lcc_sema *s, struct lcc_node *n)
{
	struct lcc_obj *obj = sema_lookup_obj(s, n->name, n->namelen);
	struct lcc_gsym *g;

	if (!obj) {
		g = lcc_map_get(&s->globals, n->name, n->namelen);
		if (g && g->func)
			lcc_error_at(s->ctx, &n->loc, "function '%.*s' must be called",
				     n->namelen, n->name);
		if (lcc_intrin_lookup(n->name, n->namelen) >= 0)
			lcc_error_at(s->ctx, &n->loc, "builtin '%.*s' must be called",
				     n->namelen, n->name);
		lcc_error_at(s->ctx, &n->loc, "undeclared identifier '%.*s'", n->namelen, n->name);
	}
	if (obj->kind == OBJ_TENSOR)
		lcc_error_at(s->ctx, &n->loc,
			     "tensor '%s' can only be an argument of a tensor intrinsic "
			     "(v_*_ld_tnsr, v_*_st_tnsr, get_dim_size)", obj->name);
	if (obj->kind == OBJ_LOCAL_MEM)
		lcc_error_at(s->ctx, &n->loc, "array '%s' must be indexed (arrays are not values)",
			     obj->name);
	n->kind = ND_VAR;
	n->var = obj;
	n->ty = obj->ty;
	return n;
}

static struct lcc_node *check_index(struct lcc_sema *s, struct lcc_node *n)
{
	struct lcc_node *base = n->lhs;
	int64_t idx;

	if (base->kind == ND_IDENT) {
		struct lcc_obj *obj = sema_lookup_obj(s, base->name, base->namelen);

		if (obj && obj->kind == OBJ_LOCAL_MEM) {
			n->rhs = sema_check_expr(s, n->rhs);
			if (n->rhs->ty->kind != TY_INT && n->rhs->ty->kind != TY_UINT &&
			    n->rhs->ty->kind != TY_BOOL)
				lcc_error_at(s->ctx, &n->rhs->loc,
					     "array index must be an int or unsigned scalar, not '%s'",
					     sema_tyname(s, n->rhs->ty));
			n->rhs = sema_cast(s, n->rhs, lcc_type_get(TY_INT, false));
			if (sema_const_int(n->rhs, &idx) && (idx < 0 || idx >= obj->ty->len))
				lcc_error_at(s->ctx, &n->rhs->loc,
					     "array index %lld is out of bounds for '%s' (%d elements)",
					     (long long)idx, obj->name, obj->ty->len);
			n->kind = ND_ELEM;
			n->var = obj;
			n->ty = obj->ty->base;
			return n;
		}
	}
	n->lhs = base = sema_check_expr(s, base);
	if (base->ty->kind == TY_INT5) {
		n->rhs = sema_check_expr(s, n->rhs);
		if (!sema_const_int(n->rhs, &idx) || idx < 0 || idx > 4)
			lcc_error_at(s->ctx, &n->rhs->loc,
				     "an int5 lane index must be an integer constant from 0 to 4");
		n->kind = ND_COORD_ELEM;
		n->ival = idx;
		n->ty = lcc_type_get(TY_INT, base->ty->is_const);
		return n;
	}
	if (lcc_type_is_vector(base->ty))
		lcc_error_at(s->ctx, &n->loc,
			     "lane access on '%s' is not supported: vectors are processed whole "
			     "(use v_sel, comparisons or v_reduce_*)", sema_tyname(s, base->ty));
	lcc_error_at(s->ctx, &n->loc, "subscripted value of type '%s' is not an array or int5",
		     sema_tyname(s, base->ty));
}

/* The modifiable-lvalue check for =, op=, ++ and --. */
static void check_lvalue(struct lcc_sema *s, struct lcc_node *n, const char *op)
{
	if (n->kind == ND_VAR) {
		if (n->var->ty->is_const)
			lcc_error_at(s->ctx, &n->loc, "cannot assign to const variable '%s'",
				     n->var->name);
		return;
	}
	if (n->kind == ND_ELEM)
		return;
	if (n->kind == ND_COORD_ELEM) {
		if (n->lhs->kind != ND_VAR)
			lcc_error_at(s->ctx, &n->loc, "the operand of '%s' is not assignable", op);
		check_lvalue(s, n->lhs, op);
		return;
	}
	lcc_error_at(s->ctx, &n->loc, "the operand of '%s' is not assignable", op);
}

/* Reject assignment to tensors and arrays with a message that names them. */
static void check_assign_target(struct lcc_sema *s, struct lcc_node *lhs)
{
	struct lcc_obj *obj;

	if (lhs->kind != ND_IDENT)
		return;
	obj = sema_lookup_obj(s, lhs->name, lhs->namelen);
	if (obj && obj->kind == OBJ_TENSOR)
		lcc_error_at(s->ctx, &lhs->loc, "cannot assign to tensor '%s'", obj->name);
	if (obj && obj->kind == OBJ_LOCAL_MEM)
		lcc_error_at(s->ctx, &lhs->loc, "cannot assign to array '%s' (assign its elements)",
			     obj->name);
}

_Noreturn static void binop_error(struct lcc_sema *s, struct lcc_node *n,
				  const struct lcc_type *l, const struct lcc_type *r)
{
	lcc_error_at(s->ctx, &n->loc, "invalid operands to binary '%s' ('%s' and '%s')",
		     op_name(n->kind), sema_tyname(s, l), sema_tyname(s, r));
}

/*
 * The type in which `l op r` is computed; converts both operands to it
 * (shifts: the right operand to the left's type). Comparisons return the
 * operand type too; the caller gives the node bool or bool64.
 */
static const struct lcc_type *binop_type(struct lcc_sema *s, struct lcc_node *n,
					 enum lcc_nodekind op, struct lcc_node **lp,
					 struct lcc_node **rp)
{
	const struct lcc_type *l = lcc_type_unqual((*lp)->ty), *r = lcc_type_unqual((*rp)->ty);
	const struct lcc_type *t;
	enum lcc_nodekind saved = n->kind;

	n->kind = op;	/* for messages */
	if (lcc_type_is_scalar(l) && lcc_type_is_scalar(r)) {
		bool integer_op = op == ND_MOD || op == ND_SHL || op == ND_SHR ||
				  op == ND_BITAND || op == ND_BITOR || op == ND_BITXOR;

		if (integer_op && (l->kind == TY_FLOAT || r->kind == TY_FLOAT))
			binop_error(s, n, l, r);
		if (op == ND_SHL || op == ND_SHR)
			t = sema_usual(l, l);
		else
			t = sema_usual(l, r);
		goto done;
	}
	if (lcc_type_is_vector(l) || lcc_type_is_vector(r)) {
		const struct lcc_type *v = lcc_type_is_vector(l) ? l : r;
		const struct lcc_type *o = v == l ? r : l;

		if (op == ND_LAND || op == ND_LOR)
			lcc_error_at(s->ctx, &n->loc,
				     "'%s' needs scalar operands; use '%s' on bool64 lanes",
				     op_name(op), op == ND_LAND ? "&" : "|");
		if (lcc_type_is_vector(o) && o->kind != v->kind)
			lcc_error_at(s->ctx, &n->loc,
				     "invalid operands to binary '%s' ('%s' and '%s'): convert one with a cast",
				     op_name(op), sema_tyname(s, l), sema_tyname(s, r));
		if (!lcc_type_is_vector(o) && !sema_broadcastable(o, v)) {
			if (o->kind == TY_FLOAT && lcc_type_is_int_vector(v))
				lcc_error_at(s->ctx, &n->loc,
					     "invalid operands to binary '%s' ('%s' and '%s'): a float "
					     "scalar does not convert to int lanes implicitly; use a cast",
					     op_name(op), sema_tyname(s, l), sema_tyname(s, r));
			binop_error(s, n, l, r);
		}
		switch (v->kind) {
		case TY_FLOAT64:
			if (op == ND_MOD || op == ND_SHL || op == ND_SHR || op == ND_BITAND ||
			    op == ND_BITOR || op == ND_BITXOR)
				binop_error(s, n, l, r);
			break;
		case TY_BFLOAT128:
			if (op != ND_ADD && op != ND_SUB && op != ND_MUL) {
				if (is_compare(op))
					lcc_error_at(s->ctx, &n->loc,
						     "'%s' on bfloat128 is not supported (128 lanes do not fit a "
						     "bool64); convert the halves to float64 first", op_name(op));
				binop_error(s, n, l, r);
			}
			break;
		case TY_INT64:
		case TY_UINT64:
			if (op == ND_DIV || op == ND_MOD)
				lcc_error_at(s->ctx, &n->loc,
					     "integer '%s' is not supported on vectors", op_name(op));
			break;
		case TY_BOOL64:
			if (op != ND_BITAND && op != ND_BITOR && op != ND_BITXOR)
				binop_error(s, n, l, r);
			break;
		default:
			binop_error(s, n, l, r);
		}
		t = v;
		goto done;
	}
	binop_error(s, n, l, r);
done:
	n->kind = saved;
	*lp = sema_cast(s, *lp, t);
	*rp = sema_cast(s, *rp, t);
	return t;
}

static struct lcc_node *check_binary(struct lcc_sema *s, struct lcc_node *n)
{
	const struct lcc_type *t;
	int64_t v;

	n->lhs = sema_check_expr(s, n->lhs);
	n->rhs = sema_check_expr(s, n->rhs);
	if (n->kind == ND_LAND || n->kind == ND_LOR) {
		if (lcc_type_is_scalar(n->lhs->ty) && lcc_type_is_scalar(n->rhs->ty)) {
			n->lhs = sema_cast(s, n->lhs, lcc_type_get(TY_BOOL, false));
			n->rhs = sema_cast(s, n->rhs, lcc_type_get(TY_BOOL, false));
			n->ty = lcc_type_get(TY_BOOL, false);
			return n;
		}
	}
	t = binop_type(s, n, n->kind, &n->lhs, &n->rhs);
	if ((n->kind == ND_DIV || n->kind == ND_MOD) && lcc_type_is_integer(t) &&
	    sema_const_int(n->rhs, &v) && v == 0)
		lcc_error_at(s->ctx, &n->rhs->loc, "division by zero");
	if ((n->kind == ND_SHL || n->kind == ND_SHR) && sema_const_int(n->rhs, &v) &&
	    (v < 0 || v > 31))
		lcc_error_at(s->ctx, &n->rhs->loc, "shift count %lld is out of range (0 to 31)",
			     (long long)v);
	if (is_compare(n->kind))
		n->ty = lcc_type_is_vector(t) ? lcc_type_get(TY_BOOL64, false) :
			lcc_type_get(TY_BOOL, false);
	else
		n->ty = t;
	return n;
}

static struct lcc_node *check_unary(struct lcc_sema *s, struct lcc_node *n)
{
	const struct lcc_type *t;

	n->lhs = sema_check_expr(s, n->lhs);
	t = lcc_type_unqual(n->lhs->ty);
	switch (n->kind) {
	case ND_NEG:
	case ND_POS:
		if (lcc_type_is_scalar(t)) {
			t = sema_usual(t, t);
		} else if (!(t->kind == TY_FLOAT64 || t->kind == TY_INT64 || t->kind == TY_UINT64 ||
			     t->kind == TY_BFLOAT128)) {
			goto bad;
		}
		n->lhs = sema_cast(s, n->lhs, t);
		if (n->kind == ND_POS)
			return n->lhs;
		n->ty = t;
		return n;
	case ND_BITNOT:
		if (lcc_type_is_integer(t))
			t = sema_usual(t, t);
		else if (!lcc_type_is_int_vector(t) && t->kind != TY_BOOL64)
			goto bad;
		n->lhs = sema_cast(s, n->lhs, t);
		n->ty = t;
		return n;
	case ND_LNOT:
		if (lcc_type_is_scalar(t)) {
			n->lhs = sema_cast(s, n->lhs, lcc_type_get(TY_BOOL, false));
			n->ty = lcc_type_get(TY_BOOL, false);
			return n;
		}
		if (t->kind == TY_BOOL64) {
			n->ty = t;
			return n;
		}
		goto bad;
	default:	/* ++ and -- */
		check_lvalue(s, n->lhs, op_name(n->kind));
		if (t->kind != TY_INT && t->kind != TY_UINT && t->kind != TY_FLOAT)
			lcc_error_at(s->ctx, &n->loc,
				     "'%s' needs an int, unsigned or float variable, not '%s'",
				     op_name(n->kind), sema_tyname(s, t));
		n->ty = t;
		return n;
	}
bad:
	lcc_error_at(s->ctx, &n->loc, "invalid operand to unary '%s' ('%s')", op_name(n->kind),
		     sema_tyname(s, t));
}

static struct lcc_node *check_assign(struct lcc_sema *s, struct lcc_node *n)
{
	const struct lcc_type *l;

	check_assign_target(s, n->lhs);
	n->lhs = sema_check_expr(s, n->lhs);
	check_lvalue(s, n->lhs, n->kind == ND_ASSIGN ? "=" : "op=");
	n->rhs = sema_check_expr(s, n->rhs);
	l = lcc_type_unqual(n->lhs->ty);
	if (n->kind == ND_ASSIGN) {
		if (l->kind == TY_INT5 && n->rhs->ty->kind != TY_INT5)
			lcc_error_at(s->ctx, &n->rhs->loc, "cannot convert '%s' to 'int5' in assignment",
				     sema_tyname(s, n->rhs->ty));
		n->rhs = sema_convert(s, n->rhs, l, "assignment");
		n->ty = l;
		return n;
	}
	/* a op= b: compute in the type of a op b, then convert back to a's type */
	{
		struct lcc_node *lcopy = n->lhs;
		enum lcc_nodekind saved = n->kind;
		const struct lcc_type *t;
		int64_t v;

		t = binop_type(s, n, n->op, &lcopy, &n->rhs);
		n->kind = saved;
		if (!lcc_type_is_vector(l) && lcc_type_is_vector(t))
			lcc_error_at(s->ctx, &n->loc,
				     "cannot convert '%s' to '%s' in assignment (use v_reduce_*)",
				     sema_tyname(s, t), sema_tyname(s, l));
		if ((n->op == ND_DIV || n->op == ND_MOD) && lcc_type_is_integer(t) &&
		    sema_const_int(n->rhs, &v) && v == 0)
			lcc_error_at(s->ctx, &n->rhs->loc, "division by zero");
		n->op_ty = t;
		n->ty = l;
		return n;
	}
}

/* Common type of the two arms of ?: (and of v_sel); may vectorize scalars. */
const struct lcc_type *sema_select_type(struct lcc_sema *s, const struct lcc_loc *loc,
					struct lcc_node **ap, struct lcc_node **bp, bool lanes)
{
	const struct lcc_type *a = lcc_type_unqual((*ap)->ty), *b = lcc_type_unqual((*bp)->ty);
	const struct lcc_type *t;

	if (lcc_type_is_scalar(a) && lcc_type_is_scalar(b)) {
		t = a->kind == TY_BOOL && b->kind == TY_BOOL ? a : sema_usual(a, b);
		if (lanes)
			t = sema_vector_of(t);
	} else if (lcc_type_is_vector(a) || lcc_type_is_vector(b)) {
		const struct lcc_type *v = lcc_type_is_vector(a) ? a : b;
		const struct lcc_type *o = v == a ? b : a;

		if ((lcc_type_is_vector(o) && o->kind != v->kind) ||
		    (!lcc_type_is_vector(o) && !sema_broadcastable(o, v)))
			lcc_error_at(s->ctx, loc, "incompatible operand types ('%s' and '%s')",
				     sema_tyname(s, a), sema_tyname(s, b));
		if (lanes && v->kind == TY_BFLOAT128)
			lcc_error_at(s->ctx, loc,
				     "a bool64 cannot select bfloat128 lanes (128 lanes); select the float64 halves");
		t = v;
	} else if (a->kind == b->kind && (a->kind == TY_INT5 || a->kind == TY_VOID) && !lanes) {
		t = a;
	} else {
		lcc_error_at(s->ctx, loc, "incompatible operand types ('%s' and '%s')",
			     sema_tyname(s, a), sema_tyname(s, b));
	}
	*ap = sema_cast(s, *ap, t);
	*bp = sema_cast(s, *bp, t);
	return t;
}

static struct lcc_node *check_cond_expr(struct lcc_sema *s, struct lcc_node *n)
{
	n->cond = sema_check_expr(s, n->cond);
	n->then = sema_check_expr(s, n->then);
	n->els = sema_check_expr(s, n->els);
	if (n->cond->ty->kind == TY_BOOL64) {
		n->ty = sema_select_type(s, &n->loc, &n->then, &n->els, true);
		return n;
	}
	if (!lcc_type_is_scalar(n->cond->ty))
		lcc_error_at(s->ctx, &n->cond->loc, "the condition of '?:' has type '%s'",
			     sema_tyname(s, n->cond->ty));
	n->cond = sema_cast(s, n->cond, lcc_type_get(TY_BOOL, false));
	n->ty = sema_select_type(s, &n->loc, &n->then, &n->els, false);
	return n;
}

static bool cast_ok(const struct lcc_type *from, const struct lcc_type *to)
{
	if (to->kind == TY_VOID)
		return from->kind != TY_TENSOR;
	if (from->kind == to->kind)
		return true;
	if (lcc_type_is_scalar(from) && (lcc_type_is_scalar(to) || lcc_type_is_vector(to)))
		return true;
	if (lcc_type_is_vector(from) && lcc_type_is_vector(to))
		return (from->kind == TY_FLOAT64 || lcc_type_is_int_vector(from)) &&
		       (to->kind == TY_FLOAT64 || lcc_type_is_int_vector(to));
	return false;
}

static struct lcc_node *check_cast(struct lcc_sema *s, struct lcc_node *n)
{
	const struct lcc_type *from, *to = lcc_type_unqual(n->ty);

	n->lhs = sema_check_expr(s, n->lhs);
	from = lcc_type_unqual(n->lhs->ty);
	if (to->kind == TY_TENSOR)
		lcc_error_at(s->ctx, &n->loc, "cannot cast to 'tensor'");
	if (!cast_ok(from, to)) {
		if (lcc_type_is_vector(from) && lcc_type_is_scalar(to))
			lcc_error_at(s->ctx, &n->loc,
				     "cannot cast '%s' to '%s': use v_reduce_* (lane access is not supported)",
				     sema_tyname(s, from), sema_tyname(s, to));
		if (from->kind == TY_BFLOAT128 || to->kind == TY_BFLOAT128)
			lcc_error_at(s->ctx, &n->loc,
				     "cannot cast '%s' to '%s' (different lane counts): use "
				     "v_convert_f32_to_bf16 or v_convert_bf16_to_f32_lo/_hi",
				     sema_tyname(s, from), sema_tyname(s, to));
		if (from->kind == TY_BOOL64 || to->kind == TY_BOOL64)
			lcc_error_at(s->ctx, &n->loc, "cannot cast '%s' to '%s': use v_sel",
				     sema_tyname(s, from), sema_tyname(s, to));
		lcc_error_at(s->ctx, &n->loc, "cannot cast '%s' to '%s'", sema_tyname(s, from),
			     sema_tyname(s, to));
	}
	n->ty = to;
	return n;
}

static struct lcc_node *check_call(struct lcc_sema *s, struct lcc_node *n)
{
	struct lcc_scope_var *v = scope_find(s, n->name, n->namelen);
	struct lcc_gsym *g;
	struct lcc_func *fn;
	struct lcc_callsite *cs;
	struct lcc_node **ap;
	int i, id;

	if (v)
		lcc_error_at(s->ctx, &n->loc, "called object '%.*s' is not a function",
			     n->namelen, n->name);
	g = lcc_map_get(&s->globals, n->name, n->namelen);
	if (g && g->obj)
		lcc_error_at(s->ctx, &n->loc, "called object '%.*s' is not a function",
			     n->namelen, n->name);
	if (!g) {
		id = lcc_intrin_lookup(n->name, n->namelen);
		if (id < 0)
			lcc_error_at(s->ctx, &n->loc, "undeclared function '%.*s'", n->namelen, n->name);
		return sema_check_intrin(s, n, id);
	}
	fn = g->func;
	if (fn == s->prog->main || (n->namelen == 4 && !memcmp(n->name, "main", 4)))
		lcc_error_at(s->ctx, &n->loc, "the kernel entry 'main' cannot be called");
	if (n->nargs != fn->nparams)
		lcc_error_at(s->ctx, &n->loc, "too %s arguments to function '%s' (expected %d, have %d)",
			     n->nargs > fn->nparams ? "many" : "few", fn->name, fn->nparams, n->nargs);
	for (i = 0, ap = &n->args; *ap; i++, ap = &(*ap)->next) {
		struct lcc_node *next = (*ap)->next;
		struct lcc_node *a = sema_check_expr(s, *ap);

		a = sema_convert(s, a, fn->params[i].ty,
				 lcc_format(s->ctx, "argument %d of '%s'", i + 1, fn->name));
		a->next = next;
		*ap = a;
	}
	cs = lcc_alloc(s->ctx, sizeof(*cs));
	cs->callee = fn;
	cs->loc = n->loc;
	cs->next = s->fn->calls;
	s->fn->calls = cs;
	n->kind = ND_FUNCALL;
	n->func = fn;
	n->ty = lcc_type_unqual(fn->ret);
	return n;
}

struct lcc_node *sema_check_expr(struct lcc_sema *s, struct lcc_node *n)
{
	switch (n->kind) {
	case ND_NUM:
		return n;
	case ND_IDENT:
		return check_ident(s, n);
	case ND_INDEX:
		return check_index(s, n);
	case ND_CALL:
		return check_call(s, n);
	case ND_CAST:
		return check_cast(s, n);
	case ND_NEG:
	case ND_POS:
	case ND_LNOT:
	case ND_BITNOT:
	case ND_PREINC:
	case ND_PREDEC:
	case ND_POSTINC:
	case ND_POSTDEC:
		return check_unary(s, n);
	case ND_ASSIGN:
	case ND_OPASSIGN:
		return check_assign(s, n);
	case ND_COMMA:
		n->lhs = sema_check_expr(s, n->lhs);
		n->rhs = sema_check_expr(s, n->rhs);
		n->ty = n->rhs->ty;
		return n;
	case ND_COND:
		return check_cond_expr(s, n);
	case ND_INITLIST:
		lcc_error_at(s->ctx, &n->loc, "a brace initializer is only allowed for int5");
	default:
		return check_binary(s, n);
	}
}
