/* SPDX-License-Identifier: MIT */
/*
 * loomcc_sema_intrin.c: checking calls of intrinsics.
 *
 * Each intrinsic belongs to a class (loomcc_type.c) whose rule is here:
 * the number of arguments, which arguments must be tensors of main
 * (tensors appear nowhere else), which must be compile-time constants
 * (get_dim_size's dimension), and how scalar arguments broadcast into the
 * vector type of the call. The checked node gets its result type and
 * keeps the intrinsic's number for lowering.
 */
#include <string.h>

#include "loomcc.h"
#include "loomcc_sema.h"

static const char *in_name(int id)
{
	return lcc_intrin_desc(id)->name;
}

/* The i-th argument node (0-based) and the slot that holds it. */
static struct lcc_node **arg_slot(struct lcc_node *n, int i)
{
	struct lcc_node **ap = &n->args;

	while (i-- > 0)
		ap = &(*ap)->next;
	return ap;
}

static void set_arg(struct lcc_node *n, int i, struct lcc_node *a)
{
	struct lcc_node **ap = arg_slot(n, i);

	a->next = (*ap)->next;
	*ap = a;
}

static struct lcc_node *check_arg(struct lcc_sema *s, struct lcc_node *n, int i)
{
	struct lcc_node *a = sema_check_expr(s, *arg_slot(n, i));

	set_arg(n, i, a);
	return a;
}

/* An argument that must name a tensor parameter of main. */
static void tensor_arg(struct lcc_sema *s, struct lcc_node *n, int i, int id)
{
	struct lcc_node *a = *arg_slot(n, i);
	struct lcc_obj *obj = NULL;

	if (a->kind == ND_IDENT)
		obj = sema_lookup_obj(s, a->name, a->namelen);
	if (!obj || obj->kind != OBJ_TENSOR) {
		if (a->kind == ND_IDENT && !obj && !lcc_map_get(&s->globals, a->name, a->namelen))
			lcc_error_at(s->ctx, &a->loc, "undeclared identifier '%.*s'",
				     a->namelen, a->name);
		lcc_error_at(s->ctx, &a->loc, "argument %d of '%s' must be a tensor parameter of main",
			     i + 1, in_name(id));
	}
	a->kind = ND_VAR;
	a->var = obj;
	a->ty = obj->ty;
}

static void coord_arg(struct lcc_sema *s, struct lcc_node *n, int i, int id)
{
	struct lcc_node *a = check_arg(s, n, i);

	if (a->ty->kind != TY_INT5)
		lcc_error_at(s->ctx, &a->loc, "argument %d of '%s' must be an int5 coordinate, not '%s'",
			     i + 1, in_name(id), sema_tyname(s, a->ty));
}

/* A checked argument converted to vector type v (scalars broadcast). */
static void convert_arg(struct lcc_sema *s, struct lcc_node *n, int i, int id,
			const struct lcc_type *v)
{
	struct lcc_node *a = *arg_slot(n, i);

	set_arg(n, i, sema_convert(s, a, v, lcc_format(s->ctx, "argument %d of '%s'", i + 1,
						      in_name(id))));
}

/* An argument checked, then converted to vector type v. */
static void vector_arg(struct lcc_sema *s, struct lcc_node *n, int i, int id,
		       const struct lcc_type *v)
{
	check_arg(s, n, i);
	convert_arg(s, n, i, id, v);
}

/* The vector type shared by arguments [0, nargs) (scalars broadcast to it). */
static const struct lcc_type *common_vector(struct lcc_sema *s, struct lcc_node *n, int first,
					    int id, const enum lcc_tykind *allowed, int nallowed,
					    const char *allowed_text)
{
	const struct lcc_intrin_desc *d = lcc_intrin_desc(id);
	const struct lcc_type *v = NULL;
	bool ok = false;

	for (int i = first; i < d->nargs; i++) {
		struct lcc_node *a = check_arg(s, n, i);

		if (lcc_type_is_vector(a->ty)) {
			if (v && v->kind != a->ty->kind)
				lcc_error_at(s->ctx, &a->loc,
					     "arguments of '%s' have different vector types ('%s' and '%s')",
					     in_name(id), sema_tyname(s, v), sema_tyname(s, a->ty));
			v = lcc_type_unqual(a->ty);
		} else if (!lcc_type_is_scalar(a->ty)) {
			lcc_error_at(s->ctx, &a->loc, "argument %d of '%s' has type '%s'", i + 1,
				     in_name(id), sema_tyname(s, a->ty));
		}
	}
	if (!v)
		lcc_error_at(s->ctx, &n->loc, "'%s' needs at least one vector argument (%s)",
			     in_name(id), allowed_text);
	for (int k = 0; k < nallowed; k++)
		ok |= v->kind == allowed[k];
	if (!ok)
		lcc_error_at(s->ctx, &n->loc, "'%s' does not take '%s' (it takes %s)", in_name(id),
			     sema_tyname(s, v), allowed_text);
	for (int i = first; i < d->nargs; i++)
		convert_arg(s, n, i, id, v);
	return v;
}

struct lcc_node *sema_check_intrin(struct lcc_sema *s, struct lcc_node *n, int id)
{
	const struct lcc_intrin_desc *d = lcc_intrin_desc(id);
	static const enum lcc_tykind k_abs[] = { TY_FLOAT64, TY_INT64, TY_BFLOAT128 };
	static const enum lcc_tykind k_minmax[] = { TY_FLOAT64, TY_INT64, TY_UINT64, TY_BFLOAT128 };
	static const enum lcc_tykind k_fma[] = { TY_FLOAT64, TY_BFLOAT128 };
	static const enum lcc_tykind k_reduce[] = { TY_FLOAT64, TY_INT64, TY_UINT64 };
	struct lcc_node *a, *b, *c;
	int64_t v;

	if (n->nargs != d->nargs)
		lcc_error_at(s->ctx, &n->loc, "'%s' expects %d argument%s, %d given", d->name,
			     d->nargs, d->nargs == 1 ? "" : "s", n->nargs);
	n->kind = ND_INTRIN;
	n->intrin = id;
	switch (d->cls) {
	case ICL_INDEX:
		n->ty = lcc_type_get(TY_INT5, false);
		break;
	case ICL_DIM:
		tensor_arg(s, n, 0, id);
		a = check_arg(s, n, 1);
		if (!sema_const_int(a, &v) || v < 0 || v > 4)
			lcc_error_at(s->ctx, &a->loc,
				     "the dimension of 'get_dim_size' must be an integer constant from 0 to 4");
		n->ival = v;
		n->ty = lcc_type_get(TY_INT, false);
		break;
	case ICL_LOAD:
		coord_arg(s, n, 0, id);
		tensor_arg(s, n, 1, id);
		n->ty = lcc_type_get(d->vec, false);
		break;
	case ICL_STORE:
		coord_arg(s, n, 0, id);
		tensor_arg(s, n, 1, id);
		vector_arg(s, n, 2, id, lcc_type_get(d->vec, false));
		n->ty = lcc_type_get(TY_VOID, false);
		break;
	case ICL_UNARY_F:
		vector_arg(s, n, 0, id, lcc_type_get(TY_FLOAT64, false));
		n->ty = lcc_type_get(TY_FLOAT64, false);
		break;
	case ICL_ABS:
		n->ty = common_vector(s, n, 0, id, k_abs, 3, "float64, int64 or bfloat128");
		break;
	case ICL_MINMAX:
		n->ty = common_vector(s, n, 0, id, k_minmax, 4,
				      "float64, int64, uint64 or bfloat128");
		break;
	case ICL_FMA:
		n->ty = common_vector(s, n, 0, id, k_fma, 2, "float64 or bfloat128");
		break;
	case ICL_SEL:
		a = check_arg(s, n, 0);
		if (a->ty->kind != TY_BOOL64)
			lcc_error_at(s->ctx, &a->loc, "argument 1 of 'v_sel' must be a bool64, not '%s'",
				     sema_tyname(s, a->ty));
		b = check_arg(s, n, 1);
		c = check_arg(s, n, 2);
		n->ty = sema_select_type(s, &n->loc, &b, &c, true);
		set_arg(n, 1, b);
		set_arg(n, 2, c);
		break;
	case ICL_REDUCE:
		n->ty = lcc_type_elem(common_vector(s, n, 0, id, k_reduce, 3,
						    "float64, int64 or uint64"));
		break;
	case ICL_LANE_ID:
		n->ty = lcc_type_get(TY_INT64, false);
		break;
	case ICL_PACK:
		vector_arg(s, n, 0, id, lcc_type_get(TY_FLOAT64, false));
		vector_arg(s, n, 1, id, lcc_type_get(TY_FLOAT64, false));
		n->ty = lcc_type_get(TY_BFLOAT128, false);
		break;
	case ICL_UNPACK:
		a = check_arg(s, n, 0);
		if (a->ty->kind != TY_BFLOAT128)
			lcc_error_at(s->ctx, &a->loc, "argument 1 of '%s' must be a bfloat128, not '%s'",
				     d->name, sema_tyname(s, a->ty));
		n->ty = lcc_type_get(TY_FLOAT64, false);
		break;
	}
	return n;
}
