/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the TPC's general instruction path (loom_tpc_ops.c for the
 * scalar, memory and index instructions, loom_tpc_ops_vec.c for the vector
 * ones): integer edge cases, operand b, and lane guards (a lane-guarded
 * instruction computes into a scratch register, then blends it into its
 * destination under the guard mask).
 */
#ifndef LOOM_TPC_OPS_H
#define LOOM_TPC_OPS_H

#include <limits.h>

#include "loom_tpc_internal.h"
#include "loom_tpc_math.h"

/* ---- numeric helpers ------------------------------------------------------ */

static inline int32_t tpc_sdiv(int32_t x, int32_t y)
{
	if (y == 0)
		return -1;
	if (x == INT32_MIN && y == -1)
		return INT32_MIN;
	return x / y;
}

static inline int32_t tpc_srem(int32_t x, int32_t y)
{
	if (y == 0)
		return x;
	if (y == -1)
		return 0;
	return x % y;
}

static inline uint32_t tpc_udiv(uint32_t x, uint32_t y)
{
	return y ? x / y : UINT32_MAX;
}

static inline uint32_t tpc_urem(uint32_t x, uint32_t y)
{
	return y ? x % y : x;
}

static inline uint32_t tpc_iabs(uint32_t x)
{
	return (int32_t)x < 0 ? 0U - x : x;
}

static inline int32_t tpc_sra(int32_t x, uint32_t n)
{
	return x >> (n & 31);
}

/* ---- operand helpers ---------------------------------------------------- */

static inline uint32_t tpc_bval(const struct tpc_core *c, const struct tpc_uop *u)
{
	return u->bk == LOOM_TPC_BK_IMM ? u->imm : c->s[u->b];
}

/* Operand b of a vector instruction: a register, or a broadcast. */
static inline __attribute__((always_inline)) const union tpc_vreg *tpc_vb(struct tpc_core *c, const struct tpc_uop *u,
					   bool bf)
{
	uint32_t x;

	if (u->bk == LOOM_TPC_BK_REG)
		return &c->v[u->b];
	x = tpc_bval(c, u);
	if (bf) {
		uint16_t h = tpc_f2bf(tpc_as_f(x));

		for (unsigned i = 0; i < TPC_L16; i++)
			c->bs.h[i] = h;
	} else {
		for (unsigned i = 0; i < TPC_L32; i++)
			c->bs.u[i] = x;
	}
	return &c->bs;
}

static inline union tpc_vreg *tpc_vd(struct tpc_core *c, const struct tpc_uop *u)
{
	return u->lguard ? &c->tmp : &c->v[u->d];
}

static inline void tpc_blend32(uint32_t *restrict d, const uint32_t *restrict t,
			       const uint32_t *restrict m, uint32_t neg)
{
	for (unsigned i = 0; i < TPC_L32; i++) {
		uint32_t k = m[i] ^ neg;

		d[i] = (t[i] & k) | (d[i] & ~k);
	}
}

static inline void tpc_blend16(uint16_t *restrict d, const uint16_t *restrict t,
			       const uint32_t *restrict m, uint32_t neg)
{
	for (unsigned i = 0; i < TPC_L16; i++) {
		uint16_t k = (uint16_t)(m[i] ^ neg);

		d[i] = (uint16_t)((t[i] & k) | (d[i] & ~k));
	}
}

/* Finish a vector instruction that wrote through tpc_vd(). */
static inline void tpc_vcommit(struct tpc_core *c, const struct tpc_uop *u, bool bf)
{
	if (!u->lguard)
		return;
	if (bf)
		tpc_blend16(c->v[u->d].h, c->tmp.h, c->vp[u->p], u->pn ? ~0U : 0U);
	else
		tpc_blend32(c->v[u->d].u, c->tmp.u, c->vp[u->p], u->pn ? ~0U : 0U);
}

/* Write n lanes of mask r into predicate d under the guard. */
static inline void tpc_pcommit(struct tpc_core *c, const struct tpc_uop *u,
			       const uint32_t *restrict r, unsigned n)
{
	uint32_t *restrict d = c->vp[u->d];
	const uint32_t *restrict g = c->vp[u->p];
	uint32_t neg = u->pn ? ~0U : 0U;

	if (!u->lguard) {
		memcpy(d, r, n * sizeof(uint32_t));
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		uint32_t k = g[i] ^ neg;

		d[i] = (r[i] & k) | (d[i] & ~k);
	}
}

static inline bool tpc_guard_lane(const struct tpc_core *c, const struct tpc_uop *u,
				  unsigned i)
{
	return !u->lguard || ((c->vp[u->p][i] ^ (u->pn ? ~0U : 0U)) != 0);
}

#endif /* LOOM_TPC_OPS_H */
