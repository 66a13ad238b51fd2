/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen_int.h: what the parts of loomcc's code generation share.
 *
 * Code generation runs in passes over a machine-level form of the kernel:
 * instruction selection (loomcc_codegen_isel*.c) turns the IR into
 * machine instructions (struct cg_mi: one TPC instruction each, whose
 * register operands are still virtual registers) in machine blocks that
 * start as the IR's blocks; loop transformation (loomcc_codegen_loop.c)
 * turns counted loops into `loop` instructions and unrolls them as
 * #pragma unroll asks; register allocation (loomcc_ra.c) computes
 * liveness, removes dead instructions, assigns physical registers by
 * linear scan and spills scalar and vector registers to local memory
 * when a class runs out; the frame (loomcc_codegen_frame.c) lays out
 * __local__ arrays and spill slots in scalar and vector local memory;
 * loomcc_codegen.c encodes the words, resolves branches and fills the
 * kernel object. Library code: nothing prints.
 */
#ifndef LOOMCC_CODEGEN_INT_H
#define LOOMCC_CODEGEN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "loomcc_codegen.h"

/* Register classes. */
enum cg_class { CG_NONE, CG_S, CG_V, CG_I, CG_P, CG_VP, CG_NCLASS };

/*
 * One TPC instruction. Fields that the opcode's form (hw/loom_tpc.h) says
 * hold registers name virtual registers until allocation, physical ones
 * after; the other fields hold their raw values (tensor, dimension, mask).
 * g is the guard predicate (a virtual register, -1: always); cg the
 * selector predicate of sel/vsel lives in c with cneg its negation.
 */
struct cg_mi {
	uint8_t op, type, bk;
	bool pn;		/* guard negated */
	bool cneg;		/* selector predicate negated */
	bool fulldef;		/* d counts as fully written (first half of a pack) */
	int d, a, b, c;
	int g;			/* guard, -1 for p0/vp0 */
	uint64_t hi;		/* bits 32..63 that are not register c: imm, conversion */
	int target;		/* branches: machine block, else -1 */
};

struct cg_block {
	struct cg_mi *mi;
	int n, cap;
	int succ[2], nsucc;	/* from the branches at its end */
	int loop_depth;
	/* liveness (loomcc_ra.c) */
	uint64_t *live_in, *live_out;
	int start, end;		/* positions of its first and last instruction */
};

struct cg_vreg {
	uint8_t cls;		/* enum cg_class */
	bool nospill;		/* a `loop` counter */
	bool fixed;		/* stands for physical register phys (p0, vp0, s31) */
	bool spilled;
	int phys;		/* physical register, -1 none */
	int slot;		/* spilled: byte address in SLM or VLM */
	int start, end;		/* live interval (positions), start > end: never live */
	int hint;		/* a virtual register whose register to prefer, -1 */
	double weight;		/* uses and defs weighted by loop depth */
};

/* Per IR register: how instruction selection may fold it. */
struct cg_irinfo {
	int ndefs;				/* definitions in live blocks */
	int nuses;				/* operand uses in live blocks */
	const struct lcc_irinsn *def;		/* the definition when ndefs == 1 */
};

struct cg {
	const struct lcc_ir_func *fn;
	struct loom_obj *o;
	char **diag;
	int err;

	struct cg_block *blocks;
	int nblocks, bcap;
	int *layout;		/* machine blocks in code order */
	int nlayout, lcap;
	int *irblock;		/* IR block index -> machine block */

	struct cg_vreg *vr;
	int nvr, vrcap;
	struct cg_irinfo *ir;	/* per IR register */
	const struct lcc_irblock *cur_bb;	/* instruction selection: where it is */
	int cur_i;
	int p0, vp0, zero;	/* fixed registers (cg_vreg_fixed), -1 until made */

	/* frame */
	uint32_t *local_off;	/* per __local__ array: byte address in SLM or VLM */
	uint32_t slm_size, vlm_size;
	bool zero_reg;		/* s31 holds 0 (local memory addressing, spills) */

	/* tensor arguments */
	uint32_t tdtype[LOOM_TPC_MAX_TENSORS], tflags[LOOM_TPC_MAX_TENSORS];
	bool tdtype_set[LOOM_TPC_MAX_TENSORS];
};

#define CG_ZERO_SREG	31	/* holds 0 when cg->zero_reg */

/* loomcc_codegen.c */
int cg_fail(struct cg *cg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cg_unsupported(struct cg *cg, const char *what);
int cg_block_new(struct cg *cg);
struct cg_mi *cg_mi_add(struct cg *cg, int block);
struct cg_mi *cg_mi_insert(struct cg *cg, int block, int at);
int cg_vreg_new(struct cg *cg, enum cg_class cls);
int cg_vreg_fixed(struct cg *cg, enum cg_class cls, int phys);
enum cg_class cg_class_of(enum lcc_irtype t);

/* Operands of an instruction, as pointers into it (loomcc_codegen_mi.c). */
#define CG_OP_USE	1
#define CG_OP_DEF	2
struct cg_operands {
	int n;
	int *reg[6];
	uint8_t cls[6];
	uint8_t how[6];		/* CG_OP_USE | CG_OP_DEF */
};
void cg_mi_operands(struct cg_mi *mi, struct cg_operands *ops);
bool cg_mi_has_effect(const struct cg_mi *mi);
bool cg_mi_is_branch(const struct cg_mi *mi);
bool cg_mi_is_copy(const struct cg_mi *mi);
bool cg_mi_is_self_copy(const struct cg_mi *mi);
int cg_mi_copy_src(const struct cg_mi *mi);
void cg_block_succ(struct cg *cg, int b);
uint64_t cg_mi_encode(const struct cg_mi *mi);

/* loomcc_codegen_isel.c, loomcc_codegen_isel_ops.c */
int cg_isel(struct cg *cg);
int cg_isel_insn(struct cg *cg, int mb, const struct lcc_irinsn *in);
int cg_isel_arith(struct cg *cg, int mb, const struct lcc_irinsn *in);
struct cg_mi *cg_emit(struct cg *cg, int mb, unsigned op, unsigned type);
int cg_ir_type(struct cg *cg, int vreg);
bool cg_ir_const(struct cg *cg, int vreg, uint32_t *bits);

/* loomcc_codegen_loop.c */
int cg_loops(struct cg *cg);

/* loomcc_ra.c */
int cg_regalloc(struct cg *cg);

/* loomcc_codegen_frame.c */
int cg_frame_locals(struct cg *cg);
int cg_frame_spill_slot(struct cg *cg, enum cg_class cls, int *addr);

#endif /* LOOMCC_CODEGEN_INT_H */
