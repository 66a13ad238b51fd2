/* SPDX-License-Identifier: MIT */
/*
 * loomcc_pp_expr.c: #if expressions.
 *
 * After `defined` and macro expansion (loomcc_pp.c), an #if expression is
 * evaluated here in 64-bit signed integers that wrap: ?: || && | ^ & == !=
 * < <= > >= << >> + - * / %, unary + - ~ !, parentheses. An identifier
 * is 0, `true` 1; a floating constant is an error, and so is division by
 * zero unless && || ?: skip it. Nesting is limited (LCC_MAX_NEST).
 */
#include "loomcc.h"
#include "loomcc_pp.h"

struct pp_expr {
	struct lcc_pp *pp;
	struct lcc_token *tok;
	const struct lcc_token *dir;
};

static int64_t pp_expr_cond(struct pp_expr *e, bool eval);

static bool pp_expr_eat(struct pp_expr *e, const char *op)
{
	if (e->tok->kind == TK_PUNCT && lcc_tok_is(e->tok, op)) {
		e->tok = e->tok->next;
		return true;
	}
	return false;
}

_Noreturn static void pp_expr_error(struct pp_expr *e, const char *what)
{
	if (e->tok->kind == TK_EOF)
		lcc_error_at(e->pp->ctx, &e->dir->loc, "%s at end of %s expression", what,
			     pp_dname(e->pp, e->dir));
	lcc_error_at(e->pp->ctx, &e->tok->loc, "%s before '%.*s' in %s expression", what,
		     e->tok->len, e->tok->str, pp_dname(e->pp, e->dir));
}

static void pp_expr_enter(struct pp_expr *e)
{
	if (++e->pp->edepth > LCC_MAX_NEST)
		lcc_error_at(e->pp->ctx, &e->tok->loc, "%s expression nested too deeply",
			     pp_dname(e->pp, e->dir));
}

static int64_t pp_expr_primary(struct pp_expr *e, bool eval)
{
	struct lcc_token *tok = e->tok;
	int64_t v;

	pp_expr_enter(e);
	if (pp_expr_eat(e, "(")) {
		v = pp_expr_cond(e, eval);
		if (!pp_expr_eat(e, ")"))
			pp_expr_error(e, "expected ')'");
	} else if (pp_expr_eat(e, "-")) {
		v = (int64_t)(0 - (uint64_t)pp_expr_primary(e, eval));
	} else if (pp_expr_eat(e, "+")) {
		v = pp_expr_primary(e, eval);
	} else if (pp_expr_eat(e, "!")) {
		v = !pp_expr_primary(e, eval);
	} else if (pp_expr_eat(e, "~")) {
		v = ~pp_expr_primary(e, eval);
	} else if (tok->kind == TK_PPNUM) {
		struct lcc_token *t = lcc_token_copy(e->pp->ctx, tok);

		lcc_lex_convert_number(e->pp->ctx, t);
		if (t->numkind == NUM_FLOAT)
			lcc_error_at(e->pp->ctx, &tok->loc, "floating constant in %s expression",
				     pp_dname(e->pp, e->dir));
		v = t->ival;
		e->tok = tok->next;
	} else if (tok->kind == TK_IDENT) {
		/* identifiers left after expansion are 0; true is 1 */
		v = lcc_tok_is(tok, "true");
		e->tok = tok->next;
	} else {
		pp_expr_error(e, "expected a value");
	}
	e->pp->edepth--;
	return v;
}

static int pp_binop_prec(const struct lcc_token *tok)
{
	static const struct { const char *op; int prec; } ops[] = {
		{ "*", 10 }, { "/", 10 }, { "%", 10 }, { "+", 9 }, { "-", 9 },
		{ "<<", 8 }, { ">>", 8 }, { "<", 7 }, { "<=", 7 }, { ">", 7 },
		{ ">=", 7 }, { "==", 6 }, { "!=", 6 }, { "&", 5 }, { "^", 4 },
		{ "|", 3 }, { "&&", 2 }, { "||", 1 },
	};

	if (tok->kind != TK_PUNCT)
		return 0;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (lcc_tok_is(tok, ops[i].op))
			return ops[i].prec;
	return 0;
}

static int64_t pp_apply(struct pp_expr *e, const struct lcc_token *op, int64_t a, int64_t b,
			bool eval)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;

	if (lcc_tok_is(op, "*")) return (int64_t)(ua * ub);
	if (lcc_tok_is(op, "+")) return (int64_t)(ua + ub);
	if (lcc_tok_is(op, "-")) return (int64_t)(ua - ub);
	if (lcc_tok_is(op, "/") || lcc_tok_is(op, "%")) {
		bool div = lcc_tok_is(op, "/");

		if (b == 0) {
			if (eval)
				lcc_error_at(e->pp->ctx, &op->loc, "division by zero in %s expression",
					     pp_dname(e->pp, e->dir));
			return 0;
		}
		if (b == -1)
			return div ? (int64_t)(0 - ua) : 0;
		return div ? a / b : a % b;
	}
	if (lcc_tok_is(op, "<<")) return (int64_t)(ua << (ub & 63));
	if (lcc_tok_is(op, ">>")) return a >> (ub & 63);
	if (lcc_tok_is(op, "<")) return a < b;
	if (lcc_tok_is(op, "<=")) return a <= b;
	if (lcc_tok_is(op, ">")) return a > b;
	if (lcc_tok_is(op, ">=")) return a >= b;
	if (lcc_tok_is(op, "==")) return a == b;
	if (lcc_tok_is(op, "!=")) return a != b;
	if (lcc_tok_is(op, "&")) return a & b;
	if (lcc_tok_is(op, "^")) return a ^ b;
	if (lcc_tok_is(op, "|")) return a | b;
	if (lcc_tok_is(op, "&&")) return a && b;
	return a || b;
}

/* Precedence climbing; && and || do not evaluate (for errors) what they skip. */
static int64_t pp_expr_binary(struct pp_expr *e, int min_prec, bool eval)
{
	int64_t lhs = pp_expr_primary(e, eval);

	for (;;) {
		struct lcc_token *op = e->tok;
		int prec = pp_binop_prec(op);
		bool reval = eval;
		int64_t rhs;

		if (prec == 0 || prec < min_prec)
			return lhs;
		e->tok = op->next;
		if (lcc_tok_is(op, "&&") && !lhs)
			reval = false;
		if (lcc_tok_is(op, "||") && lhs)
			reval = false;
		pp_expr_enter(e);
		rhs = pp_expr_binary(e, prec + 1, reval);
		e->pp->edepth--;
		lhs = pp_apply(e, op, lhs, rhs, eval);
	}
}

static int64_t pp_expr_cond(struct pp_expr *e, bool eval)
{
	int64_t c = pp_expr_binary(e, 1, eval);
	int64_t a, b;

	if (!pp_expr_eat(e, "?"))
		return c;
	pp_expr_enter(e);
	a = pp_expr_cond(e, eval && c);
	if (!pp_expr_eat(e, ":"))
		pp_expr_error(e, "expected ':'");
	b = pp_expr_cond(e, eval && !c);
	e->pp->edepth--;
	return c ? a : b;
}

int64_t lcc_pp_eval(struct lcc_pp *pp, struct lcc_token *tok, const struct lcc_token *dir)
{
	struct pp_expr e = { pp, tok, dir };
	int64_t v = pp_expr_cond(&e, true);

	if (e.tok->kind != TK_EOF)
		pp_expr_error(&e, "missing binary operator");
	return v;
}
