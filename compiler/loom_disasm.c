// SPDX-License-Identifier: MIT
/*
 * The TPC disassembler: instruction words and whole kernel objects to the
 * assembly text of docs/isa.md, section 8, such that loom_asm() turns the
 * text back into the same bytes.
 *
 * Like the assembler it walks the form's syntax string of hw/loom_tpc.h.
 * A word loom_tpc_insn_check() rejects prints as ".word"; fp32 immediates
 * print as the shortest decimal that reads back to the same bits, or as
 * raw bits ("0r...") when there is none (-0, NaN payloads); branch
 * targets are named after the object's symbols or get ".L<n>" labels,
 * which the assembler keeps out of the symbol table.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom_asm.h"

const char *loom_asm_sr_name(uint32_t sr, char *buf, size_t n)
{
	if (!LOOM_TPC_SR_VALID(sr))
		return NULL;
	if (sr < 8)
		snprintf(buf, n, "off%u", sr);
	else if (sr < 16)
		snprintf(buf, n, "size%u", sr - 8);
	else if (sr < 24)
		snprintf(buf, n, "dim%u", sr - 16);
	else if (sr == LOOM_TPC_SR_CORE)
		snprintf(buf, n, "core");
	else if (sr == LOOM_TPC_SR_NCORES)
		snprintf(buf, n, "ncores");
	else if (sr == LOOM_TPC_SR_ITEM)
		snprintf(buf, n, "item");
	else if (sr == LOOM_TPC_SR_NITEMS)
		snprintf(buf, n, "nitems");
	else
		snprintf(buf, n, "arg%u", sr - LOOM_TPC_SR_ARG(0));
	return buf;
}

/* A bounded string builder. */
struct out {
	char *buf;
	size_t n, len;		/* len: what the text needs, may exceed n */
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(o->len < o->n ? o->buf + o->len : NULL, o->len < o->n ? o->n - o->len : 0,
		      fmt, ap);
	va_end(ap);
	if (r > 0)
		o->len += (size_t)r;
}

/* An fp32 immediate that reads back to the same bits. */
static void out_float(struct out *o, uint32_t bits)
{
	char buf[64];
	float f, g;

	memcpy(&f, &bits, 4);
	if (bits == 0x7fc00000U) {
		out_printf(o, "nan");
		return;
	}
	if (isinf(f)) {
		out_printf(o, f > 0 ? "inf" : "-inf");
		return;
	}
	if (!isnan(f) && bits != 0x80000000U) {
		for (int prec = 1; prec <= 9; prec++) {
			snprintf(buf, sizeof(buf), "%.*g", prec, (double)f);
			g = strtof(buf, NULL);
			if (!memcmp(&g, &f, 4))
				break;
		}
		/* Keep it a float literal (an integer reads back the same way too). */
		out_printf(o, "%s", buf);
		return;
	}
	out_printf(o, "0r%08x", bits);
}

/* Name of the branch target at pc tgt. */
static void out_target(struct out *o, const struct loom_obj *obj, uint32_t pc, int64_t tgt)
{
	if (obj && tgt >= 0 && tgt < (int64_t)obj->ncode) {
		for (uint32_t i = 0; i < obj->nsyms; i++)
			if (obj->syms[i].value == tgt * 8 && strncmp(obj->syms[i].name, ".L", 2)) {
				out_printf(o, "%s", obj->syms[i].name);
				return;
			}
		out_printf(o, ".L%" PRId64, tgt);
		return;
	}
	out_printf(o, ".%+" PRId64, tgt - (int64_t)pc);
}

static char reg_letter_prefix(unsigned kind)
{
	return kind == LOOM_TPC_K_V ? 'v' : 's';
}

int loom_disasm_insn(uint64_t w, uint32_t pc, const struct loom_obj *obj, char *buf, size_t n)
{
	static const char *const rnds[] = { "", ".rz", ".rd", ".ru" };
	struct out o = { buf, n, 0 };
	const struct loom_tpc_op_desc *od;
	const struct loom_tpc_form_desc *fd;
	unsigned type = LOOM_TPC_INSN_TYPE(w), bk = LOOM_TPC_INSN_BK(w);
	unsigned d = LOOM_TPC_INSN_D(w), a = LOOM_TPC_INSN_A(w), b = LOOM_TPC_INSN_B(w);
	uint32_t imm = LOOM_TPC_INSN_IMM(w);
	char srbuf[16];

	if (n)
		buf[0] = '\0';
	if (loom_tpc_insn_check(w)) {
		out_printf(&o, ".word 0x%016" PRIx64, w);
		return (int)o.len;
	}
	od = loom_tpc_op_desc(LOOM_TPC_INSN_OP(w));
	fd = loom_tpc_form_desc(od->form);
	if (LOOM_TPC_INSN_P(w) || LOOM_TPC_INSN_PN(w))
		out_printf(&o, "@%s%s%u ", LOOM_TPC_INSN_PN(w) ? "!" : "",
			   od->guard == LOOM_TPC_G_LANE ? "vp" : "p", LOOM_TPC_INSN_P(w));
	out_printf(&o, "%s", od->name);
	if (od->types)
		out_printf(&o, ".%s", loom_obj_dtype_name(type));
	if (fd->c == LOOM_TPC_K_CVT)
		out_printf(&o, ".%s%s%s", loom_obj_dtype_name(LOOM_TPC_INSN_CVT_SRC(w)),
			   rnds[LOOM_TPC_INSN_CVT_RND(w)], LOOM_TPC_INSN_CVT_HALF(w) ? ".hi" : "");

	for (const char *s = fd->syntax; *s; s += 2) {
		unsigned f = s[1] == 'd' ? d : s[1] == 'a' ? a : s[1] == 'b' ? b :
			     LOOM_TPC_INSN_C(w);

		out_printf(&o, s == fd->syntax ? (strlen(od->name) < 8 ? "\t" : " ") : ", ");
		switch (s[0]) {
		case 's': case 'v': case 'i': case 'p':
			out_printf(&o, "%c%u", s[0], f);
			break;
		case 'q':
			out_printf(&o, "vp%u", f);
			break;
		case 'P': case 'Q':
			out_printf(&o, "%s%s%u", LOOM_TPC_INSN_CPN(w) ? "!" : "",
				   s[0] == 'Q' ? "vp" : "p", LOOM_TPC_INSN_CP(w));
			break;
		case 't':
			out_printf(&o, "t%u", b);
			break;
		case 'T':
			out_printf(&o, "t%u.%u", b, a);
			break;
		case 'M':
			out_printf(&o, "i%u.", d);
			for (unsigned k = 0; k < LOOM_TPC_DIMS; k++)
				if (a & (1U << k))
					out_printf(&o, "%u", k);
			break;
		case 'G':
			out_printf(&o, "i%u.%u", a, b);
			break;
		case 'B':
			if (bk == LOOM_TPC_BK_REG)
				out_printf(&o, "%c%u", reg_letter_prefix(fd->b), b);
			else if (bk == LOOM_TPC_BK_SREG)
				out_printf(&o, "s%u", b);
			else if (type == LOOM_TPC_DT_F32 || type == LOOM_TPC_DT_BF16)
				out_float(&o, imm);
			else if (type == LOOM_TPC_DT_U32)
				out_printf(&o, "%u", imm);
			else
				out_printf(&o, "%d", (int32_t)imm);
			break;
		case 'N':
			if (bk == LOOM_TPC_BK_SREG)
				out_printf(&o, "s%u", b);
			else
				out_printf(&o, "%d", (int32_t)imm);
			break;
		case 'L':
			out_target(&o, obj, pc, (int64_t)pc + (int32_t)imm);
			break;
		case 'R':
			out_printf(&o, "%s", loom_asm_sr_name(imm, srbuf, sizeof(srbuf)));
			break;
		case 'A':
			if (!imm)
				out_printf(&o, "[s%u]", a);
			else if ((int32_t)imm < 0 && imm != 0x80000000U)
				out_printf(&o, "[s%u - %d]", a, -(int32_t)imm);
			else
				out_printf(&o, "[s%u + %u]", a, imm);
			break;
		}
	}
	return (int)o.len;
}

/* ---- objects ---------------------------------------------------------------------- */

struct text {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (t->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		r = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (r < 0) {
			t->oom = true;
			return;
		}
		if (t->buf && t->len + (size_t)r < t->cap) {
			t->len += (size_t)r;
			return;
		}
		size_t cap = t->cap ? t->cap * 2 : 4096;

		while (cap < t->len + (size_t)r + 1)
			cap *= 2;
		char *nb = realloc(t->buf, cap);

		if (!nb) {
			t->oom = true;
			return;
		}
		t->buf = nb;
		t->cap = cap;
	}
}

/* Does pc carry a label: a symbol, or a branch target without one? */
static bool needs_local_label(const struct loom_obj *o, const bool *target, uint32_t pc)
{
	if (!target[pc])
		return false;
	for (uint32_t i = 0; i < o->nsyms; i++)
		if (o->syms[i].value == pc * 8 && strncmp(o->syms[i].name, ".L", 2))
			return false;
	return true;
}

static void print_labels(struct text *t, const struct loom_obj *o, const bool *target,
			 uint32_t pc)
{
	for (uint32_t i = 0; i < o->nsyms; i++)
		if (o->syms[i].value == pc * 8)
			text_printf(t, "%s:\n", o->syms[i].name);
	if (pc < o->ncode && needs_local_label(o, target, pc))
		text_printf(t, ".L%u:\n", pc);
}

int loom_disasm_obj(const struct loom_obj *o, unsigned flags, char **textp)
{
	struct text t = { 0 };
	bool *target;
	char line[256];

	*textp = NULL;
	target = calloc(o->ncode + 1, sizeof(bool));
	if (!target)
		return -ENOMEM;
	for (uint32_t pc = 0; pc < o->ncode; pc++) {
		uint64_t w = o->code[pc];
		const struct loom_tpc_op_desc *od = loom_tpc_op_desc(LOOM_TPC_INSN_OP(w));
		int64_t tgt;

		if (loom_tpc_insn_check(w) || loom_tpc_form_desc(od->form)->imm != LOOM_TPC_IMM_BR)
			continue;
		tgt = (int64_t)pc + (int32_t)LOOM_TPC_INSN_IMM(w);
		if (tgt >= 0 && tgt < o->ncode)
			target[tgt] = true;
	}

	if (o->name && o->name[0])
		text_printf(&t, ".kernel %s\n", o->name);
	for (uint32_t i = 0; i < o->nargs; i++)
		text_printf(&t, ".%s %s, %s\n",
			    o->args[i].kind == LOOM_TPC_ARG_TENSOR ? "tensor" : "scalar",
			    o->args[i].name, loom_obj_dtype_name(o->args[i].dtype));
	if (o->slm_size)
		text_printf(&t, ".slm %u\n", o->slm_size);
	if (o->vlm_size)
		text_printf(&t, ".vlm %u\n", o->vlm_size);
	for (uint32_t pc = 0; pc < o->ncode; pc++) {
		print_labels(&t, o, target, pc);
		loom_disasm_insn(o->code[pc], pc, o, line, sizeof(line));
		if (flags & LOOM_DISASM_F_NO_COMMENT)
			text_printf(&t, "\t%s\n", line);
		else
			text_printf(&t, "\t%-40s; %04x: %016" PRIx64 "\n", line, pc * 8, o->code[pc]);
	}
	print_labels(&t, o, target, o->ncode);
	free(target);
	if (t.oom) {
		free(t.buf);
		return -ENOMEM;
	}
	*textp = t.buf;
	return 0;
}
