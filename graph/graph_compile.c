/* SPDX-License-Identifier: MIT */
/*
 * loom_graph_compile() and loom_recipe_destroy(): a recipe's resources.
 * Compiling plans memory (graph_plan.c), allocates it once (the activation
 * arena, the persistent arena, one allocation per parameter, two pinned
 * buffers per input), initialises parameters and optimiser state, creates
 * the streams and events and lowers the nodes into device operations.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

#define SYNC_NS		(60LL * 1000000000LL)

/* xorshift64*: the parameters' initial values. */
static float rand_unit(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (float)((*s * 0x2545F4914F6CDD1DULL) >> 40) / (float)(1 << 24);
}

static int init_values(loom_recipe *r, loom_stream *s, uint64_t seed)
{
	uint64_t rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	int ret = 0;

	/* Optimiser state starts at 0. */
	if (r->arena_size[1])
		ret = loom_memset32(s, r->arena_va[1], 0, r->arena_size[1]);

	for (int i = 0; i < r->count && !ret; i++) {
		struct gnode *n = &r->nodes[i];
		uint64_t bytes = graph_node_bytes(n);
		float *f;

		if (n->kind != GK_PARAM && n->kind != GK_CONST_ONE && n->kind != GK_ADAM_TICK &&
		    n->kind != GK_SGD_HYPER)
			continue;
		f = calloc(n->nelem, sizeof(float));
		if (!f)
			return recipe_errorf(r, -ENOMEM, "compile: out of memory");
		if (n->kind == GK_PARAM) {
			float lim = 1.0f / sqrtf((float)n->fan_in);

			for (uint64_t k = 0; k < n->nelem; k++)
				f[k] = n->init == LOOM_INIT_ONE ? 1.0f :
				       n->init == LOOM_INIT_ZERO ? 0.0f :
				       (2.0f * rand_unit(&rng) - 1.0f) * lim;
			if (n->dt == LOOM_G_BF16) {
				uint16_t *h = (uint16_t *)f;

				for (uint64_t k = 0; k < n->nelem; k++)
					h[k] = loom_f32_to_bf16(f[k]);
			}
		} else if (n->kind == GK_CONST_ONE) {
			f[0] = 1.0f;
		} else if (n->kind == GK_ADAM_TICK) {
			f[0] = f[1] = 1.0f;
			f[2] = r->g->optim.lr;
		} else {
			f[0] = r->g->optim.lr;
		}
		ret = loom_memcpy_h2d(s, r->addr[i], f, bytes);
		free(f);
	}
	if (!ret)
		ret = loom_stream_sync(s, SYNC_NS);
	if (ret)
		return recipe_errorf(r, ret, "compile: initialising parameters: %s",
				     loom_strerror(ret));
	return 0;
}

static int alloc_memory(loom_recipe *r)
{
	int ret;

	r->addr = calloc(r->count, sizeof(uint64_t));
	r->param_va = calloc(r->count, sizeof(uint64_t));
	for (int b = 0; b < 2; b++) {
		r->in_host[b] = calloc(r->count, sizeof(void *));
		r->in_host_va[b] = calloc(r->count, sizeof(uint64_t));
	}
	if (!r->addr || !r->param_va || !r->in_host[0] || !r->in_host[1] || !r->in_host_va[0] ||
	    !r->in_host_va[1])
		return recipe_errorf(r, -ENOMEM, "compile: out of memory");
	for (int a = 0; a < 2; a++) {
		if (!r->arena_size[a])
			continue;
		ret = loom_mem_alloc(r->dev, r->arena_size[a], 0, &r->arena_va[a]);
		if (ret)
			return recipe_errorf(r, ret, "compile: %s arena of %llu bytes: %s",
					     a ? "persistent" : "activation",
					     (unsigned long long)r->arena_size[a],
					     loom_strerror(ret));
	}
	for (int k = 0; k < r->nplan; k++) {
		struct loom_plan_entry *e = &r->plan[k];

		if (e->arena == 2) {
			ret = loom_mem_alloc(r->dev, e->size, 0, &r->param_va[e->node]);
			if (ret)
				return recipe_errorf(r, ret, "compile: parameter '%s': %s",
						     r->nodes[e->node].name, loom_strerror(ret));
			r->addr[e->node] = r->param_va[e->node];
		} else {
			r->addr[e->node] = r->arena_va[e->arena] + e->offset;
		}
	}
	for (int i = 0; i < r->count; i++) {
		struct gnode *n = &r->nodes[i];

		if (n->kind == GK_RESHAPE || n->kind == GK_VIEW)
			r->addr[i] = r->addr[n->in[0]] + n->voff;
		if (n->kind != GK_INPUT)
			continue;
		for (int b = 0; b < 2; b++) {
			r->in_host[b][i] = loom_host_alloc(r->dev, graph_node_bytes(n),
							   &r->in_host_va[b][i]);
			if (!r->in_host[b][i])
				return recipe_errorf(r, -errno, "compile: input '%s': pinned memory: %s",
						     n->name, loom_strerror(-errno));
			memset(r->in_host[b][i], 0, graph_node_bytes(n));
		}
	}
	return 0;
}

static int create_streams(loom_recipe *r)
{
	for (int s = 0; s < r->nstreams; s++) {
		r->stream[s] = loom_stream_create(r->dev);
		if (!r->stream[s])
			return recipe_errorf(r, -errno, "compile: stream: %s", loom_strerror(-errno));
	}
	r->ev = calloc(r->nev ? r->nev : 1, sizeof(*r->ev));
	if (!r->ev)
		return recipe_errorf(r, -ENOMEM, "compile: out of memory");
	for (int e = 0; e < r->nev; e++) {
		r->ev[e] = loom_event_create(r->dev);
		if (!r->ev[e])
			return recipe_errorf(r, -errno, "compile: event: %s", loom_strerror(-errno));
	}
	for (int b = 0; b < 2; b++) {
		r->in_done[b] = loom_event_create(r->dev);
		if (!r->in_done[b])
			return recipe_errorf(r, -errno, "compile: event: %s", loom_strerror(-errno));
	}
	return 0;
}

loom_recipe *loom_graph_compile(loom_graph *g, loom_device *dev,
				const struct loom_compile_opts *opts)
{
	struct loom_compile_opts o = { 0 };
	loom_recipe *r;
	int ret;

	if (!g || !dev) {
		graph_errorf(g, -EINVAL, "compile: no %s", g ? "device" : "graph");
		errno = EINVAL;
		return NULL;
	}
	if (opts) {
		if (opts->sz < sizeof(size_t) + sizeof(uint32_t)) {
			graph_errorf(g, -EINVAL, "compile: bad options (set .sz)");
			errno = EINVAL;
			return NULL;
		}
		for (size_t i = sizeof(o); i < opts->sz; i++)
			if (((const char *)opts)[i]) {
				graph_errorf(g, -EINVAL, "compile: unknown options");
				errno = EINVAL;
				return NULL;
			}
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	}
	if (o.flags & ~(LOOM_COMPILE_ONE_STREAM | LOOM_COMPILE_NO_REUSE | LOOM_COMPILE_NO_CAPTURE)) {
		graph_errorf(g, -EINVAL, "compile: unknown flags 0x%x", o.flags);
		errno = EINVAL;
		return NULL;
	}
	if (!g->count) {
		graph_errorf(g, -EINVAL, "compile: the graph is empty");
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		graph_errorf(g, -ENOMEM, "compile: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->dev = dev;
	r->flags = o.flags;
	r->count = g->count;
	r->g = calloc(1, sizeof(*r->g));
	r->nodes = malloc(g->count * sizeof(struct gnode));
	if (!r->g || !r->nodes) {
		ret = recipe_errorf(r, -ENOMEM, "compile: out of memory");
		goto fail;
	}
	memcpy(r->nodes, g->nodes, g->count * sizeof(struct gnode));
	r->g->optim = g->optim;
	r->g->has_optim = g->has_optim;
	r->kern = loom_kernels_open(dev);
	if (!r->kern) {
		ret = recipe_errorf(r, -errno, "compile: kernel library: %s", loom_strerror(-errno));
		goto fail;
	}
	if ((ret = recipe_plan_memory(r)) || (ret = alloc_memory(r)) || (ret = recipe_lower(r)) ||
	    (ret = create_streams(r)) || (ret = init_values(r, r->stream[0], o.seed)) ||
	    (ret = recipe_capture(r)))
		goto fail;
	g->frozen = true;
	return r;
fail:
	graph_errorf(g, ret, "%s", r->err);
	loom_recipe_destroy(r);
	errno = -ret;
	return NULL;
}

void loom_recipe_destroy(loom_recipe *r)
{
	if (!r)
		return;
	for (int b = 0; b < 2; b++)
		loom_cmdbuf_destroy(r->cap[b]);	/* waits for its launches */
	for (int s = 0; s < GE_COUNT; s++)
		loom_stream_destroy(r->stream[s]);
	for (int e = 0; r->ev && e < r->nev; e++)
		loom_event_destroy(r->ev[e]);
	for (int b = 0; b < 2; b++) {
		loom_event_destroy(r->in_done[b]);
		for (int i = 0; r->in_host[b] && i < r->count; i++)
			if (r->in_host[b][i])
				loom_host_free(r->dev, r->in_host[b][i]);
		free(r->in_host[b]);
		free(r->in_host_va[b]);
	}
	for (int i = 0; r->param_va && i < r->count; i++)
		if (r->param_va[i])
			loom_mem_free(r->dev, r->param_va[i]);
	for (int a = 0; a < 2; a++)
		if (r->arena_va[a])
			loom_mem_free(r->dev, r->arena_va[a]);
	loom_kernels_close(r->kern);
	free(r->ev);
	free(r->steps);
	free(r->plan);
	free(r->order);
	free(r->fused);
	free(r->param_va);
	free(r->addr);
	free(r->nodes);
	free(r->g);
	free(r);
}
