/* SPDX-License-Identifier: MIT */
/*
 * loomcc_pp.h: the preprocessor's state, shared by loomcc_pp.c (directives
 * and macro expansion) and loomcc_pp_expr.c (#if expressions).
 */
#ifndef LOOMCC_PP_H
#define LOOMCC_PP_H

#include "loomcc.h"

struct lcc_pp {
	struct lcc_ctx *ctx;
	struct lcc_map macros;
	struct lcc_map once;		/* files that said #pragma once */
	struct lcc_cond *cond;
	int nincludes;
	unsigned int ntokens;
	int depth;			/* nested preprocess2 (argument expansion) */
	int edepth;			/* #if expression nesting */
	struct lcc_loc expand_loc;	/* the macro invocation being expanded */
};

/* "#if", "#pragma unroll": the directive's name for messages. */
const char *pp_dname(struct lcc_pp *pp, const struct lcc_token *tok);
/*
 * Evaluate a macro-expanded #if (or #pragma unroll) expression ending with
 * TK_EOF, for directive dir; every token must be used.
 */
int64_t lcc_pp_eval(struct lcc_pp *pp, struct lcc_token *tok, const struct lcc_token *dir);

#endif /* LOOMCC_PP_H */
