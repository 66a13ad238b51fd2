/* SPDX-License-Identifier: MIT */
/*
 * loomcc_type.c: the kernel language's types and intrinsics.
 *
 * Scalars: bool, int (32-bit), unsigned (32-bit), float (fp32). Vectors,
 * 2048 bits each, named as in TPC-C by lane count: float64 (64 x fp32),
 * int64 (64 x int32: sixty-four lanes, NOT a 64-bit integer), uint64
 * (64 x uint32), bfloat128 (128 x bf16) and bool64 (a 64-lane predicate).
 * int5 is a tensor coordinate (5 x int32); tensor is an opaque handle that
 * only main takes. Arrays exist only as __local__ arrays (per-core local
 * memory). Basic types are static; array types come from the arena.
 *
 * The intrinsic table names every builtin and its class; the rules of
 * each class are checked in loomcc_sema.c and lowered in loomcc_lower.c.
 */
#include <string.h>

#include "loomcc.h"

#define LCC_NKINDS	(TY_ARRAY + 1)

#define LCC_BASIC(k)	{ { .kind = (k) }, { .kind = (k), .is_const = true } }

static const struct lcc_type lcc_basic[LCC_NKINDS][2] = {
	LCC_BASIC(TY_VOID), LCC_BASIC(TY_BOOL), LCC_BASIC(TY_INT), LCC_BASIC(TY_UINT),
	LCC_BASIC(TY_FLOAT), LCC_BASIC(TY_FLOAT64), LCC_BASIC(TY_INT64),
	LCC_BASIC(TY_UINT64), LCC_BASIC(TY_BFLOAT128), LCC_BASIC(TY_BOOL64),
	LCC_BASIC(TY_INT5), LCC_BASIC(TY_TENSOR), LCC_BASIC(TY_ARRAY),
};

static const char *const lcc_kind_names[LCC_NKINDS] = {
	[TY_VOID] = "void", [TY_BOOL] = "bool", [TY_INT] = "int",
	[TY_UINT] = "unsigned", [TY_FLOAT] = "float", [TY_FLOAT64] = "float64",
	[TY_INT64] = "int64", [TY_UINT64] = "uint64", [TY_BFLOAT128] = "bfloat128",
	[TY_BOOL64] = "bool64", [TY_INT5] = "int5", [TY_TENSOR] = "tensor",
	[TY_ARRAY] = "array",
};

const struct lcc_type *lcc_type_get(enum lcc_tykind kind, bool is_const)
{
	return &lcc_basic[kind][is_const ? 1 : 0];
}

const struct lcc_type *lcc_type_unqual(const struct lcc_type *ty)
{
	if (!ty->is_const || ty->kind == TY_ARRAY)
		return ty;
	return lcc_type_get(ty->kind, false);
}

const struct lcc_type *lcc_type_array(struct lcc_ctx *ctx, const struct lcc_type *base, int len)
{
	struct lcc_type *t = lcc_alloc(ctx, sizeof(*t));

	t->kind = TY_ARRAY;
	t->base = base;
	t->len = len;
	return t;
}

const char *lcc_type_name(struct lcc_ctx *ctx, const struct lcc_type *ty)
{
	if (ty->kind == TY_ARRAY)
		return lcc_format(ctx, "%s[%d]", lcc_type_name(ctx, ty->base), ty->len);
	if (ty->is_const)
		return lcc_format(ctx, "const %s", lcc_kind_names[ty->kind]);
	return lcc_kind_names[ty->kind];
}

bool lcc_type_is_scalar(const struct lcc_type *ty)
{
	return ty->kind == TY_BOOL || ty->kind == TY_INT || ty->kind == TY_UINT ||
	       ty->kind == TY_FLOAT;
}

bool lcc_type_is_integer(const struct lcc_type *ty)
{
	return ty->kind == TY_BOOL || ty->kind == TY_INT || ty->kind == TY_UINT;
}

bool lcc_type_is_vector(const struct lcc_type *ty)
{
	return ty->kind == TY_FLOAT64 || ty->kind == TY_INT64 || ty->kind == TY_UINT64 ||
	       ty->kind == TY_BFLOAT128 || ty->kind == TY_BOOL64;
}

bool lcc_type_is_int_vector(const struct lcc_type *ty)
{
	return ty->kind == TY_INT64 || ty->kind == TY_UINT64;
}

bool lcc_type_is_unsigned(const struct lcc_type *ty)
{
	return ty->kind == TY_UINT || ty->kind == TY_UINT64;
}

bool lcc_type_same(const struct lcc_type *a, const struct lcc_type *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == TY_ARRAY)
		return a->len == b->len && lcc_type_same(a->base, b->base);
	return true;
}

const struct lcc_type *lcc_type_elem(const struct lcc_type *ty)
{
	switch (ty->kind) {
	case TY_FLOAT64:
	case TY_BFLOAT128:
		return lcc_type_get(TY_FLOAT, false);
	case TY_INT64:
		return lcc_type_get(TY_INT, false);
	case TY_UINT64:
		return lcc_type_get(TY_UINT, false);
	case TY_BOOL64:
		return lcc_type_get(TY_BOOL, false);
	default:
		return lcc_type_unqual(ty);
	}
}

int lcc_type_size(const struct lcc_type *ty)
{
	if (lcc_type_is_vector(ty))
		return 256;
	if (ty->kind == TY_INT5)
		return 20;
	return 4;
}

/* ---- intrinsics ---- */

static const struct lcc_intrin_desc lcc_intrins[IN_COUNT] = {
	[IN_INDEX_OFFSET] = { "get_index_space_offset", ICL_INDEX, 0, TY_INT5 },
	[IN_INDEX_SIZE] = { "get_index_space_size", ICL_INDEX, 0, TY_INT5 },
	[IN_DIM_SIZE] = { "get_dim_size", ICL_DIM, 2, TY_INT },
	[IN_LD_F32] = { "v_f32_ld_tnsr", ICL_LOAD, 2, TY_FLOAT64 },
	[IN_LD_I32] = { "v_i32_ld_tnsr", ICL_LOAD, 2, TY_INT64 },
	[IN_LD_U32] = { "v_u32_ld_tnsr", ICL_LOAD, 2, TY_UINT64 },
	[IN_LD_BF16] = { "v_bf16_ld_tnsr", ICL_LOAD, 2, TY_BFLOAT128 },
	[IN_ST_F32] = { "v_f32_st_tnsr", ICL_STORE, 3, TY_FLOAT64 },
	[IN_ST_I32] = { "v_i32_st_tnsr", ICL_STORE, 3, TY_INT64 },
	[IN_ST_U32] = { "v_u32_st_tnsr", ICL_STORE, 3, TY_UINT64 },
	[IN_ST_BF16] = { "v_bf16_st_tnsr", ICL_STORE, 3, TY_BFLOAT128 },
	[IN_SLD_F32] = { "s_f32_ld_tnsr", ICL_LOAD, 2, TY_FLOAT },
	[IN_SLD_I32] = { "s_i32_ld_tnsr", ICL_LOAD, 2, TY_INT },
	[IN_SLD_U32] = { "s_u32_ld_tnsr", ICL_LOAD, 2, TY_UINT },
	[IN_SST_F32] = { "s_f32_st_tnsr", ICL_STORE, 3, TY_FLOAT },
	[IN_SST_I32] = { "s_i32_st_tnsr", ICL_STORE, 3, TY_INT },
	[IN_SST_U32] = { "s_u32_st_tnsr", ICL_STORE, 3, TY_UINT },
	[IN_EXP] = { "v_exp", ICL_UNARY_F, 1, TY_FLOAT64 },
	[IN_LOG] = { "v_log", ICL_UNARY_F, 1, TY_FLOAT64 },
	[IN_RSQRT] = { "v_rsqrt", ICL_UNARY_F, 1, TY_FLOAT64 },
	[IN_RCP] = { "v_rcp", ICL_UNARY_F, 1, TY_FLOAT64 },
	[IN_SQRT] = { "v_sqrt", ICL_UNARY_F, 1, TY_FLOAT64 },
	[IN_TANH] = { "v_tanh", ICL_UNARY_F, 1, TY_FLOAT64 },
	[IN_SIGMOID] = { "v_sigmoid", ICL_UNARY_F, 1, TY_FLOAT64 },
	[IN_ABS] = { "v_abs", ICL_ABS, 1, TY_VOID },
	[IN_MAX] = { "v_max", ICL_MINMAX, 2, TY_VOID },
	[IN_MIN] = { "v_min", ICL_MINMAX, 2, TY_VOID },
	[IN_FMA] = { "v_fma", ICL_FMA, 3, TY_VOID },
	[IN_SEL] = { "v_sel", ICL_SEL, 3, TY_VOID },
	[IN_REDUCE_ADD] = { "v_reduce_add", ICL_REDUCE, 1, TY_VOID },
	[IN_REDUCE_MAX] = { "v_reduce_max", ICL_REDUCE, 1, TY_VOID },
	[IN_REDUCE_MIN] = { "v_reduce_min", ICL_REDUCE, 1, TY_VOID },
	[IN_LANE_ID] = { "v_lane_id", ICL_LANE_ID, 0, TY_INT64 },
	[IN_F32_TO_BF16] = { "v_convert_f32_to_bf16", ICL_PACK, 2, TY_BFLOAT128 },
	[IN_BF16_TO_F32_LO] = { "v_convert_bf16_to_f32_lo", ICL_UNPACK, 1, TY_FLOAT64 },
	[IN_BF16_TO_F32_HI] = { "v_convert_bf16_to_f32_hi", ICL_UNPACK, 1, TY_FLOAT64 },
};

const struct lcc_intrin_desc *lcc_intrin_desc(int id)
{
	if (id < 0 || id >= IN_COUNT)
		return NULL;
	return &lcc_intrins[id];
}

int lcc_intrin_lookup(const char *name, int len)
{
	for (int i = 0; i < IN_COUNT; i++)
		if ((int)strlen(lcc_intrins[i].name) == len && !memcmp(lcc_intrins[i].name, name, len))
			return i;
	return -1;
}
