/* SPDX-License-Identifier: MIT */
/*
 * Automatic differentiation: loom_graph_backward() walks the forward graph
 * from the loss back to the parameters and appends, for each node on a
 * path between them, the nodes computing its inputs' gradients (matmuls
 * with transposes on the MME, the gradient kernels on the TPC). A node
 * used several times gets the sum of its gradients. Gradients are f32
 * whatever the dtype of the node they belong to; a cast passes its
 * gradient through, and a product of bf16 operands gets its gradient cast
 * to bf16 for the MME (mixed precision).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

struct bw {
	loom_graph *g;
	int *gacc;	/* accumulated gradient node per node, or -1 */
	bool *dep;	/* depends on a differentiable parameter */
	int seed;
};

static struct gnode *NODE(struct bw *b, int id)
{
	return &b->g->nodes[id];
}

/* A gradient node named after the forward node it comes from. */
static int add(struct bw *b, enum gkind k, int from, int idx, enum loom_gdtype dt,
	       uint32_t ndims, const uint32_t *dims, const int *in, int nin)
{
	char name[GRAPH_NAME_LEN + 8];

	snprintf(name, sizeof(name), "%.40s.grad%d", NODE(b, from)->name, idx);
	return graph_node_add(b->g, k, name, dt, ndims, dims, in, nin);
}

static int like(struct bw *b, enum gkind k, int from, int idx, int shape_of, const int *in,
		int nin)
{
	struct gnode n = *NODE(b, shape_of);

	return add(b, k, from, idx, LOOM_G_F32, n.ndims, n.dims, in, nin);
}

/* Add gradient gn to node i's. */
static int accumulate(struct bw *b, int i, int gn)
{
	int prev = b->gacc[i];

	if (gn < 0)
		return gn;
	if (prev < 0) {
		b->gacc[i] = gn;
		return 0;
	}
	int in[2] = { prev, gn };
	int s = like(b, GK_ADD, i, 9, i, in, 2);

	if (s < 0)
		return s;
	b->gacc[i] = s;
	return 0;
}

static int mm(struct bw *b, int from, int idx, int x, int y, int ta, int tb)
{
	struct gnode *nx = NODE(b, x), *ny = NODE(b, y);
	uint32_t d[2] = { ta ? nx->dims[1] : nx->dims[0], tb ? ny->dims[0] : ny->dims[1] };
	int in[2] = { x, y };
	int id = add(b, GK_MATMUL, from, idx, LOOM_G_F32, 2, d, in, 2);

	if (id >= 0) {
		b->g->nodes[id].trans_a = ta;
		b->g->nodes[id].trans_b = tb;
	}
	return id;
}

/*
 * The gradient dy (f32) of a product whose operands are bf16, cast to bf16
 * so the MME multiplies like by like (mixed precision: the products
 * accumulate in fp32 and every gradient stays f32).
 */
static int dy_for(struct bw *b, int from, int operand, int dy)
{
	struct gnode nd = *NODE(b, dy);
	int id;

	if (NODE(b, operand)->dt != LOOM_G_BF16)
		return dy;
	id = add(b, GK_CAST, from, 8, LOOM_G_BF16, nd.ndims, nd.dims, &dy, 1);
	return id;
}

/* dbias = sum over rows of dy, dy seen as [nelem / cols, cols]. */
static int bias_grad(struct bw *b, int from, int idx, int dy, int bias)
{
	struct gnode nb = *NODE(b, bias);

	return add(b, GK_BIAS_GRAD, from, idx, LOOM_G_F32, nb.ndims, nb.dims, &dy, 1);
}

static int backward_node(struct bw *b, int id)
{
	struct gnode n = *NODE(b, id);
	int dy = b->gacc[id];
	int x = n.in[0];
	int in[4], r, gx;

	switch (n.kind) {
	case GK_INPUT:
	case GK_PARAM:
		return 0;
	case GK_MATMUL: {
		int a = n.in[0], bb = n.in[1];

		dy = dy_for(b, id, a, dy);
		if (dy < 0)
			return dy;

		if (b->dep[a]) {
			gx = n.trans_a ? mm(b, id, 0, bb, dy, n.trans_b, 1) :
					 mm(b, id, 0, dy, bb, 0, !n.trans_b);
			if ((r = accumulate(b, a, gx)))
				return r;
		}
		if (b->dep[bb]) {
			gx = n.trans_b ? mm(b, id, 1, dy, a, 1, n.trans_a) :
					 mm(b, id, 1, a, dy, !n.trans_a, 0);
			if ((r = accumulate(b, bb, gx)))
				return r;
		}
		return 0;
	}
	case GK_LINEAR: {
		int w = n.in[1], bias = n.nin > 2 ? n.in[2] : -1, dpre = dy;

		if (n.relu) {
			in[0] = id;	/* y > 0 exactly where the pre-activation is */
			in[1] = dy;
			dpre = like(b, GK_RELU_GRAD, id, 3, id, in, 2);
			if (dpre < 0)
				return dpre;
		}
		int dmm = dy_for(b, id, x, dpre);	/* bf16 operands: dpre in bf16 */

		if (dmm < 0)
			return dmm;
		if (b->dep[x] && (r = accumulate(b, x, mm(b, id, 0, dmm, w, 0, 1))))
			return r;
		if (b->dep[w] && (r = accumulate(b, w, mm(b, id, 1, x, dmm, 1, 0))))
			return r;
		if (bias >= 0 && b->dep[bias] &&
		    (r = accumulate(b, bias, bias_grad(b, id, 2, dpre, bias))))
			return r;
		return 0;
	}
	case GK_BIAS_ADD:
		if (b->dep[x] && (r = accumulate(b, x, dy)))
			return r;
		if (b->dep[n.in[1]])
			return accumulate(b, n.in[1], bias_grad(b, id, 1, dy, n.in[1]));
		return 0;
	case GK_RELU: case GK_GELU:
		in[0] = x;
		in[1] = dy;
		return accumulate(b, x, like(b, n.kind == GK_RELU ? GK_RELU_GRAD : GK_GELU_GRAD,
					     id, 0, x, in, 2));
	case GK_SIGMOID: case GK_TANH: case GK_SOFTMAX: case GK_LOG_SOFTMAX: {
		enum gkind k = n.kind == GK_SIGMOID ? GK_SIGMOID_GRAD :
			       n.kind == GK_TANH ? GK_TANH_GRAD :
			       n.kind == GK_SOFTMAX ? GK_SOFTMAX_GRAD : GK_LOG_SOFTMAX_GRAD;

		in[0] = id;	/* from the output y */
		in[1] = dy;
		return accumulate(b, x, like(b, k, id, 0, x, in, 2));
	}
	case GK_XENT:
		in[0] = x;
		in[1] = n.in[1];
		in[2] = dy;
		gx = like(b, GK_XENT_GRAD, id, 0, x, in, 3);
		if (gx >= 0 && dy != b->seed)	/* room to broadcast dy */
			b->g->nodes[gx].aux_bytes = NODE(b, x)->nelem * 4;
		return accumulate(b, x, gx);
	case GK_LAYERNORM: {
		struct gnode *nx = NODE(b, x);
		uint32_t cols = nx->dims[nx->ndims - 1];

		in[0] = x;
		in[1] = dy;
		in[2] = n.in[1];
		in[3] = id;
		gx = like(b, GK_LN_GRAD, id, 0, x, in, 4);
		if (gx < 0)
			return gx;
		b->g->nodes[gx].aux_bytes = (uint64_t)cols * 8;	/* dgamma, dbeta */
		if (b->dep[x] && (r = accumulate(b, x, gx)))
			return r;
		for (int k = 1; k <= 2; k++) {
			if (!b->dep[n.in[k]])
				continue;
			int v = add(b, GK_VIEW, id, k, LOOM_G_F32, 1, &cols, &gx, 1);

			if (v < 0)
				return v;
			b->g->nodes[v].voff = (nx->nelem + (uint64_t)(k - 1) * cols) * 4;
			if ((r = accumulate(b, n.in[k], v)))
				return r;
		}
		return 0;
	}
	case GK_ADD:
		if (b->dep[x] && (r = accumulate(b, x, dy)))
			return r;
		if (b->dep[n.in[1]])
			return accumulate(b, n.in[1], dy);
		return 0;
	case GK_MUL:
		for (int k = 0; k < 2; k++) {
			if (!b->dep[n.in[k]])
				continue;
			in[0] = dy;
			in[1] = n.in[1 - k];
			if ((r = accumulate(b, n.in[k], like(b, GK_MUL, id, k, n.in[k], in, 2))))
				return r;
		}
		return 0;
	case GK_SCALE:
		gx = like(b, GK_SCALE, id, 0, x, &dy, 1);
		if (gx >= 0)
			b->g->nodes[gx].alpha = n.alpha;
		return accumulate(b, x, gx);
	case GK_REDUCE: {
		struct gnode *nx = NODE(b, x);
		uint32_t rows = nx->ndims == 2 ? nx->dims[0] : 1;
		uint32_t cols = nx->dims[nx->ndims - 1];

		if (n.red == LOOM_RED_MAX)
			break;
		gx = like(b, GK_BCAST, id, 0, x, &dy, 1);
		if (gx < 0)
			return gx;
		b->g->nodes[gx].axis = n.axis;
		b->g->nodes[gx].alpha = n.red == LOOM_RED_SUM ? 1.0f :
					1.0f / (float)(n.axis == 1 ? cols : rows);
		return accumulate(b, x, gx);
	}
	case GK_RESHAPE: {
		struct gnode nx = *NODE(b, x);

		gx = add(b, GK_RESHAPE, id, 0, LOOM_G_F32, nx.ndims, nx.dims, &dy, 1);
		return accumulate(b, x, gx);
	}
	case GK_TRANSPOSE:
		return accumulate(b, x, like(b, GK_TRANSPOSE, id, 0, x, &dy, 1));
	case GK_CAST:
		/* Rounding's derivative taken as 1 (the straight-through rule of
		 * mixed-precision training): x gets dy, in f32 whatever x's dtype. */
		return accumulate(b, x, dy);
	default:
		break;
	}
	return graph_errorf(b->g, -ENOTSUP, "backward: %s ('%s') is not differentiable",
			    n.kind == GK_REDUCE ? "reduce max" : loom_gop_name((enum loom_gop)n.kind),
			    n.name);
}

int loom_graph_backward(loom_graph *g, int loss)
{
	struct bw b = { .g = g };
	int count, ret = 0;
	bool *reach;

	if (!g)
		return -EINVAL;
	if (g->frozen)
		return graph_errorf(g, -EBUSY, "backward: the graph is compiled (frozen)");
	if (g->has_backward)
		return graph_errorf(g, -EINVAL, "backward: already called");
	if (loss < 0 || loss >= g->count)
		return graph_errorf(g, -EINVAL, "backward: loss %d is not a node", loss);
	if (g->nodes[loss].nelem != 1 || g->nodes[loss].dt != LOOM_G_F32) {
		char s[64];

		graph_shape_str(&g->nodes[loss], s, sizeof(s));
		return graph_errorf(g, -EINVAL, "backward: loss '%s' must be [1] f32, is %s %s",
				    g->nodes[loss].name, s, graph_dtype_name(g->nodes[loss].dt));
	}
	count = g->count;
	b.gacc = malloc(count * sizeof(int));
	b.dep = calloc(count, sizeof(bool));
	reach = calloc(count, sizeof(bool));
	if (!b.gacc || !b.dep || !reach) {
		ret = graph_errorf(g, -ENOMEM, "backward: out of memory");
		goto out;
	}
	for (int i = 0; i < count; i++) {
		struct gnode *n = &g->nodes[i];

		b.gacc[i] = -1;
		b.dep[i] = n->kind == GK_PARAM && n->dt == LOOM_G_F32;
		for (int k = 0; k < n->nin; k++)
			b.dep[i] |= b.dep[n->in[k]];
	}
	reach[loss] = true;
	for (int i = loss; i >= 0; i--)
		if (reach[i])
			for (int k = 0; k < g->nodes[i].nin; k++)
				reach[g->nodes[i].in[k]] = true;
	for (int i = 0; i < count; i++)
		b.dep[i] &= reach[i];

	uint32_t one = 1;

	g->nfwd = count;
	b.seed = graph_node_add(g, GK_CONST_ONE, "loss.seed", LOOM_G_F32, 1, &one, NULL, 0);
	if (b.seed < 0) {
		ret = b.seed;
		goto out;
	}
	g->nodes[b.seed].persistent = true;
	b.gacc[loss] = b.seed;
	for (int i = loss; i >= 0; i--) {
		if (!b.dep[i] || b.gacc[i] < 0)
			continue;
		ret = backward_node(&b, i);
		if (ret)
			goto out;
	}
	for (int i = 0; i < count; i++) {
		struct gnode *n = &g->nodes[i];

		if (n->kind == GK_PARAM && b.dep[i] && b.gacc[i] >= 0) {
			n->grad = b.gacc[i];
			loom_graph_output(g, n->grad);
		}
	}
	g->has_backward = true;
	g->loss = loss;
out:
	free(b.gacc);
	free(b.dep);
	free(reach);
	return ret;
}

int loom_graph_grad(const loom_graph *g, int param)
{
	if (!g || param < 0 || param >= g->count || g->nodes[param].grad < 0)
		return -ENOENT;
	return g->nodes[param].grad;
}
