// SPDX-License-Identifier: MIT
/*
 * TPC decoder: turns a kernel's 64-bit instruction words into micro-ops
 * once, so that the interpreter never looks at encodings.
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
		}
	prog->uops[n].op = TPC_U_ILLEGAL;
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
