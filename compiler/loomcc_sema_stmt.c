/* SPDX-License-Identifier: MIT */
/*
 * loomcc_sema_stmt.c: checking statements.
 *
 * Local declarations (scope, zero start, const, int5 brace lists, where
 * arrays and tensors may not appear), scalar conditions, break and
 * continue inside loops, return values against the function's type, and
 * the conservative "returns on every path" test used for missing
 * returns (a loop with a constant true condition and no break never
 * ends).
 */
#include "loomcc.h"
#include "loomcc_sema.h"

/* A scalar condition, converted to bool. */
static struct lcc_node *check_condition(struct lcc_sema *s, struct lcc_node *n, const char *what)
{
	n = sema_check_expr(s, n);
	if (n->ty->kind == TY_BOOL64)
		lcc_error_at(s->ctx, &n->loc,
			     "the condition of '%s' is a bool64; a condition must be a scalar "
			     "(select lanes with ?: or v_sel)", what);
	if (!lcc_type_is_scalar(n->ty))
		lcc_error_at(s->ctx, &n->loc, "the condition of '%s' has type '%s'; it must be a scalar",
			     what, sema_tyname(s, n->ty));
	return sema_cast(s, n, lcc_type_get(TY_BOOL, false));
}

static void check_local_decl(struct lcc_sema *s, struct lcc_node *n)
{
	const struct lcc_type *ty = n->decl_ty;

	if (n->is_local_mem)
		lcc_error_at(s->ctx, &n->loc, "__local__ arrays must be declared at file scope");
	if (n->len_expr)
		lcc_error_at(s->ctx, &n->loc,
			     "arrays must be declared __local__ at file scope (per-core local memory)");
	if (ty->kind == TY_VOID)
		lcc_error_at(s->ctx, &n->loc, "variable '%.*s' has type void", n->namelen, n->name);
	if (ty->kind == TY_TENSOR)
		lcc_error_at(s->ctx, &n->loc,
			     "'tensor' is only allowed for parameters of main: '%.*s'", n->namelen, n->name);
	if (n->init && n->init->kind == ND_INITLIST) {
		struct lcc_node **ap;

		if (ty->kind != TY_INT5)
			lcc_error_at(s->ctx, &n->init->loc,
				     "a brace initializer is only allowed for int5, not '%s'",
				     sema_tyname(s, ty));
		if (n->init->nargs > 5)
			lcc_error_at(s->ctx, &n->init->loc, "too many initializers for int5 (5 lanes)");
		for (ap = &n->init->args; *ap; ap = &(*ap)->next) {
			struct lcc_node *next = (*ap)->next;
			struct lcc_node *a = sema_check_expr(s, *ap);

			if (!lcc_type_is_scalar(a->ty) || a->ty->kind == TY_FLOAT)
				lcc_error_at(s->ctx, &a->loc,
					     "an int5 lane must be initialized with an integer, not '%s'",
					     sema_tyname(s, a->ty));
			a = sema_cast(s, a, lcc_type_get(TY_INT, false));
			a->next = next;
			*ap = a;
		}
		n->init->ty = lcc_type_get(TY_INT5, false);
	} else if (n->init) {
		n->init = sema_check_expr(s, n->init);
		if (ty->kind == TY_INT5 && n->init->ty->kind != TY_INT5)
			lcc_error_at(s->ctx, &n->init->loc,
				     "cannot initialize an int5 with '%s' (use { ... } or an int5 value)",
				     sema_tyname(s, n->init->ty));
		n->init = sema_convert(s, n->init, ty, "initialization");
	} else if (ty->is_const) {
		lcc_error_at(s->ctx, &n->loc, "const variable '%.*s' must be initialized",
			     n->namelen, n->name);
	}
	n->var = sema_declare(s, n->name, n->namelen, ty, &n->loc, OBJ_VAR);
}

/* Does this statement contain a break for the loop it is in? */
static bool has_break(const struct lcc_node *n)
{
	if (!n)
		return false;
	switch (n->kind) {
	case ND_BREAK:
		return true;
	case ND_BLOCK:
		for (const struct lcc_node *c = n->body; c; c = c->next)
			if (has_break(c))
				return true;
		return false;
	case ND_IF:
		return has_break(n->then) || has_break(n->els);
	default:
		return false;	/* nested loops own their breaks */
	}
}

/* Does control never fall off the end of this statement? */
bool sema_stmt_returns(const struct lcc_node *n)
{
	int64_t v;

	if (!n)
		return false;
	switch (n->kind) {
	case ND_RETURN:
		return true;
	case ND_BLOCK:
		for (const struct lcc_node *c = n->body; c; c = c->next)
			if (sema_stmt_returns(c))
				return true;
		return false;
	case ND_IF:
		return sema_stmt_returns(n->then) && sema_stmt_returns(n->els);
	case ND_WHILE:
	case ND_FOR:
		return (!n->cond || (sema_const_int(n->cond, &v) && v)) && !has_break(n->body);
	case ND_DO:
		return sema_stmt_returns(n->body) ||
		       (sema_const_int(n->cond, &v) && v && !has_break(n->body));
	default:
		return false;
	}
}

void sema_check_stmt(struct lcc_sema *s, struct lcc_node *n)
{
	switch (n->kind) {
	case ND_BLOCK:
		if (!n->no_scope)
			sema_scope_push(s);
		for (struct lcc_node *c = n->body; c; c = c->next)
			sema_check_stmt(s, c);
		if (!n->no_scope)
			sema_scope_pop(s);
		return;
	case ND_DECL:
		check_local_decl(s, n);
		return;
	case ND_EXPR_STMT:
		n->lhs = sema_check_expr(s, n->lhs);
		return;
	case ND_IF:
		n->cond = check_condition(s, n->cond, "if");
		sema_check_stmt(s, n->then);
		if (n->els)
			sema_check_stmt(s, n->els);
		return;
	case ND_WHILE:
	case ND_DO:
		n->cond = check_condition(s, n->cond, n->kind == ND_WHILE ? "while" : "do");
		s->loop_depth++;
		sema_check_stmt(s, n->body);
		s->loop_depth--;
		return;
	case ND_FOR:
		sema_scope_push(s);
		if (n->init)
			sema_check_stmt(s, n->init);
		if (n->cond)
			n->cond = check_condition(s, n->cond, "for");
		if (n->inc)
			n->inc = sema_check_expr(s, n->inc);
		s->loop_depth++;
		sema_check_stmt(s, n->body);
		s->loop_depth--;
		sema_scope_pop(s);
		return;
	case ND_BREAK:
	case ND_CONTINUE:
		if (!s->loop_depth)
			lcc_error_at(s->ctx, &n->loc, "'%s' statement not in a loop",
				     n->kind == ND_BREAK ? "break" : "continue");
		return;
	case ND_RETURN:
		if (n->lhs) {
			n->lhs = sema_check_expr(s, n->lhs);
			if (s->fn->ret->kind == TY_VOID) {
				if (n->lhs->ty->kind != TY_VOID)
					lcc_error_at(s->ctx, &n->lhs->loc,
						     "void function '%s' should not return a value",
						     s->fn->name);
				return;
			}
			n->lhs = sema_convert(s, n->lhs, s->fn->ret, "return");
		} else if (s->fn->ret->kind != TY_VOID) {
			lcc_error_at(s->ctx, &n->loc, "non-void function '%s' should return a value",
				     s->fn->name);
		}
		return;
	case ND_EMPTY:
		return;
	default:
		lcc_internal_error(s->ctx, "unexpected statement kind %d", n->kind);
	}
}
