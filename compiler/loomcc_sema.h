/* SPDX-License-Identifier: MIT */
/*
 * loomcc_sema.h: state shared by the four files of semantic analysis:
 * loomcc_sema.c (expressions), loomcc_sema_stmt.c (statements),
 * loomcc_sema_intrin.c (intrinsic calls) and loomcc_sema_top.c (file
 * scope, main, recursion).
 */
#ifndef LOOMCC_SEMA_H
#define LOOMCC_SEMA_H

#include "loomcc.h"

struct lcc_scope_var {
	struct lcc_scope_var *next;	/* declared before this one */
	struct lcc_scope_var *shadowed;	/* the same name in an outer scope */
	const char *name;
	int len;
	struct lcc_obj *obj;
	int depth;
};

/* A file-scope name: a function (its first declaration) or a __local__ array. */
struct lcc_gsym {
	struct lcc_func *func;
	struct lcc_obj *obj;
};

struct lcc_sema {
	struct lcc_ctx *ctx;
	struct lcc_program *prog;
	struct lcc_map globals;		/* name -> struct lcc_gsym */
	struct lcc_scope_var *vars;	/* innermost first */
	struct lcc_map names;		/* name -> its innermost lcc_scope_var */
	int scope_depth;
	struct lcc_func *fn;		/* the definition being checked */
	int loop_depth;
	int scalar_bytes;		/* scalar __local__ memory used so far */
	int vector_bytes;		/* vector __local__ memory used so far */
};

const char *sema_tyname(struct lcc_sema *s, const struct lcc_type *ty);
struct lcc_node *sema_cast(struct lcc_sema *s, struct lcc_node *n, const struct lcc_type *ty);
const struct lcc_type *sema_usual(const struct lcc_type *a, const struct lcc_type *b);
const struct lcc_type *sema_vector_of(const struct lcc_type *scalar);
struct lcc_node *sema_convert(struct lcc_sema *s, struct lcc_node *n, const struct lcc_type *to,
			      const char *what);
bool sema_const_int(const struct lcc_node *n, int64_t *out);
struct lcc_obj *sema_lookup_obj(struct lcc_sema *s, const char *name, int len);
struct lcc_node *sema_check_expr(struct lcc_sema *s, struct lcc_node *n);
const struct lcc_type *sema_select_type(struct lcc_sema *s, const struct lcc_loc *loc,
					struct lcc_node **ap, struct lcc_node **bp, bool lanes);
struct lcc_node *sema_check_intrin(struct lcc_sema *s, struct lcc_node *n, int id);
void sema_scope_push(struct lcc_sema *s);
void sema_scope_pop(struct lcc_sema *s);
struct lcc_obj *sema_declare(struct lcc_sema *s, const char *name, int len,
			     const struct lcc_type *ty, const struct lcc_loc *loc,
			     enum lcc_objkind kind);
void sema_check_stmt(struct lcc_sema *s, struct lcc_node *n);
bool sema_stmt_returns(const struct lcc_node *n);

#endif /* LOOMCC_SEMA_H */
