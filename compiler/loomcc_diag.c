/* SPDX-License-Identifier: MIT */
/*
 * loomcc_diag.c: diagnostics.
 *
 * Every error of the front end is one diagnostic in chibicc's style:
 *
 *   kernel.c:3:9: error: undeclared identifier 'x'
 *       int y = x + 1;
 *               ^
 *
 * the location, the source line as written, and a caret under the column
 * (tabs in the line are copied so that the caret lines up). The first
 * error ends the compilation: the text is stored in the context and
 * lcc_compile_* returns -EINVAL. Errors without a location (limits of the
 * whole compilation) start with "loomcc: error:"; a failure of the IR
 * verifier is an internal error (-EFAULT).
 */
#include <errno.h>
#include <string.h>

#include "loomcc.h"

/* The text of line `line` of file (without its newline), and its length. */
static const char *lcc_diag_line(const struct lcc_file *file, int line, int *len)
{
	const char *p = file->contents;
	const char *end = file->contents + file->len;
	const char *q;

	for (int l = 1; l < line && p < end; p++)
		if (*p == '\n')
			l++;
	for (q = p; q < end && *q != '\n'; q++)
		;
	*len = (int)(q - p);
	return p;
}

char *lcc_diag_format(struct lcc_ctx *ctx, const struct lcc_loc *loc,
		      const char *kind, const char *msg)
{
	const char *line;
	char *caret, *out;
	int len, n;

	if (!loc || !loc->file)
		return lcc_format(ctx, "loomcc: %s: %s\n", kind, msg);
	line = lcc_diag_line(loc->file, loc->line, &len);
	n = loc->col > 0 ? loc->col - 1 : 0;
	caret = lcc_alloc(ctx, (size_t)n + 2);
	for (int i = 0; i < n; i++)
		caret[i] = (i < len && line[i] == '\t') ? '\t' : ' ';
	caret[n] = '^';
	out = lcc_format(ctx, "%s:%d:%d: %s: %s\n%.*s\n%s\n", loc->file->name,
			 loc->line, loc->col, kind, msg, len, line, caret);
	return out;
}

static char *lcc_diag_vformat(struct lcc_ctx *ctx, const char *fmt, va_list ap)
{
	char small[512];
	va_list aq;
	char *p;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(small))
		return lcc_strndup(ctx, small, (size_t)n);
	p = lcc_alloc(ctx, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

_Noreturn void lcc_error_at(struct lcc_ctx *ctx, const struct lcc_loc *loc,
			    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	lcc_ctx_begin_error(ctx);
	va_start(ap, fmt);
	msg = lcc_diag_vformat(ctx, fmt, ap);
	va_end(ap);
	lcc_ctx_fail(ctx, -EINVAL, lcc_diag_format(ctx, loc, "error", msg));
}

_Noreturn void lcc_error(struct lcc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	lcc_ctx_begin_error(ctx);
	va_start(ap, fmt);
	msg = lcc_diag_vformat(ctx, fmt, ap);
	va_end(ap);
	lcc_ctx_fail(ctx, -EINVAL, lcc_diag_format(ctx, NULL, "error", msg));
}

_Noreturn void lcc_internal_error(struct lcc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	lcc_ctx_begin_error(ctx);
	va_start(ap, fmt);
	msg = lcc_diag_vformat(ctx, fmt, ap);
	va_end(ap);
	lcc_ctx_fail(ctx, -EFAULT, lcc_diag_format(ctx, NULL, "internal error", msg));
}
