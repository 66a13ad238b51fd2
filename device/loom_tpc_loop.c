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
 * where the body is unguarded vector arithmetic and ldt/stt through iC,
 * writes no scalar register and reads none the loop changes. ISET's body may
 * also be unrolled (iset, body, add repeated, as loomcc's #pragma unroll
 * makes it) and compute the coordinate from sI through scratch registers
 * (add, mul, shl by constants, then iset from those): such scalar
 * instructions are affine in sI, so tpc_loop_run() runs them for two
 * iterations to find where each access starts and how far it moves per
 * iteration, and once more for the last iteration, so that the scalar
 * registers end exactly as the instructions leave them.
 *
 * Such a body does the same thing every iteration but for the coordinate
 * in dimension 0, so the bounds of all its tensor accesses can be checked
 * once for all the iterations ahead: tpc_loop_run() works out how many
 * iterations stay on the fast path (in bounds, of the tensor's type, in
 * host memory the launch resolved as one piece) and runs them without a
 * bounds test or a guard test, dispatching only among the body's
 * handlers. The iteration that reaches a tensor's edge, and everything
 * after the loop, go back to the interpreter, so padding, dropped lanes
 * and errors are exactly those of the instructions one by one. Taken
 * backward branches are counted as the loop's branch counts them, so the
 * watchdog fires at the same iteration and instruction.
 *
 * axpy's body (ldt x, ldt y, vfma.f32 with a scalar, stt, or r unrolled
 * copies of it over consecutive vectors) streams from memory to memory:
 * y = a * x + y over all the vectors but the last, which also fills the
 * registers. That is the same as the instructions one by one when the
 * stored vector is either one of the loaded vectors or never overlaps
 * them (then reading x a page ahead of the stores changes nothing).
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

/*
 * z = s * x + y over m floats, lane by lane (z is x, y, or apart from
 * both). A long stream reads x a page at a time into a buffer, then
 * combines it with y: measured on the development host, that streams
 * device memory 1.3-2x faster than one loop over the three streams, while
 * data in cache is faster with the plain loop (docs/performance.md).
 */
static inline __attribute__((always_inline)) void
tpc_stream_axpy(float *z, const float *x, const float *y, float s, uint64_t m)
{
	enum { B = LOOM_PAGE_SIZE / 4, LONG = (512 << 10) / 4 };
	float t[B] __attribute__((aligned(64)));
	uint64_t i, j, head = ((LOOM_PAGE_SIZE - ((uintptr_t)x & (LOOM_PAGE_SIZE - 1))) &
			       (LOOM_PAGE_SIZE - 1)) / 4;

	if (m < LONG || head > m)
		head = m;
	_Pragma("GCC ivdep")
	for (i = 0; i < head; i++)
		z[i] = fmaf(x[i], s, y[i]);
	for (; i + B <= m; i += B) {
		size_t len = sizeof(t);

		/* The C library's copy: the compiler's inline one (rep movsq) is slower. */
		__asm__("" : "+r"(len));
		memcpy(t, x + i, len);
		_Pragma("GCC ivdep")
		for (j = 0; j < B; j++)
			z[i + j] = fmaf(t[j], s, y[i + j]);
	}
	_Pragma("GCC ivdep")
	for (; i < m; i++)
		z[i] = fmaf(x[i], s, y[i]);
}

/* n - 1 axpy vectors memory to memory, the last one into the registers. */
static inline __attribute__((always_inline)) void
tpc_loop_axpy(struct tpc_core *c, const struct tpc_uop *ax, uint8_t *const *p, uint64_t n)
{
	const float *x = (const float *)p[0], *y = (const float *)p[1];
	float *z = (float *)p[3];
	const float s = tpc_as_f(c->s[ax[2].b]);
	const uint64_t m = (n - 1) * TPC_L32;

	tpc_stream_axpy(z, x, y, s, m);
	c->flops += (n - 1) * 2 * TPC_L32;
	c->bytes += (n - 1) * 3 * LOOM_TPC_VBYTES;
	tpc_axpy(c, ax, x + m, y + m, z + m);
}

/*
 * n iterations of the body top[0 .. nb - 1], tensor accesses at ptr[]
 * moving stb[] bytes per iteration. Scalar instructions (an ISET loop's
 * iset, add, mul) are skipped: tpc_loop_run() sets their registers after.
 */
static inline __attribute__((always_inline)) void
tpc_loop_body(struct tpc_core *c, const struct tpc_uop *top, unsigned nb, uint8_t **ptr,
	      const int64_t *stb, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		for (unsigned j = 0; j < nb; j++) {
			const struct tpc_uop *u = &top[j];

			switch (u->h1) {
			case TPC_H_LDT:
				tpc_vprefetch(ptr[j]);
				memcpy(&c->v[u->d], ptr[j], LOOM_TPC_VBYTES);
				c->bytes += LOOM_TPC_VBYTES;
				ptr[j] += stb[j];
				break;
			case TPC_H_STT:
				memcpy(ptr[j], &c->v[u->d], LOOM_TPC_VBYTES);
				c->bytes += LOOM_TPC_VBYTES;
				ptr[j] += stb[j];
				break;
			case TPC_H_GENERIC:
				break;
			default:
				tpc_vop(c, u, u->h1);
				break;
			}
		}
	}
}

/* The loop's shape: its body, index register, counts and each access's path. */
struct tpc_loop {
	const struct tpc_uop *body;
	unsigned nb;
	unsigned ic;			/* the index register */
	uint64_t left;			/* iterations before the loop ends */
	int64_t x0[TPC_LOOP_MAX];	/* dimension 0 of body[j] in the first iteration */
	int64_t st[TPC_LOOP_MAX];	/* its step per iteration */
	uint32_t si0, sstep;		/* ISET: sI in the first iteration, its step */
};

/* Run the scalar instructions of an ISET body once (they cannot fail). */
static void tpc_loop_scalars(struct tpc_core *c, const struct tpc_loop *x, int32_t *co0)
{
	for (unsigned j = 0; j < x->nb; j++) {
		if (x->body[j].h1 == TPC_H_GENERIC)
			(void)tpc_exec_one(c, &x->body[j]);
		if (co0)
			co0[j] = c->ir[x->ic][0];
	}
}

/* false if the loop ends before another iteration (the interpreter ends it). */
static bool tpc_loop_shape(struct tpc_core *c, const struct tpc_uop *top,
			   const struct tpc_uop *lp, struct tpc_loop *x)
{
	const struct tpc_uop *add = lp - 1;
	uint32_t cnt = c->s[lp->a];
	int64_t x0, st;

	x->left = cnt ? cnt : 1ULL << 32;
	if (top->xform == TPC_LOOP_ISET) {
		/* Two iterations of the scalar instructions, then back. */
		uint32_t s[LOOM_TPC_NUM_SREGS];
		int32_t ir[8], a[TPC_LOOP_MAX], b[TPC_LOOP_MAX];

		x->body = top;
		x->nb = (unsigned)(lp - top);
		x->ic = top->xic;
		memcpy(s, c->s, sizeof(s));
		memcpy(ir, c->ir[x->ic], sizeof(ir));
		x->si0 = c->s[top->xsi];
		tpc_loop_scalars(c, x, a);
		x->sstep = c->s[top->xsi] - x->si0;
		tpc_loop_scalars(c, x, b);
		memcpy(c->s, s, sizeof(s));
		memcpy(c->ir[x->ic], ir, sizeof(ir));
		for (unsigned j = 0; j < x->nb; j++) {
			x->x0[j] = a[j];
			x->st[j] = (int32_t)((uint32_t)b[j] - (uint32_t)a[j]);
		}
		return true;
	}
	if (top->xform == TPC_LOOP_WHILE) {
		/* cmplt pK, sI, sN; @!pK br out; iset iC.0, sI; body; add sI, sI, st; br */
		int64_t si = (int32_t)c->s[top->a];
		int64_t sn = (int32_t)(top->bk == LOOM_TPC_BK_IMM ? top->imm : c->s[top->b]);

		st = (int32_t)add->imm;
		if (si >= sn)
			return false;
		x->left = (uint64_t)((sn - si + st - 1) / st);
		x->body = top + 3;
		x->ic = top[2].d;
		x0 = si;
	} else {
		/* body; iadd iC.0, st; loop sN */
		st = (int32_t)add->imm;
		x->body = top;
		x->ic = add->d;
		x0 = c->ir[x->ic][0];
	}
	x->nb = (unsigned)(add - x->body);
	for (unsigned j = 0; j < x->nb; j++) {
		x->x0[j] = x0;
		x->st[j] = st;
	}
	return true;
}

/* Leave the registers as n iterations (of those still left) leave them. */
static void tpc_loop_advance(struct tpc_core *c, const struct tpc_uop *top,
			     const struct tpc_uop *lp, struct tpc_loop *x, uint64_t n)
{
	int32_t *co = c->ir[x->ic];

	switch (top->xform) {
	case TPC_LOOP_ISET:
		/* sI as the last iteration starts, then that iteration's scalars. */
		c->s[top->xsi] = x->si0 + (uint32_t)((n - 1) * x->sstep);
		tpc_loop_scalars(c, x, NULL);
		x->si0 = c->s[top->xsi];
		break;
	case TPC_LOOP_WHILE:
		/* iC.0 = sI of the last iteration, sI stepped once more, pK held. */
		co[0] = (int32_t)((uint32_t)x->x0[0] + (uint32_t)((n - 1) * x->st[0]));
		c->s[top->a] = (uint32_t)co[0] + (uint32_t)x->st[0];
		c->p[top->d] = 1;
		break;
	default:
		co[0] = (int32_t)((uint32_t)co[0] + (uint32_t)(n * x->st[0]));
		break;
	}
	for (unsigned j = 0; j < x->nb; j++)
		x->x0[j] += (int64_t)n * x->st[j];
	if (top->xform != TPC_LOOP_WHILE)
		c->s[lp->a] -= (uint32_t)n;
}

/*
 * The loop's body is r copies of axpy (top->xaxpy) over consecutive
 * vectors, one vector further each: the first copy, its accesses in p.
 */
static const struct tpc_uop *tpc_loop_stream(const struct tpc_uop *top, const struct tpc_loop *x,
					     uint8_t *const *ptr, uint8_t **p)
{
	const struct tpc_uop *first = NULL;
	unsigned r = 0, j;

	for (j = 0; j < x->nb; j++) {
		if (!x->body[j].xax)
			continue;
		if (!first) {
			first = &x->body[j];
			p[0] = ptr[j];
			p[1] = ptr[j + 1];
			p[3] = ptr[j + 3];
		} else if (ptr[j] != p[0] + r * LOOM_TPC_VBYTES ||
			   ptr[j + 1] != p[1] + r * LOOM_TPC_VBYTES ||
			   ptr[j + 3] != p[3] + r * LOOM_TPC_VBYTES) {
			return NULL;
		}
		if (x->st[j] != (int64_t)top->xaxpy * TPC_L32)
			return NULL;
		r++;
	}
	return r == top->xaxpy ? first : NULL;
}

TPC_CLONES
int tpc_loop_run(struct tpc_core *c, const struct tpc_uop *top, const struct tpc_uop **next)
{
	struct tpc_launch *l = c->l;
	const struct tpc_uop *lp = l->prog->uops + top->xloop, *ax = NULL;
	uint8_t *ptr[TPC_LOOP_MAX], *p[4];
	int64_t stb[TPC_LOOP_MAX];
	int32_t co[LOOM_TPC_DIMS];
	struct tpc_loop x;
	uint64_t n;
	int err;

	*next = top;
	if (!tpc_loop_shape(c, top, lp, &x))
		return LOOM_ERR_NONE;
	memcpy(co, c->ir[x.ic], sizeof(co));
	for (unsigned j = 0; j < x.nb; j++) {
		const struct tpc_uop *u = &x.body[j];

		if (u->h1 != TPC_H_LDT && u->h1 != TPC_H_STT)
			continue;
		if (x.x0[j] < 0 || x.x0[j] > INT32_MAX)
			return LOOM_ERR_NONE;
		co[0] = (int32_t)x.x0[j];
		ptr[j] = tpc_vfast(l, u->b, co, u->op & 3, u->h1 == TPC_H_STT);
		if (!ptr[j])
			return LOOM_ERR_NONE;
		x.left = tpc_loop_iters(x.x0[j], x.st[j], l->t[u->b].size[0] - TPC_L32, x.left);
		stb[j] = x.st[j] * 4;
	}
	if (top->xaxpy) {
		ax = tpc_loop_stream(top, &x, ptr, p);
		if (ax && (!tpc_loop_apart(p[3], p[0], x.left * top->xaxpy) ||
			   !tpc_loop_apart(p[3], p[1], x.left * top->xaxpy)))
			ax = NULL;
	}
	while (x.left) {
		n = x.left < c->budget ? x.left : c->budget;
		if (ax) {
			tpc_loop_axpy(c, ax, p, n * top->xaxpy);
			for (unsigned j = 0; j < 4; j++)
				p[j] += n * top->xaxpy * LOOM_TPC_VBYTES;
		} else {
			tpc_loop_body(c, x.body, x.nb, ptr, stb, n);
		}
		x.left -= n;
		tpc_loop_advance(c, top, lp, &x, n);
		if (top->xform != TPC_LOOP_WHILE && !c->s[lp->a]) {
			/* The last iteration fell through the loop instruction. */
			c->budget -= (uint32_t)(n - 1);
			*next = lp + 1;
			return LOOM_ERR_NONE;
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
