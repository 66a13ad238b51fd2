// SPDX-License-Identifier: MIT
/*
 * TPC decoder: turns a kernel's 64-bit instruction words into micro-ops
 * once, so that the interpreter never looks at encodings, and picks each
 * micro-op's handler: specialised by opcode, type and operand kind for
 * unguarded instructions, the general one (tpc_exec_one) otherwise. A
 * last pass marks common sequences for the fused handlers; the micro-ops
 * inside a sequence stay as they are, for branches into the middle of it
 * and for the fused handler's fallback.
 *
 * Every word is checked with loom_tpc_insn_check() (hw/loom_tpc.h: type,
 * operand kinds and ranges, must-be-zero fields, conversion pairs, special
 * registers), the one check the assembler uses too. A word that fails becomes
 * TPC_U_ILLEGAL (faulting only if it runs, as on hardware); a branch out
 * of the code becomes TPC_U_BR_OUT / TPC_U_LOOP_OUT. The micro-op array
 * ends with an extra TPC_U_ILLEGAL, so running off the end faults too.
 */
#include <stdlib.h>

#include "loom_tpc_internal.h"

uint64_t tpc_code_hash(const uint64_t *words, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint32_t i = 0; i < n; i++) {
		h ^= words[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

/* The handler of micro-op u alone (after its scalar guard, if any). */
static uint8_t tpc_handler_pick(const struct tpc_uop *u)
{
	unsigned op = u->op >> 2, t = u->op & 3, kind;

	switch (u->op) {
	case TPC_U_ILLEGAL: return TPC_H_ILLEGAL;
	case TPC_U_BR_OUT: return TPC_H_BR_OUT;
	case TPC_U_LOOP_OUT: return TPC_H_LOOP_OUT;
	case TPC_U0(NOP): return TPC_H_NOP;
	case TPC_U0(HALT): return TPC_H_HALT;
	case TPC_U0(BR): return TPC_H_BR;
	case TPC_U0(LOOP): return TPC_H_LOOP;
	case TPC_U0(IADD): return u->bk == LOOM_TPC_BK_IMM ? TPC_H_IADD_I : TPC_H_GENERIC;
	default: break;
	}
	if (u->lguard || t == LOOM_TPC_DT_BF16)
		return TPC_H_GENERIC;
	kind = u->bk == LOOM_TPC_BK_REG ? 0 : u->bk == LOOM_TPC_BK_SREG ? 1 : 2;
	switch (op) {
	case LOOM_TPC_OP_LDT: return TPC_H_LDT;
	case LOOM_TPC_OP_STT: return TPC_H_STT;
	case LOOM_TPC_OP_VMOV: return (uint8_t)(TPC_H_VMOV_V + kind);
	default: break;
	}
	if (t == LOOM_TPC_DT_F32) {
		switch (op) {
		case LOOM_TPC_OP_VADD: return (uint8_t)(TPC_H_FADD_V + kind);
		case LOOM_TPC_OP_VSUB: return (uint8_t)(TPC_H_FSUB_V + kind);
		case LOOM_TPC_OP_VMUL: return (uint8_t)(TPC_H_FMUL_V + kind);
		case LOOM_TPC_OP_VDIV: return (uint8_t)(TPC_H_FDIV_V + kind);
		case LOOM_TPC_OP_VMIN: return (uint8_t)(TPC_H_FMIN_V + kind);
		case LOOM_TPC_OP_VMAX: return (uint8_t)(TPC_H_FMAX_V + kind);
		case LOOM_TPC_OP_VFMA: return kind ? TPC_H_FFMA_S : TPC_H_FFMA_V;
		case LOOM_TPC_OP_VNEG: return TPC_H_FNEG;
		case LOOM_TPC_OP_VABS: return TPC_H_FABS;
		case LOOM_TPC_OP_VEXP: return TPC_H_FEXP;
		case LOOM_TPC_OP_VLOG: return TPC_H_FLOG;
		case LOOM_TPC_OP_VRSQRT: return TPC_H_FRSQRT;
		case LOOM_TPC_OP_VRCP: return TPC_H_FRCP;
		case LOOM_TPC_OP_VSQRT: return TPC_H_FSQRT;
		case LOOM_TPC_OP_VTANH: return TPC_H_FTANH;
		case LOOM_TPC_OP_VSIGMOID: return TPC_H_FSIGMOID;
		case LOOM_TPC_OP_VREDSUM: return TPC_H_FREDSUM;
		case LOOM_TPC_OP_VREDMAX: return TPC_H_FREDMAX;
		case LOOM_TPC_OP_VREDMIN: return TPC_H_FREDMIN;
		default: return TPC_H_GENERIC;
		}
	}
	switch (op) {	/* i32 and u32: the same bits */
	case LOOM_TPC_OP_VADD: return (uint8_t)(TPC_H_UADD_V + kind);
	case LOOM_TPC_OP_VSUB: return (uint8_t)(TPC_H_USUB_V + kind);
	case LOOM_TPC_OP_VMUL: return (uint8_t)(TPC_H_UMUL_V + kind);
	case LOOM_TPC_OP_VAND: return (uint8_t)(TPC_H_UAND_V + kind);
	case LOOM_TPC_OP_VOR: return (uint8_t)(TPC_H_UOR_V + kind);
	case LOOM_TPC_OP_VXOR: return (uint8_t)(TPC_H_UXOR_V + kind);
	default: return TPC_H_GENERIC;
	}
}

static bool tpc_is_f32(const struct tpc_uop *u, uint8_t h)
{
	return u->h == h && (u->op & 3) == LOOM_TPC_DT_F32;
}

/*
 * Mark fused sequences: the first micro-op's h becomes the fused handler,
 * h1 keeps its own. Only unguarded instructions (h == h1) take part.
 */
static void tpc_prog_fuse(struct tpc_uop *u, uint32_t n)
{
	for (uint32_t pc = 0; pc + 1 < n; pc++) {
		if (pc + 3 < n && tpc_is_f32(&u[pc], TPC_H_LDT) && tpc_is_f32(&u[pc + 1], TPC_H_LDT) &&
		    (u[pc + 2].h == TPC_H_FFMA_V || u[pc + 2].h == TPC_H_FFMA_S) &&
		    tpc_is_f32(&u[pc + 3], TPC_H_STT)) {
			const struct tpc_uop *f = &u[pc + 2];

			/* axpy's exact shape streams from memory to memory. */
			u[pc].h = u[pc].d != u[pc + 1].d && f->h == TPC_H_FFMA_S &&
				  f->a == u[pc].d && f->c == u[pc + 1].d && u[pc + 3].d == f->d ?
				  TPC_H_X_AXPY : TPC_H_X_LLFS;
			u[pc].xax = u[pc].h == TPC_H_X_AXPY;
			pc += 3;
		} else if (u[pc].h == TPC_H_IADD_I && u[pc + 1].h == TPC_H_LOOP) {
			u[pc].h = TPC_H_X_IADD_LOOP;
			pc++;
		}
	}
}

/* Can micro-op b be in the body of a checked loop over index iC, counters sN, sI? */
static bool tpc_loop_body_ok(const struct tpc_uop *b, unsigned ic, unsigned sn, unsigned si)
{
	if (b->h == TPC_H_SGUARD || b->h1 == TPC_H_GENERIC)
		return false;
	if (b->h1 == TPC_H_LDT || b->h1 == TPC_H_STT)
		return b->a == ic;
	if (b->h1 < TPC_H_VMOV_V || b->h1 > TPC_H_FREDMIN)
		return false;
	return b->bk != LOOM_TPC_BK_SREG || (b->b != sn && b->b != si);
}

static bool tpc_loop_bodies_ok(const struct tpc_uop *u, uint32_t from, uint32_t to,
				unsigned ic, unsigned sn, unsigned si)
{
	if (from >= to || to - from > TPC_LOOP_MAX)
		return false;
	for (uint32_t pc = from; pc < to; pc++)
		if (!tpc_loop_body_ok(&u[pc], ic, sn, si))
			return false;
	return true;
}

/* iset iC.0, sI (unguarded)? */
static bool tpc_is_iset0(const struct tpc_uop *is, unsigned si)
{
	return is->op == TPC_U0(ISET) && !is->sguard && is->a == 1 &&
	       is->bk == LOOM_TPC_BK_SREG && is->b == si;
}

/* add.i32 sI, sI, imm (unguarded; st > 0 if positive)? */
static bool tpc_is_step(const struct tpc_uop *add, unsigned si, bool positive)
{
	return add->op == TPC_U(ADD, I32) && !add->sguard && add->d == si && add->a == si &&
	       add->bk == LOOM_TPC_BK_IMM && (!positive || (int32_t)add->imm > 0);
}

/* add, mul or shl (i32, u32) of a register and an immediate, unguarded? */
static bool tpc_is_affine(const struct tpc_uop *b)
{
	unsigned op = b->op >> 2, t = b->op & 3;

	return (op == LOOM_TPC_OP_ADD || op == LOOM_TPC_OP_MUL || op == LOOM_TPC_OP_SHL) &&
	       (t == LOOM_TPC_DT_I32 || t == LOOM_TPC_DT_U32) && b->bk == LOOM_TPC_BK_IMM &&
	       !b->sguard;
}

/* Do the axpy copies at u[pc[0..r-1]] use the same registers and tensors? */
static bool tpc_axpy_same(const struct tpc_uop *u, const uint32_t *pc, unsigned r)
{
	for (unsigned g = 1; g < r; g++)
		for (unsigned k = 0; k < 4; k++) {
			const struct tpc_uop *a = &u[pc[0] + k], *b = &u[pc[g] + k];

			if (a->op != b->op || a->d != b->d || a->a != b->a || a->b != b->b ||
			    a->c != b->c || a->bk != b->bk)
				return false;
		}
	return true;
}

/*
 * ISET: top .. lp - 1 holds the body's vector and tensor instructions, and
 * scalar ones affine in one induction register sI: add sI, sI, imm (the
 * step), add/mul/shl of an affine register by an immediate into a scratch
 * register, and iset iC.0 from an affine register, the first one before
 * any tensor access. That covers loomcc's counted loops, unrolled or not.
 * The body reads no register the loop writes, and not sN.
 */
static bool tpc_loop_iset(struct tpc_uop *u, uint32_t top, uint32_t lp)
{
	unsigned sn = u[lp].a, si = 32, ic = 32, body = 0, r = 0;
	uint32_t written = 0, aff, ax[TPC_LOOP_MAX];
	bool iset = false;

	if (lp - top > TPC_LOOP_MAX)
		return false;
	for (uint32_t pc = top; pc < lp; pc++) {
		const struct tpc_uop *b = &u[pc];

		if (tpc_is_affine(b)) {
			written |= 1U << b->d;
			if (b->d == b->a && (b->op >> 2) == LOOM_TPC_OP_ADD) {
				if (si != 32 && si != b->d)
					return false;
				si = b->d;
			}
		} else if (b->op == TPC_U0(ISET)) {
			if (ic != 32 && ic != b->d)
				return false;
			ic = b->d;
		}
	}
	if (si == 32 || ic == 32 || si == sn || (written & (1U << sn)))
		return false;
	aff = 1U << si;
	for (uint32_t pc = top; pc < lp; pc++) {
		const struct tpc_uop *b = &u[pc];

		if (tpc_is_affine(b)) {
			if (!(aff & (1U << b->a)) || (b->d == si && b->a != si))
				return false;
			aff |= 1U << b->d;
		} else if (b->op == TPC_U0(ISET)) {
			if (b->sguard || b->a != 1 || b->bk != LOOM_TPC_BK_SREG ||
			    !(aff & (1U << b->b)))
				return false;
			iset = true;
		} else {
			if (!tpc_loop_body_ok(b, ic, sn, si) ||
			    (b->bk == LOOM_TPC_BK_SREG && (written & (1U << b->b))) ||
			    ((b->h1 == TPC_H_LDT || b->h1 == TPC_H_STT) && !iset))
				return false;
			if (b->xax && pc + 3 < lp)
				ax[r++] = pc;
			body++;
		}
	}
	if (!body)
		return false;
	u[top].xic = (uint8_t)ic;
	u[top].xsi = (uint8_t)si;
	u[top].xaxpy = (uint8_t)(body == 4 * r && tpc_axpy_same(u, ax, r) ? r : 0);
	return true;
}

/* top: cmplt.i32 pK, sI, b; @!pK br out; iset iC.0, sI; body; add.i32 sI, sI, st; br top */
static bool tpc_loop_while(const struct tpc_uop *u, uint32_t top, uint32_t br)
{
	const struct tpc_uop *cmp = &u[top], *ex = &u[top + 1], *is = &u[top + 2];
	const struct tpc_uop *add = &u[br - 1];

	if (top + 4 >= br || cmp->op != TPC_U(CMPLT, I32) || cmp->sguard ||
	    (cmp->bk == LOOM_TPC_BK_REG && cmp->b == cmp->a))
		return false;
	if (ex->op != TPC_U0(BR) || !ex->sguard || ex->p != cmp->d || !ex->pn || ex->imm <= br)
		return false;
	if (!tpc_is_iset0(is, cmp->a) || !tpc_is_step(add, cmp->a, true))
		return false;
	return tpc_loop_bodies_ok(u, top + 3, br - 1, is->d, cmp->a, cmp->a);
}

/* Mark the counted loops tpc_loop_run() can run whole (TPC_H_X_LOOP). */
static void tpc_prog_loops(struct tpc_uop *u, uint32_t n)
{
	for (uint32_t br = 4; br < n; br++) {
		uint32_t top = u[br].imm, body;

		if (u[br].h != TPC_H_BR || top >= br || !tpc_loop_while(u, top, br))
			continue;
		body = top + 3;
		u[top].xaxpy = u[body].xax && br - 1 - body == 4;
		u[top].xform = TPC_LOOP_WHILE;
		u[top].h = TPC_H_X_LOOP;
		u[top].xloop = br;
	}
	for (uint32_t lp = 2; lp < n; lp++) {
		const struct tpc_uop *ia = &u[lp - 1];
		uint32_t top = u[lp].imm;

		if (u[lp].h != TPC_H_LOOP || top >= lp)
			continue;
		if (tpc_loop_iset(u, top, lp)) {
			u[top].xform = TPC_LOOP_ISET;
			u[top].h = TPC_H_X_LOOP;
			u[top].xloop = lp;
			continue;
		}
		if (ia->h1 != TPC_H_IADD_I || ia->sguard || ia->a != 1 ||
		    !tpc_loop_bodies_ok(u, top, lp - 1, ia->d, u[lp].a, u[lp].a))
			continue;
		u[top].xaxpy = u[top].xax && lp - 1 - top == 4;
		u[top].xform = TPC_LOOP_IADD;
		u[top].h = TPC_H_X_LOOP;
		u[top].xloop = lp;
	}
}

/* Decode word w at pc of an n-word kernel; false if illegal. */
static bool tpc_decode_one(uint64_t w, uint32_t pc, uint32_t n, struct tpc_uop *u)
{
	const struct loom_tpc_op_desc *od;
	const struct loom_tpc_form_desc *fd;
	unsigned op = LOOM_TPC_INSN_OP(w);

	if (loom_tpc_insn_check(w))
		return false;
	od = loom_tpc_op_desc(op);
	fd = loom_tpc_form_desc(od->form);

	memset(u, 0, sizeof(*u));
	u->op = (uint16_t)TPC_UOP(op, LOOM_TPC_INSN_TYPE(w));
	u->d = (uint8_t)LOOM_TPC_INSN_D(w);
	u->a = (uint8_t)LOOM_TPC_INSN_A(w);
	u->b = (uint8_t)LOOM_TPC_INSN_B(w);
	u->bk = (uint8_t)LOOM_TPC_INSN_BK(w);
	u->p = (uint8_t)LOOM_TPC_INSN_P(w);
	u->pn = (uint8_t)LOOM_TPC_INSN_PN(w);
	if (u->p || u->pn) {
		if (od->guard == LOOM_TPC_G_LANE)
			u->lguard = 1;
		else
			u->sguard = 1;
	}
	if (loom_tpc_insn_has_imm(w, fd)) {
		u->imm = LOOM_TPC_INSN_IMM(w);
	} else if (fd->c == LOOM_TPC_K_S || fd->c == LOOM_TPC_K_V) {
		u->c = (uint8_t)LOOM_TPC_INSN_C(w);
	} else if (fd->c == LOOM_TPC_K_P || fd->c == LOOM_TPC_K_VP) {
		u->c = (uint8_t)LOOM_TPC_INSN_CP(w);
		u->cpn = (uint8_t)LOOM_TPC_INSN_CPN(w);
	} else if (fd->c == LOOM_TPC_K_CVT) {
		u->cvt_src = (uint8_t)LOOM_TPC_INSN_CVT_SRC(w);
		u->cvt_rnd = (uint8_t)LOOM_TPC_INSN_CVT_RND(w);
		u->cvt_half = (uint8_t)LOOM_TPC_INSN_CVT_HALF(w);
	}
	if (fd->imm == LOOM_TPC_IMM_BR) {
		int64_t t = (int64_t)pc + (int32_t)u->imm;

		if (t < 0 || t >= (int64_t)n)
			u->op = op == LOOM_TPC_OP_BR ? TPC_U_BR_OUT : TPC_U_LOOP_OUT;
		else
			u->imm = (uint32_t)t;
	}
	u->h1 = tpc_handler_pick(u);
	u->h = u->sguard ? TPC_H_SGUARD : u->h1;
	return true;
}

struct tpc_prog *tpc_prog_decode(const uint64_t *words, uint32_t n, uint64_t va,
				 uint64_t hash)
{
	struct tpc_prog *prog = calloc(1, sizeof(*prog));

	if (!prog)
		return NULL;
	prog->raw = malloc((size_t)n * sizeof(uint64_t));
	prog->uops = calloc((size_t)n + 1, sizeof(struct tpc_uop));
	if (!prog->raw || !prog->uops) {
		tpc_prog_free(prog);
		return NULL;
	}
	memcpy(prog->raw, words, (size_t)n * sizeof(uint64_t));
	prog->va = va;
	prog->n = n;
	prog->hash = hash;
	for (uint32_t pc = 0; pc < n; pc++)
		if (!tpc_decode_one(words[pc], pc, n, &prog->uops[pc])) {
			memset(&prog->uops[pc], 0, sizeof(prog->uops[pc]));
			prog->uops[pc].op = TPC_U_ILLEGAL;
			prog->uops[pc].h = prog->uops[pc].h1 = TPC_H_ILLEGAL;
		}
	prog->uops[n].op = TPC_U_ILLEGAL;
	prog->uops[n].h = prog->uops[n].h1 = TPC_H_ILLEGAL;
	tpc_prog_fuse(prog->uops, n);
	tpc_prog_loops(prog->uops, n);
	return prog;
}

void tpc_prog_free(struct tpc_prog *prog)
{
	if (!prog)
		return;
	free(prog->raw);
	free(prog->uops);
	free(prog);
}
