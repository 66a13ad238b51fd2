/* SPDX-License-Identifier: MIT */
/*
 * Compiling a graph into a recipe: the memory plan (lifetimes in op order;
 * activations share one arena, placed first-fit so that buffers whose
 * lifetimes overlap never share a byte; persistent tensors in a second
 * arena; each parameter in its own allocation), the plan checker, and the
 * lowering of nodes into device operations (DMA copies, MME jobs, TPC
 * launches) with the event waits between streams that their memory
 * accesses need, also across consecutive steps.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

#define ALIGN	256

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static bool is_view(const struct gnode *n)
{
	return n->kind == GK_RESHAPE || n->kind == GK_VIEW;
}

static int base_of(const loom_recipe *r, int id)
{
	while (is_view(&r->nodes[id]))
		id = r->nodes[id].in[0];
	return id;
}

/* Nodes with no device operation of their own. */
static bool no_op(const struct gnode *n)
{
	return is_view(n) || n->kind == GK_PARAM || n->kind == GK_CONST_ONE ||
	       n->kind == GK_SGD_HYPER;
}

int loom_plan_check(const struct loom_plan_entry *e, int n, char *msg, size_t len)
{
	if (msg && len)
		msg[0] = 0;
	if (!e || n < 0)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			const struct loom_plan_entry *a = &e[i], *b = &e[j];

			if (a->arena != b->arena || !a->size || !b->size)
				continue;
			if (a->last < b->first || b->last < a->first)
				continue;
			if (a->offset + a->size <= b->offset || b->offset + b->size <= a->offset)
				continue;
			uint64_t lo = a->offset > b->offset ? a->offset : b->offset;
			uint64_t hi = a->offset + a->size < b->offset + b->size ?
				      a->offset + a->size : b->offset + b->size;
			uint32_t f = a->first > b->first ? a->first : b->first;
			uint32_t l = a->last < b->last ? a->last : b->last;

			if (msg)
				snprintf(msg, len,
					 "buffers of nodes %d and %d overlap in arena %u at [%" PRIu64
					 ", %" PRIu64 ") while both live in ops %u..%u",
					 a->node, b->node, a->arena, lo, hi, f, l);
			return -EFAULT;
		}
	return 0;
}

int loom_recipe_plan(const loom_recipe *r, struct loom_plan_entry *e, int max)
{
	if (!r || (max && !e) || max < 0)
		return -EINVAL;
	for (int i = 0; i < r->nplan && i < max; i++)
		e[i] = r->plan[i];
	return r->nplan;
}

/*
 * The xent node whose kernel can also compute xent-gradient node g, or -1:
 * g's upstream gradient is the seed (the loss is the root), so the fused
 * kernel's dx is g's value.
 */
static int xent_partner(const loom_recipe *r, int g)
{
	const struct gnode *n = &r->nodes[g];

	if (n->kind != GK_XENT_GRAD || n->aux_bytes)
		return -1;
	for (int i = g - 1; i >= 0; i--) {
		const struct gnode *x = &r->nodes[i];

		if (x->kind == GK_XENT && x->in[0] == n->in[0] && x->in[1] == n->in[1])
			return i;
	}
	return -1;
}

/* How many inputs of other nodes name id (an output counts as one more). */
static int consumers(const loom_recipe *r, int id)
{
	int n = r->nodes[id].output;

	for (int i = 0; i < r->count; i++)
		for (int k = 0; k < r->nodes[i].nin; k++)
			n += r->nodes[i].in[k] == id;
	return n;
}

/*
 * The matmul whose product ReLU-gradient node g masks, if the MME can
 * write g directly (the product is f32 and feeds nothing else), or -1.
 */
static int relu_partner(const loom_recipe *r, int g)
{
	const struct gnode *n = &r->nodes[g];
	int mm;

	if (n->kind != GK_RELU_GRAD)
		return -1;
	mm = n->in[1];
	if (r->nodes[mm].kind != GK_MATMUL || r->nodes[mm].dt != LOOM_G_F32 ||
	    r->nodes[n->in[0]].dt != LOOM_G_F32 || consumers(r, mm) != 1)
		return -1;
	return mm;
}

int recipe_plan_memory(loom_recipe *r)
{
	int n = r->count, pos = 0;
	uint32_t *last;
	uint64_t top[3] = { 0 };

	r->order = malloc(n * sizeof(int));
	r->fused = malloc(n * sizeof(int));
	last = calloc(n, sizeof(uint32_t));
	r->plan = calloc(n, sizeof(*r->plan));
	if (!r->order || !r->fused || !last || !r->plan) {
		free(last);
		return recipe_errorf(r, -ENOMEM, "compile: out of memory");
	}
	/* Positions in op order (every node gets one; views share their producer's). */
	for (int i = 0; i < n; i++)
		r->order[i] = pos++;
	for (int i = 0; i < n; i++)
		r->fused[i] = -1;
	for (int i = 0; i < n; i++) {
		int x = xent_partner(r, i);

		if (x < 0)
			x = relu_partner(r, i);
		if (x >= 0 && r->fused[x] < 0) {
			r->fused[x] = i;
			r->fused[i] = x;
		}
	}
	for (int i = 0; i < n; i++) {
		struct gnode *nd = &r->nodes[i];

		last[i] = r->order[i];
		for (int k = 0; k < nd->nin; k++) {
			int b = base_of(r, nd->in[k]);

			if (last[b] < (uint32_t)r->order[i])
				last[b] = r->order[i];
		}
		if (nd->kind == GK_UPDATE) {	/* writes its parameter */
			int b = base_of(r, nd->in[0]);

			if (last[b] < (uint32_t)r->order[i])
				last[b] = r->order[i];
		}
	}
	/* Views keep their base alive as long as they are used. */
	for (int i = n - 1; i >= 0; i--)
		if (is_view(&r->nodes[i])) {
			int b = base_of(r, i);

			if (last[b] < last[i])
				last[b] = last[i];
		}

	for (int i = 0; i < n; i++) {
		struct gnode *nd = &r->nodes[i];
		struct loom_plan_entry *e;

		if (is_view(nd))
			continue;
		e = &r->plan[r->nplan++];
		e->node = i;
		e->size = align_up(graph_node_bytes(nd) + nd->aux_bytes, ALIGN);
		e->first = r->order[i];
		if ((nd->kind == GK_XENT_GRAD || nd->kind == GK_RELU_GRAD) && r->fused[i] >= 0)
			e->first = r->order[r->fused[i]];	/* written by its partner's op */
		if (nd->kind == GK_MATMUL && r->fused[i] >= 0)
			e->size = 0;	/* the MME writes the ReLU gradient's buffer instead */
		e->last = last[i];
		if (nd->kind == GK_PARAM) {
			e->arena = 2;
			e->first = 0;
			e->last = pos;
		} else if (nd->persistent) {
			e->arena = 1;
			e->first = 0;
			e->last = pos;
		} else {
			e->arena = 0;
			if (nd->output || (r->flags & LOOM_COMPILE_NO_REUSE)) {
				e->last = pos;
				if (r->flags & LOOM_COMPILE_NO_REUSE)
					e->first = 0;
			}
		}
		if (e->arena != 0) {
			e->offset = top[e->arena];
			top[e->arena] += e->size;
			continue;
		}
		/* First fit among the buffers live at the same time. */
		uint64_t off = 0;
		bool moved = true;

		while (moved) {
			moved = false;
			for (int k = 0; k < r->nplan - 1; k++) {
				struct loom_plan_entry *o = &r->plan[k];

				if (o->arena != 0 || o->last < e->first || e->last < o->first)
					continue;
				if (off < o->offset + o->size && o->offset < off + e->size) {
					off = o->offset + o->size;
					moved = true;
				}
			}
		}
		e->offset = off;
		if (off + e->size > top[0])
			top[0] = off + e->size;
	}
	r->arena_size[0] = top[0];
	r->arena_size[1] = top[1];
	free(last);
	return 0;
}

/* ---- Lowering --------------------------------------------------------------- */

static uint64_t node_span(const loom_recipe *r, int id)
{
	const struct gnode *n = &r->nodes[id];

	if (is_view(n))
		return graph_node_bytes(n);
	return graph_node_bytes(n) + n->aux_bytes;
}

static void rd(loom_recipe *r, struct gstep *s, int id)
{
	if (s->nrd < GSTEP_MAX_BUF) {
		s->rd[s->nrd] = r->addr[id];
		s->rd_len[s->nrd++] = node_span(r, id);
	}
}

static void wr(loom_recipe *r, struct gstep *s, int id)
{
	if (s->nwr < 2) {
		s->wr[s->nwr] = r->addr[id];
		s->wr_len[s->nwr++] = node_span(r, id);
	}
}

static bool overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return a < b + bl && b < a + al;
}

static bool conflict(const struct gstep *a, const struct gstep *b)
{
	for (int i = 0; i < a->nwr; i++) {
		for (int j = 0; j < b->nrd; j++)
			if (overlap(a->wr[i], a->wr_len[i], b->rd[j], b->rd_len[j]))
				return true;
		for (int j = 0; j < b->nwr; j++)
			if (overlap(a->wr[i], a->wr_len[i], b->wr[j], b->wr_len[j]))
				return true;
	}
	for (int i = 0; i < a->nrd; i++)
		for (int j = 0; j < b->nwr; j++)
			if (overlap(a->rd[i], a->rd_len[i], b->wr[j], b->wr_len[j]))
				return true;
	return false;
}

static struct gstep *new_step(loom_recipe *r, int node, enum gstep_kind k, enum gengine e)
{
	struct gstep *s = &r->steps[r->nsteps++];

	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->eng = e;
	s->node = node;
	s->record_ev = -1;
	return s;
}

static void gemm_of(loom_recipe *r, struct gstep *s, int a, int b, int ta, int tb, uint64_t d,
		    uint32_t m, uint32_t nn)
{
	const struct gnode *na = &r->nodes[a];

	s->gemm = (struct loom_gemm){
		.sz = sizeof(struct loom_gemm),
		.in_dtype = na->dt == LOOM_G_BF16 ? LOOM_BF16 : LOOM_F32,
		.out_dtype = LOOM_F32, .trans_a = ta, .trans_b = tb,
		.m = m, .n = nn, .k = ta ? na->dims[0] : na->dims[1],
		.a = r->addr[a], .b = r->addr[b], .d = d, .alpha = 1.0f, .beta = 0.0f,
	};
}

int recipe_lower(loom_recipe *r)
{
	int n = r->count;

	r->steps = calloc(2 * n + 1, sizeof(*r->steps));
	if (!r->steps)
		return recipe_errorf(r, -ENOMEM, "compile: out of memory");
	for (int i = 0; i < n; i++) {
		struct gnode *nd = &r->nodes[i];
		struct gstep *s;

		if (no_op(nd) ||
		    ((nd->kind == GK_XENT_GRAD || nd->kind == GK_RELU_GRAD) && r->fused[i] >= 0))
			continue;
		switch (nd->kind) {
		case GK_INPUT:
			s = new_step(r, i, GS_COPY_IN, GE_DMA);
			wr(r, s, i);
			break;
		case GK_MATMUL:
		case GK_LINEAR:
			s = new_step(r, i, GS_GEMM, GE_MME);
			rd(r, s, nd->in[0]);
			rd(r, s, nd->in[1]);
			wr(r, s, i);
			gemm_of(r, s, nd->in[0], nd->in[1], nd->trans_a, nd->trans_b, r->addr[i],
				nd->dims[0], nd->dims[1]);
			/* linear's bias and ReLU: the MME's output stage. */
			if (nd->kind == GK_LINEAR && nd->nin > 2) {
				rd(r, s, nd->in[2]);
				s->gemm.flags |= LOOM_GEMM_BIAS_ROW;
				s->gemm.c = r->addr[nd->in[2]];
				s->gemm.beta = 1.0f;
			}
			if (nd->kind == GK_LINEAR && nd->relu)
				s->gemm.flags |= LOOM_GEMM_RELU;
			/* A ReLU's gradient: the product masked where its output was > 0. */
			if (nd->kind == GK_MATMUL && r->fused[i] >= 0) {
				int g = r->fused[i], y = r->nodes[g].in[0];

				s->nwr = 0;
				wr(r, s, g);
				rd(r, s, y);
				s->gemm.d = r->addr[g];
				s->gemm.c = r->addr[y];
				s->gemm.flags |= LOOM_GEMM_RELU_MASK;
			}
			break;
		case GK_UPDATE:
			s = new_step(r, i, GS_TPC, GE_TPC);
			rd(r, s, nd->in[1]);
			rd(r, s, nd->in[2]);
			rd(r, s, nd->in[0]);
			wr(r, s, nd->in[0]);
			wr(r, s, i);
			break;
		default:
			s = new_step(r, i, GS_TPC, GE_TPC);
			for (int k = 0; k < nd->nin; k++)
				rd(r, s, nd->in[k]);
			wr(r, s, i);
			if (nd->kind == GK_XENT && r->fused[i] >= 0)
				wr(r, s, r->fused[i]);
			break;
		}
	}

	/*
	 * Streams: one per engine, or everything on one (asked for, or a
	 * captured step: a recording's events are reached only when its
	 * launch ends, so a step split over streams could not wait for
	 * another stream's op inside the same step).
	 */
	bool one = (r->flags & LOOM_COMPILE_ONE_STREAM) || !(r->flags & LOOM_COMPILE_NO_CAPTURE);

	for (int e = 0; e < GE_COUNT; e++)
		r->map_eng[e] = one ? 0 : e;
	r->nstreams = one ? 1 : GE_COUNT;

	/*
	 * Dependencies, in the steady state of consecutive steps: step i on
	 * stream S waits for the latest conflicting step on each other stream
	 * (earlier in this step, or later in the previous one), unless S has
	 * already waited for that point or a later one.
	 */
	int ns = r->nsteps;
	int seen[GE_COUNT][GE_COUNT];
	int *ev_of = malloc(ns * sizeof(int));

	if (!ev_of)
		return recipe_errorf(r, -ENOMEM, "compile: out of memory");
	for (int i = 0; i < ns; i++)
		ev_of[i] = -1;
	for (int a = 0; a < GE_COUNT; a++)
		for (int b = 0; b < GE_COUNT; b++)
			seen[a][b] = -1;
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < ns; i++) {
			struct gstep *s = &r->steps[i];
			int S = r->map_eng[s->eng], p = pass * ns + i;

			s->nwait = 0;
			for (int T = 0; T < r->nstreams; T++) {
				if (T == S)
					continue;
				for (int q = p - 1; q > p - ns && q >= 0; q--) {
					struct gstep *o = &r->steps[q % ns];

					if (r->map_eng[o->eng] != T || !conflict(s, o))
						continue;
					if (q > seen[S][T]) {
						seen[S][T] = q;
						if (pass == 2) {
							if (ev_of[q % ns] < 0)
								ev_of[q % ns] = r->nev++;
							s->wait_ev[s->nwait++] = ev_of[q % ns];
						}
					}
					break;
				}
			}
		}
		/* Each pass is the next step; the last one's waits are kept. */
	}
	for (int i = 0; i < ns; i++)
		r->steps[i].record_ev = ev_of[i];
	free(ev_of);
	return 0;
}
