/* SPDX-License-Identifier: MIT */
/*
 * loomcc_lex.c: the lexer.
 *
 * Turns a source file into a list of preprocessing tokens, each with its
 * file, line and column (1-based, in bytes) and the at_bol/has_space flags
 * the preprocessor needs. Backslash-newline pairs are removed first (the
 * lines they join keep their numbers). Numbers stay preprocessing numbers
 * (TK_PPNUM) until the preprocessor is done; lcc_lex_convert_number then
 * gives them a value and a type: int, unsigned (suffix u/U, or a hex/octal
 * constant above INT_MAX) or float (there is no double: 1.5 and 1.5f are
 * both float). Characters outside the language (character constants,
 * '$', '@', '`', bytes outside ASCII, NUL) are errors.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loomcc.h"

static const char *const lcc_keywords[] = {
	"void", "bool", "_Bool", "int", "unsigned", "signed", "float",
	"float64", "int64", "uint64", "bfloat128", "bool64", "int5", "tensor",
	"if", "else", "for", "while", "do", "break", "continue", "return",
	"static", "inline", "const", "__local__", "true", "false",
	/* C keywords the language does not support: reserved for a clear error */
	"char", "short", "long", "double", "struct", "union", "enum",
	"typedef", "switch", "case", "default", "goto", "sizeof", "extern",
	"register", "volatile", "restrict", "auto", "_Alignas", "_Alignof",
	"_Atomic", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
	"_Static_assert", "_Thread_local",
};

static const char *const lcc_puncts[] = {
	"<<=", ">>=", "...", "==", "!=", "<=", ">=", "->", "+=", "-=", "*=",
	"/=", "%=", "&=", "|=", "^=", "&&", "||", "++", "--", "<<", ">>", "##",
};

bool lcc_is_keyword(const char *s, int len)
{
	for (size_t i = 0; i < sizeof(lcc_keywords) / sizeof(lcc_keywords[0]); i++)
		if ((int)strlen(lcc_keywords[i]) == len && !memcmp(lcc_keywords[i], s, len))
			return true;
	return false;
}

bool lcc_tok_is(const struct lcc_token *tok, const char *s)
{
	int n = (int)strlen(s);

	return (tok->kind == TK_PUNCT || tok->kind == TK_IDENT || tok->kind == TK_KEYWORD) &&
	       tok->len == n && !memcmp(tok->str, s, n);
}

struct lcc_token *lcc_token_copy(struct lcc_ctx *ctx, const struct lcc_token *tok)
{
	struct lcc_token *t = lcc_alloc(ctx, sizeof(*t));

	*t = *tok;
	t->next = NULL;
	return t;
}

/*
 * Copy the text into the arena, NUL-terminated, without backslash-newline
 * pairs; the newlines they removed are put back at the end of the logical
 * line so that every later line keeps its number.
 */
struct lcc_file *lcc_file_new(struct lcc_ctx *ctx, const char *name, const char *data,
			      size_t len, int depth)
{
	struct lcc_file *f = lcc_alloc(ctx, sizeof(*f));
	char *out = lcc_alloc(ctx, len + 2);
	size_t i = 0, j = 0;
	int pending = 0;

	while (i < len) {
		if (data[i] == '\\' && i + 1 < len && data[i + 1] == '\n') {
			i += 2;
			pending++;
		} else if (data[i] == '\\' && i + 2 < len && data[i + 1] == '\r' &&
			   data[i + 2] == '\n') {
			i += 3;
			pending++;
		} else if (data[i] == '\n') {
			out[j++] = '\n';
			i++;
			/* the removed newlines; the buffer has room as each was 2 bytes */
			for (; pending > 0; pending--)
				out[j++] = '\n';
		} else {
			out[j++] = data[i++];
		}
	}
	for (; pending > 0; pending--)
		out[j++] = '\n';
	out[j] = '\0';
	f->name = lcc_strndup(ctx, name, strlen(name));
	f->contents = out;
	f->len = j;
	f->depth = depth;
	return f;
}

struct lcc_lexer {
	struct lcc_ctx *ctx;
	struct lcc_file *file;
	const char *p, *end;
	const char *line_start;
	int line;
};

static struct lcc_loc lcc_lex_loc(struct lcc_lexer *lx, const char *p)
{
	struct lcc_loc loc = { lx->file, lx->line, (int)(p - lx->line_start) + 1 };

	return loc;
}

_Noreturn static void lcc_lex_error(struct lcc_lexer *lx, const char *p, const char *fmt,
				    const char *arg)
{
	struct lcc_loc loc = lcc_lex_loc(lx, p);

	lcc_error_at(lx->ctx, &loc, fmt, arg);
}

static bool lcc_is_ident1(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool lcc_is_ident2(int c)
{
	return lcc_is_ident1(c) || (c >= '0' && c <= '9');
}

static bool lcc_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int lcc_punct_len(const char *p, const char *end)
{
	for (size_t i = 0; i < sizeof(lcc_puncts) / sizeof(lcc_puncts[0]); i++) {
		size_t n = strlen(lcc_puncts[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, lcc_puncts[i], n))
			return (int)n;
	}
	return strchr("+-*/%&|^~!=<>?:;,.()[]{}#", *p) && *p ? 1 : 0;
}

static struct lcc_token *lcc_lex(struct lcc_ctx *ctx, struct lcc_file *file,
				 const struct lcc_loc *force_loc)
{
	struct lcc_lexer lx = { ctx, file, file->contents, file->contents + file->len,
				file->contents, 1 };
	struct lcc_token head = { 0 }, *cur = &head;
	bool at_bol = true, has_space = false;

	while (lx.p < lx.end) {
		const char *p = lx.p;
		struct lcc_token *tok;
		enum lcc_tokkind kind;
		int n;

		if (*p == '\n') {
			lx.p++;
			lx.line++;
			lx.line_start = lx.p;
			at_bol = true;
			has_space = false;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v') {
			lx.p++;
			has_space = true;
			continue;
		}
		if (p[0] == '/' && p + 1 < lx.end && p[1] == '/') {
			while (lx.p < lx.end && *lx.p != '\n')
				lx.p++;
			has_space = true;
			continue;
		}
		if (p[0] == '/' && p + 1 < lx.end && p[1] == '*') {
			const char *q = p + 2;

			while (q + 1 < lx.end && !(q[0] == '*' && q[1] == '/'))
				q++;
			if (q + 1 >= lx.end)
				lcc_lex_error(&lx, p, "unterminated comment%s", "");
			for (const char *r = p; r < q; r++) {
				if (*r == '\n') {
					lx.line++;
					lx.line_start = r + 1;
				}
			}
			lx.p = q + 2;
			has_space = true;
			continue;
		}
		if (lcc_is_digit(*p) || (*p == '.' && p + 1 < lx.end && lcc_is_digit(p[1]))) {
			const char *q = p + 1;

			for (;;) {
				if (q + 1 < lx.end && strchr("eEpP", *q) && *q &&
				    (q[1] == '+' || q[1] == '-'))
					q += 2;
				else if (q < lx.end && (lcc_is_ident2(*q) || *q == '.'))
					q++;
				else
					break;
			}
			kind = TK_PPNUM;
			n = (int)(q - p);
		} else if (lcc_is_ident1(*p)) {
			const char *q = p + 1;

			while (q < lx.end && lcc_is_ident2(*q))
				q++;
			kind = TK_IDENT;
			n = (int)(q - p);
		} else if (*p == '"') {
			const char *q = p + 1;

			while (q < lx.end && *q != '"' && *q != '\n') {
				if (*q == '\\' && q + 1 < lx.end && q[1] != '\n')
					q++;
				q++;
			}
			if (q >= lx.end || *q != '"')
				lcc_lex_error(&lx, p, "unterminated string literal%s", "");
			kind = TK_STR;
			n = (int)(q + 1 - p);
		} else if (*p == '\'') {
			lcc_lex_error(&lx, p, "character constants are not supported%s", "");
		} else if ((n = lcc_punct_len(p, lx.end)) > 0) {
			kind = TK_PUNCT;
		} else {
			char buf[16];
			unsigned char c = (unsigned char)*p;

			if (c >= 0x21 && c < 0x7f)
				snprintf(buf, sizeof(buf), "'%c'", c);
			else
				snprintf(buf, sizeof(buf), "'\\x%02x'", c);
			lcc_lex_error(&lx, p, "invalid character %s in program", buf);
		}
		tok = lcc_alloc(ctx, sizeof(*tok));
		tok->kind = kind;
		tok->str = p;
		tok->len = n;
		tok->loc = force_loc ? *force_loc : lcc_lex_loc(&lx, p);
		tok->at_bol = at_bol;
		tok->has_space = has_space;
		cur = cur->next = tok;
		at_bol = has_space = false;
		lx.p = p + n;
	}
	cur = cur->next = lcc_alloc(ctx, sizeof(*cur));
	cur->kind = TK_EOF;
	cur->str = lx.end;
	cur->loc = force_loc ? *force_loc : lcc_lex_loc(&lx, lx.p);
	cur->at_bol = true;
	return head.next;
}

struct lcc_token *lcc_lex_file(struct lcc_ctx *ctx, struct lcc_file *file)
{
	return lcc_lex(ctx, file, NULL);
}

struct lcc_token *lcc_lex_string(struct lcc_ctx *ctx, const char *s, int len,
				 const struct lcc_loc *loc)
{
	struct lcc_file *f = lcc_file_new(ctx, loc && loc->file ? loc->file->name : "<command line>",
					  s, (size_t)len, 0);
	struct lcc_token *tok = lcc_lex(ctx, f, loc && loc->file ? loc : NULL);

	for (struct lcc_token *t = tok; t; t = t->next)
		t->at_bol = false;
	return tok;
}

static bool lcc_num_is_float(const char *s, int len)
{
	bool hex = len > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

	for (int i = 0; i < len; i++) {
		if (s[i] == '.')
			return true;
		if (!hex && (s[i] == 'e' || s[i] == 'E'))
			return true;
		if (hex && (s[i] == 'p' || s[i] == 'P'))
			return true;
	}
	return false;
}

static void lcc_convert_float(struct lcc_ctx *ctx, struct lcc_token *tok, const char *s)
{
	char *end;
	float v;

	errno = 0;
	v = strtof(s, &end);
	if (end == s || (*end && strcmp(end, "f") && strcmp(end, "F")))
		lcc_error_at(ctx, &tok->loc, "invalid floating constant '%s'", s);
	if (errno == ERANGE && isinf(v))
		lcc_error_at(ctx, &tok->loc, "floating constant '%s' is out of range for 'float'", s);
	tok->kind = TK_NUM;
	tok->numkind = NUM_FLOAT;
	tok->fval = v;
}

void lcc_lex_convert_number(struct lcc_ctx *ctx, struct lcc_token *tok)
{
	char *s = lcc_strndup(ctx, tok->str, (size_t)tok->len);
	const char *p = s;
	uint64_t v = 0;
	int base = 10, digits = 0;
	bool is_unsigned = false;

	if (lcc_num_is_float(s, tok->len)) {
		lcc_convert_float(ctx, tok, s);
		return;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	for (;; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (d >= base)
			lcc_error_at(ctx, &tok->loc, "invalid digit '%c' in octal constant", *p);
		v = v * base + d;
		if (v > UINT32_MAX)
			lcc_error_at(ctx, &tok->loc, "integer constant '%s' is too large", s);
		digits++;
	}
	if (!digits && base == 16)
		lcc_error_at(ctx, &tok->loc, "invalid integer constant '%s'", s);
	if (*p == 'u' || *p == 'U') {
		is_unsigned = true;
		p++;
	}
	if (*p == 'l' || *p == 'L')
		lcc_error_at(ctx, &tok->loc,
			     "integer suffix '%s' is not supported (there is no long; int is 32 bits)", p);
	if (*p)
		lcc_error_at(ctx, &tok->loc, "invalid integer constant '%s'", s);
	if (!is_unsigned && v > INT32_MAX) {
		if (base == 10)
			lcc_error_at(ctx, &tok->loc,
				     "integer constant '%s' is too large for 'int' (use the 'u' suffix)", s);
		is_unsigned = true;
	}
	tok->kind = TK_NUM;
	tok->numkind = is_unsigned ? NUM_UINT : NUM_INT;
	tok->ival = (int64_t)v;
}
