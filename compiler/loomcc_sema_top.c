/* SPDX-License-Identifier: MIT */
/*
 * loomcc_sema_top.c: semantic analysis at file scope.
 *
 * Walks the program in source order (a name must be declared before it is
 * used, as in C): __local__ arrays (size, element type, the scalar and
 * vector local memory budgets), function declarations and definitions
 * (one definition, matching prototypes, no builtin names), the kernel
 * entry main (void, tensors first, then int/unsigned/float scalars),
 * missing returns; then, over the whole program, calls of functions never
 * defined and recursion, which the language forbids because helpers are
 * inlined.
 */
#include <string.h>

#include "loomcc.h"
#include "loomcc_sema.h"

static bool is_main(const struct lcc_func *fn)
{
	return fn->namelen == 4 && !memcmp(fn->name, "main", 4);
}

static void check_local_array(struct lcc_sema *s, struct lcc_node *d)
{
	const struct lcc_type *base = d->decl_ty;
	struct lcc_gsym *g;
	struct lcc_obj *obj;
	int64_t len;
	int cap = s->prog->nlocals;

	if (!d->is_local_mem)
		lcc_error_at(s->ctx, &d->loc,
			     "file-scope variables must be __local__ arrays ('%.*s')", d->namelen, d->name);
	if (!d->len_expr)
		lcc_error_at(s->ctx, &d->loc,
			     "a __local__ variable must be an array (e.g. __local__ float64 buf[16];)");
	if (base->is_const)
		lcc_error_at(s->ctx, &d->loc, "__local__ arrays cannot be const");
	if (!(base->kind == TY_INT || base->kind == TY_UINT || base->kind == TY_FLOAT ||
	      base->kind == TY_FLOAT64 || base->kind == TY_INT64 || base->kind == TY_UINT64 ||
	      base->kind == TY_BFLOAT128))
		lcc_error_at(s->ctx, &d->loc,
			     "__local__ arrays cannot hold '%s' (int, unsigned, float, float64, int64, "
			     "uint64 or bfloat128)", sema_tyname(s, base));
	if (d->init)
		lcc_error_at(s->ctx, &d->init->loc, "__local__ arrays cannot be initialized");
	d->len_expr = sema_check_expr(s, d->len_expr);
	if (!sema_const_int(d->len_expr, &len))
		lcc_error_at(s->ctx, &d->len_expr->loc, "the size of an array must be an integer constant");
	if (len <= 0)
		lcc_error_at(s->ctx, &d->len_expr->loc, "the size of an array must be positive");
	if (lcc_type_is_vector(base)) {
		if (len > LCC_LOCAL_VECTOR_MEM ||
		    s->vector_bytes + len * lcc_type_size(base) > (int64_t)LCC_LOCAL_VECTOR_MEM)
			lcc_error_at(s->ctx, &d->loc,
				     "__local__ vector arrays need more than the %u bytes of vector local memory",
				     LCC_LOCAL_VECTOR_MEM);
		s->vector_bytes += (int)len * lcc_type_size(base);
	} else {
		if (len > LCC_LOCAL_SCALAR_MEM ||
		    s->scalar_bytes + len * lcc_type_size(base) > (int64_t)LCC_LOCAL_SCALAR_MEM)
			lcc_error_at(s->ctx, &d->loc,
				     "__local__ scalar arrays need more than the %u bytes of scalar local memory",
				     LCC_LOCAL_SCALAR_MEM);
		s->scalar_bytes += (int)len * lcc_type_size(base);
	}
	g = lcc_map_get(&s->globals, d->name, d->namelen);
	if (g || lcc_intrin_lookup(d->name, d->namelen) >= 0)
		lcc_error_at(s->ctx, &d->loc, "redefinition of '%.*s'", d->namelen, d->name);
	obj = lcc_alloc(s->ctx, sizeof(*obj));
	obj->kind = OBJ_LOCAL_MEM;
	obj->name = lcc_strndup(s->ctx, d->name, (size_t)d->namelen);
	obj->ty = lcc_type_array(s->ctx, lcc_type_unqual(base), (int)len);
	obj->loc = d->loc;
	obj->index = s->prog->nlocals;
	obj->vreg = -1;
	d->var = obj;
	s->prog->locals = lcc_grow(s->ctx, s->prog->locals, &cap, s->prog->nlocals + 1,
				   sizeof(*s->prog->locals));
	s->prog->locals[s->prog->nlocals++] = obj;
	g = lcc_alloc(s->ctx, sizeof(*g));
	g->obj = obj;
	lcc_map_put(s->ctx, &s->globals, obj->name, d->namelen, g);
}

static void check_main_signature(struct lcc_sema *s, struct lcc_func *fn)
{
	bool seen_scalar = false;

	if (fn->ret->kind != TY_VOID)
		lcc_error_at(s->ctx, &fn->loc, "the kernel entry 'main' must return void");
	if (fn->is_static)
		lcc_error_at(s->ctx, &fn->loc, "the kernel entry 'main' cannot be static");
	for (int i = 0; i < fn->nparams; i++) {
		struct lcc_param *p = &fn->params[i];

		if (p->ty->kind == TY_TENSOR) {
			if (seen_scalar)
				lcc_error_at(s->ctx, &p->loc,
					     "tensor parameters of main must come before its scalar "
					     "parameters ('%.*s')", p->namelen, p->name);
			continue;
		}
		if (p->ty->kind != TY_INT && p->ty->kind != TY_UINT && p->ty->kind != TY_FLOAT)
			lcc_error_at(s->ctx, &p->loc,
				     "parameter '%.*s' of main has type '%s'; main takes tensors, then "
				     "int, unsigned or float scalars", p->namelen, p->name,
				     sema_tyname(s, p->ty));
		seen_scalar = true;
	}
}

static bool same_signature(const struct lcc_func *a, const struct lcc_func *b)
{
	if (!lcc_type_same(lcc_type_unqual(a->ret), lcc_type_unqual(b->ret)) ||
	    a->nparams != b->nparams)
		return false;
	for (int i = 0; i < a->nparams; i++)
		if (!lcc_type_same(lcc_type_unqual(a->params[i].ty), lcc_type_unqual(b->params[i].ty)))
			return false;
	return true;
}

static void check_func_decl(struct lcc_sema *s, struct lcc_func *fn)
{
	struct lcc_gsym *g;

	if (lcc_intrin_lookup(fn->name, fn->namelen) >= 0)
		lcc_error_at(s->ctx, &fn->loc, "'%.*s' is a builtin and cannot be redefined",
			     fn->namelen, fn->name);
	if (fn->ret->kind == TY_TENSOR)
		lcc_error_at(s->ctx, &fn->loc, "a function cannot return a tensor");
	for (int i = 0; i < fn->nparams; i++) {
		struct lcc_param *p = &fn->params[i];

		if (p->ty->kind == TY_VOID)
			lcc_error_at(s->ctx, &p->loc, "parameter '%.*s' has type void",
				     p->namelen, p->name);
		if (p->ty->kind == TY_TENSOR && !is_main(fn))
			lcc_error_at(s->ctx, &p->loc,
				     "helper functions cannot take tensors (only main can): '%.*s'",
				     p->namelen, p->name);
		for (int j = 0; j < i; j++)
			if (fn->params[j].namelen == p->namelen &&
			    !memcmp(fn->params[j].name, p->name, p->namelen))
				lcc_error_at(s->ctx, &p->loc, "redefinition of parameter '%.*s'",
					     p->namelen, p->name);
	}
	if (is_main(fn))
		check_main_signature(s, fn);
	else if (fn->nparams > LCC_MAX_PARAMS)
		lcc_error_at(s->ctx, &fn->loc, "too many parameters (more than %d)", LCC_MAX_PARAMS);
	g = lcc_map_get(&s->globals, fn->name, fn->namelen);
	if (g && g->obj)
		lcc_error_at(s->ctx, &fn->loc, "redefinition of '%.*s'", fn->namelen, fn->name);
	if (g) {
		if (!same_signature(g->func, fn))
			lcc_error_at(s->ctx, &fn->loc, "conflicting types for '%.*s'",
				     fn->namelen, fn->name);
		if (fn->body && g->func->def)
			lcc_error_at(s->ctx, &fn->loc, "redefinition of function '%.*s'",
				     fn->namelen, fn->name);
		fn->canon = g->func;
	} else {
		g = lcc_alloc(s->ctx, sizeof(*g));
		g->func = fn;
		fn->canon = fn;
		lcc_map_put(s->ctx, &s->globals, fn->name, fn->namelen, g);
	}
	fn->name = lcc_strndup(s->ctx, fn->name, (size_t)fn->namelen);
	if (fn->body)
		fn->canon->def = fn;
}

static void check_func_body(struct lcc_sema *s, struct lcc_func *fn)
{
	int ntensors = 0, nscalars = 0;
	struct lcc_program *prog = s->prog;

	s->fn = fn;
	s->loop_depth = 0;
	sema_scope_push(s);
	fn->param_objs = lcc_alloc(s->ctx, sizeof(*fn->param_objs) * (fn->nparams + 1));
	for (int i = 0; i < fn->nparams; i++) {
		struct lcc_param *p = &fn->params[i];
		enum lcc_objkind kind = OBJ_VAR;
		struct lcc_obj *obj;

		if (is_main(fn))
			kind = p->ty->kind == TY_TENSOR ? OBJ_TENSOR : OBJ_SCALAR_ARG;
		obj = sema_declare(s, p->name, p->namelen, p->ty, &p->loc, kind);
		if (kind == OBJ_TENSOR)
			obj->index = ntensors++;
		else if (kind == OBJ_SCALAR_ARG)
			obj->index = nscalars++;
		fn->param_objs[i] = obj;
	}
	if (is_main(fn)) {
		if (ntensors > LCC_MAX_TENSORS)
			lcc_error_at(s->ctx, &fn->loc, "main takes at most %d tensors", LCC_MAX_TENSORS);
		if (nscalars > LCC_MAX_SCALAR_ARGS)
			lcc_error_at(s->ctx, &fn->loc, "main takes at most %d scalar parameters",
				     LCC_MAX_SCALAR_ARGS);
		prog->main = fn;
		prog->tensors = lcc_alloc(s->ctx, sizeof(*prog->tensors) * (ntensors + 1));
		prog->scalars = lcc_alloc(s->ctx, sizeof(*prog->scalars) * (nscalars + 1));
		for (int i = 0; i < fn->nparams; i++) {
			struct lcc_obj *o = fn->param_objs[i];

			if (o->kind == OBJ_TENSOR)
				prog->tensors[prog->ntensors++] = o;
			else
				prog->scalars[prog->nscalars++] = o;
		}
	}
	/* The body's outer block shares the parameters' scope, as in C. */
	for (struct lcc_node *c = fn->body->body; c; c = c->next)
		sema_check_stmt(s, c);
	sema_scope_pop(s);
	if (fn->ret->kind != TY_VOID && !sema_stmt_returns(fn->body))
		lcc_error_at(s->ctx, &fn->end_loc,
			     "control reaches the end of non-void function '%s' without a return",
			     fn->name);
	s->fn = NULL;
}

/*
 * Depth-first search of the call graph: no cycles, and no call chain
 * longer than LCC_MAX_INLINE_DEPTH (so the stack stays bounded here and
 * in lowering). Returns fn's height: 1 + the longest chain it calls.
 */
static int check_calls(struct lcc_sema *s, struct lcc_func *fn, struct lcc_func **stack,
		       int depth)
{
	int height = 1;

	stack[depth] = fn;
	fn->mark = 1;	/* on the stack */
	for (struct lcc_callsite *cs = fn->calls; cs; cs = cs->next) {
		struct lcc_func *callee = cs->callee->canon->def;
		int h;

		if (!callee)
			lcc_error_at(s->ctx, &cs->loc, "function '%s' is used but never defined",
				     cs->callee->name);
		if (callee->mark == 1) {
			const char *path = callee->name;
			int i = 0;

			while (stack[i] != callee)
				i++;
			for (i++; i <= depth; i++)
				path = lcc_format(s->ctx, "%s -> %s", path, stack[i]->name);
			lcc_error_at(s->ctx, &cs->loc,
				     "recursive call of '%s' (%s -> %s): kernels cannot recurse",
				     callee->name, path, callee->name);
		}
		if (callee->mark != 2 && depth + 1 >= LCC_MAX_INLINE_DEPTH)
			h = LCC_MAX_INLINE_DEPTH + 1;
		else
			h = callee->mark == 2 ? callee->height : check_calls(s, callee, stack, depth + 1);
		if (depth + h > LCC_MAX_INLINE_DEPTH)
			lcc_error_at(s->ctx, &cs->loc,
				     "helper calls nested too deeply (more than %d levels)",
				     LCC_MAX_INLINE_DEPTH);
		if (h + 1 > height)
			height = h + 1;
	}
	fn->mark = 2;	/* done */
	fn->height = height;
	return height;
}

void lcc_sema(struct lcc_ctx *ctx, struct lcc_program *prog)
{
	struct lcc_sema *s = lcc_alloc(ctx, sizeof(*s));
	struct lcc_func *stack[LCC_MAX_INLINE_DEPTH + 1];
	struct lcc_gsym *g;

	s->ctx = ctx;
	s->prog = prog;
	for (struct lcc_node *it = prog->items; it; it = it->next) {
		if (it->kind == ND_FUNC) {
			check_func_decl(s, it->func);
			if (it->func->body)
				check_func_body(s, it->func);
		} else if (it->kind == ND_BLOCK) {
			for (struct lcc_node *d = it->body; d; d = d->next)
				check_local_array(s, d);
		} else {
			check_local_array(s, it);
		}
	}
	g = lcc_map_get(&s->globals, "main", 4);
	if (!g || !g->func)
		lcc_error_at(ctx, &prog->eof_loc,
			     "no kernel entry point: define 'void main(tensor in, tensor out, ...)'");
	if (!g->func->def)
		lcc_error_at(ctx, &g->func->loc, "the kernel entry 'main' is declared but not defined");
	for (struct lcc_node *it = prog->items; it; it = it->next)
		if (it->kind == ND_FUNC && it->func->body && !it->func->mark)
			check_calls(s, it->func, stack, 0);
}
