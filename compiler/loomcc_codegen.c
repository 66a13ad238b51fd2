/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen.c: code generation's driver and object writer, from the
 * IR (loomcc_ir.h) to a kernel object (docs/isa.md, section 9).
 *
 * The passes (loomcc_codegen_int.h): local memory layout, instruction
 * selection, loop transformation, register allocation, then encoding
 * here: blocks in layout order, unconditional branches to the next block
 * dropped, `@p br T; br F` turned into `@!p br F` when T comes next,
 * copies of a register to itself dropped, and branch offsets fixed up
 * once every block's address is known. The object lists the tensors
 * (element type: how the kernel first accesses them; read/write flags),
 * the scalar parameters, a `main` symbol, and the local memory sizes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loomcc_codegen_int.h"

int cg_fail(struct cg *cg, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (cg->err)
		return cg->err;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return cg->err = -ENOMEM;
	*cg->diag = s;
	return cg->err = -ENOTSUP;
}

int cg_unsupported(struct cg *cg, const char *what)
{
	return cg_fail(cg, "loomcc: %s is not supported by code generation yet\n", what);
}

enum cg_class cg_class_of(enum lcc_irtype t)
{
	switch (t) {
	case IRT_I32: case IRT_F32:
		return CG_S;
	case IRT_V64F32: case IRT_V64I32: case IRT_V128BF16:
		return CG_V;
	case IRT_COORD5:
		return CG_I;
	case IRT_BOOL:
		return CG_P;
	case IRT_V64BOOL:
		return CG_VP;
	default:
		return CG_NONE;
	}
}

int cg_block_new(struct cg *cg)
{
	if (cg->err)
		return -1;
	if (cg->nblocks == cg->bcap) {
		int cap = cg->bcap ? cg->bcap * 2 : 16;
		struct cg_block *b = realloc(cg->blocks, (size_t)cap * sizeof(*b));
		int *l = b ? realloc(cg->layout, (size_t)cap * sizeof(*l)) : NULL;

		if (b)
			cg->blocks = b;
		if (l)
			cg->layout = l;
		if (!b || !l) {
			cg->err = -ENOMEM;
			return -1;
		}
		cg->bcap = cap;
		cg->lcap = cap;
	}
	memset(&cg->blocks[cg->nblocks], 0, sizeof(cg->blocks[0]));
	cg->layout[cg->nlayout++] = cg->nblocks;
	return cg->nblocks++;
}

struct cg_mi *cg_mi_insert(struct cg *cg, int block, int at)
{
	struct cg_block *bb;
	struct cg_mi *mi;

	if (cg->err || block < 0 || block >= cg->nblocks)
		return NULL;
	bb = &cg->blocks[block];
	if (bb->n == bb->cap) {
		int cap = bb->cap ? bb->cap * 2 : 16;
		struct cg_mi *m = realloc(bb->mi, (size_t)cap * sizeof(*m));

		if (!m) {
			cg->err = -ENOMEM;
			return NULL;
		}
		bb->mi = m;
		bb->cap = cap;
	}
	memmove(&bb->mi[at + 1], &bb->mi[at], (size_t)(bb->n - at) * sizeof(*mi));
	bb->n++;
	mi = &bb->mi[at];
	memset(mi, 0, sizeof(*mi));
	mi->g = -1;
	mi->target = -1;
	return mi;
}

struct cg_mi *cg_mi_add(struct cg *cg, int block)
{
	if (cg->err || block < 0 || block >= cg->nblocks)
		return NULL;
	return cg_mi_insert(cg, block, cg->blocks[block].n);
}

int cg_vreg_new(struct cg *cg, enum cg_class cls)
{
	if (cg->err)
		return 0;
	if (cg->nvr == cg->vrcap) {
		int cap = cg->vrcap ? cg->vrcap * 2 : 64;
		struct cg_vreg *v = realloc(cg->vr, (size_t)cap * sizeof(*v));

		if (!v) {
			cg->err = -ENOMEM;
			return 0;
		}
		cg->vr = v;
		cg->vrcap = cap;
	}
	memset(&cg->vr[cg->nvr], 0, sizeof(cg->vr[0]));
	cg->vr[cg->nvr].cls = (uint8_t)cls;
	cg->vr[cg->nvr].phys = -1;
	cg->vr[cg->nvr].hint = -1;
	return cg->nvr++;
}

int cg_vreg_fixed(struct cg *cg, enum cg_class cls, int phys)
{
	int r = cg_vreg_new(cg, cls);

	if (!cg->err) {
		cg->vr[r].fixed = true;
		cg->vr[r].phys = phys;
	}
	return r;
}

struct cg_fixup {
	uint32_t pc;
	int block;
};

static int cg_encode(struct cg *cg)
{
	uint32_t *bpc = calloc((size_t)cg->nblocks + 1, sizeof(*bpc));
	struct cg_fixup *fix = NULL;
	int nfix = 0, fcap = 0;

	if (!bpc)
		return cg->err = -ENOMEM;
	if (cg->zero_reg && loom_obj_add_code(cg->o, LOOM_TPC_INSN(LOOM_TPC_OP_MOV, LOOM_TPC_DT_I32,
			LOOM_TPC_BK_IMM, CG_ZERO_SREG, 0, 0, 0, 0)))
		cg->err = -ENOMEM;
	for (int l = 0; l < cg->nlayout && !cg->err; l++) {
		int b = cg->layout[l], next = l + 1 < cg->nlayout ? cg->layout[l + 1] : -1;
		struct cg_block *bb = &cg->blocks[b];

		bpc[b] = cg->o->ncode;
		for (int i = 0; i < bb->n && !cg->err; i++) {
			struct cg_mi m = bb->mi[i];

			if (cg_mi_is_self_copy(&m))
				continue;
			if (m.op == LOOM_TPC_OP_BR && m.g < 0 && m.target == next)
				continue;
			if (m.op == LOOM_TPC_OP_BR && m.g >= 0 && i == bb->n - 2 &&
			    bb->mi[i + 1].op == LOOM_TPC_OP_BR && bb->mi[i + 1].g < 0 &&
			    m.target == next) {
				m.target = bb->mi[i + 1].target;
				m.pn = !m.pn;
				i++;
			}
			if (m.target >= 0) {
				if (nfix == fcap) {
					int cap = fcap ? fcap * 2 : 32;
					struct cg_fixup *f = realloc(fix, (size_t)cap * sizeof(*f));

					if (!f) {
						cg->err = -ENOMEM;
						break;
					}
					fix = f;
					fcap = cap;
				}
				fix[nfix].pc = cg->o->ncode;
				fix[nfix++].block = m.target;
			}
			if (cg->o->ncode >= LOOM_TPC_CODE_MAX / LOOM_TPC_INSN_SIZE) {
				cg_fail(cg, "loomcc: kernel too large (more than %u instructions)\n",
					LOOM_TPC_CODE_MAX / LOOM_TPC_INSN_SIZE);
				break;
			}
			if (loom_obj_add_code(cg->o, cg_mi_encode(&m)))
				cg->err = -ENOMEM;
		}
	}
	for (int f = 0; f < nfix && !cg->err; f++) {
		int64_t off = (int64_t)bpc[fix[f].block] - fix[f].pc;

		cg->o->code[fix[f].pc] |= LOOM_TPC_ENC_IMM((uint32_t)(int32_t)off);
	}
	free(bpc);
	free(fix);
	return cg->err;
}

static int cg_setup(struct cg *cg)
{
	const struct lcc_ir_func *fn = cg->fn;

	if (fn->ntensors > LOOM_TPC_MAX_TENSORS)
		return cg_fail(cg, "loomcc: more than %d tensor parameters are not supported\n",
			       LOOM_TPC_MAX_TENSORS);
	for (int r = 0; r < fn->nvregs && !cg->err; r++)
		cg_vreg_new(cg, cg_class_of(fn->vregs[r].type));
	cg->p0 = cg_vreg_fixed(cg, CG_P, 0);
	cg->vp0 = cg_vreg_fixed(cg, CG_VP, 0);
	cg->zero = cg_vreg_fixed(cg, CG_S, CG_ZERO_SREG);
	if (cg->err)
		return cg->err;
	return cg_frame_locals(cg);
}

static int cg_args(struct cg *cg)
{
	const struct lcc_ir_func *fn = cg->fn;
	struct loom_obj *o = cg->o;
	int ret = 0;

	for (int i = 0; !ret && i < fn->ntensors; i++) {
		ret = loom_obj_add_arg(o, LOOM_TPC_ARG_TENSOR,
				       cg->tdtype_set[i] ? cg->tdtype[i] : LOOM_TPC_DT_F32,
				       fn->tensors[i].name);
		if (!ret)
			o->args[o->nargs - 1].flags = cg->tflags[i];
	}
	for (int i = 0; !ret && i < fn->nscalars; i++) {
		const struct lcc_irparam *p = &fn->scalars[i];
		uint32_t dt = p->type == IRT_F32 ? LOOM_TPC_DT_F32 :
			      p->is_unsigned ? LOOM_TPC_DT_U32 : LOOM_TPC_DT_I32;

		ret = loom_obj_add_arg(o, LOOM_TPC_ARG_SCALAR, dt, p->name);
	}
	if (!ret)
		ret = loom_obj_add_sym(o, 0, fn->name ? fn->name : "main");
	o->slm_size = cg->slm_size;
	o->vlm_size = cg->vlm_size;
	return ret;
}

int lcc_codegen(const struct lcc_ir_func *fn, struct loom_obj *out, char **diag)
{
	struct cg cg = { .fn = fn, .o = out, .diag = diag, .p0 = -1, .vp0 = -1, .zero = -1 };
	int ret;

	*diag = NULL;
	out->name = strdup(fn->name ? fn->name : "");
	if (!out->name) {
		ret = -ENOMEM;
		goto out;
	}
	if (!cg_setup(&cg) && !cg_isel(&cg) && !cg_loops(&cg) && !cg_regalloc(&cg))
		cg_encode(&cg);
	ret = cg.err;
	if (!ret)
		ret = cg_args(&cg);
out:
	for (int b = 0; b < cg.nblocks; b++) {
		free(cg.blocks[b].mi);
		free(cg.blocks[b].live_in);
		free(cg.blocks[b].live_out);
	}
	free(cg.blocks);
	free(cg.layout);
	free(cg.irblock);
	free(cg.vr);
	free(cg.ir);
	free(cg.local_off);
	if (ret) {
		loom_obj_clear(out);
		if (ret != -ENOTSUP) {
			free(*diag);
			*diag = NULL;
		}
	}
	return ret;
}
