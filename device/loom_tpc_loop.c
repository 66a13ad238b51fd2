// SPDX-License-Identifier: MIT
/*
 * TPC checked loops: a counted loop over tensor rows, run as a whole.
 *
 * The decoder marks (TPC_H_X_LOOP) the first instruction of a loop of one
 * of these shapes (the last two are what loomcc generates for a for loop)
 *
 *   IADD:  top: <body>               WHILE: top: cmplt.i32 pK, sI, sN (or imm)
 *               iadd iC.0, step                  @!pK br   out
 *               loop sN, top                     iset      iC.0, sI
 *                                                <body>
 *   ISET:  top: iset iC.0, sI                    add.i32   sI, sI, step (> 0)
 *               <body>                           br        top
 *               add.i32 sI, sI, step
 *               loop sN, top
 *
 * ISET's body may also be unrolled: iset, body, add repeated, as loomcc's
 * #pragma unroll makes it; each access is then checked at its own offset
 * from sI, and the step is the sum of the adds.
 *
 * where the body is unguarded vector arithmetic and ldt/stt through iC,
 * writes no scalar register and does not read the counter. Such a body
 * does the same thing every iteration but for the coordinate in dimension
 * 0, so the bounds of all its tensor accesses can be checked once for all
 * the iterations ahead: tpc_loop_run() works out how many iterations stay
 * on the fast path (in bounds, of the tensor's type, in host memory the
 * launch resolved as one piece) and runs them without a bounds test or a
 * guard test, dispatching only among the body's handlers. The iteration
 * that reaches a tensor's edge, and everything after the loop, go back to
 * the interpreter, so padding, dropped lanes and errors are exactly those
 * of the instructions one by one. Taken backward branches are counted as
 * the loop instruction counts them, so the watchdog fires at the same
 * iteration.
 *
 * axpy's body (ldt x, ldt y, vfma.f32 with a scalar, stt) with a step of
 * one vector streams from memory to memory: y = a * x + y over all the
 * iterations but the last, which also fills the registers. That is the
 * same as the instructions one by one when the stored vector is either
 * one of the loaded vectors or never overlaps them.
 */
#include "loom_tpc_vop.h"

/* Iterations k < max for which x0 + k * st stays in [0, lim] (x0 is). */
static uint64_t tpc_loop_iters(int64_t x0, int64_t st, int64_t lim, uint64_t max)
{
	uint64_t k;

	if (st == 0)
		return max;
	k = st > 0 ? (uint64_t)((lim - x0) / st) + 1 : (uint64_t)(x0 / -st) + 1;
	return k < max ? k : max;
}

/* May n vectors from z be stored lane by lane over n vectors from x? */
static bool tpc_loop_apart(const uint8_t *z, const uint8_t *x, uint64_t n)
{
	uint64_t span = n * LOOM_TPC_VBYTES;

	return z == x || z + span <= x || x + span <= z;
}

/* n - 1 axpy iterations memory to memory, the last one into the registers. */
static inline __attribute__((always_inline)) void
tpc_loop_axpy(struct tpc_core *c, const struct tpc_uop *top, uint8_t **ptr, uint64_t n)
{
	const float *x = (const float *)ptr[0], *y = (const float *)ptr[1];
	float *z = (float *)ptr[3];
	const float s = tpc_as_f(c->s[top[2].b]);
	const uint64_t m = (n - 1) * TPC_L32;

	_Pragma("GCC ivdep")
	for (uint64_t i = 0; i < m; i++)
		z[i] = fmaf(x[i], s, y[i]);
	c->flops += (n - 1) * 2 * TPC_L32;
	c->bytes += (n - 1) * 3 * LOOM_TPC_VBYTES;
	tpc_axpy(c, top, x + m, y + m, z + m);
	for (unsigned j = 0; j < 4; j++)
		ptr[j] += n * LOOM_TPC_VBYTES;
}

/* n iterations of the body top[0 .. nb - 1], tensor accesses at ptr[]. */
static inline __attribute__((always_inline)) void
tpc_loop_body(struct tpc_core *c, const struct tpc_uop *top, unsigned nb, uint8_t **ptr,
	      int64_t stb, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		for (unsigned j = 0; j < nb; j++) {
			const struct tpc_uop *u = &top[j];

			switch (u->h1) {
			case TPC_H_LDT:
				tpc_vprefetch(ptr[j]);
				memcpy(&c->v[u->d], ptr[j], LOOM_TPC_VBYTES);
				c->bytes += LOOM_TPC_VBYTES;
				ptr[j] += stb;
				break;
			case TPC_H_STT:
				memcpy(ptr[j], &c->v[u->d], LOOM_TPC_VBYTES);
				c->bytes += LOOM_TPC_VBYTES;
				ptr[j] += stb;
				break;
			case TPC_H_GENERIC:
				break;	/* ISET's iset and add: done after the loop */
			default:
				tpc_vop(c, u, u->h1);
				break;
			}
		}
	}
}

/* The loop's shape: its body, index register, step and iteration count. */
struct tpc_loop {
	const struct tpc_uop *body;
	unsigned nb;
	int32_t *co;		/* the index register */
	int32_t x0;		/* its dimension 0 in the first iteration */
	int64_t st;		/* step of dimension 0 per iteration */
	uint64_t left;		/* iterations before the loop ends */
	int32_t off[TPC_LOOP_MAX];	/* ISET: dimension 0 of body[j] from sI */
	int32_t last;		/* ISET: the last iset's offset */
};

/* false if the loop ends before another iteration (the interpreter ends it). */
static bool tpc_loop_shape(struct tpc_core *c, const struct tpc_uop *top,
			   const struct tpc_uop *lp, struct tpc_loop *x)
{
	const struct tpc_uop *add = lp - 1;

	if (top->xform == TPC_LOOP_WHILE) {
		/* cmplt pK, sI, sN; @!pK br out; iset iC.0, sI; body; add sI, sI, st; br */
		int64_t si = (int32_t)c->s[top->a];
		int64_t sn = (int32_t)(top->bk == LOOM_TPC_BK_IMM ? top->imm : c->s[top->b]);

		x->st = (int32_t)add->imm;
		if (si >= sn)
			return false;
		x->left = (uint64_t)((sn - si + x->st - 1) / x->st);
		x->body = top + 3;
		x->co = c->ir[top[2].d];
		x->x0 = (int32_t)si;
	} else if (top->xform == TPC_LOOP_ISET) {
		/* iset iC.0, sI; body; add sI, sI, st; loop sN (unrolled: several) */
		uint32_t cnt = c->s[lp->a];
		int64_t o = 0, cur = 0;

		for (unsigned j = 0; j < (unsigned)(lp - top); j++) {
			if (top[j].op == TPC_U0(ISET))
				x->last = (int32_t)(cur = o);
			else if (top[j].op == TPC_U(ADD, I32))
				o += (int32_t)top[j].imm;
			x->off[j] = (int32_t)cur;
		}
		x->st = o;
		x->left = cnt ? cnt : 1ULL << 32;
		x->body = top;
		x->nb = (unsigned)(lp - top);
		x->co = c->ir[top->d];
		x->x0 = (int32_t)c->s[top->b];
		return true;
	} else {
		/* body; iadd iC.0, st; loop sN */
		uint32_t cnt = c->s[lp->a];

		x->st = (int32_t)add->imm;
		x->left = cnt ? cnt : 1ULL << 32;
		x->body = top;
		x->co = c->ir[add->d];
		x->x0 = x->co[0];
	}
	x->nb = (unsigned)(add - x->body);
	return true;
}

TPC_CLONES
int tpc_loop_run(struct tpc_core *c, const struct tpc_uop *top, const struct tpc_uop **next)
{
	struct tpc_launch *l = c->l;
	const struct tpc_uop *lp = l->prog->uops + top->xloop;
	uint8_t *ptr[TPC_LOOP_MAX];
	int32_t co[LOOM_TPC_DIMS];
	struct tpc_loop x;
	uint64_t n;
	unsigned ax;
	bool stream;
	int err;

	*next = top;
	if (!tpc_loop_shape(c, top, lp, &x))
		return LOOM_ERR_NONE;
	memcpy(co, x.co, sizeof(co));
	for (unsigned j = 0; j < x.nb; j++) {
		const struct tpc_uop *u = &x.body[j];

		if (u->h1 != TPC_H_LDT && u->h1 != TPC_H_STT)
			continue;
		co[0] = top->xform == TPC_LOOP_ISET ?
			(int32_t)((uint32_t)x.x0 + (uint32_t)x.off[j]) : x.x0;
		ptr[j] = tpc_vfast(l, u->b, co, u->op & 3, u->h1 == TPC_H_STT);
		if (!ptr[j])
			return LOOM_ERR_NONE;
		x.left = tpc_loop_iters(co[0], x.st, l->t[u->b].size[0] - TPC_L32, x.left);
	}
	co[0] = x.x0;
	/* axpy's four instructions: body[ax .. ax + 3] (after ISET's iset). */
	ax = top->xform == TPC_LOOP_ISET;
	stream = top->xaxpy && x.st == TPC_L32 && tpc_loop_apart(ptr[ax + 3], ptr[ax], x.left) &&
		 tpc_loop_apart(ptr[ax + 3], ptr[ax + 1], x.left);
	while (x.left) {
		n = x.left < c->budget ? x.left : c->budget;
		if (stream)
			tpc_loop_axpy(c, x.body + ax, ptr + ax, n);
		else
			tpc_loop_body(c, x.body, x.nb, ptr, x.st * 4, n);
		x.left -= n;
		if (top->xform == TPC_LOOP_ISET) {
			/* iC.0 = the last iset's value in the last iteration, sI stepped. */
			x.co[0] = (int32_t)((uint32_t)co[0] + (uint32_t)((n - 1) * x.st) +
					    (uint32_t)x.last);
			co[0] = (int32_t)((uint32_t)co[0] + (uint32_t)(n * x.st));
			c->s[top->b] = (uint32_t)co[0];
		} else if (top->xform == TPC_LOOP_WHILE) {
			/* iC.0 = sI of the last iteration, then sI stepped once more. */
			x.co[0] = (int32_t)((uint32_t)co[0] + (uint32_t)((n - 1) * x.st));
			co[0] = (int32_t)((uint32_t)co[0] + (uint32_t)(n * x.st));
			c->s[top->a] = (uint32_t)co[0];
		} else {
			co[0] = (int32_t)((uint32_t)co[0] + (uint32_t)(n * x.st));
			x.co[0] = co[0];
		}
		if (top->xform == TPC_LOOP_WHILE) {
			/* Every iteration branched back with pK true. */
			c->p[top->d] = 1;
		} else {
			c->s[lp->a] -= (uint32_t)n;
			if (!c->s[lp->a]) {
				/* The last iteration fell through the loop instruction. */
				c->budget -= (uint32_t)(n - 1);
				*next = lp + 1;
				return LOOM_ERR_NONE;
			}
		}
		c->budget -= (uint32_t)n;
		if (!c->budget) {
			c->budget = TPC_BUDGET;
			err = tpc_launch_check(l);
			if (err) {
				*next = lp;
				return err;
			}
		}
	}
	/* The loop ends, or its next iteration reaches an edge: the interpreter goes on. */
	return LOOM_ERR_NONE;
}
