// SPDX-License-Identifier: MIT
/*
 * TPC interpreter: runs one work item of a pre-decoded kernel on one core.
 *
 * The loop switches on each micro-op's handler (struct tpc_uop.h, chosen
 * by loom_tpc_decode.c): one opcode specialised by type and operand kind
 * (vector, broadcast scalar register, immediate) for an unguarded
 * instruction, so that the body is a fixed 64-lane loop the host compiler
 * turns into a few vector instructions, with no test of the type, the
 * operand kind or the guard on the way. A scalar-guarded instruction tests
 * its predicate first (TPC_H_SGUARD); lane-guarded, bf16 and rarely used
 * instructions run through tpc_exec_one() (loom_tpc_ops.c), which defines
 * every instruction's semantics.
 *
 * Tensor loads and stores take a fast path when the whole vector is inside
 * the tensor, of the tensor's type and in host memory the launch resolved
 * as one piece (a bounds test and a 256-byte copy); anything else goes to
 * loom_tpc_mem.c. Fused handlers run a common sequence (axpy's load, load,
 * fma, store; iadd then loop) in one step when all of its accesses take
 * the fast path, and otherwise fall back to running the first instruction
 * alone, so every error is reported at the instruction that caused it,
 * with the earlier instructions' effects done.
 *
 * Taken backward branches count down a budget; when it runs out the core
 * checks the launch's watchdog, abort and stop flags (tpc_launch_check).
 */
#include "loom_tpc_internal.h"
#include "loom_tpc_vop.h"

void tpc_core_reset(struct tpc_core *c, struct tpc_launch *l)
{
	memset(c->v, 0, sizeof(c->v));
	memset(c->vp, 0, sizeof(c->vp));
	memset(c->s, 0, sizeof(c->s));
	memset(c->ir, 0, sizeof(c->ir));
	memset(c->p, 0, sizeof(c->p));
	c->p[0] = 1;
	for (unsigned i = 0; i < TPC_L16; i++)
		c->vp[0][i] = ~0U;
	memset(c->slm, 0, l->slm_size);
	memset(c->vlm, 0, l->vlm_size);
	c->l = l;
	c->budget = TPC_BUDGET;
	c->flops = 0;
	c->bytes = 0;
	memset(&c->fault, 0, sizeof(c->fault));
	tpc_tlb_flush(c);
}

static inline int tpc_backedge(struct tpc_core *c)
{
	if (--c->budget)
		return LOOM_ERR_NONE;
	c->budget = TPC_BUDGET;
	return tpc_launch_check(c->l);
}

static inline void tpc_iadd(struct tpc_core *c, const struct tpc_uop *u, uint32_t x)
{
	for (unsigned k = 0; k < LOOM_TPC_DIMS; k++)
		if (u->a & (1U << k))
			c->ir[u->d][k] = (int32_t)((uint32_t)c->ir[u->d][k] + x);
}

/* ---- the interpreter ------------------------------------------------------ */

TPC_CLONES
int tpc_core_run(struct tpc_core *c, uint32_t *pcp)
{
	const struct tpc_launch *l = c->l;
	const struct tpc_uop *code = l->prog->uops, *u = code;
	unsigned h;
	int err;

	for (;;) {
		h = u->h;
again:
		switch ((enum tpc_handler)h) {
		case TPC_H_GENERIC:
			err = tpc_exec_one(c, u);
			if (err)
				goto fail;
			break;
		case TPC_H_SGUARD:
			if (!(c->p[u->p] ^ u->pn))
				break;
			h = u->h1;
			goto again;

		/* ---- control ---- */
		case TPC_H_NOP:
			break;
		case TPC_H_HALT:
			return LOOM_ERR_NONE;
		case TPC_H_BR:
			if (u->imm <= (uint32_t)(u - code) && (err = tpc_backedge(c)))
				goto fail;
			u = code + u->imm;
			continue;
		case TPC_H_LOOP:
			if (--c->s[u->a] != 0) {
				if (u->imm <= (uint32_t)(u - code) && (err = tpc_backedge(c)))
					goto fail;
				u = code + u->imm;
				continue;
			}
			break;
		case TPC_H_LOOP_OUT:
			if (--c->s[u->a] == 0)
				break;
			/* fall through */
		case TPC_H_BR_OUT:
		case TPC_H_ILLEGAL:
			err = LOOM_ERR_TPC_ILLEGAL;
			goto fail;

		/* ---- memory and index registers ---- */
		case TPC_H_LDT: {
			const uint8_t *src = tpc_vfast(l, u->b, c->ir[u->a], u->op & 3, false);

			if (!src) {
				h = TPC_H_GENERIC;
				goto again;
			}
			tpc_vprefetch(src);
			memcpy(&c->v[u->d], src, LOOM_TPC_VBYTES);
			c->bytes += LOOM_TPC_VBYTES;
			break;
		}
		case TPC_H_STT: {
			uint8_t *dst = tpc_vfast(l, u->b, c->ir[u->a], u->op & 3, true);

			if (!dst) {
				h = TPC_H_GENERIC;
				goto again;
			}
			memcpy(dst, &c->v[u->d], LOOM_TPC_VBYTES);
			c->bytes += LOOM_TPC_VBYTES;
			break;
		}
		case TPC_H_IADD_I:
			tpc_iadd(c, u, u->imm);
			break;

		/* ---- fused sequences ---- */
		case TPC_H_X_LLFS: {
			const uint8_t *x = tpc_vfast(l, u[0].b, c->ir[u[0].a], LOOM_TPC_DT_F32, false);
			const uint8_t *y = tpc_vfast(l, u[1].b, c->ir[u[1].a], LOOM_TPC_DT_F32, false);
			uint8_t *z = tpc_vfast(l, u[3].b, c->ir[u[3].a], LOOM_TPC_DT_F32, true);

			if (!x || !y || !z) {
				h = u->h1;
				goto again;
			}
			tpc_vprefetch(x);
			tpc_vprefetch(y);
			memcpy(&c->v[u[0].d], x, LOOM_TPC_VBYTES);
			memcpy(&c->v[u[1].d], y, LOOM_TPC_VBYTES);
			tpc_ffma(c, &u[2], u[2].h1 == TPC_H_FFMA_S);
			memcpy(z, &c->v[u[3].d], LOOM_TPC_VBYTES);
			c->bytes += 3 * LOOM_TPC_VBYTES;
			u += 4;
			continue;
		}
		case TPC_H_X_AXPY: {
			const float *x = (const float *)tpc_vfast(l, u[0].b, c->ir[u[0].a],
								  LOOM_TPC_DT_F32, false);
			const float *y = (const float *)tpc_vfast(l, u[1].b, c->ir[u[1].a],
								  LOOM_TPC_DT_F32, false);
			float *z = (float *)tpc_vfast(l, u[3].b, c->ir[u[3].a], LOOM_TPC_DT_F32, true);

			/* Lane by lane is only the same if z is x or y, or apart from both. */
			if (!x || !y || !z || !tpc_apart(z, x) || !tpc_apart(z, y)) {
				h = u->h1;
				goto again;
			}
			tpc_axpy(c, u, x, y, z);
			u += 4;
			continue;
		}
		case TPC_H_X_LOOP: {
			const struct tpc_uop *next;

			err = tpc_loop_run(c, u, &next);
			if (err) {
				u = next;
				goto fail;
			}
			if (next == u) {
				h = u->h1;
				goto again;
			}
			u = next;
			continue;
		}
		case TPC_H_X_IADD_LOOP:
			tpc_iadd(c, u, u->imm);
			u++;
			if (--c->s[u->a] != 0) {
				if (u->imm <= (uint32_t)(u - code) && (err = tpc_backedge(c)))
					goto fail;
				u = code + u->imm;
				continue;
			}
			break;

		default:	/* vector arithmetic */
			tpc_vop(c, u, h);
			break;
		}
		u++;
	}
fail:
	*pcp = (uint32_t)(u - code);
	return err;
}
