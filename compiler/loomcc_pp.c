/* SPDX-License-Identifier: MIT */
/*
 * loomcc_pp.c: the preprocessor subset of the kernel language.
 *
 * Supported: #define (object-like and function-like, with ##), #undef,
 * #if/#ifdef/#ifndef/#elif/#else/#endif over 64-bit integer expressions
 * with defined(), #include "file" and <file> (the includer's directory,
 * then -I), #error, #pragma unroll [N] (becomes a TK_PRAGMA_UNROLL token
 * for the parser), #pragma once, and the null directive. Everything else
 * is an error that names the directive. Predefined: __LOOMCC__ and
 * __LOOM_TPC__ (1), then the -D options, read as a pseudo-file
 * "<command line>".
 *
 * Macro expansion follows chibicc (Prosser's algorithm with hidesets). A
 * token made by an expansion points (loc) at the macro's invocation, so a
 * diagnostic in an expansion shows where the macro was used; tokens of an
 * argument keep their own place. Limits: LCC_MAX_MACRO_DEPTH nested
 * expansions, LCC_MAX_PP_TOKENS tokens made by expansion, include depth
 * and count (loomcc.h). Directives are recognised only in source text,
 * never in a macro's expansion. #if expressions are evaluated in
 * loomcc_pp_expr.c.
 */
#include <errno.h>
#include <string.h>

#include "loomcc.h"
#include "loomcc_pp.h"

struct lcc_hideset {
	struct lcc_hideset *next;
	const char *name;
	int len;
};

struct lcc_macro {
	bool is_objlike;
	struct lcc_token **params;	/* parameter name tokens */
	int nparams;
	struct lcc_token *body;		/* ends with TK_EOF */
};

struct lcc_macro_arg {
	struct lcc_token *name;
	struct lcc_token *tok;		/* raw, ends with TK_EOF */
	struct lcc_token *expanded;	/* fully expanded, on first use */
};

enum lcc_cond_ctx { IN_THEN, IN_ELIF, IN_ELSE };

struct lcc_cond {
	struct lcc_cond *next;
	enum lcc_cond_ctx ctx;
	struct lcc_token *tok;
	struct lcc_file *file;
	bool included;
};


static struct lcc_token *pp_process(struct lcc_pp *pp, struct lcc_token *tok);

/* ---- tokens ---- */

static bool pp_is_hash(const struct lcc_token *tok)
{
	return tok->at_bol && !tok->hideset && tok->kind == TK_PUNCT && lcc_tok_is(tok, "#");
}

static bool pp_is_end(const struct lcc_token *tok)
{
	return tok->kind == TK_EOF || tok->kind == TK_FILE_END;
}

static struct lcc_token *pp_copy(struct lcc_pp *pp, const struct lcc_token *tok)
{
	if (++pp->ntokens > LCC_MAX_PP_TOKENS)
		lcc_error_at(pp->ctx, pp->expand_loc.file ? &pp->expand_loc : &tok->loc,
			     "macro expansion produces too many tokens (more than %u)",
			     LCC_MAX_PP_TOKENS);
	return lcc_token_copy(pp->ctx, tok);
}

static struct lcc_token *pp_new_eof(struct lcc_pp *pp, const struct lcc_token *tok)
{
	struct lcc_token *t = pp_copy(pp, tok);

	t->kind = TK_EOF;
	t->len = 0;
	return t;
}

/* Copy tok1 (up to its EOF) in front of tok2. */
static struct lcc_token *pp_append(struct lcc_pp *pp, struct lcc_token *tok1,
				   struct lcc_token *tok2)
{
	struct lcc_token head = { 0 }, *cur = &head;

	if (tok1->kind == TK_EOF)
		return tok2;
	for (; tok1->kind != TK_EOF; tok1 = tok1->next)
		cur = cur->next = pp_copy(pp, tok1);
	cur->next = tok2;
	return head.next;
}

/* The directive's name for messages: "#if". */
const char *pp_dname(struct lcc_pp *pp, const struct lcc_token *tok)
{
	if (lcc_tok_is(tok, "unroll"))
		return "#pragma unroll";
	return lcc_format(pp->ctx, "#%.*s", tok->len, tok->str);
}

/* Tokens after a directive must end at the end of the line. */
static struct lcc_token *pp_skip_line(struct lcc_pp *pp, struct lcc_token *tok,
				      const struct lcc_token *dir)
{
	if (tok->at_bol || pp_is_end(tok))
		return tok;
	lcc_error_at(pp->ctx, &tok->loc, "extra tokens at end of %s directive",
		     pp_dname(pp, dir));
}

/* A copy of the rest of the line, ending with an EOF token. */
static struct lcc_token *pp_copy_line(struct lcc_pp *pp, struct lcc_token **rest,
				      struct lcc_token *tok)
{
	struct lcc_token head = { 0 }, *cur = &head;

	for (; !tok->at_bol && !pp_is_end(tok); tok = tok->next)
		cur = cur->next = pp_copy(pp, tok);
	cur->next = pp_new_eof(pp, tok);
	*rest = tok;
	return head.next;
}

/* ---- hidesets ---- */

static struct lcc_hideset *pp_hideset_new(struct lcc_pp *pp, const char *name, int len)
{
	struct lcc_hideset *hs = lcc_alloc(pp->ctx, sizeof(*hs));

	hs->name = name;
	hs->len = len;
	return hs;
}

static bool pp_hideset_contains(const struct lcc_hideset *hs, const char *s, int len)
{
	for (; hs; hs = hs->next)
		if (hs->len == len && !memcmp(hs->name, s, len))
			return true;
	return false;
}

/* hs plus one name; shares hs (hidesets are never modified). */
static struct lcc_hideset *pp_hideset_add(struct lcc_pp *pp, struct lcc_hideset *hs,
					  const char *name, int len)
{
	struct lcc_hideset *n = pp_hideset_new(pp, name, len);

	n->next = hs;
	return n;
}

static struct lcc_hideset *pp_hideset_union(struct lcc_pp *pp, struct lcc_hideset *hs1,
					    struct lcc_hideset *hs2)
{
	struct lcc_hideset head = { 0 }, *cur = &head;

	for (; hs1; hs1 = hs1->next)
		cur = cur->next = pp_hideset_new(pp, hs1->name, hs1->len);
	cur->next = hs2;
	return head.next;
}

static struct lcc_hideset *pp_hideset_intersection(struct lcc_pp *pp, struct lcc_hideset *hs1,
						   struct lcc_hideset *hs2)
{
	struct lcc_hideset head = { 0 }, *cur = &head;

	for (; hs1; hs1 = hs1->next)
		if (pp_hideset_contains(hs2, hs1->name, hs1->len))
			cur = cur->next = pp_hideset_new(pp, hs1->name, hs1->len);
	return head.next;
}

/* Copies of the tokens with hs added; body tokens take loc if given. */
static struct lcc_token *pp_add_hideset(struct lcc_pp *pp, struct lcc_token *tok,
					struct lcc_hideset *hs)
{
	struct lcc_token head = { 0 }, *cur = &head;

	for (; tok; tok = tok->next) {
		struct lcc_token *t = pp_copy(pp, tok);

		t->hideset = pp_hideset_union(pp, t->hideset, hs);
		cur = cur->next = t;
	}
	return head.next;
}

/* ---- macros ---- */

static struct lcc_macro *pp_find_macro(struct lcc_pp *pp, const struct lcc_token *tok)
{
	if (tok->kind != TK_IDENT)
		return NULL;
	return lcc_map_get(&pp->macros, tok->str, tok->len);
}

static int pp_find_param(const struct lcc_macro *m, const struct lcc_token *tok)
{
	if (tok->kind != TK_IDENT)
		return -1;
	for (int i = 0; i < m->nparams; i++)
		if (m->params[i]->len == tok->len && !memcmp(m->params[i]->str, tok->str, tok->len))
			return i;
	return -1;
}

static struct lcc_token *pp_read_params(struct lcc_pp *pp, struct lcc_token *tok,
					struct lcc_macro *m, const struct lcc_token *name)
{
	int cap = 0;

	/* tok is the token after '(' */
	if (lcc_tok_is(tok, ")") && !tok->at_bol)
		return tok->next;
	for (;;) {
		if (tok->at_bol || pp_is_end(tok))
			lcc_error_at(pp->ctx, &name->loc, "missing ')' in the parameter list of macro '%.*s'",
				     name->len, name->str);
		if (lcc_tok_is(tok, "..."))
			lcc_error_at(pp->ctx, &tok->loc, "variadic macros are not supported");
		if (tok->kind != TK_IDENT)
			lcc_error_at(pp->ctx, &tok->loc, "expected a parameter name in macro '%.*s'",
				     name->len, name->str);
		if (pp_find_param(m, tok) >= 0)
			lcc_error_at(pp->ctx, &tok->loc, "duplicate macro parameter '%.*s'",
				     tok->len, tok->str);
		m->params = lcc_grow(pp->ctx, m->params, &cap, m->nparams + 1, sizeof(*m->params));
		m->params[m->nparams++] = tok;
		tok = tok->next;
		if (lcc_tok_is(tok, ")") && !tok->at_bol)
			return tok->next;
		if (!lcc_tok_is(tok, ",") || tok->at_bol)
			lcc_error_at(pp->ctx, tok->at_bol || pp_is_end(tok) ? &name->loc : &tok->loc,
				     "expected ',' or ')' in the parameter list of macro '%.*s'",
				     name->len, name->str);
		tok = tok->next;
	}
}

static void pp_define(struct lcc_pp *pp, struct lcc_token **rest, struct lcc_token *tok,
		      const struct lcc_token *dir)
{
	struct lcc_macro *m = lcc_alloc(pp->ctx, sizeof(*m));
	struct lcc_token *name = tok;

	if (tok->at_bol || pp_is_end(tok))
		lcc_error_at(pp->ctx, &dir->loc, "macro name missing in #define");
	if (tok->kind != TK_IDENT)
		lcc_error_at(pp->ctx, &tok->loc, "macro name must be an identifier");
	if (lcc_tok_is(tok, "defined"))
		lcc_error_at(pp->ctx, &tok->loc, "'defined' cannot be used as a macro name");
	tok = tok->next;
	m->is_objlike = true;
	if (lcc_tok_is(tok, "(") && !tok->has_space && !tok->at_bol) {
		m->is_objlike = false;
		tok = pp_read_params(pp, tok->next, m, name);
	}
	m->body = pp_copy_line(pp, rest, tok);
	for (struct lcc_token *t = m->body; t->kind != TK_EOF; t = t->next) {
		if (lcc_tok_is(t, "##") && (t == m->body || t->next->kind == TK_EOF))
			lcc_error_at(pp->ctx, &t->loc, "'##' cannot appear at either end of a macro");
		if (!m->is_objlike && lcc_tok_is(t, "#"))
			lcc_error_at(pp->ctx, &t->loc, "the '#' operator (stringizing) is not supported");
	}
	lcc_map_put(pp->ctx, &pp->macros, name->str, name->len, m);
}

/* One argument: tokens up to ',' or ')' at parenthesis depth 0. */
static struct lcc_token *pp_read_arg(struct lcc_pp *pp, struct lcc_token **rest,
				     struct lcc_token *tok, const struct lcc_token *mtok)
{
	struct lcc_token head = { 0 }, *cur = &head;
	long level = 0;

	for (;;) {
		if (pp_is_end(tok))
			lcc_error_at(pp->ctx, &mtok->loc,
				     "unterminated argument list invoking macro '%.*s'",
				     mtok->len, mtok->str);
		if (pp_is_hash(tok))
			lcc_error_at(pp->ctx, &tok->loc,
				     "preprocessing directive inside the arguments of macro '%.*s'",
				     mtok->len, mtok->str);
		if (level == 0 && (lcc_tok_is(tok, ",") || lcc_tok_is(tok, ")")))
			break;
		if (lcc_tok_is(tok, "("))
			level++;
		else if (lcc_tok_is(tok, ")"))
			level--;
		cur = cur->next = pp_copy(pp, tok);
		tok = tok->next;
	}
	cur->next = pp_new_eof(pp, tok);
	*rest = tok;
	return head.next;
}

/* tok is the macro name; on return *rest is the ')' token. */
static struct lcc_macro_arg *pp_read_args(struct lcc_pp *pp, struct lcc_token **rest,
					  struct lcc_token *tok, const struct lcc_macro *m)
{
	struct lcc_token *mtok = tok;
	struct lcc_macro_arg *args;
	int n = 0;

	args = lcc_alloc(pp->ctx, sizeof(*args) * (m->nparams ? m->nparams : 1));
	tok = tok->next->next;	/* skip the name and '(' */
	if (m->nparams == 0) {
		if (pp_is_end(tok))
			lcc_error_at(pp->ctx, &mtok->loc,
				     "unterminated argument list invoking macro '%.*s'",
				     mtok->len, mtok->str);
		if (!lcc_tok_is(tok, ")"))
			lcc_error_at(pp->ctx, &tok->loc, "macro '%.*s' takes no arguments",
				     mtok->len, mtok->str);
		*rest = tok;
		return args;
	}
	for (;;) {
		struct lcc_token *arg = pp_read_arg(pp, &tok, tok, mtok);

		if (n < m->nparams) {
			args[n].name = m->params[n];
			args[n].tok = arg;
		}
		n++;
		if (lcc_tok_is(tok, ")"))
			break;
		tok = tok->next;	/* ',' */
	}
	if (n != m->nparams)
		lcc_error_at(pp->ctx, &mtok->loc, "macro '%.*s' expects %d argument%s, %d given",
			     mtok->len, mtok->str, m->nparams, m->nparams == 1 ? "" : "s", n);
	*rest = tok;
	return args;
}

/* lhs ## rhs: the spellings joined must be exactly one token. */
static struct lcc_token *pp_paste(struct lcc_pp *pp, struct lcc_token *lhs,
				  struct lcc_token *rhs)
{
	char *buf = lcc_format(pp->ctx, "%.*s%.*s", lhs->len, lhs->str, rhs->len, rhs->str);
	struct lcc_token *tok = lcc_lex_string(pp->ctx, buf, (int)strlen(buf), &lhs->loc);

	if (tok->kind == TK_EOF || tok->next->kind != TK_EOF)
		lcc_error_at(pp->ctx, &lhs->loc,
			     "pasting '%.*s' and '%.*s' does not give a valid token",
			     lhs->len, lhs->str, rhs->len, rhs->str);
	if (++pp->ntokens > LCC_MAX_PP_TOKENS)
		lcc_error_at(pp->ctx, &lhs->loc, "macro expansion produces too many tokens");
	tok->hideset = lhs->hideset;
	tok->has_space = lhs->has_space;
	return tok;
}

static struct lcc_token *pp_arg_expanded(struct lcc_pp *pp, struct lcc_macro_arg *arg)
{
	if (!arg->expanded)
		arg->expanded = pp_process(pp, arg->tok);
	return arg->expanded;
}

/* Replace the parameters in the body by the arguments. */
static struct lcc_token *pp_subst(struct lcc_pp *pp, struct lcc_token *tok,
				  const struct lcc_macro *m, struct lcc_macro_arg *args,
				  const struct lcc_token *mtok)
{
	struct lcc_token head = { 0 }, *cur = &head;

	while (tok->kind != TK_EOF) {
		int idx;

		if (lcc_tok_is(tok, "##")) {
			struct lcc_token *rhs = tok->next;

			idx = pp_find_param(m, rhs);
			if (idx >= 0) {
				struct lcc_token *t = args[idx].tok;

				if (t->kind != TK_EOF) {
					if (cur == &head)
						cur = cur->next = pp_copy(pp, t);
					else
						*cur = *pp_paste(pp, cur, t);
					for (t = t->next; t->kind != TK_EOF; t = t->next)
						cur = cur->next = pp_copy(pp, t);
				}
				tok = rhs->next;
				continue;
			}
			if (cur == &head) {
				cur = cur->next = pp_copy(pp, rhs);
				cur->loc = mtok->loc;
			} else {
				struct lcc_loc loc = cur->loc;

				*cur = *pp_paste(pp, cur, rhs);
				cur->loc = loc;
			}
			tok = rhs->next;
			continue;
		}
		idx = pp_find_param(m, tok);
		if (idx >= 0 && lcc_tok_is(tok->next, "##")) {
			struct lcc_token *rhs = tok->next->next;

			if (args[idx].tok->kind == TK_EOF) {
				int idx2 = pp_find_param(m, rhs);

				if (idx2 >= 0) {
					for (struct lcc_token *t = args[idx2].tok; t->kind != TK_EOF; t = t->next)
						cur = cur->next = pp_copy(pp, t);
				} else {
					cur = cur->next = pp_copy(pp, rhs);
					cur->loc = mtok->loc;
				}
				tok = rhs->next;
				continue;
			}
			for (struct lcc_token *t = args[idx].tok; t->kind != TK_EOF; t = t->next)
				cur = cur->next = pp_copy(pp, t);
			tok = tok->next;
			continue;
		}
		if (idx >= 0) {
			struct lcc_token *t = pp_arg_expanded(pp, &args[idx]);

			for (bool first = true; t->kind != TK_EOF; t = t->next, first = false) {
				cur = cur->next = pp_copy(pp, t);
				if (first)
					cur->has_space = tok->has_space;
			}
			tok = tok->next;
			continue;
		}
		cur = cur->next = pp_copy(pp, tok);
		cur->loc = mtok->loc;
		tok = tok->next;
	}
	cur->next = tok;
	return head.next;
}

/* If tok is a macro invocation, replace it by its expansion in *rest. */
static bool pp_expand_macro(struct lcc_pp *pp, struct lcc_token **rest, struct lcc_token *tok)
{
	struct lcc_macro *m;
	struct lcc_macro_arg *args;
	struct lcc_hideset *hs;
	struct lcc_token *body, *rparen;

	if (tok->kind != TK_IDENT || pp_hideset_contains(tok->hideset, tok->str, tok->len))
		return false;
	m = pp_find_macro(pp, tok);
	if (!m)
		return false;
	pp->expand_loc = tok->loc;
	if (m->is_objlike) {
		hs = pp_hideset_add(pp, tok->hideset, tok->str, tok->len);
		body = pp_add_hideset(pp, m->body, hs);
		for (struct lcc_token *t = body; t->kind != TK_EOF; t = t->next)
			t->loc = tok->loc;
		*rest = pp_append(pp, body, tok->next);
		if (*rest != tok->next) {
			(*rest)->at_bol = tok->at_bol;
			(*rest)->has_space = tok->has_space;
		}
		return true;
	}
	if (!lcc_tok_is(tok->next, "("))
		return false;
	args = pp_read_args(pp, &rparen, tok, m);
	hs = pp_hideset_intersection(pp, tok->hideset, rparen->hideset);
	hs = pp_hideset_add(pp, hs, tok->str, tok->len);
	body = pp_subst(pp, m->body, m, args, tok);
	body = pp_add_hideset(pp, body, hs);
	*rest = pp_append(pp, body, rparen->next);
	if (*rest != rparen->next) {
		(*rest)->at_bol = tok->at_bol;
		(*rest)->has_space = tok->has_space;
	}
	return true;
}

static struct lcc_token *pp_num_token(struct lcc_pp *pp, const struct lcc_token *at, int v)
{
	struct lcc_token *t = pp_copy(pp, at);

	t->kind = TK_PPNUM;
	t->str = v ? "1" : "0";
	t->len = 1;
	return t;
}

/* Read the rest of the line as a constant expression (after defined()). */
static int64_t pp_eval_line(struct lcc_pp *pp, struct lcc_token **rest, struct lcc_token *tok,
			    const struct lcc_token *dir, bool *empty)
{
	struct lcc_token *line = pp_copy_line(pp, rest, tok);
	struct lcc_token head = { 0 }, *cur = &head;
	struct lcc_token *expanded;

	while (line->kind != TK_EOF) {
		if (lcc_tok_is(line, "defined") && line->kind == TK_IDENT) {
			struct lcc_token *start = line;
			bool paren;

			line = line->next;
			paren = lcc_tok_is(line, "(");
			if (paren)
				line = line->next;
			if (line->kind != TK_IDENT)
				lcc_error_at(pp->ctx, &start->loc, "macro name missing after 'defined'");
			cur = cur->next = pp_num_token(pp, start, pp_find_macro(pp, line) != NULL);
			line = line->next;
			if (paren) {
				if (!lcc_tok_is(line, ")"))
					lcc_error_at(pp->ctx, &start->loc, "missing ')' after 'defined'");
				line = line->next;
			}
			continue;
		}
		cur = cur->next = line;
		line = line->next;
	}
	cur->next = line;
	expanded = pp_process(pp, head.next);
	if (empty) {
		*empty = expanded->kind == TK_EOF;
		if (*empty)
			return 0;
	}
	if (expanded->kind == TK_EOF)
		lcc_error_at(pp->ctx, &dir->loc, "%s with no expression", pp_dname(pp, dir));
	return lcc_pp_eval(pp, expanded, dir);
}

/* ---- conditional inclusion ---- */

static bool pp_is_dir(const struct lcc_token *tok, const char *name)
{
	return pp_is_hash(tok) && lcc_tok_is(tok->next, name) && !tok->next->at_bol;
}

/* Skip to the #elif, #else or #endif that ends this group. */
static struct lcc_token *pp_skip_cond(struct lcc_token *tok)
{
	long depth = 0;

	while (!pp_is_end(tok)) {
		if (pp_is_dir(tok, "if") || pp_is_dir(tok, "ifdef") || pp_is_dir(tok, "ifndef")) {
			depth++;
			tok = tok->next->next;
			continue;
		}
		if (pp_is_dir(tok, "endif")) {
			if (depth == 0)
				return tok;
			depth--;
			tok = tok->next->next;
			continue;
		}
		if ((pp_is_dir(tok, "elif") || pp_is_dir(tok, "else")) && depth == 0)
			return tok;
		tok = tok->next;
	}
	return tok;
}

static void pp_push_cond(struct lcc_pp *pp, struct lcc_token *tok, bool included)
{
	struct lcc_cond *c = lcc_alloc(pp->ctx, sizeof(*c));

	c->next = pp->cond;
	c->ctx = IN_THEN;
	c->tok = tok;
	c->file = tok->loc.file;
	c->included = included;
	pp->cond = c;
}

static struct lcc_cond *pp_cur_cond(struct lcc_pp *pp, const struct lcc_token *hash,
				    const struct lcc_token *dir)
{
	if (!pp->cond || pp->cond->file != hash->loc.file)
		lcc_error_at(pp->ctx, &dir->loc, "%s without #if", pp_dname(pp, dir));
	return pp->cond;
}

/* ---- #include ---- */

static char *pp_dirname(struct lcc_pp *pp, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return NULL;
	return lcc_strndup(pp->ctx, path, (size_t)(slash - path));
}

static struct lcc_token *pp_include(struct lcc_pp *pp, struct lcc_token *tok,
				    struct lcc_token *hash, struct lcc_token *dir)
{
	const struct lcc_options *o = lcc_ctx_options(pp->ctx);
	struct lcc_token *fname = tok, *rest, *ftok, *t;
	struct lcc_file *file;
	const char *name;
	char *path = NULL, *data = NULL;
	size_t len = 0;
	bool quoted;
	int ret = -ENOENT;

	if (tok->kind == TK_STR && !tok->at_bol) {
		quoted = true;
		name = lcc_strndup(pp->ctx, tok->str + 1, (size_t)tok->len - 2);
		rest = pp_skip_line(pp, tok->next, dir);
	} else if (lcc_tok_is(tok, "<") && !tok->at_bol) {
		char *buf = lcc_strndup(pp->ctx, "", 0);

		quoted = false;
		for (t = tok->next; !lcc_tok_is(t, ">"); t = t->next) {
			if (t->at_bol || pp_is_end(t))
				lcc_error_at(pp->ctx, &tok->loc, "expected '>' to end the file name");
			buf = lcc_format(pp->ctx, "%s%s%.*s", buf, t->has_space ? " " : "",
					 t->len, t->str);
		}
		name = buf;
		rest = pp_skip_line(pp, t->next, dir);
	} else {
		lcc_error_at(pp->ctx, tok->at_bol || pp_is_end(tok) ? &dir->loc : &tok->loc,
			     "#include expects \"FILENAME\" or <FILENAME>");
	}
	if (!*name)
		lcc_error_at(pp->ctx, &fname->loc, "empty file name in #include");
	if (hash->loc.file->depth + 1 > LCC_MAX_INCLUDE_DEPTH)
		lcc_error_at(pp->ctx, &dir->loc, "#include nested too deeply (more than %d levels)",
			     LCC_MAX_INCLUDE_DEPTH);
	if (++pp->nincludes > LCC_MAX_INCLUDES)
		lcc_error_at(pp->ctx, &dir->loc, "too many #include directives (more than %d)",
			     LCC_MAX_INCLUDES);
	if (name[0] == '/') {
		path = (char *)name;
		ret = lcc_read_file(pp->ctx, path, &data, &len);
	} else {
		if (quoted) {
			char *d = pp_dirname(pp, hash->loc.file->name);

			path = d ? lcc_format(pp->ctx, "%s/%s", d, name) : (char *)name;
			ret = lcc_read_file(pp->ctx, path, &data, &len);
		}
		for (int i = 0; ret == -ENOENT && i < o->n_include_dirs; i++) {
			path = lcc_format(pp->ctx, "%s/%s", o->include_dirs[i], name);
			ret = lcc_read_file(pp->ctx, path, &data, &len);
		}
	}
	if (ret < 0)
		lcc_error_at(pp->ctx, &fname->loc, "cannot open include file '%s': %s", name,
			     strerror(-ret));
	if (lcc_map_get(&pp->once, path, (int)strlen(path)))
		return rest;
	file = lcc_file_new(pp->ctx, path, data, len, hash->loc.file->depth + 1);
	ftok = lcc_lex_file(pp->ctx, file);
	for (t = ftok; t->kind != TK_EOF; t = t->next)
		;
	t->kind = TK_FILE_END;
	t->next = rest;
	return ftok;
}

/* ---- #pragma ---- */

static struct lcc_token *pp_pragma(struct lcc_pp *pp, struct lcc_token *tok,
				   struct lcc_token *hash, struct lcc_token **out)
{
	struct lcc_token *dir = tok;
	struct lcc_token *rest;

	tok = tok->next;
	if (tok->at_bol || pp_is_end(tok))
		lcc_error_at(pp->ctx, &dir->loc, "#pragma needs a name ('unroll' or 'once')");
	if (lcc_tok_is(tok, "once") && tok->kind == TK_IDENT) {
		const char *name = hash->loc.file->name;

		lcc_map_put(pp->ctx, &pp->once, name, (int)strlen(name), (void *)name);
		*out = NULL;
		return pp_skip_line(pp, tok->next, dir);
	}
	if (lcc_tok_is(tok, "unroll") && tok->kind == TK_IDENT) {
		struct lcc_token *t = pp_copy(pp, hash);
		bool empty;
		int64_t n = pp_eval_line(pp, &rest, tok->next, tok, &empty);

		if (!empty && (n < 1 || n > LCC_MAX_UNROLL))
			lcc_error_at(pp->ctx, &tok->loc, "unroll count must be between 1 and %d",
				     LCC_MAX_UNROLL);
		t->kind = TK_PRAGMA_UNROLL;
		t->ival = empty ? 0 : n;
		t->at_bol = true;
		*out = t;
		return rest;
	}
	lcc_error_at(pp->ctx, &tok->loc,
		     "unknown pragma '%.*s' (only '#pragma unroll' and '#pragma once' are supported)",
		     tok->len, tok->str);
}

/* ---- the main loop ---- */

static struct lcc_token *pp_process(struct lcc_pp *pp, struct lcc_token *tok)
{
	struct lcc_token head = { 0 }, *cur = &head;

	if (++pp->depth > LCC_MAX_MACRO_DEPTH)
		lcc_error_at(pp->ctx, &tok->loc, "macro expansion nested too deeply (more than %d levels)",
			     LCC_MAX_MACRO_DEPTH);
	while (tok->kind != TK_EOF) {
		struct lcc_token *hash, *dir;

		if (pp_expand_macro(pp, &tok, tok))
			continue;
		if (tok->kind == TK_FILE_END) {
			if (pp->cond && pp->cond->file == tok->loc.file)
				lcc_error_at(pp->ctx, &pp->cond->tok->loc,
					     "unterminated conditional directive");
			tok = tok->next;
			continue;
		}
		if (!pp_is_hash(tok)) {
			cur = cur->next = tok;
			tok = tok->next;
			continue;
		}
		hash = tok;
		dir = tok->next;
		tok = dir;
		if (dir->at_bol || pp_is_end(dir))
			continue;	/* the null directive */
		if (dir->kind != TK_IDENT)
			lcc_error_at(pp->ctx, &dir->loc, "invalid preprocessing directive");
		if (lcc_tok_is(dir, "define")) {
			pp_define(pp, &tok, dir->next, dir);
		} else if (lcc_tok_is(dir, "undef")) {
			tok = dir->next;
			if (tok->at_bol || pp_is_end(tok))
				lcc_error_at(pp->ctx, &dir->loc, "macro name missing in #undef");
			if (tok->kind != TK_IDENT)
				lcc_error_at(pp->ctx, &tok->loc, "macro name must be an identifier");
			lcc_map_del(&pp->macros, tok->str, tok->len);
			tok = pp_skip_line(pp, tok->next, dir);
		} else if (lcc_tok_is(dir, "include")) {
			tok = pp_include(pp, dir->next, hash, dir);
		} else if (lcc_tok_is(dir, "if")) {
			int64_t v = pp_eval_line(pp, &tok, dir->next, dir, NULL);

			pp_push_cond(pp, hash, v != 0);
			if (!v)
				tok = pp_skip_cond(tok);
		} else if (lcc_tok_is(dir, "ifdef") || lcc_tok_is(dir, "ifndef")) {
			bool want = lcc_tok_is(dir, "ifdef");
			bool defined;

			tok = dir->next;
			if (tok->at_bol || pp_is_end(tok))
				lcc_error_at(pp->ctx, &dir->loc, "macro name missing in %s",
					     pp_dname(pp, dir));
			if (tok->kind != TK_IDENT)
				lcc_error_at(pp->ctx, &tok->loc, "macro name must be an identifier");
			defined = pp_find_macro(pp, tok) != NULL;
			pp_push_cond(pp, hash, defined == want);
			tok = pp_skip_line(pp, tok->next, dir);
			if (defined != want)
				tok = pp_skip_cond(tok);
		} else if (lcc_tok_is(dir, "elif")) {
			struct lcc_cond *c = pp_cur_cond(pp, hash, dir);

			if (c->ctx == IN_ELSE)
				lcc_error_at(pp->ctx, &dir->loc, "#elif after #else");
			c->ctx = IN_ELIF;
			if (!c->included && pp_eval_line(pp, &tok, dir->next, dir, NULL)) {
				c->included = true;
			} else {
				tok = pp_skip_cond(dir->next);
			}
		} else if (lcc_tok_is(dir, "else")) {
			struct lcc_cond *c = pp_cur_cond(pp, hash, dir);

			if (c->ctx == IN_ELSE)
				lcc_error_at(pp->ctx, &dir->loc, "#else after #else");
			c->ctx = IN_ELSE;
			tok = pp_skip_line(pp, dir->next, dir);
			if (c->included)
				tok = pp_skip_cond(tok);
		} else if (lcc_tok_is(dir, "endif")) {
			pp_cur_cond(pp, hash, dir);
			pp->cond = pp->cond->next;
			tok = pp_skip_line(pp, dir->next, dir);
		} else if (lcc_tok_is(dir, "error")) {
			struct lcc_token *first = dir->next, *last = dir;

			for (tok = dir->next; !tok->at_bol && !pp_is_end(tok); tok = tok->next)
				last = tok;
			if (last == dir)
				lcc_error_at(pp->ctx, &dir->loc, "#error");
			lcc_error_at(pp->ctx, &dir->loc, "#error %.*s",
				     (int)(last->str + last->len - first->str), first->str);
		} else if (lcc_tok_is(dir, "pragma")) {
			struct lcc_token *t;

			tok = pp_pragma(pp, dir, hash, &t);
			if (t)
				cur = cur->next = t;
		} else if (lcc_tok_is(dir, "line") || lcc_tok_is(dir, "warning") ||
			   lcc_tok_is(dir, "include_next") || lcc_tok_is(dir, "ident") ||
			   lcc_tok_is(dir, "sccs") || lcc_tok_is(dir, "assert") ||
			   lcc_tok_is(dir, "unassert") || lcc_tok_is(dir, "import")) {
			lcc_error_at(pp->ctx, &dir->loc, "unsupported preprocessing directive '#%.*s'",
				     dir->len, dir->str);
		} else {
			lcc_error_at(pp->ctx, &dir->loc, "invalid preprocessing directive '#%.*s'",
				     dir->len, dir->str);
		}
	}
	cur->next = tok;
	pp->depth--;
	return head.next;
}

/* The predefined macros and -D options as a pseudo-file. */
static struct lcc_token *pp_predefined(struct lcc_pp *pp, struct lcc_token *main)
{
	const struct lcc_options *o = lcc_ctx_options(pp->ctx);
	char *text = "#define __LOOMCC__ 1\n#define __LOOM_TPC__ 1\n";
	struct lcc_file *file;
	struct lcc_token *tok, *t;

	for (int i = 0; i < o->n_defines; i++) {
		char *d = lcc_strndup(pp->ctx, o->defines[i], strlen(o->defines[i]));
		char *eq = strchr(d, '=');

		for (char *p = d; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		if (eq) {
			*eq = '\0';
			text = lcc_format(pp->ctx, "%s#define %s %s\n", text, d, eq + 1);
		} else {
			text = lcc_format(pp->ctx, "%s#define %s 1\n", text, d);
		}
	}
	file = lcc_file_new(pp->ctx, "<command line>", text, strlen(text), 0);
	tok = lcc_lex_file(pp->ctx, file);
	for (t = tok; t->kind != TK_EOF; t = t->next)
		;
	t->kind = TK_FILE_END;
	t->next = main;
	return tok;
}

struct lcc_token *lcc_preprocess(struct lcc_ctx *ctx, struct lcc_token *tok)
{
	struct lcc_pp *pp = lcc_alloc(ctx, sizeof(*pp));

	pp->ctx = ctx;
	tok = pp_process(pp, pp_predefined(pp, tok));
	if (pp->cond)
		lcc_error_at(ctx, &pp->cond->tok->loc, "unterminated conditional directive");
	for (struct lcc_token *t = tok; t; t = t->next) {
		if (t->kind == TK_IDENT && lcc_is_keyword(t->str, t->len))
			t->kind = TK_KEYWORD;
		else if (t->kind == TK_PPNUM)
			lcc_lex_convert_number(ctx, t);
		t->hideset = NULL;
	}
	return tok;
}
