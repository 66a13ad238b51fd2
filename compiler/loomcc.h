/* SPDX-License-Identifier: MIT */
/*
 * loomcc.h: the interface between the phases of loomcc's front end.
 *
 * A compilation runs in one context (struct lcc_ctx): every object of the
 * compilation (file contents, tokens, AST, types, IR) lives in the
 * context's arena and is freed with it, and the first error formats a
 * diagnostic ("file:line:col: error: message", the source line, a caret)
 * and unwinds to lcc_compile_*() with longjmp. Nothing here prints or
 * exits: the diagnostic text goes to the caller.
 *
 * The phases, one file each, in order:
 *   loomcc_lex.c    source text -> tokens with file:line:col
 *   loomcc_pp.c     tokens -> preprocessed tokens (#define, #if, #include),
 *                   with loomcc_pp_expr.c (#if expressions)
 *   loomcc_parse.c  tokens -> AST (syntax only: the language has no typedef)
 *   loomcc_type.c   types and the intrinsic table
 *   loomcc_sema*.c  names, types, every rule of docs/kernel-language.md
 *                   (expressions, statements, intrinsics, file scope)
 *   loomcc_lower.c  typed AST -> IR (helpers inlined), see loomcc_ir.h
 *   loomcc_ir.c     IR construction, printer and verifier
 *   loomcc_opt.c    constant folding, branch folding, dead code elimination
 * with loomcc_ctx.c (context, arena, the pipeline) and loomcc_diag.c
 * (diagnostics). The language itself is specified in
 * docs/kernel-language.md.
 */
#ifndef LOOMCC_H
#define LOOMCC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Limits. Each one turns an adversarial input into a diagnostic quickly
 * instead of a stack overflow, a hang or an exhausted machine.
 */
#define LCC_MAX_FILE_SIZE	(4u << 20)	/* bytes per source file */
#define LCC_MAX_INCLUDE_DEPTH	16		/* nested #include */
#define LCC_MAX_INCLUDES	256		/* #include per compilation */
#define LCC_MAX_MACRO_DEPTH	64		/* nested macro expansion */
#define LCC_MAX_PP_TOKENS	(1u << 20)	/* tokens made by expansion */
#define LCC_MAX_NEST		128		/* statement/expression nesting */
#define LCC_MAX_LOWER_DEPTH	1024		/* nesting summed over inlined calls */
#define LCC_MAX_INLINE_DEPTH	32		/* helper call chain */
#define LCC_MAX_IR_INSNS	(1u << 19)	/* IR size after inlining */
#define LCC_MAX_MEMORY		(256u << 20)	/* arena bytes */
#define LCC_MAX_TENSORS		16		/* tensor parameters of main */
#define LCC_MAX_SCALAR_ARGS	16		/* scalar parameters of main */
#define LCC_MAX_PARAMS		32		/* parameters of a helper */
#define LCC_LOCAL_SCALAR_MEM	(64u << 10)	/* bytes of scalar __local__ arrays */
#define LCC_LOCAL_VECTOR_MEM	(128u << 10)	/* bytes of vector __local__ arrays */
#define LCC_MAX_UNROLL		1024		/* #pragma unroll N */

struct lcc_ctx;
struct lcc_ir_func;

/* ---- Context, arena, diagnostics (loomcc_ctx.c, loomcc_diag.c) ---- */

/*
 * How the preprocessor reads an #include'd file. Returns 0 and the
 * contents (allocated with lcc_alloc, need not be NUL-terminated) or a
 * negative errno. The default reads the file system.
 */
typedef int (*lcc_read_fn)(struct lcc_ctx *ctx, void *arg, const char *path,
			   char **data, size_t *len);

struct lcc_options {
	const char *const *include_dirs;	/* -I, searched in order */
	int n_include_dirs;
	const char *const *defines;		/* -D: "NAME" or "NAME=VALUE" */
	int n_defines;
	bool no_opt;				/* -O0: skip loomcc_opt.c */
	lcc_read_fn read_file;			/* NULL: the file system */
	void *read_arg;
};

struct lcc_file {
	const char *name;	/* as given or as found for #include */
	const char *contents;	/* NUL-terminated, continuations removed */
	size_t len;
	int depth;		/* 0 for the main file */
};

struct lcc_loc {
	struct lcc_file *file;
	int line;		/* 1-based */
	int col;		/* 1-based, in bytes */
};

struct lcc_ctx *lcc_ctx_create(const struct lcc_options *opts);
void lcc_ctx_destroy(struct lcc_ctx *ctx);
/*
 * Compile a file or a buffer to IR. Returns 0 and the kernel's IR (valid
 * until lcc_ctx_destroy), or -EINVAL with a diagnostic (lcc_ctx_diag),
 * -ENOENT/-EIO... when the main file cannot be read (no diagnostic),
 * -ENOMEM, or -EFAULT when the IR verifier rejects the front end's own
 * output (an internal error; the diagnostic says what). A context
 * compiles once.
 */
int lcc_compile_file(struct lcc_ctx *ctx, const char *path, struct lcc_ir_func **out);
int lcc_compile_buffer(struct lcc_ctx *ctx, const char *name, const char *buf,
		       size_t len, struct lcc_ir_func **out);
/* The full text of the error (possibly several lines), or NULL. */
const char *lcc_ctx_diag(const struct lcc_ctx *ctx);

void *lcc_alloc(struct lcc_ctx *ctx, size_t size);	/* zeroed, never NULL */
char *lcc_strndup(struct lcc_ctx *ctx, const char *s, size_t n);
char *lcc_format(struct lcc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Grow an arena array of elem-sized items to hold at least need items. */
void *lcc_grow(struct lcc_ctx *ctx, void *arr, int *cap, int need, size_t elem);
const struct lcc_options *lcc_ctx_options(const struct lcc_ctx *ctx);
/* lcc_alloc that returns NULL instead of unwinding (for code holding a FILE). */
void *lcc_alloc_try(struct lcc_ctx *ctx, size_t size);
/* Read a file through the options' hook or the file system; -errno on failure. */
int lcc_read_file(struct lcc_ctx *ctx, const char *path, char **data, size_t *len);
/* Unwind to lcc_compile_* returning err, with the diagnostic text. */
_Noreturn void lcc_ctx_fail(struct lcc_ctx *ctx, int err, const char *text);
/* A diagnostic is being formatted: allocations may use a small reserve. */
void lcc_ctx_begin_error(struct lcc_ctx *ctx);

_Noreturn void lcc_error_at(struct lcc_ctx *ctx, const struct lcc_loc *loc,
			    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
_Noreturn void lcc_error(struct lcc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void lcc_internal_error(struct lcc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Used by lcc_error_at: the diagnostic text for loc. */
char *lcc_diag_format(struct lcc_ctx *ctx, const struct lcc_loc *loc,
		      const char *kind, const char *msg);

/* A small string-keyed hash map in the arena. */
struct lcc_map_entry {
	const char *key;
	int keylen;
	void *val;
};

struct lcc_map {
	struct lcc_map_entry *buckets;
	int cap;
	int used;
};

void *lcc_map_get(const struct lcc_map *map, const char *key, int keylen);
void lcc_map_put(struct lcc_ctx *ctx, struct lcc_map *map, const char *key,
		 int keylen, void *val);
void lcc_map_del(struct lcc_map *map, const char *key, int keylen);

/* ---- Tokens (loomcc_lex.c) ---- */

enum lcc_tokkind {
	TK_IDENT,
	TK_PUNCT,
	TK_KEYWORD,
	TK_PPNUM,		/* a preprocessing number, before lcc_pp */
	TK_NUM,			/* a converted number, after lcc_pp */
	TK_STR,			/* only for #include and #error */
	TK_PRAGMA_UNROLL,	/* #pragma unroll [N]: ival = N, 0 = full */
	TK_FILE_END,		/* end of an #include'd file (pp only) */
	TK_EOF,
};

enum lcc_numkind { NUM_INT, NUM_UINT, NUM_FLOAT };

struct lcc_hideset;

struct lcc_token {
	enum lcc_tokkind kind;
	struct lcc_token *next;
	const char *str;	/* spelling (not NUL-terminated) */
	int len;
	struct lcc_loc loc;	/* where a diagnostic points */
	bool at_bol;		/* first token of a line */
	bool has_space;		/* preceded by white space */
	struct lcc_hideset *hideset;
	enum lcc_numkind numkind;
	int64_t ival;
	float fval;
};

struct lcc_token *lcc_lex_file(struct lcc_ctx *ctx, struct lcc_file *file);
struct lcc_file *lcc_file_new(struct lcc_ctx *ctx, const char *name,
			      const char *data, size_t len, int depth);
/* Tokenize a string made by the preprocessor (## pasting, -D values). */
struct lcc_token *lcc_lex_string(struct lcc_ctx *ctx, const char *s, int len,
				 const struct lcc_loc *loc);
bool lcc_tok_is(const struct lcc_token *tok, const char *s);
bool lcc_is_keyword(const char *s, int len);
/* Convert a TK_PPNUM to TK_NUM; errors on a malformed constant. */
void lcc_lex_convert_number(struct lcc_ctx *ctx, struct lcc_token *tok);
struct lcc_token *lcc_token_copy(struct lcc_ctx *ctx, const struct lcc_token *tok);

/* ---- Preprocessor (loomcc_pp.c) ---- */

struct lcc_token *lcc_preprocess(struct lcc_ctx *ctx, struct lcc_token *tok);

/* ---- Types (loomcc_type.c) ---- */

enum lcc_tykind {
	TY_VOID,
	TY_BOOL,
	TY_INT,
	TY_UINT,
	TY_FLOAT,
	TY_FLOAT64,	/* 64 x fp32 */
	TY_INT64,	/* 64 x int32 (TPC-C naming: 64 lanes, not 64 bits) */
	TY_UINT64,	/* 64 x uint32 */
	TY_BFLOAT128,	/* 128 x bf16 */
	TY_BOOL64,	/* 64-lane predicate */
	TY_INT5,	/* 5 x int32 tensor coordinate */
	TY_TENSOR,	/* tensor handle, parameters of main only */
	TY_ARRAY,	/* __local__ array */
};

struct lcc_type {
	enum lcc_tykind kind;
	bool is_const;
	const struct lcc_type *base;	/* TY_ARRAY: element type */
	int len;			/* TY_ARRAY: element count */
};

const struct lcc_type *lcc_type_get(enum lcc_tykind kind, bool is_const);
const struct lcc_type *lcc_type_unqual(const struct lcc_type *ty);
const struct lcc_type *lcc_type_array(struct lcc_ctx *ctx, const struct lcc_type *base, int len);
const char *lcc_type_name(struct lcc_ctx *ctx, const struct lcc_type *ty);
bool lcc_type_is_scalar(const struct lcc_type *ty);	/* bool int unsigned float */
bool lcc_type_is_integer(const struct lcc_type *ty);	/* bool int unsigned */
bool lcc_type_is_vector(const struct lcc_type *ty);
bool lcc_type_is_int_vector(const struct lcc_type *ty);	/* int64 uint64 */
bool lcc_type_is_unsigned(const struct lcc_type *ty);	/* unsigned uint64 */
bool lcc_type_same(const struct lcc_type *a, const struct lcc_type *b);
/* The scalar type of a vector's lanes (float for bfloat128, bool for bool64). */
const struct lcc_type *lcc_type_elem(const struct lcc_type *ty);
/* Bytes one element of a __local__ array of this type occupies. */
int lcc_type_size(const struct lcc_type *ty);

/* ---- AST (loomcc_parse.c) ---- */

enum lcc_nodekind {
	/* expressions */
	ND_NUM,		/* ty, ival or fval */
	ND_IDENT,	/* name (parser) -> ND_VAR (sema) */
	ND_VAR,		/* var */
	ND_CALL,	/* name(args) (parser) -> ND_FUNCALL or ND_INTRIN */
	ND_FUNCALL,	/* func(args), a helper */
	ND_INTRIN,	/* intrin(args) */
	ND_INDEX,	/* lhs[rhs] (parser) -> ND_ELEM or ND_COORD_ELEM */
	ND_ELEM,	/* var[rhs], a __local__ array element */
	ND_COORD_ELEM,	/* lhs[ival], an int5 lane */
	ND_CAST,	/* (ty)lhs, explicit or implicit */
	ND_POS,		/* unary + */
	ND_NEG,
	ND_LNOT,
	ND_BITNOT,
	ND_PREINC,
	ND_PREDEC,
	ND_POSTINC,
	ND_POSTDEC,
	ND_ADD,
	ND_SUB,
	ND_MUL,
	ND_DIV,
	ND_MOD,
	ND_SHL,
	ND_SHR,
	ND_BITAND,
	ND_BITOR,
	ND_BITXOR,
	ND_EQ,
	ND_NE,
	ND_LT,
	ND_LE,
	ND_GT,
	ND_GE,
	ND_LAND,
	ND_LOR,
	ND_ASSIGN,	/* lhs = rhs */
	ND_OPASSIGN,	/* lhs op= rhs, op in ->op; rhs already in lhs's op type */
	ND_COMMA,
	ND_COND,	/* cond ? then : els */
	ND_INITLIST,	/* { args } for int5 */
	/* statements */
	ND_BLOCK,	/* body: list */
	ND_DECL,	/* decl_ty name = init; -> var */
	ND_EXPR_STMT,	/* lhs */
	ND_IF,
	ND_WHILE,
	ND_DO,
	ND_FOR,		/* init (stmt) cond inc body */
	ND_BREAK,
	ND_CONTINUE,
	ND_RETURN,	/* lhs or NULL */
	ND_EMPTY,
	ND_FUNC,	/* top level: func */
};

struct lcc_obj;
struct lcc_func;

struct lcc_node {
	enum lcc_nodekind kind;
	struct lcc_loc loc;
	const struct lcc_type *ty;	/* expressions, after sema */
	struct lcc_node *next;		/* statement and argument lists */
	struct lcc_node *lhs, *rhs;
	struct lcc_node *cond, *then, *els, *init, *inc, *body;
	struct lcc_node *args;
	int nargs;
	const char *name;		/* ND_IDENT, ND_CALL, ND_DECL */
	int namelen;
	struct lcc_obj *var;
	struct lcc_func *func;
	int intrin;			/* enum lcc_intrin */
	enum lcc_nodekind op;		/* ND_OPASSIGN */
	const struct lcc_type *op_ty;	/* ND_OPASSIGN: type of lhs op rhs */
	int64_t ival;
	float fval;
	bool is_implicit;		/* ND_CAST inserted by sema */
	bool no_scope;			/* ND_BLOCK of one declaration's declarators */
	struct lcc_loc end_loc;		/* ND_BLOCK: the closing brace */
	/* ND_DECL */
	const struct lcc_type *decl_ty;	/* arrays: base type, see len_expr */
	struct lcc_node *len_expr;
	bool is_local_mem;		/* __local__ */
	/* loops */
	bool has_unroll;
	int unroll;			/* 0: full */
	int depth;			/* expression tree depth */
};

struct lcc_param {
	const char *name;
	int namelen;
	const struct lcc_type *ty;
	struct lcc_loc loc;
};

struct lcc_callsite {
	struct lcc_func *callee;
	struct lcc_loc loc;
	struct lcc_callsite *next;
};

struct lcc_func {
	const char *name;
	int namelen;
	struct lcc_loc loc;
	const struct lcc_type *ret;
	struct lcc_param *params;
	int nparams;
	struct lcc_node *body;		/* NULL: a prototype */
	struct lcc_loc end_loc;		/* the closing brace */
	bool is_static, is_inline;
	/* sema */
	struct lcc_func *canon;		/* the first declaration of the name */
	struct lcc_func *def;		/* on canon: the definition */
	struct lcc_obj **param_objs;	/* on the definition */
	struct lcc_callsite *calls;	/* on the definition */
	int mark;			/* recursion check */
	int height;			/* longest helper call chain from here */
};

struct lcc_program {
	struct lcc_node *items;		/* ND_FUNC and file-scope ND_DECL */
	struct lcc_loc eof_loc;
	/* sema */
	struct lcc_func *main;
	struct lcc_obj **tensors;
	int ntensors;
	struct lcc_obj **scalars;
	int nscalars;
	struct lcc_obj **locals;	/* __local__ arrays */
	int nlocals;
};

struct lcc_program *lcc_parse(struct lcc_ctx *ctx, struct lcc_token *tok);

/* ---- Semantic analysis (loomcc_sema.c) ---- */

enum lcc_objkind {
	OBJ_VAR,	/* a local variable or helper parameter */
	OBJ_SCALAR_ARG,	/* a scalar parameter of main */
	OBJ_TENSOR,	/* a tensor parameter of main */
	OBJ_LOCAL_MEM,	/* a __local__ array */
};

struct lcc_obj {
	enum lcc_objkind kind;
	const char *name;
	const struct lcc_type *ty;
	struct lcc_loc loc;
	int index;	/* tensor, scalar argument or __local__ array number */
	int vreg;	/* lowering: the current instance's register */
};

/* Intrinsics: the table is in loomcc_type.c, the checks in loomcc_sema.c. */
enum lcc_intrin {
	IN_INDEX_OFFSET,	/* get_index_space_offset() */
	IN_INDEX_SIZE,		/* get_index_space_size() */
	IN_DIM_SIZE,		/* get_dim_size(t, d) */
	IN_LD_F32, IN_LD_I32, IN_LD_U32, IN_LD_BF16,
	IN_ST_F32, IN_ST_I32, IN_ST_U32, IN_ST_BF16,
	IN_SLD_F32, IN_SLD_I32, IN_SLD_U32,	/* one element */
	IN_SST_F32, IN_SST_I32, IN_SST_U32,
	IN_EXP, IN_LOG, IN_RSQRT, IN_RCP, IN_SQRT, IN_TANH, IN_SIGMOID,
	IN_ABS, IN_MAX, IN_MIN, IN_FMA, IN_SEL,
	IN_REDUCE_ADD, IN_REDUCE_MAX, IN_REDUCE_MIN,
	IN_LANE_ID,
	IN_F32_TO_BF16, IN_BF16_TO_F32_LO, IN_BF16_TO_F32_HI,
	IN_COUNT,
};

enum lcc_intrin_class {
	ICL_INDEX,	/* () -> int5 */
	ICL_DIM,	/* (tensor, const int) -> int */
	ICL_LOAD,	/* (int5, tensor) -> vec (a vector or a scalar) */
	ICL_STORE,	/* (int5, tensor, vec) -> void */
	ICL_UNARY_F,	/* (float64) -> float64 */
	ICL_ABS,	/* (V) -> V, V float64 int64 bfloat128 */
	ICL_MINMAX,	/* (V, V) -> V, V float64 int64 uint64 bfloat128 */
	ICL_FMA,	/* (V, V, V) -> V, V float64 bfloat128 */
	ICL_SEL,	/* (bool64, V, V) -> V, V float64 int64 uint64 bool64 */
	ICL_REDUCE,	/* (V) -> scalar, V float64 int64 uint64 */
	ICL_LANE_ID,	/* () -> int64 */
	ICL_PACK,	/* (float64, float64) -> bfloat128 */
	ICL_UNPACK,	/* (bfloat128) -> float64 */
};

struct lcc_intrin_desc {
	const char *name;
	enum lcc_intrin_class cls;
	int nargs;
	enum lcc_tykind vec;	/* ICL_LOAD/ICL_STORE: the value's type */
};

const struct lcc_intrin_desc *lcc_intrin_desc(int id);
int lcc_intrin_lookup(const char *name, int len);	/* -1 if none */

void lcc_sema(struct lcc_ctx *ctx, struct lcc_program *prog);

/* ---- Lowering, IR, optimisation: see loomcc_ir.h ---- */

#endif /* LOOMCC_H */
