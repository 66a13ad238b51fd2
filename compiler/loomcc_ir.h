/* SPDX-License-Identifier: MIT */
/*
 * loomcc_ir.h: loomcc's target-independent IR, the contract between the
 * front end and code generation (docs/kernel-language.md, "The IR").
 *
 * One function per kernel: helpers are inlined by lowering. Code is
 * three-address instructions over typed virtual registers (%N) in basic
 * blocks; a register may be assigned more than once (a source variable is
 * one register), so the IR is not SSA. Every register is defined on every
 * path before it is used, which the verifier checks. Each block ends in
 * exactly one terminator (br, cbr, ret). Tensors ($N) and __local__
 * arrays (@N) are operands named by number, never registers. Loops carry
 * structured hints (header, latch, exit, #pragma unroll).
 */
#ifndef LOOMCC_IR_H
#define LOOMCC_IR_H

#include "loomcc.h"

enum lcc_irtype {
	IRT_VOID,
	IRT_I32,
	IRT_F32,
	IRT_BOOL,
	IRT_V64F32,
	IRT_V64I32,
	IRT_V128BF16,
	IRT_V64BOOL,
	IRT_COORD5,
	IRT_COUNT,
};

/*
 * Operations. The result type is the destination register's type; the
 * operand types are their registers' types. Signedness is in the
 * operation (div/udiv, lt/ult, shr/ushr, ...), as in LLVM.
 */
enum lcc_irop {
	IR_CONST,	/* dst = imm (i32, bool) or fimm (f32) */
	IR_MOV,		/* dst = a, same type */
	IR_ADD, IR_SUB, IR_MUL,
	IR_DIV,		/* float, or signed integer (scalar only) */
	IR_UDIV,	/* unsigned integer (scalar only) */
	IR_REM, IR_UREM,	/* integer (scalar only) */
	IR_NEG,
	IR_AND, IR_OR, IR_XOR,	/* integers and predicates */
	IR_NOT,			/* bitwise not; logical not on bool/v64bool */
	IR_SHL, IR_SHR, IR_USHR,	/* count taken modulo 32 */
	IR_EQ, IR_NE, IR_LT, IR_LE, IR_GT, IR_GE,	/* signed or float */
	IR_ULT, IR_ULE, IR_UGT, IR_UGE,
	IR_SEL,		/* dst = c ? a : b; c bool (any type) or v64bool (lanes) */
	IR_SITOFP, IR_UITOFP, IR_FPTOSI, IR_FPTOUI,	/* lane-wise too */
	IR_ZEXT,	/* bool -> i32 (0/1) */
	IR_BCAST,	/* scalar -> vector of the same lane type */
	IR_PACK_BF16,	/* (v64f32 lo, v64f32 hi) -> v128bf16, RNE */
	IR_UNPACK_LO, IR_UNPACK_HI,	/* v128bf16 -> v64f32, lanes 0-63, 64-127 */
	IR_EXP, IR_LOG, IR_RSQRT, IR_RCP, IR_SQRT, IR_TANH, IR_SIGMOID,
	IR_ABS, IR_MAX, IR_MIN, IR_UMAX, IR_UMIN,
	IR_FMA,		/* dst = a * b + c */
	IR_RADD, IR_RMAX, IR_RMIN, IR_RUMAX, IR_RUMIN,	/* vector -> scalar */
	IR_LANE_ID,	/* v64i32 {0, 1, ..., 63} */
	IR_COORD_MAKE,	/* coord5 from 5 i32 (src[0..4]) */
	IR_COORD_GET,	/* i32 = lane imm of a */
	IR_COORD_SET,	/* coord5 = a with lane imm replaced by b */
	IR_INDEX_OFFSET, IR_INDEX_SIZE,	/* coord5 */
	IR_DIM_SIZE,	/* i32 = size of tensor $tensor in dimension imm */
	IR_LD_TNSR,	/* vector (or one f32/i32 element) = tensor $tensor at coord a */
	IR_ST_TNSR,	/* tensor $tensor at coord a = vector (or element) b */
	IR_LD_LOCAL,	/* dst = @local[a] */
	IR_ST_LOCAL,	/* @local[a] = b */
	IR_BR,		/* goto target[0] */
	IR_CBR,		/* a (bool) ? target[0] : target[1] */
	IR_RET,
	IR_OP_COUNT,
};

#define LCC_IR_MAX_SRC	5

struct lcc_irblock;

struct lcc_irinsn {
	enum lcc_irop op;
	int dst;			/* register, -1 if none */
	int src[LCC_IR_MAX_SRC];	/* registers */
	int nsrc;
	int32_t imm;			/* IR_CONST (i32, bool), lane, dimension */
	float fimm;			/* IR_CONST (f32) */
	int tensor;			/* IR_DIM_SIZE, IR_LD_TNSR, IR_ST_TNSR */
	int local;			/* IR_LD_LOCAL, IR_ST_LOCAL */
	struct lcc_irblock *target[2];	/* IR_BR, IR_CBR */
	struct lcc_loc loc;		/* source of the instruction */
};

struct lcc_irblock {
	int id;			/* bN in the printed IR (renumbered by print) */
	struct lcc_irinsn *insns;
	int ninsns, cap;
	bool dead;		/* removed by lcc_opt */
	/* analysis scratch */
	int order;
	int npreds;
	bool seen;
};

struct lcc_irvreg {
	enum lcc_irtype type;
	const char *name;	/* source variable, or NULL for a temporary */
};

struct lcc_irloop {
	struct lcc_irblock *header;	/* the condition is evaluated here */
	struct lcc_irblock *latch;	/* continue goes here */
	struct lcc_irblock *exit;	/* break goes here; NULL: unreachable */
	int parent;			/* enclosing loop, -1 if none */
	int unroll;			/* -1 none, 0 full, N: by N */
	struct lcc_loc loc;
};

struct lcc_irparam {
	const char *name;
	enum lcc_irtype type;	/* IRT_VOID for tensors */
	int vreg;		/* scalar arguments: the register they arrive in */
	enum lcc_irtype elem;	/* __local__ arrays: element type */
	int len;		/* __local__ arrays: element count */
	bool is_unsigned;	/* scalar arguments: declared unsigned */
};

struct lcc_ir_func {
	const char *name;
	const char *file;
	struct lcc_irparam *tensors;
	int ntensors;
	struct lcc_irparam *scalars;
	int nscalars;
	struct lcc_irparam *locals;
	int nlocals;
	struct lcc_irvreg *vregs;
	int nvregs, vcap;
	struct lcc_irblock **blocks;	/* blocks[0] is the entry */
	int nblocks, bcap;
	struct lcc_irloop *loops;
	int nloops, lcap;
	int ninsns;			/* total, for LCC_MAX_IR_INSNS */
};

/* loomcc_ir.c */
const char *lcc_irtype_name(enum lcc_irtype t);
const char *lcc_irop_name(enum lcc_irop op);
bool lcc_irop_is_terminator(enum lcc_irop op);
bool lcc_irop_has_side_effect(enum lcc_irop op);
bool lcc_irtype_is_vector(enum lcc_irtype t);
enum lcc_irtype lcc_irtype_lane(enum lcc_irtype t);	/* v64f32 -> f32 ... */
enum lcc_irtype lcc_irtype_of(const struct lcc_type *ty);
struct lcc_ir_func *lcc_ir_func_new(struct lcc_ctx *ctx, const char *name);
int lcc_ir_vreg_new(struct lcc_ctx *ctx, struct lcc_ir_func *fn, enum lcc_irtype t,
		    const char *name);
struct lcc_irblock *lcc_ir_block_new(struct lcc_ctx *ctx, struct lcc_ir_func *fn);
/* A block not yet in the layout (id -1); lcc_ir_block_place appends it. */
struct lcc_irblock *lcc_ir_block_detached(struct lcc_ctx *ctx);
void lcc_ir_block_place(struct lcc_ctx *ctx, struct lcc_ir_func *fn, struct lcc_irblock *bb);
struct lcc_irinsn *lcc_ir_emit(struct lcc_ctx *ctx, struct lcc_ir_func *fn,
			       struct lcc_irblock *bb, enum lcc_irop op);
bool lcc_ir_block_terminated(const struct lcc_irblock *bb);
int lcc_ir_successors(const struct lcc_irblock *bb, struct lcc_irblock *succ[2]);
/* Print in the stable text format. Returns 0 or -errno from the stream. */
int lcc_ir_print(const struct lcc_ir_func *fn, FILE *out);
/* Check the IR; on failure an internal error (lcc_internal_error). */
void lcc_ir_verify(struct lcc_ctx *ctx, struct lcc_ir_func *fn);

/* loomcc_lower.c */
struct lcc_ir_func *lcc_lower(struct lcc_ctx *ctx, struct lcc_program *prog);

/* loomcc_opt.c */
void lcc_opt(struct lcc_ctx *ctx, struct lcc_ir_func *fn);
/* Drop unreachable blocks and loops whose header went with them. */
void lcc_ir_remove_unreachable(struct lcc_ctx *ctx, struct lcc_ir_func *fn);

#endif /* LOOMCC_IR_H */
