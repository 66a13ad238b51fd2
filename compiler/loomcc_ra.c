/* SPDX-License-Identifier: MIT */
/*
 * loomcc_ra.c: register allocation for loomcc's machine instructions.
 *
 * The IR is not SSA (a source variable is one register, assigned in many
 * places), so everything here works on liveness rather than on single
 * definitions:
 *
 *  1. liveness: backward data flow over the machine blocks (bit sets of
 *     virtual registers); an instruction that writes part of a register
 *     (guarded, iset, one half of a bf16 conversion) also reads it;
 *  2. dead code: instructions without effects whose results are not live
 *     are removed (what operand folding left behind), until none is;
 *  3. copy coalescing: a copy `d = s` whose two registers do not
 *     interfere (neither is written where the other is live) merges them
 *     into one register, so that the copy disappears;
 *  4. linear scan (Poletto and Sarkar) over one live interval per
 *     register (from its first to its last live position in layout
 *     order: conservative, and right for loops since liveness covers
 *     their back edges), preferring the register of a copy's other side;
 *  5. spilling: when scalar or vector registers run out, allocation
 *     starts again with three scratch registers of each class set aside
 *     (s28-s30, v29-v31) and s31 holding 0; the interval that ends last
 *     lives in a local memory slot (loomcc_codegen_frame.c), loaded into
 *     a scratch register before each instruction that reads it and
 *     stored after each that writes it. Index registers and predicates
 *     are not spilled; a kernel that needs more of them is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loomcc_codegen_int.h"

#define BIT_TEST(s, i)	(((s)[(i) >> 6] >> ((i) & 63)) & 1)
#define BIT_SET(s, i)	((s)[(i) >> 6] |= 1ULL << ((i) & 63))
#define BIT_CLR(s, i)	((s)[(i) >> 6] &= ~(1ULL << ((i) & 63)))

struct ra {
	struct cg *cg;
	int words;		/* of a bit set */
	uint64_t *tmp;		/* scratch bit set */
	bool spill_mode;
};

static bool ra_tracked(struct ra *ra, int r)
{
	return r >= 0 && r < ra->cg->nvr && !ra->cg->vr[r].fixed;
}

static int ra_sets(struct ra *ra)
{
	struct cg *cg = ra->cg;

	ra->words = (cg->nvr + 63) / 64;
	free(ra->tmp);
	ra->tmp = calloc((size_t)ra->words + 1, 8);
	if (!ra->tmp)
		return cg->err = -ENOMEM;
	for (int b = 0; b < cg->nblocks; b++) {
		struct cg_block *bb = &cg->blocks[b];

		free(bb->live_in);
		free(bb->live_out);
		bb->live_in = calloc((size_t)ra->words + 1, 8);
		bb->live_out = calloc((size_t)ra->words + 1, 8);
		if (!bb->live_in || !bb->live_out)
			return cg->err = -ENOMEM;
	}
	return 0;
}

/* Update live (the set after mi) to the set before mi. */
static void ra_step(struct ra *ra, struct cg_mi *mi, uint64_t *live)
{
	struct cg_operands ops;

	cg_mi_operands(mi, &ops);
	for (int k = 0; k < ops.n; k++)
		if (ops.how[k] == CG_OP_DEF && ra_tracked(ra, *ops.reg[k]))
			BIT_CLR(live, *ops.reg[k]);
	for (int k = 0; k < ops.n; k++)
		if ((ops.how[k] & CG_OP_USE) && ra_tracked(ra, *ops.reg[k]))
			BIT_SET(live, *ops.reg[k]);
}

static void ra_liveness(struct ra *ra)
{
	struct cg *cg = ra->cg;
	bool changed = true;

	for (int b = 0; b < cg->nblocks; b++) {
		cg_block_succ(cg, b);
		memset(cg->blocks[b].live_in, 0, (size_t)ra->words * 8);
		memset(cg->blocks[b].live_out, 0, (size_t)ra->words * 8);
	}
	while (changed) {
		changed = false;
		for (int l = cg->nlayout - 1; l >= 0; l--) {
			struct cg_block *bb = &cg->blocks[cg->layout[l]];

			for (int s = 0; s < bb->nsucc; s++)
				for (int w = 0; w < ra->words; w++)
					bb->live_out[w] |= cg->blocks[bb->succ[s]].live_in[w];
			memcpy(ra->tmp, bb->live_out, (size_t)ra->words * 8);
			for (int i = bb->n - 1; i >= 0; i--)
				ra_step(ra, &bb->mi[i], ra->tmp);
			if (memcmp(ra->tmp, bb->live_in, (size_t)ra->words * 8)) {
				memcpy(bb->live_in, ra->tmp, (size_t)ra->words * 8);
				changed = true;
			}
		}
	}
}

/* Remove instructions whose only effect is a dead register. Returns how many. */
static int ra_dce(struct ra *ra)
{
	struct cg *cg = ra->cg;
	int removed = 0;

	for (int l = 0; l < cg->nlayout; l++) {
		struct cg_block *bb = &cg->blocks[cg->layout[l]];
		int keep = bb->n;

		memcpy(ra->tmp, bb->live_out, (size_t)ra->words * 8);
		for (int i = bb->n - 1; i >= 0; i--) {
			struct cg_mi *mi = &bb->mi[i];
			struct cg_operands ops;
			bool live = cg_mi_has_effect(mi), defs = false;

			cg_mi_operands(mi, &ops);
			for (int k = 0; k < ops.n; k++)
				if (ops.how[k] & CG_OP_DEF) {
					defs = true;
					if (!ra_tracked(ra, *ops.reg[k]) || BIT_TEST(ra->tmp, *ops.reg[k]))
						live = true;
				}
			if (!live && (defs || cg_mi_is_self_copy(mi) || mi->op == LOOM_TPC_OP_NOP)) {
				mi->op = LOOM_TPC_OP_NOP;	/* removed below */
				removed++;
				continue;
			}
			ra_step(ra, mi, ra->tmp);
		}
		keep = 0;
		for (int i = 0; i < bb->n; i++)
			if (bb->mi[i].op != LOOM_TPC_OP_NOP)
				bb->mi[keep++] = bb->mi[i];
		bb->n = keep;
	}
	return removed;
}

/*
 * Do d and s interfere: is one written where the other is live, apart
 * from the copy at (cb, ci) and other copies between the two?
 */
static bool ra_interfere(struct ra *ra, int d, int s, int cb, int ci)
{
	struct cg *cg = ra->cg;

	for (int b = 0; b < cg->nblocks; b++) {
		struct cg_block *bb = &cg->blocks[b];

		memcpy(ra->tmp, bb->live_out, (size_t)ra->words * 8);
		for (int i = bb->n - 1; i >= 0; i--) {
			struct cg_mi *mi = &bb->mi[i];
			struct cg_operands ops;

			/* a copy between the two writes the value the other holds */
			bool between = cg_mi_is_copy(mi) &&
				       ((mi->d == d && cg_mi_copy_src(mi) == s) ||
					(mi->d == s && cg_mi_copy_src(mi) == d));

			if (!(b == cb && i == ci) && !between) {
				cg_mi_operands(mi, &ops);
				for (int k = 0; k < ops.n; k++) {
					if (!(ops.how[k] & CG_OP_DEF))
						continue;
					if (*ops.reg[k] == s && BIT_TEST(ra->tmp, d))
						return true;
					if (*ops.reg[k] == d && BIT_TEST(ra->tmp, s))
						return true;
				}
			}
			ra_step(ra, mi, ra->tmp);
		}
	}
	return false;
}

static void ra_rename(struct ra *ra, int from, int to)
{
	struct cg *cg = ra->cg;

	for (int b = 0; b < cg->nblocks; b++) {
		struct cg_block *bb = &cg->blocks[b];

		for (int i = 0; i < bb->n; i++) {
			struct cg_operands ops;

			cg_mi_operands(&bb->mi[i], &ops);
			for (int k = 0; k < ops.n; k++)
				if (*ops.reg[k] == from)
					*ops.reg[k] = to;
		}
		if (BIT_TEST(bb->live_in, from)) {
			BIT_CLR(bb->live_in, from);
			BIT_SET(bb->live_in, to);
		}
		if (BIT_TEST(bb->live_out, from)) {
			BIT_CLR(bb->live_out, from);
			BIT_SET(bb->live_out, to);
		}
	}
	cg->vr[to].nospill |= cg->vr[from].nospill;
}

/* Merge the two sides of copies that do not interfere. */
static void ra_coalesce(struct ra *ra)
{
	struct cg *cg = ra->cg;
	int budget = 4096;

	for (int b = 0; b < cg->nblocks && budget > 0; b++) {
		struct cg_block *bb = &cg->blocks[b];

		for (int i = 0; i < bb->n && budget > 0; i++) {
			struct cg_mi *mi = &bb->mi[i];
			int d = mi->d, s;

			if (!cg_mi_is_copy(mi) || cg_mi_is_self_copy(mi))
				continue;
			s = cg_mi_copy_src(mi);
			if (!ra_tracked(ra, d) || !ra_tracked(ra, s) || cg->vr[d].cls != cg->vr[s].cls)
				continue;
			budget--;
			if (ra_interfere(ra, d, s, b, i))
				continue;
			ra_rename(ra, s, d);
		}
	}
}

/* Loop depth of each block: natural loops of the back edges a DFS finds. */
static void ra_loop_depth(struct ra *ra)
{
	struct cg *cg = ra->cg;
	int n = cg->nblocks, *state = calloc((size_t)n + 1, sizeof(int));
	int *stack = malloc(((size_t)n + 1) * 2 * sizeof(int)), sp = 0;
	int *work = malloc(((size_t)n + 1) * sizeof(int));
	char *in = malloc((size_t)n + 1);

	for (int b = 0; b < n; b++)
		cg->blocks[b].loop_depth = 0;
	if (!state || !stack || !work || !in || cg->nlayout == 0)
		goto out;
	/* iterative DFS: state 1 on the stack, 2 done; stack holds (block, next succ) */
	stack[sp++] = cg->layout[0];
	stack[sp++] = 0;
	state[cg->layout[0]] = 1;
	while (sp > 0) {
		int b = stack[sp - 2], k = stack[sp - 1];
		struct cg_block *bb = &cg->blocks[b];

		if (k >= bb->nsucc) {
			state[b] = 2;
			sp -= 2;
			continue;
		}
		stack[sp - 1]++;
		int s = bb->succ[k];

		if (state[s] == 1) {
			/* back edge b -> s: the natural loop of s */
			int nw = 0;

			memset(in, 0, (size_t)n);
			in[s] = 1;
			if (!in[b]) {
				in[b] = 1;
				work[nw++] = b;
			}
			while (nw > 0) {
				int x = work[--nw];

				for (int p = 0; p < n; p++) {
					struct cg_block *pb = &cg->blocks[p];

					for (int q = 0; q < pb->nsucc; q++)
						if (pb->succ[q] == x && !in[p]) {
							in[p] = 1;
							work[nw++] = p;
						}
				}
			}
			for (int x = 0; x < n; x++)
				if (in[x] && cg->blocks[x].loop_depth < 6)
					cg->blocks[x].loop_depth++;
		} else if (state[s] == 0) {
			state[s] = 1;
			stack[sp++] = s;
			stack[sp++] = 0;
		}
	}
out:
	free(state);
	free(stack);
	free(work);
	free(in);
}

/* Live intervals in layout order, and spill weights. */
static void ra_intervals(struct ra *ra)
{
	struct cg *cg = ra->cg;
	int pos = 0;

	for (int r = 0; r < cg->nvr; r++) {
		cg->vr[r].start = 1 << 30;
		cg->vr[r].end = -1;
		cg->vr[r].weight = 0;
	}
#define EXT(r, p) do { if ((p) < cg->vr[r].start) cg->vr[r].start = (p); \
		       if ((p) > cg->vr[r].end) cg->vr[r].end = (p); } while (0)
	for (int l = 0; l < cg->nlayout; l++) {
		struct cg_block *bb = &cg->blocks[cg->layout[l]];
		double w = 1;

		for (int k = 0; k < bb->loop_depth; k++)
			w *= 10;
		bb->start = pos;
		for (int i = 0; i < bb->n; i++, pos += 2) {
			struct cg_operands ops;

			cg_mi_operands(&bb->mi[i], &ops);
			for (int k = 0; k < ops.n; k++) {
				int r = *ops.reg[k];

				if (!ra_tracked(ra, r))
					continue;
				if (ops.how[k] & CG_OP_USE)
					EXT(r, pos);
				if (ops.how[k] & CG_OP_DEF)
					EXT(r, pos + 1);
				cg->vr[r].weight += w;
			}
		}
		bb->end = pos > bb->start ? pos - 1 : bb->start;
		for (int r = 0; r < cg->nvr; r++) {
			if (BIT_TEST(bb->live_in, r))
				EXT(r, bb->start);
			if (BIT_TEST(bb->live_out, r))
				EXT(r, bb->end);
		}
	}
#undef EXT
}

struct ra_ord {
	int start, r;
};

static int ra_cmp(const void *x, const void *y)
{
	const struct ra_ord *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->r < b->r ? -1 : a->r > b->r;
}

/* Registers a class may allocate: a bit mask over 0..31. */
static uint32_t ra_allocatable(struct ra *ra, enum cg_class c)
{
	uint32_t m;

	switch (c) {
	case CG_S:
		m = 0xffffffffu;
		if (ra->cg->zero_reg || ra->spill_mode)
			m &= ~(1u << CG_ZERO_SREG);
		if (ra->spill_mode)
			m &= ~(7u << 28);
		return m;
	case CG_V:
		return ra->spill_mode ? 0x1fffffffu : 0xffffffffu;
	case CG_I:
		return 0xffffffffu;
	default:
		return 0xfeu;	/* p1..p7, vp1..vp7 */
	}
}

static const char *const ra_class_name[CG_NCLASS] = {
	"", "scalar", "vector", "index", "scalar predicate", "vector predicate",
};

/* Returns 0, 1 when spilling is needed but not allowed yet, or -errno. */
static int ra_scan(struct ra *ra)
{
	struct cg *cg = ra->cg;
	struct ra_ord *order = malloc(((size_t)cg->nvr + 1) * sizeof(*order));
	int n = 0, ret = 0;
	int *active = malloc(((size_t)cg->nvr + 1) * sizeof(int)), nact = 0;
	int owner[CG_NCLASS][32];

	if (!order || !active) {
		free(order);
		free(active);
		return cg->err = -ENOMEM;
	}
	for (int r = 0; r < cg->nvr; r++) {
		cg->vr[r].spilled = false;
		if (!cg->vr[r].fixed)
			cg->vr[r].phys = -1;
		if (ra_tracked(ra, r) && cg->vr[r].start <= cg->vr[r].end)
			order[n++] = (struct ra_ord){ cg->vr[r].start, r };
	}
	qsort(order, (size_t)n, sizeof(*order), ra_cmp);
	memset(owner, 0xff, sizeof(owner));
	for (int i = 0; i < n && !ret; i++) {
		int r = order[i].r, c = cg->vr[r].cls, p = -1;
		uint32_t free_m = ra_allocatable(ra, c);

		/* expire */
		for (int k = 0; k < nact; k++) {
			int a = active[k];

			if (cg->vr[a].end < cg->vr[r].start) {
				owner[cg->vr[a].cls][cg->vr[a].phys] = -1;
				active[k--] = active[--nact];
			}
		}
		for (int q = 0; q < 32; q++)
			if (owner[c][q] >= 0)
				free_m &= ~(1u << q);
		if (cg->vr[r].hint >= 0 && cg->vr[cg->vr[r].hint].phys >= 0 &&
		    (free_m >> cg->vr[cg->vr[r].hint].phys) & 1)
			p = cg->vr[cg->vr[r].hint].phys;
		for (int q = 0; q < 32 && p < 0; q++)
			if ((free_m >> q) & 1)
				p = q;
		if (p < 0) {
			int victim = cg->vr[r].nospill ? -1 : r;

			if (c != CG_S && c != CG_V) {
				ret = cg_fail(cg, "loomcc: kernel too large for the register file "
					      "(more than %d %s registers live at once)\n",
					      __builtin_popcount(ra_allocatable(ra, c)),
					      ra_class_name[c]);
				break;
			}
			if (!ra->spill_mode) {
				ret = 1;
				break;
			}
			for (int k = 0; k < nact; k++) {
				int a = active[k];

				if (cg->vr[a].cls == c && !cg->vr[a].nospill &&
				    (victim < 0 || cg->vr[a].end > cg->vr[victim].end))
					victim = a;
			}
			if (victim < 0) {
				ret = cg_fail(cg, "loomcc: kernel too large for the register file "
					      "(loop counters)\n");
				break;
			}
			cg->vr[victim].spilled = true;
			if (cg_frame_spill_slot(cg, c, &cg->vr[victim].slot)) {
				ret = cg->err;
				break;
			}
			if (victim == r)
				continue;
			p = cg->vr[victim].phys;
			cg->vr[victim].phys = -1;
			for (int k = 0; k < nact; k++)
				if (active[k] == victim)
					active[k--] = active[--nact];
		}
		cg->vr[r].phys = p;
		owner[c][p] = r;
		active[nact++] = r;
	}
	free(order);
	free(active);
	return ret;
}

/* Put the physical registers in, with loads and stores around spilled operands. */
static int ra_rewrite(struct ra *ra)
{
	struct cg *cg = ra->cg;

	for (int b = 0; b < cg->nblocks && !cg->err; b++) {
		struct cg_block *bb = &cg->blocks[b];

		for (int i = 0; i < bb->n && !cg->err; i++) {
			struct cg_operands ops;
			int sp[6], scr[6], nsp = 0, nuse[CG_NCLASS] = { 0 };
			unsigned how[6] = { 0 };
			int cur = i;

			cg_mi_operands(&bb->mi[i], &ops);
			for (int k = 0; k < ops.n; k++) {
				int r = *ops.reg[k], j;

				if (r < 0 || r >= cg->nvr || !cg->vr[r].spilled)
					continue;
				for (j = 0; j < nsp && sp[j] != r; j++)
					;
				if (j == nsp)
					sp[nsp++] = r;
				how[j] |= ops.how[k];
			}
			/* scratch registers: sources first, then pure results */
			for (int j = 0; j < nsp; j++) {
				int c = cg->vr[sp[j]].cls;

				if (how[j] & CG_OP_USE) {
					if (nuse[c] >= 3)
						return cg_fail(cg, "loomcc: kernel too large for the register file\n");
					scr[j] = (c == CG_S ? 28 : 29) + nuse[c]++;
				}
			}
			for (int j = 0; j < nsp; j++) {
				int c = cg->vr[sp[j]].cls;

				if (!(how[j] & CG_OP_USE))
					scr[j] = (c == CG_S ? 28 : 29) + (nuse[c] < 3 ? nuse[c]++ : 0);
			}
			for (int k = 0; k < ops.n; k++) {
				int r = *ops.reg[k];

				if (r < 0 || r >= cg->nvr)
					continue;
				if (cg->vr[r].spilled) {
					for (int j = 0; j < nsp; j++)
						if (sp[j] == r)
							*ops.reg[k] = scr[j];
				} else {
					*ops.reg[k] = cg->vr[r].phys >= 0 ? cg->vr[r].phys : 0;
				}
			}
			for (int j = 0; j < nsp; j++) {
				bool vec = cg->vr[sp[j]].cls == CG_V;
				struct cg_mi *m;

				if (how[j] & CG_OP_USE) {
					m = cg_mi_insert(cg, b, cur);
					if (!m)
						break;
					m->op = vec ? LOOM_TPC_OP_LDLV : LOOM_TPC_OP_LDL;
					m->type = vec ? LOOM_TPC_DT_F32 : 0;
					m->d = scr[j];
					m->a = CG_ZERO_SREG;
					m->hi = LOOM_TPC_ENC_IMM((uint32_t)cg->vr[sp[j]].slot);
					cur++;
					i++;
				}
				if (how[j] & CG_OP_DEF) {
					m = cg_mi_insert(cg, b, i + 1);
					if (!m)
						break;
					m->op = vec ? LOOM_TPC_OP_STLV : LOOM_TPC_OP_STL;
					m->type = vec ? LOOM_TPC_DT_F32 : 0;
					m->d = scr[j];
					m->a = CG_ZERO_SREG;
					m->hi = LOOM_TPC_ENC_IMM((uint32_t)cg->vr[sp[j]].slot);
					i++;
				}
			}
		}
	}
	return cg->err;
}

int cg_regalloc(struct cg *cg)
{
	struct ra ra = { .cg = cg };
	int ret;

	if (ra_sets(&ra))
		goto out;
	do {
		ra_liveness(&ra);
	} while (ra_dce(&ra) > 0);
	ra_coalesce(&ra);
	ra_liveness(&ra);
	for (int b = 0; b < cg->nblocks; b++) {
		struct cg_block *bb = &cg->blocks[b];

		for (int i = 0; i < bb->n; i++) {
			struct cg_mi *mi = &bb->mi[i];

			if (cg_mi_is_copy(mi) && !cg_mi_is_self_copy(mi)) {
				int s = cg_mi_copy_src(mi);

				if (ra_tracked(&ra, mi->d) && ra_tracked(&ra, s)) {
					cg->vr[mi->d].hint = s;
					if (cg->vr[s].hint < 0)
						cg->vr[s].hint = mi->d;
				}
			}
		}
	}
	ra_loop_depth(&ra);
	ra_intervals(&ra);
	ret = ra_scan(&ra);
	if (ret == 1) {
		ra.spill_mode = true;
		cg->zero_reg = true;
		ret = ra_scan(&ra);
	}
	if (ret == 0)
		ra_rewrite(&ra);
out:
	free(ra.tmp);
	return cg->err;
}
