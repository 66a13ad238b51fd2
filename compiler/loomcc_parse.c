/* SPDX-License-Identifier: MIT */
/*
 * loomcc_parse.c: the recursive-descent parser.
 *
 * Preprocessed tokens -> AST (struct lcc_program), following the grammar
 * of docs/kernel-language.md. The language has no typedef, so parsing
 * needs no symbol table: names are resolved and every type rule is
 * checked later (loomcc_sema.c); this file reports syntax errors only,
 * plus the C features the language leaves out (each named in its message).
 * Nesting of statements and expressions is limited (LCC_MAX_NEST), and so
 * is the depth of an expression tree built by iteration (a+b+c+...), so
 * that the later recursive phases cannot run out of stack.
 */
#include <string.h>

#include "loomcc.h"

struct lcc_parser {
	struct lcc_ctx *ctx;
	struct lcc_token *tok;
	int depth;
};

static struct lcc_node *parse_expr(struct lcc_parser *ps);
static struct lcc_node *parse_assign(struct lcc_parser *ps);
static struct lcc_node *parse_cond(struct lcc_parser *ps);
static struct lcc_node *parse_unary(struct lcc_parser *ps);
static struct lcc_node *parse_stmt(struct lcc_parser *ps);
static struct lcc_node *parse_block(struct lcc_parser *ps);

/* ---- helpers ---- */

static const char *tok_text(struct lcc_parser *ps, const struct lcc_token *tok)
{
	if (tok->kind == TK_EOF)
		return "end of file";
	if (tok->kind == TK_PRAGMA_UNROLL)
		return "'#pragma unroll'";
	return lcc_format(ps->ctx, "'%.*s'", tok->len, tok->str);
}

_Noreturn static void parse_error_expected(struct lcc_parser *ps, const char *what)
{
	lcc_error_at(ps->ctx, &ps->tok->loc, "expected %s before %s", what,
		     tok_text(ps, ps->tok));
}

static bool is(struct lcc_parser *ps, const char *s)
{
	return ps->tok->kind != TK_STR && ps->tok->kind != TK_NUM && lcc_tok_is(ps->tok, s);
}

static bool eat(struct lcc_parser *ps, const char *s)
{
	if (is(ps, s)) {
		ps->tok = ps->tok->next;
		return true;
	}
	return false;
}

static void expect(struct lcc_parser *ps, const char *s)
{
	if (!eat(ps, s))
		parse_error_expected(ps, lcc_format(ps->ctx, "'%s'", s));
}

static void enter(struct lcc_parser *ps)
{
	if (++ps->depth > LCC_MAX_NEST)
		lcc_error_at(ps->ctx, &ps->tok->loc, "nesting too deep (more than %d levels)",
			     LCC_MAX_NEST);
}

static void leave(struct lcc_parser *ps)
{
	ps->depth--;
}

static struct lcc_node *new_node(struct lcc_parser *ps, enum lcc_nodekind kind,
				 const struct lcc_token *tok)
{
	struct lcc_node *n = lcc_alloc(ps->ctx, sizeof(*n));

	n->kind = kind;
	n->loc = tok->loc;
	n->depth = 1;
	return n;
}

static struct lcc_node *new_unary(struct lcc_parser *ps, enum lcc_nodekind kind,
				  struct lcc_node *lhs, const struct lcc_token *tok)
{
	struct lcc_node *n = new_node(ps, kind, tok);

	n->lhs = lhs;
	n->depth = lhs->depth + 1;
	return n;
}

static struct lcc_node *new_binary(struct lcc_parser *ps, enum lcc_nodekind kind,
				   struct lcc_node *lhs, struct lcc_node *rhs,
				   const struct lcc_token *tok)
{
	struct lcc_node *n = new_node(ps, kind, tok);

	n->lhs = lhs;
	n->rhs = rhs;
	n->depth = (lhs->depth > rhs->depth ? lhs->depth : rhs->depth) + 1;
	if (n->depth > LCC_MAX_NEST)
		lcc_error_at(ps->ctx, &tok->loc, "expression too complex (more than %d levels)",
			     LCC_MAX_NEST);
	return n;
}

/* C keywords the language leaves out: a message that says so. */
static void check_unsupported(struct lcc_parser *ps, const struct lcc_token *tok)
{
	static const struct { const char *kw; const char *msg; } tab[] = {
		{ "char", "'char' is not supported; use int (lanes and scalars are 32-bit)" },
		{ "short", "'short' is not supported; use int (lanes and scalars are 32-bit)" },
		{ "long", "'long' is not supported; int is 32 bits and there is no 64-bit integer" },
		{ "double", "'double' is not supported; use float" },
		{ "switch", "'switch' is not supported; use if/else" },
		{ "case", "'case' is not supported; use if/else" },
		{ "default", "'default' is not supported; use if/else" },
		{ "goto", "'goto' is not supported" },
		{ "sizeof", "'sizeof' is not supported" },
		{ "struct", "'struct' is not supported in kernels" },
		{ "union", "'union' is not supported in kernels" },
		{ "enum", "'enum' is not supported in kernels; use #define" },
		{ "typedef", "'typedef' is not supported in kernels; use #define" },
		{ "extern", "'extern' is not supported: a kernel is one translation unit" },
	};

	if (tok->kind != TK_KEYWORD)
		return;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (lcc_tok_is(tok, tab[i].kw))
			lcc_error_at(ps->ctx, &tok->loc, "%s", tab[i].msg);
	if (lcc_tok_is(tok, "register") || lcc_tok_is(tok, "volatile") ||
	    lcc_tok_is(tok, "restrict") || lcc_tok_is(tok, "auto") || tok->str[0] == '_') {
		if (!lcc_tok_is(tok, "_Bool") && !lcc_tok_is(tok, "__local__"))
			lcc_error_at(ps->ctx, &tok->loc, "'%.*s' is not supported in kernels",
				     tok->len, tok->str);
	}
}

/* ---- types ---- */

static bool is_typename(const struct lcc_token *tok)
{
	static const char *const names[] = {
		"void", "bool", "_Bool", "int", "unsigned", "signed", "float", "float64",
		"int64", "uint64", "bfloat128", "bool64", "int5", "tensor", "const",
		"char", "short", "long", "double", "struct", "union", "enum",
		"volatile", "register", "restrict", "_Atomic", "_Complex",
	};

	if (tok->kind != TK_KEYWORD)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (lcc_tok_is(tok, names[i]))
			return true;
	return false;
}

/* type-spec = { "const" } base-type { "const" } */
static const struct lcc_type *parse_typespec(struct lcc_parser *ps)
{
	enum lcc_tykind kind = TY_VOID;
	bool is_const = false, have = false;
	struct lcc_token *start = ps->tok;

	for (;;) {
		struct lcc_token *tok = ps->tok;

		if (eat(ps, "const")) {
			is_const = true;
			continue;
		}
		if (tok->kind != TK_KEYWORD || !is_typename(tok))
			break;
		check_unsupported(ps, tok);
		if (have)
			lcc_error_at(ps->ctx, &tok->loc, "two types in one declaration ('%.*s' after '%.*s')",
				     tok->len, tok->str, start->len, start->str);
		have = true;
		start = tok;
		ps->tok = tok->next;
		if (lcc_tok_is(tok, "void")) kind = TY_VOID;
		else if (lcc_tok_is(tok, "bool") || lcc_tok_is(tok, "_Bool")) kind = TY_BOOL;
		else if (lcc_tok_is(tok, "int")) kind = TY_INT;
		else if (lcc_tok_is(tok, "signed")) {
			kind = TY_INT;
			eat(ps, "int");
		} else if (lcc_tok_is(tok, "unsigned")) {
			kind = TY_UINT;
			eat(ps, "int");
		}
		else if (lcc_tok_is(tok, "float")) kind = TY_FLOAT;
		else if (lcc_tok_is(tok, "float64")) kind = TY_FLOAT64;
		else if (lcc_tok_is(tok, "int64")) kind = TY_INT64;
		else if (lcc_tok_is(tok, "uint64")) kind = TY_UINT64;
		else if (lcc_tok_is(tok, "bfloat128")) kind = TY_BFLOAT128;
		else if (lcc_tok_is(tok, "bool64")) kind = TY_BOOL64;
		else if (lcc_tok_is(tok, "int5")) kind = TY_INT5;
		else if (lcc_tok_is(tok, "tensor")) kind = TY_TENSOR;
	}
	if (!have)
		parse_error_expected(ps, "a type");
	return lcc_type_get(kind, is_const);
}

static struct lcc_token *parse_ident(struct lcc_parser *ps, const char *what)
{
	struct lcc_token *tok = ps->tok;

	if (tok->kind != TK_IDENT) {
		check_unsupported(ps, tok);
		if (lcc_tok_is(tok, "*"))
			lcc_error_at(ps->ctx, &tok->loc, "pointers are not supported in kernels");
		parse_error_expected(ps, what);
	}
	ps->tok = tok->next;
	return tok;
}

/* ---- expressions ---- */

static struct lcc_node *parse_args(struct lcc_parser *ps, struct lcc_node *call)
{
	struct lcc_node head = { 0 }, *cur = &head;

	if (!eat(ps, ")")) {
		do {
			if (call->nargs >= 64)
				lcc_error_at(ps->ctx, &ps->tok->loc, "too many arguments");
			cur = cur->next = parse_assign(ps);
			call->nargs++;
		} while (eat(ps, ","));
		expect(ps, ")");
	}
	call->args = head.next;
	return call;
}

/* primary = "(" expr ")" | ident [ "(" args ")" ] | number | "true" | "false" */
static struct lcc_node *parse_primary(struct lcc_parser *ps)
{
	struct lcc_token *tok = ps->tok;
	struct lcc_node *n;

	if (eat(ps, "(")) {
		enter(ps);
		n = parse_expr(ps);
		leave(ps);
		expect(ps, ")");
		return n;
	}
	if (tok->kind == TK_NUM) {
		n = new_node(ps, ND_NUM, tok);
		n->ty = lcc_type_get(tok->numkind == NUM_FLOAT ? TY_FLOAT :
				     tok->numkind == NUM_UINT ? TY_UINT : TY_INT, false);
		n->ival = tok->ival;
		n->fval = tok->fval;
		ps->tok = tok->next;
		return n;
	}
	if (eat(ps, "true") || eat(ps, "false")) {
		n = new_node(ps, ND_NUM, tok);
		n->ty = lcc_type_get(TY_BOOL, false);
		n->ival = lcc_tok_is(tok, "true");
		return n;
	}
	if (tok->kind == TK_IDENT) {
		ps->tok = tok->next;
		if (eat(ps, "(")) {
			n = new_node(ps, ND_CALL, tok);
			n->name = tok->str;
			n->namelen = tok->len;
			enter(ps);
			parse_args(ps, n);
			leave(ps);
			return n;
		}
		n = new_node(ps, ND_IDENT, tok);
		n->name = tok->str;
		n->namelen = tok->len;
		return n;
	}
	if (tok->kind == TK_STR)
		lcc_error_at(ps->ctx, &tok->loc, "string literals are not supported in kernels");
	if (tok->kind == TK_PRAGMA_UNROLL)
		lcc_error_at(ps->ctx, &tok->loc, "#pragma unroll must be followed by a loop");
	check_unsupported(ps, tok);
	if (lcc_tok_is(tok, "{"))
		lcc_error_at(ps->ctx, &tok->loc, "a brace initializer is only allowed in a declaration");
	parse_error_expected(ps, "an expression");
}

/* postfix = primary { "[" expr "]" | "++" | "--" } */
static struct lcc_node *parse_postfix(struct lcc_parser *ps)
{
	struct lcc_node *n = parse_primary(ps);

	for (;;) {
		struct lcc_token *tok = ps->tok;

		if (eat(ps, "[")) {
			struct lcc_node *idx;

			enter(ps);
			idx = parse_expr(ps);
			leave(ps);
			expect(ps, "]");
			n = new_binary(ps, ND_INDEX, n, idx, tok);
			continue;
		}
		if (eat(ps, "++")) {
			n = new_unary(ps, ND_POSTINC, n, tok);
			continue;
		}
		if (eat(ps, "--")) {
			n = new_unary(ps, ND_POSTDEC, n, tok);
			continue;
		}
		if (is(ps, ".") || is(ps, "->"))
			lcc_error_at(ps->ctx, &tok->loc,
				     "member access is not supported (int5 lanes are c[0] ... c[4])");
		return n;
	}
}

/* unary = ("+" | "-" | "!" | "~" | "++" | "--") unary | "(" type ")" unary | postfix */
static struct lcc_node *parse_unary(struct lcc_parser *ps)
{
	struct lcc_token *tok = ps->tok;
	struct lcc_node *n;

	enter(ps);
	if (lcc_tok_is(tok, "(") && tok->kind == TK_PUNCT && is_typename(tok->next)) {
		const struct lcc_type *ty;

		ps->tok = tok->next;
		ty = parse_typespec(ps);
		expect(ps, ")");
		n = new_unary(ps, ND_CAST, parse_unary(ps), tok);
		n->ty = ty;
	} else if (eat(ps, "+")) {
		n = new_unary(ps, ND_POS, parse_unary(ps), tok);
	} else if (eat(ps, "-")) {
		n = new_unary(ps, ND_NEG, parse_unary(ps), tok);
	} else if (eat(ps, "!")) {
		n = new_unary(ps, ND_LNOT, parse_unary(ps), tok);
	} else if (eat(ps, "~")) {
		n = new_unary(ps, ND_BITNOT, parse_unary(ps), tok);
	} else if (eat(ps, "++")) {
		n = new_unary(ps, ND_PREINC, parse_unary(ps), tok);
	} else if (eat(ps, "--")) {
		n = new_unary(ps, ND_PREDEC, parse_unary(ps), tok);
	} else if (is(ps, "&") || is(ps, "*")) {
		lcc_error_at(ps->ctx, &tok->loc, "pointers are not supported in kernels");
	} else {
		n = parse_postfix(ps);
	}
	if (n->depth > LCC_MAX_NEST)
		lcc_error_at(ps->ctx, &tok->loc, "expression too complex (more than %d levels)",
			     LCC_MAX_NEST);
	leave(ps);
	return n;
}

static const struct {
	const char *op;
	enum lcc_nodekind kind;
	int prec;
} binops[] = {
	{ "*", ND_MUL, 10 }, { "/", ND_DIV, 10 }, { "%", ND_MOD, 10 },
	{ "+", ND_ADD, 9 }, { "-", ND_SUB, 9 },
	{ "<<", ND_SHL, 8 }, { ">>", ND_SHR, 8 },
	{ "<", ND_LT, 7 }, { "<=", ND_LE, 7 }, { ">", ND_GT, 7 }, { ">=", ND_GE, 7 },
	{ "==", ND_EQ, 6 }, { "!=", ND_NE, 6 },
	{ "&", ND_BITAND, 5 }, { "^", ND_BITXOR, 4 }, { "|", ND_BITOR, 3 },
	{ "&&", ND_LAND, 2 }, { "||", ND_LOR, 1 },
};

static int binop_find(const struct lcc_token *tok)
{
	if (tok->kind != TK_PUNCT)
		return -1;
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
		if (lcc_tok_is(tok, binops[i].op))
			return (int)i;
	return -1;
}

/* Binary operators by precedence climbing (left-associative). */
static struct lcc_node *parse_binary(struct lcc_parser *ps, int min_prec)
{
	struct lcc_node *lhs = parse_unary(ps);

	for (;;) {
		struct lcc_token *tok = ps->tok;
		int i = binop_find(tok);
		struct lcc_node *rhs;

		if (i < 0 || binops[i].prec < min_prec)
			return lhs;
		ps->tok = tok->next;
		enter(ps);
		rhs = parse_binary(ps, binops[i].prec + 1);
		leave(ps);
		lhs = new_binary(ps, binops[i].kind, lhs, rhs, tok);
	}
}

/* cond = binary [ "?" expr ":" cond ] */
static struct lcc_node *parse_cond(struct lcc_parser *ps)
{
	struct lcc_node *c = parse_binary(ps, 1);
	struct lcc_token *tok = ps->tok;
	struct lcc_node *n;

	if (!eat(ps, "?"))
		return c;
	enter(ps);
	n = new_node(ps, ND_COND, tok);
	n->cond = c;
	n->then = parse_expr(ps);
	expect(ps, ":");
	n->els = parse_cond(ps);
	n->depth = 1 + (c->depth > n->then->depth ? c->depth : n->then->depth);
	if (n->els->depth + 1 > n->depth)
		n->depth = n->els->depth + 1;
	leave(ps);
	if (n->depth > LCC_MAX_NEST)
		lcc_error_at(ps->ctx, &tok->loc, "expression too complex (more than %d levels)",
			     LCC_MAX_NEST);
	return n;
}

/* assign = cond [ assign-op assign ] */
static struct lcc_node *parse_assign(struct lcc_parser *ps)
{
	static const struct { const char *op; enum lcc_nodekind kind; } ops[] = {
		{ "+=", ND_ADD }, { "-=", ND_SUB }, { "*=", ND_MUL }, { "/=", ND_DIV },
		{ "%=", ND_MOD }, { "&=", ND_BITAND }, { "|=", ND_BITOR },
		{ "^=", ND_BITXOR }, { "<<=", ND_SHL }, { ">>=", ND_SHR },
	};
	struct lcc_node *lhs = parse_cond(ps);
	struct lcc_token *tok = ps->tok;
	struct lcc_node *n;

	if (eat(ps, "=")) {
		enter(ps);
		n = new_binary(ps, ND_ASSIGN, lhs, parse_assign(ps), tok);
		leave(ps);
		return n;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (eat(ps, ops[i].op)) {
			enter(ps);
			n = new_binary(ps, ND_OPASSIGN, lhs, parse_assign(ps), tok);
			n->op = ops[i].kind;
			leave(ps);
			return n;
		}
	}
	return lhs;
}

/* expr = assign { "," assign } */
static struct lcc_node *parse_expr(struct lcc_parser *ps)
{
	struct lcc_node *n = parse_assign(ps);

	for (;;) {
		struct lcc_token *tok = ps->tok;

		if (!eat(ps, ","))
			return n;
		n = new_binary(ps, ND_COMMA, n, parse_assign(ps), tok);
	}
}

/* ---- declarations ---- */

/*
 * decl = [ "__local__" ] type-spec declarator { "," declarator } ";"
 * declarator = ident [ "[" expr "]" ] [ "=" ( assign | "{" assign { "," assign } [ "," ] "}" ) ]
 * Returns one ND_DECL, or an ND_BLOCK (no_scope) of several.
 */
static struct lcc_node *parse_decl(struct lcc_parser *ps)
{
	struct lcc_token *start = ps->tok;
	struct lcc_node head = { 0 }, *cur = &head;
	const struct lcc_type *ty;
	bool local_mem = false;
	int count = 0;

	if (eat(ps, "__local__"))
		local_mem = true;
	ty = parse_typespec(ps);
	do {
		struct lcc_token *name = parse_ident(ps, "a variable name");
		struct lcc_node *d = new_node(ps, ND_DECL, name);

		d->name = name->str;
		d->namelen = name->len;
		d->decl_ty = ty;
		d->is_local_mem = local_mem;
		if (eat(ps, "[")) {
			if (is(ps, "]"))
				lcc_error_at(ps->ctx, &ps->tok->loc, "an array needs a size");
			d->len_expr = parse_cond(ps);
			expect(ps, "]");
			if (is(ps, "["))
				lcc_error_at(ps->ctx, &ps->tok->loc,
					     "multidimensional arrays are not supported");
		}
		if (is(ps, "("))
			lcc_error_at(ps->ctx, &ps->tok->loc,
				     "a function cannot be declared inside a function");
		if (eat(ps, "=")) {
			struct lcc_token *brace = ps->tok;

			if (eat(ps, "{")) {
				struct lcc_node *list = new_node(ps, ND_INITLIST, brace);
				struct lcc_node h = { 0 }, *c = &h;

				if (is(ps, "}"))
					lcc_error_at(ps->ctx, &ps->tok->loc, "empty initializer");
				do {
					if (is(ps, "}"))
						break;
					if (list->nargs >= 64)
						lcc_error_at(ps->ctx, &ps->tok->loc, "too many initializers");
					c = c->next = parse_assign(ps);
					list->nargs++;
				} while (eat(ps, ","));
				expect(ps, "}");
				list->args = h.next;
				d->init = list;
			} else {
				d->init = parse_assign(ps);
			}
		}
		cur = cur->next = d;
		count++;
	} while (eat(ps, ","));
	expect(ps, ";");
	if (count == 1)
		return head.next;
	{
		struct lcc_node *b = new_node(ps, ND_BLOCK, start);

		b->body = head.next;
		b->no_scope = true;
		return b;
	}
}

static bool is_decl_start(struct lcc_parser *ps)
{
	return is_typename(ps->tok) || is(ps, "__local__") || is(ps, "static") ||
	       is(ps, "inline");
}

/* ---- statements ---- */

static struct lcc_node *parse_loop(struct lcc_parser *ps)
{
	struct lcc_token *tok = ps->tok;
	struct lcc_node *n;

	if (eat(ps, "while")) {
		n = new_node(ps, ND_WHILE, tok);
		expect(ps, "(");
		n->cond = parse_expr(ps);
		expect(ps, ")");
		n->body = parse_stmt(ps);
		return n;
	}
	if (eat(ps, "do")) {
		n = new_node(ps, ND_DO, tok);
		n->body = parse_stmt(ps);
		if (!eat(ps, "while"))
			parse_error_expected(ps, "'while' after the body of 'do'");
		expect(ps, "(");
		n->cond = parse_expr(ps);
		expect(ps, ")");
		expect(ps, ";");
		return n;
	}
	expect(ps, "for");
	n = new_node(ps, ND_FOR, tok);
	expect(ps, "(");
	if (is_decl_start(ps)) {
		if (is(ps, "__local__") || is(ps, "static") || is(ps, "inline"))
			lcc_error_at(ps->ctx, &ps->tok->loc,
				     "only a plain variable can be declared in a 'for'");
		n->init = parse_decl(ps);
	} else if (!eat(ps, ";")) {
		struct lcc_token *t = ps->tok;

		n->init = new_node(ps, ND_EXPR_STMT, t);
		n->init->lhs = parse_expr(ps);
		expect(ps, ";");
	}
	if (!is(ps, ";"))
		n->cond = parse_expr(ps);
	expect(ps, ";");
	if (!is(ps, ")"))
		n->inc = parse_expr(ps);
	expect(ps, ")");
	n->body = parse_stmt(ps);
	return n;
}

static struct lcc_node *parse_stmt(struct lcc_parser *ps)
{
	struct lcc_token *tok = ps->tok;
	struct lcc_node *n;

	enter(ps);
	if (tok->kind == TK_PRAGMA_UNROLL) {
		ps->tok = tok->next;
		if (!is(ps, "for") && !is(ps, "while") && !is(ps, "do"))
			lcc_error_at(ps->ctx, &tok->loc, "#pragma unroll must be followed by a loop");
		n = parse_loop(ps);
		n->has_unroll = true;
		n->unroll = (int)tok->ival;
	} else if (is(ps, "{")) {
		n = parse_block(ps);
	} else if (eat(ps, "if")) {
		n = new_node(ps, ND_IF, tok);
		expect(ps, "(");
		n->cond = parse_expr(ps);
		expect(ps, ")");
		n->then = parse_stmt(ps);
		if (eat(ps, "else"))
			n->els = parse_stmt(ps);
	} else if (is(ps, "for") || is(ps, "while") || is(ps, "do")) {
		n = parse_loop(ps);
	} else if (eat(ps, "break")) {
		n = new_node(ps, ND_BREAK, tok);
		expect(ps, ";");
	} else if (eat(ps, "continue")) {
		n = new_node(ps, ND_CONTINUE, tok);
		expect(ps, ";");
	} else if (eat(ps, "return")) {
		n = new_node(ps, ND_RETURN, tok);
		if (!eat(ps, ";")) {
			n->lhs = parse_expr(ps);
			expect(ps, ";");
		}
	} else if (eat(ps, ";")) {
		n = new_node(ps, ND_EMPTY, tok);
	} else if (is(ps, "static") || is(ps, "inline")) {
		lcc_error_at(ps->ctx, &tok->loc,
			     "'%.*s' is only allowed on functions at file scope", tok->len, tok->str);
	} else if (is_decl_start(ps)) {
		n = parse_decl(ps);
	} else {
		check_unsupported(ps, tok);
		if (lcc_tok_is(tok, "else") && tok->kind == TK_KEYWORD)
			lcc_error_at(ps->ctx, &tok->loc, "'else' without a previous 'if'");
		if (tok->kind == TK_EOF)
			parse_error_expected(ps, "'}'");
		n = new_node(ps, ND_EXPR_STMT, tok);
		n->lhs = parse_expr(ps);
		expect(ps, ";");
	}
	leave(ps);
	return n;
}

/* block = "{" { stmt } "}" */
static struct lcc_node *parse_block(struct lcc_parser *ps)
{
	struct lcc_token *tok = ps->tok;
	struct lcc_node *n = new_node(ps, ND_BLOCK, tok);
	struct lcc_node head = { 0 }, *cur = &head;

	expect(ps, "{");
	while (!is(ps, "}")) {
		if (ps->tok->kind == TK_EOF)
			lcc_error_at(ps->ctx, &tok->loc, "unterminated block: missing '}'");
		cur = cur->next = parse_stmt(ps);
	}
	n->end_loc = ps->tok->loc;
	ps->tok = ps->tok->next;
	n->body = head.next;
	return n;
}

/* ---- top level ---- */

/* params = "void" | param { "," param },  param = type-spec ident */
static void parse_params(struct lcc_parser *ps, struct lcc_func *fn)
{
	int cap = 0;

	if (is(ps, "void") && lcc_tok_is(ps->tok->next, ")")) {
		ps->tok = ps->tok->next->next;
		return;
	}
	if (eat(ps, ")"))
		return;
	do {
		struct lcc_param *p;
		const struct lcc_type *ty;
		struct lcc_token *name;

		if (is(ps, "..."))
			lcc_error_at(ps->ctx, &ps->tok->loc, "variadic functions are not supported");
		if (fn->nparams >= 64)
			lcc_error_at(ps->ctx, &ps->tok->loc, "too many parameters");
		ty = parse_typespec(ps);
		name = parse_ident(ps, "a parameter name");
		if (is(ps, "["))
			lcc_error_at(ps->ctx, &ps->tok->loc,
				     "arrays cannot be parameters (use a file-scope __local__ array)");
		fn->params = lcc_grow(ps->ctx, fn->params, &cap, fn->nparams + 1, sizeof(*fn->params));
		p = &fn->params[fn->nparams++];
		p->name = name->str;
		p->namelen = name->len;
		p->ty = ty;
		p->loc = name->loc;
	} while (eat(ps, ","));
	expect(ps, ")");
}

static struct lcc_node *parse_toplevel(struct lcc_parser *ps)
{
	struct lcc_token *start = ps->tok;
	struct lcc_token *t;
	bool is_static = false, is_inline = false;
	struct lcc_func *fn;
	struct lcc_node *n;

	if (start->kind == TK_PRAGMA_UNROLL)
		lcc_error_at(ps->ctx, &start->loc, "#pragma unroll must be followed by a loop");
	if (is(ps, "__local__"))
		return parse_decl(ps);
	for (;;) {
		if (eat(ps, "static"))
			is_static = true;
		else if (eat(ps, "inline"))
			is_inline = true;
		else
			break;
	}
	check_unsupported(ps, ps->tok);
	if (!is_typename(ps->tok))
		parse_error_expected(ps, "a declaration");
	/* A function if the name is followed by '('. */
	t = ps->tok;
	while (is_typename(t) || lcc_tok_is(t, "const"))
		t = t->next;
	if (!(t->kind == TK_IDENT && lcc_tok_is(t->next, "("))) {
		if (is_static || is_inline)
			lcc_error_at(ps->ctx, &start->loc,
				     "file-scope variables must be __local__ arrays");
		return parse_decl(ps);
	}
	fn = lcc_alloc(ps->ctx, sizeof(*fn));
	fn->ret = parse_typespec(ps);
	t = parse_ident(ps, "a function name");
	fn->name = t->str;
	fn->namelen = t->len;
	fn->loc = t->loc;
	fn->is_static = is_static;
	fn->is_inline = is_inline;
	expect(ps, "(");
	parse_params(ps, fn);
	if (!eat(ps, ";")) {
		if (!is(ps, "{"))
			parse_error_expected(ps, "'{' or ';'");
		fn->body = parse_block(ps);
		fn->end_loc = fn->body->end_loc;
	}
	n = new_node(ps, ND_FUNC, start);
	n->func = fn;
	n->loc = fn->loc;
	return n;
}

struct lcc_program *lcc_parse(struct lcc_ctx *ctx, struct lcc_token *tok)
{
	struct lcc_parser ps = { ctx, tok, 0 };
	struct lcc_program *prog = lcc_alloc(ctx, sizeof(*prog));
	struct lcc_node head = { 0 }, *cur = &head;

	while (ps.tok->kind != TK_EOF) {
		if (eat(&ps, ";"))
			continue;
		cur->next = parse_toplevel(&ps);
		while (cur->next)
			cur = cur->next;
	}
	prog->items = head.next;
	prog->eof_loc = ps.tok->loc;
	return prog;
}
