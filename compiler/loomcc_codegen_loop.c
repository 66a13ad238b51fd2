/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen_loop.c: counted loops and #pragma unroll, on machine
 * blocks after instruction selection.
 *
 * A loop of the IR is counted when its header only evaluates `i < b`
 * (or <=, or unsigned; b may be computed there from values the loop
 * does not change) and branches to the body or the exit, its latch adds
 * a positive constant s to i (the only write of i in the loop), and
 * nothing but the header leaves it. Such a loop becomes
 *
 *	P:	n = trip count (0 unless i < b); q = n / N
 *		if (q == 0) goto H
 *	U:	N copies of the body, the latch of each falling into the next
 *		loop q, U			; the `loop` instruction
 *	H:	the original loop, which runs the remaining n % N iterations
 *		(and its test, once, when the count was a multiple of N)
 *
 * with N the #pragma unroll count (1 without a hint; for `#pragma unroll`
 * alone, the trip count when it is a constant of at most 64, else 1),
 * and 1 for a body with branches of its own (see cg_loop_transform).
 * With N = 1 nothing is copied: the body is reused in place, its latch
 * going to the `loop` instruction and the exits to the loop's exit.
 * The copies are the body as it is - the IR is not SSA, so a copy needs
 * no renaming. N is reduced so that the copies stay below 16384
 * instructions. Loops that are not counted keep their branches; the
 * hint is then ignored. Inner loops are transformed first, so that an
 * outer loop's copies include the inner loop's counted form.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loomcc_codegen_int.h"

#define CG_UNROLL_BUDGET	16384	/* instructions of copies per loop */
#define CG_UNROLL_FULL_MAX	64

struct cg_counted {
	int i;			/* induction register */
	int step;		/* > 0 */
	bool le, uns;		/* i <= b, unsigned compare */
	int cmp_mi;		/* index in the header's machine block of the compare */
	int body;		/* IR block index of the body's entry */
	int64_t init;		/* constant initial value, if init_known */
	bool init_known;
	uint32_t bound;		/* constant bound, if bound_known */
	bool bound_known;
};

static int cg_ir_index(const struct lcc_ir_func *fn, const struct lcc_irblock *bb)
{
	for (int b = 0; b < fn->nblocks; b++)
		if (fn->blocks[b] == bb)
			return b;
	return -1;
}

/* The natural loop of (header h, latch l) over IR blocks: in[b] set. */
static bool cg_ir_natural(const struct lcc_ir_func *fn, int h, int l, char *in)
{
	int *work = malloc(((size_t)fn->nblocks + 1) * sizeof(int)), n = 0;

	if (!work)
		return false;
	memset(in, 0, (size_t)fn->nblocks);
	in[h] = 1;
	if (!in[l]) {
		in[l] = 1;
		work[n++] = l;
	}
	while (n > 0) {
		int x = work[--n];

		for (int p = 0; p < fn->nblocks; p++) {
			struct lcc_irblock *succ[2];
			int ns;

			if (fn->blocks[p]->dead || in[p])
				continue;
			ns = lcc_ir_successors(fn->blocks[p], succ);
			for (int k = 0; k < ns; k++)
				if (succ[k] == fn->blocks[x]) {
					in[p] = 1;
					work[n++] = p;
					break;
				}
		}
	}
	free(work);
	return true;
}

static bool cg_ir_defined_in(const struct lcc_ir_func *fn, const char *in, int vreg, int skip)
{
	for (int b = 0; b < fn->nblocks; b++) {
		if (!in[b] || b == skip)
			continue;
		for (int i = 0; i < fn->blocks[b]->ninsns; i++)
			if (fn->blocks[b]->insns[i].dst == vreg)
				return true;
	}
	return false;
}

static bool cg_ir_const_def(struct cg *cg, int vreg, uint32_t *v)
{
	if (vreg < 0 || vreg >= cg->fn->nvregs || cg->ir[vreg].ndefs != 1 || !cg->ir[vreg].def ||
	    cg->ir[vreg].def->op != IR_CONST)
		return false;
	*v = (uint32_t)cg->ir[vreg].def->imm;
	return true;
}

/* Is IR loop l counted (see the top of the file)? */
static bool cg_loop_counted(struct cg *cg, const struct lcc_irloop *l, char *in,
			    struct cg_counted *cl)
{
	const struct lcc_ir_func *fn = cg->fn;
	int h = cg_ir_index(fn, l->header), lt = cg_ir_index(fn, l->latch);
	const struct lcc_irblock *hb, *lb;
	const struct lcc_irinsn *br, *cmp = NULL;
	struct cg_block *mh;
	int ndef = 0, b;
	uint32_t k;

	memset(cl, 0, sizeof(*cl));
	if (h < 0 || lt < 0 || h == lt || !l->exit || !cg_ir_natural(fn, h, lt, in))
		return false;
	hb = fn->blocks[h];
	lb = fn->blocks[lt];
	br = &hb->insns[hb->ninsns - 1];
	if (br->op != IR_CBR || br->target[1] != l->exit)
		return false;
	cl->body = cg_ir_index(fn, br->target[0]);
	if (cl->body < 0 || !in[cl->body] || cl->body == h)
		return false;
	/* the header: pure, its results used only there; the compare is last */
	if (hb->ninsns < 2 || hb->insns[hb->ninsns - 2].dst != br->src[0])
		return false;
	cmp = &hb->insns[hb->ninsns - 2];
	switch (cmp->op) {
	case IR_LT: case IR_ULT: case IR_LE: case IR_ULE:
		cl->i = cmp->src[0];
		break;
	case IR_GT: case IR_UGT: case IR_GE: case IR_UGE:
		cl->i = cmp->src[1];
		break;
	default:
		return false;
	}
	for (int i = 0; i < hb->ninsns - 1; i++) {
		const struct lcc_irinsn *x = &hb->insns[i];

		if (lcc_irop_has_side_effect(x->op) || x->op == IR_LD_LOCAL || x->dst < 0)
			return false;
		for (b = 0; b < fn->nblocks; b++) {
			if (b == h || fn->blocks[b]->dead)
				continue;
			for (int j = 0; j < fn->blocks[b]->ninsns; j++)
				for (int s = 0; s < fn->blocks[b]->insns[j].nsrc; s++)
					if (fn->blocks[b]->insns[j].src[s] == x->dst)
						return false;
		}
		/* inputs of the header must not change in the loop */
		for (int s = 0; s < x->nsrc; s++) {
			bool local = false;

			for (int j = 0; j < i; j++)
				local |= hb->insns[j].dst == x->src[s];
			if (x == cmp && x->src[s] == cl->i)
				continue;
			if (!local && cg_ir_defined_in(fn, in, x->src[s], -1))
				return false;
		}
	}
	cl->le = cmp->op == IR_LE || cmp->op == IR_ULE || cmp->op == IR_GE || cmp->op == IR_UGE;
	cl->uns = cmp->op == IR_ULT || cmp->op == IR_ULE || cmp->op == IR_UGT || cmp->op == IR_UGE;
	if (cg_ir_type(cg, cl->i) != IRT_I32)
		return false;
	/* nothing leaves the loop but the header */
	for (b = 0; b < fn->nblocks; b++) {
		struct lcc_irblock *succ[2];
		int ns;

		if (!in[b] || b == h)
			continue;
		ns = lcc_ir_successors(fn->blocks[b], succ);
		if (ns == 0)
			return false;
		for (int s = 0; s < ns; s++) {
			int t = cg_ir_index(fn, succ[s]);

			if (t < 0 || !in[t])
				return false;
		}
	}
	/* i changes once, in the latch: i = i + k, k > 0 */
	for (b = 0; b < fn->nblocks; b++) {
		if (!in[b])
			continue;
		for (int i = 0; i < fn->blocks[b]->ninsns; i++) {
			const struct lcc_irinsn *x = &fn->blocks[b]->insns[i];

			if (x->dst != cl->i)
				continue;
			if (b != lt || x->op != IR_ADD || ndef++)
				return false;
			if (x->src[0] == cl->i && cg_ir_const_def(cg, x->src[1], &k))
				cl->step = (int)k;
			else if (x->src[1] == cl->i && cg_ir_const_def(cg, x->src[0], &k))
				cl->step = (int)k;
			else
				return false;
		}
	}
	if (ndef != 1 || cl->step <= 0 || cl->step > (1 << 20))
		return false;
	(void)lb;
	/* the compare's machine instruction: the last before the branches */
	mh = &cg->blocks[cg->irblock[h]];
	cl->cmp_mi = -1;
	for (int i = 0; i < mh->n; i++)
		if (mh->mi[i].d == br->src[0] && !cg_mi_is_branch(&mh->mi[i]) &&
		    mh->mi[i].op >= LOOM_TPC_OP_CMPEQ && mh->mi[i].op <= LOOM_TPC_OP_CMPGE)
			cl->cmp_mi = i;
	if (cl->cmp_mi < 0)
		return false;
	/* constant trip counts, for full unrolling */
	{
		int other = cmp->src[0] == cl->i ? cmp->src[1] : cmp->src[0];
		uint32_t v;

		cl->bound_known = cg_ir_const_def(cg, other, &cl->bound);
		/* i's definitions outside the loop: one constant */
		cl->init_known = false;
		if (cg->ir[cl->i].ndefs == 2) {
			for (b = 0; b < fn->nblocks; b++) {
				if (in[b] || fn->blocks[b]->dead)
					continue;
				for (int i = 0; i < fn->blocks[b]->ninsns; i++) {
					const struct lcc_irinsn *x = &fn->blocks[b]->insns[i];

					if (x->dst == cl->i && x->op == IR_CONST) {
						v = (uint32_t)x->imm;
						cl->init = cl->uns ? (int64_t)v : (int64_t)(int32_t)v;
						cl->init_known = true;
					}
				}
			}
		}
	}
	return true;
}

static struct cg_mi *cg_put(struct cg *cg, int b, unsigned op, unsigned type, unsigned bk,
			    int d, int a, int bb, uint32_t imm)
{
	struct cg_mi *mi = cg_mi_add(cg, b);

	if (mi) {
		mi->op = (uint8_t)op;
		mi->type = (uint8_t)type;
		mi->bk = (uint8_t)bk;
		mi->d = d;
		mi->a = a;
		mi->b = bk == LOOM_TPC_BK_IMM ? 0 : bb;
		if (bk == LOOM_TPC_BK_IMM)
			mi->hi = LOOM_TPC_ENC_IMM(imm);
	}
	return mi;
}

/* Insert block nb into the layout just before block before. */
static void cg_layout_before(struct cg *cg, int nb, int before)
{
	int at = -1, from = -1;

	for (int l = 0; l < cg->nlayout; l++) {
		if (cg->layout[l] == before)
			at = l;
		if (cg->layout[l] == nb)
			from = l;
	}
	if (at < 0 || from < 0)
		return;
	memmove(&cg->layout[from], &cg->layout[from + 1],
		(size_t)(cg->nlayout - from - 1) * sizeof(int));
	if (from < at)
		at--;
	memmove(&cg->layout[at + 1], &cg->layout[at], (size_t)(cg->nlayout - 1 - at) * sizeof(int));
	cg->layout[at] = nb;
}

static int cg_loop_transform(struct cg *cg, const struct lcc_irloop *l, const char *in,
			     const struct cg_counted *cl)
{
	const struct lcc_ir_func *fn = cg->fn;
	int h = cg->irblock[cg_ir_index(fn, l->header)], body = cg->irblock[cl->body];
	int nbody = 0, size = 0, n, pre, cnt, *map, *blist;
	struct cg_mi cmp = cg->blocks[h].mi[cl->cmp_mi], *mi;
	int bound, t, q, p, first0 = -1;
	bool i_is_a = cmp.a == cl->i;

	/* machine blocks of the body: the IR loop's blocks but the header, and what
	 * inner transformations added (reachable from the body without the header) */
	blist = malloc(((size_t)cg->nblocks + 1) * sizeof(int));
	map = malloc(((size_t)cg->nblocks + 1) * sizeof(int));
	if (!blist || !map) {
		free(blist);
		free(map);
		return cg->err = -ENOMEM;
	}
	for (int b = 0; b < cg->nblocks; b++)
		map[b] = -1;
	{
		int *work = malloc(((size_t)cg->nblocks + 1) * sizeof(int)), nw = 0;

		if (!work) {
			free(blist);
			free(map);
			return cg->err = -ENOMEM;
		}
		map[body] = 0;
		work[nw++] = body;
		while (nw > 0) {
			int x = work[--nw];

			cg_block_succ(cg, x);
			for (int s = 0; s < cg->blocks[x].nsucc; s++) {
				int y = cg->blocks[x].succ[s];

				if (y != h && map[y] < 0) {
					map[y] = 0;
					work[nw++] = y;
				}
			}
		}
		free(work);
	}
	(void)in;
	for (int li = 0; li < cg->nlayout; li++)
		if (map[cg->layout[li]] == 0) {
			blist[nbody++] = cg->layout[li];
			size += cg->blocks[cg->layout[li]].n;
		}
	for (int b = 0; b < cg->nblocks; b++)
		map[b] = -1;
	/* the unroll count */
	n = 1;
	if (l->unroll > 0) {
		n = l->unroll;
	} else if (l->unroll == 0 && cl->init_known && cl->bound_known) {
		int64_t b = cl->uns ? (int64_t)cl->bound : (int64_t)(int32_t)cl->bound;
		int64_t trips = b - cl->init + (cl->le ? 1 : 0);

		trips = trips > 0 ? (trips + cl->step - 1) / cl->step : 0;
		if (trips >= 1 && trips <= CG_UNROLL_FULL_MAX)
			n = (int)trips;
	}
	/*
	 * Copies name the same registers, and allocation gives each register one
	 * interval: copies of a body with branches would keep its values live
	 * across all copies. Such bodies are counted but not copied.
	 */
	for (int j = 0; j < nbody; j++) {
		cg_block_succ(cg, blist[j]);
		if (cg->blocks[blist[j]].nsucc > 1)
			n = 1;
	}
	if (size > 0 && (int64_t)n * size > CG_UNROLL_BUDGET)
		n = CG_UNROLL_BUDGET / size > 1 ? CG_UNROLL_BUDGET / size : 1;
	/*
	 * In place, q = 0 skips the loop: a count of 2^32 (i <= b over the whole
	 * range) would wrap to 0. Such loops keep their branches.
	 */
	if (n == 1 && cl->le)
		goto out;
	/* P: the trip count */
	pre = cg_block_new(cg);
	if (pre < 0)
		goto out;
	for (int i = 0; i < cg->blocks[h].n && !cg->err; i++) {
		if (cg_mi_is_branch(&cg->blocks[h].mi[i]))
			continue;
		mi = cg_mi_add(cg, pre);
		if (mi)
			*mi = cg->blocks[h].mi[i];
	}
	if (cmp.bk == LOOM_TPC_BK_IMM) {
		bound = cg_vreg_new(cg, CG_S);
		cg_put(cg, pre, LOOM_TPC_OP_MOV, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, bound, 0, 0,
		       LOOM_TPC_INSN_IMM(cmp.hi));
	} else {
		bound = i_is_a ? cmp.b : cmp.a;
	}
	t = cg_vreg_new(cg, CG_S);
	q = cg_vreg_new(cg, CG_S);
	p = cg_vreg_new(cg, CG_P);
	/* d = b - i; n = (d - 1) / s + 1 (for <), d / s + 1 (for <=) */
	cg_put(cg, pre, LOOM_TPC_OP_SUB, LOOM_TPC_DT_I32, LOOM_TPC_BK_REG, t, bound, cl->i, 0);
	if (cl->step > 1) {
		if (!cl->le)
			cg_put(cg, pre, LOOM_TPC_OP_SUB, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, t, t, 0, 1);
		cg_put(cg, pre, LOOM_TPC_OP_DIV, LOOM_TPC_DT_U32, LOOM_TPC_BK_IMM, t, t, 0,
		       (uint32_t)cl->step);
		cg_put(cg, pre, LOOM_TPC_OP_ADD, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, t, t, 0, 1);
	} else if (cl->le) {
		cg_put(cg, pre, LOOM_TPC_OP_ADD, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, t, t, 0, 1);
	}
	if (n > 1 && (n & (n - 1)) == 0)
		cg_put(cg, pre, LOOM_TPC_OP_SHR, LOOM_TPC_DT_U32, LOOM_TPC_BK_IMM, q, t, 0,
		       (uint32_t)__builtin_ctz((unsigned)n));
	else
		cg_put(cg, pre, n > 1 ? LOOM_TPC_OP_DIV : LOOM_TPC_OP_MOV, LOOM_TPC_DT_U32,
		       n > 1 ? LOOM_TPC_BK_IMM : LOOM_TPC_BK_REG, q, n > 1 ? t : 0, t, (uint32_t)n);
	/* q = 0 unless the loop runs at all (the header's own compare) */
	mi = cg_mi_add(cg, pre);
	if (mi) {
		*mi = cmp;
		mi->d = p;
	}
	mi = cg_put(cg, pre, LOOM_TPC_OP_MOV, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, q, 0, 0, 0);
	if (mi) {
		mi->g = p;
		mi->pn = true;
	}
	cg_put(cg, pre, LOOM_TPC_OP_CMPEQ, LOOM_TPC_DT_I32, LOOM_TPC_BK_IMM, p, q, 0, 0);
	mi = cg_put(cg, pre, LOOM_TPC_OP_BR, 0, 0, 0, 0, 0, 0);
	if (mi) {
		mi->g = p;
		mi->target = h;
	}
	if (n == 1) {
		int exit = cg->irblock[cg_ir_index(fn, l->exit)];

		/* P: if (q == 0) goto exit; the body's latch goes to the counter */
		cg->blocks[pre].mi[cg->blocks[pre].n - 1].target = exit;
		mi = cg_put(cg, pre, LOOM_TPC_OP_BR, 0, 0, 0, 0, 0, 0);
		if (mi)
			mi->target = body;
		cnt = cg_block_new(cg);
		if (cnt < 0)
			goto out;
		for (int j = 0; j < nbody; j++)
			for (int i = 0; i < cg->blocks[blist[j]].n; i++)
				if (cg->blocks[blist[j]].mi[i].target == h)
					cg->blocks[blist[j]].mi[i].target = cnt;
		mi = cg_put(cg, cnt, LOOM_TPC_OP_LOOP, 0, 0, 0, q, 0, 0);
		if (mi)
			mi->target = body;
		mi = cg_put(cg, cnt, LOOM_TPC_OP_BR, 0, 0, 0, 0, 0, 0);
		if (mi)
			mi->target = exit;
		cg->vr[q].nospill = true;
		/* layout: P where H was, then the body, then the counter */
		cg_layout_before(cg, pre, h);
		cg_layout_before(cg, cnt, h);
		for (int j = 0; j < nbody; j++)
			cg_layout_before(cg, blist[j], cnt);
		/* entries into H now go to P; H is left unreachable and empty */
		for (int b = 0; b < cg->nblocks; b++)
			for (int i = 0; i < cg->blocks[b].n; i++)
				if (cg->blocks[b].mi[i].target == h && b != h)
					cg->blocks[b].mi[i].target = pre;
		cg->blocks[h].n = 0;
		for (int li = 0; li < cg->nlayout; li++)
			if (cg->layout[li] == h) {
				memmove(&cg->layout[li], &cg->layout[li + 1],
					(size_t)(cg->nlayout - li - 1) * sizeof(int));
				cg->nlayout--;
				break;
			}
		goto out;
	}
	/* the copies, then the counter */
	cnt = -1;
	{
		int *first = malloc(((size_t)n + 1) * sizeof(int));

		if (!first) {
			cg->err = -ENOMEM;
			goto out;
		}
		for (int k = 0; k < n && !cg->err; k++) {
			for (int j = 0; j < nbody && !cg->err; j++) {
				int nb = cg_block_new(cg);

				if (nb < 0)
					break;
				map[blist[j]] = nb;
				cg_layout_before(cg, nb, h);
			}
			first[k] = map[body];
			if (k == 0)
				first0 = first[0];
			for (int j = 0; j < nbody && !cg->err; j++) {
				struct cg_block *ob = &cg->blocks[blist[j]];
				int nb = map[blist[j]];

				for (int i = 0; i < ob->n && !cg->err; i++) {
					struct cg_mi copy = cg->blocks[blist[j]].mi[i];

					if (copy.target >= 0)
						copy.target = copy.target == h ? -2 - k :
							      map[copy.target] >= 0 ? map[copy.target] :
							      copy.target;
					mi = cg_mi_add(cg, nb);
					if (mi)
						*mi = copy;
					ob = &cg->blocks[blist[j]];
				}
			}
		}
		cnt = cg_block_new(cg);
		if (cnt >= 0) {
			cg_layout_before(cg, cnt, h);
			mi = cg_put(cg, cnt, LOOM_TPC_OP_LOOP, 0, 0, 0, q, 0, 0);
			if (mi) {
				mi->target = first[0];
				mi->hi = 0;
			}
			mi = cg_put(cg, cnt, LOOM_TPC_OP_BR, 0, 0, 0, 0, 0, 0);
			if (mi)
				mi->target = h;
			cg->vr[q].nospill = true;
		}
		/* resolve the latches' branches: copy k -> copy k + 1, the last -> counter */
		for (int b = 0; b < cg->nblocks && !cg->err; b++)
			for (int i = 0; i < cg->blocks[b].n; i++) {
				struct cg_mi *x = &cg->blocks[b].mi[i];

				if (x->target <= -2) {
					int k = -2 - x->target;

					x->target = k + 1 < n ? first[k + 1] : cnt;
				}
			}
		free(first);
	}
	if (first0 >= 0) {
		cg_layout_before(cg, pre, first0);
		mi = cg_put(cg, pre, LOOM_TPC_OP_BR, 0, 0, 0, 0, 0, 0);
		if (mi)
			mi->target = first0;
	}
	/* entries into the header from outside the loop go to P */
	for (int b = 0; b < cg->nblocks && !cg->err; b++) {
		bool inside = b == h || b == pre || b == cnt;

		for (int j = 0; j < nbody && !inside; j++)
			inside = blist[j] == b;
		if (inside)
			continue;
		for (int i = 0; i < cg->blocks[b].n; i++) {
			struct cg_mi *x = &cg->blocks[b].mi[i];

			if (x->target == h)
				x->target = pre;
		}
	}
out:
	free(blist);
	free(map);
	return cg->err;
}

int cg_loops(struct cg *cg)
{
	const struct lcc_ir_func *fn = cg->fn;
	int *depth, *order, n = 0;
	char *in;

	if (fn->nloops == 0)
		return cg->err;
	depth = calloc((size_t)fn->nloops, sizeof(int));
	order = calloc((size_t)fn->nloops, sizeof(int));
	in = malloc((size_t)fn->nblocks + 1);
	if (!depth || !order || !in) {
		free(depth);
		free(order);
		free(in);
		return cg->err = -ENOMEM;
	}
	for (int l = 0; l < fn->nloops; l++) {
		for (int p = fn->loops[l].parent; p >= 0 && depth[l] < fn->nloops; p = fn->loops[p].parent)
			depth[l]++;
	}
	/* innermost first */
	for (int d = fn->nloops; d >= 0; d--)
		for (int l = 0; l < fn->nloops; l++)
			if (depth[l] == d)
				order[n++] = l;
	for (int k = 0; k < n && !cg->err; k++) {
		const struct lcc_irloop *l = &fn->loops[order[k]];
		struct cg_counted cl;

		if (cg_loop_counted(cg, l, in, &cl))
			cg_loop_transform(cg, l, in, &cl);
	}
	free(depth);
	free(order);
	free(in);
	return cg->err;
}
