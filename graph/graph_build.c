/* SPDX-License-Identifier: MIT */
/*
 * Building a graph: the node table, the leaves (inputs, parameters) and
 * the forward operations, each with its shape and dtype inferred and
 * checked when it is created. A failed constructor returns a negative
 * errno and leaves a message naming the node and the shapes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

#define DIM_MAX		((1u << 31) - 1)

loom_graph *loom_graph_create(void)
{
	loom_graph *g = calloc(1, sizeof(*g));

	if (!g) {
		errno = ENOMEM;
		return NULL;
	}
	g->loss = -1;
	return g;
}

void loom_graph_destroy(loom_graph *g)
{
	if (!g)
		return;
	free(g->nodes);
	free(g);
}

int loom_graph_node_count(const loom_graph *g)
{
	return g ? g->count : -EINVAL;
}

uint64_t graph_dtype_size(enum loom_gdtype dt)
{
	return dt == LOOM_G_BF16 ? 2 : 4;
}

uint64_t graph_node_bytes(const struct gnode *n)
{
	return n->nelem * graph_dtype_size(n->dt);
}

/* The node owning id's memory (views resolved). */
int graph_base(const loom_graph *g, int id)
{
	while (g->nodes[id].kind == GK_RESHAPE || g->nodes[id].kind == GK_VIEW)
		id = g->nodes[id].in[0];
	return id;
}

int loom_graph_node_info(const loom_graph *g, int id, struct loom_gnode_info *info)
{
	const struct gnode *n;

	if (!g || !info || id < 0 || id >= g->count)
		return -EINVAL;
	n = &g->nodes[id];
	info->op = (int)n->kind < (int)LOOM_OP_GRAD ? (enum loom_gop)n->kind :
		   n->kind >= GK_ADAM_TICK ? LOOM_OP_UPDATE : LOOM_OP_GRAD;
	info->dtype = n->dt;
	info->ndims = n->ndims;
	memcpy(info->dims, n->dims, sizeof(info->dims));
	info->name = n->name;
	return 0;
}

/* By name, among the forward graph's nodes: the latest of that name. */
int loom_graph_find(const loom_graph *g, const char *name)
{
	if (!g || !name)
		return -EINVAL;
	for (int i = graph_fwd_count(g) - 1; i >= 0; i--)
		if (!strcmp(g->nodes[i].name, name))
			return i;
	return -ENOENT;
}

/* The name the next node gets. */
static void next_name(const loom_graph *g, const char *name, char *buf, size_t len)
{
	if (name && *name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "op#%d", g->count);
}

int graph_node_add(loom_graph *g, enum gkind kind, const char *name, enum loom_gdtype dt,
		   uint32_t ndims, const uint32_t *dims, const int *in, int nin)
{
	uint32_t d[LOOM_GRAPH_MAX_DIMS];
	int ins[GRAPH_MAX_IN];
	struct gnode *n;

	/* dims and in may point into the table, which may move. */
	memcpy(d, dims ? dims : (const uint32_t[LOOM_GRAPH_MAX_DIMS]){ 1 }, ndims * 4);
	memcpy(ins, in ? in : (const int[GRAPH_MAX_IN]){ 0 }, nin * sizeof(int));
	dims = d;
	in = ins;
	if (g->count == g->cap) {
		int cap = g->cap ? g->cap * 2 : 64;
		struct gnode *nn = realloc(g->nodes, cap * sizeof(*nn));

		if (!nn)
			return graph_errorf(g, -ENOMEM, "out of memory");
		g->nodes = nn;
		g->cap = cap;
	}
	n = &g->nodes[g->count];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->dt = dt;
	n->ndims = ndims;
	n->nelem = 1;
	for (uint32_t i = 0; i < ndims; i++) {
		n->dims[i] = dims[i];
		n->nelem *= dims[i];
	}
	for (int i = 0; i < nin; i++)
		n->in[i] = in[i];
	n->nin = nin;
	n->grad = n->update = -1;
	next_name(g, name, n->name, sizeof(n->name));
	return g->count++;
}

/* ---- Checks --------------------------------------------------------------- */

struct ctx {
	loom_graph *g;
	char name[GRAPH_NAME_LEN];
	const char *op;
};

static int begin(struct ctx *c, loom_graph *g, const char *name, const char *op)
{
	c->g = g;
	c->op = op;
	if (!g)
		return -EINVAL;
	next_name(g, name, c->name, sizeof(c->name));
	if (g->frozen)
		return graph_errorf(g, -EBUSY, "%s: %s: the graph is compiled (frozen)", c->name,
				    op);
	return 0;
}

/* A valid input node id (or the error carried by a negative one). */
static int in_ok(struct ctx *c, int id, const char *what)
{
	if (id < 0)
		return id;
	if (id >= c->g->count)
		return graph_errorf(c->g, -EINVAL, "%s: %s: %s %d is not a node", c->name, c->op,
				    what, id);
	return 0;
}

static struct gnode *N(struct ctx *c, int id)
{
	return &c->g->nodes[id];
}

static int want_dtype(struct ctx *c, int id, enum loom_gdtype dt, const char *what)
{
	struct gnode *n = N(c, id);

	if (n->dt != dt)
		return graph_errorf(c->g, -EPROTOTYPE, "%s: %s: %s '%s' is %s, expected %s",
				    c->name, c->op, what, n->name, graph_dtype_name(n->dt),
				    graph_dtype_name(dt));
	return 0;
}

static int want_2d(struct ctx *c, int id, const char *what)
{
	struct gnode *n = N(c, id);
	char s[64];

	if (n->ndims != 2) {
		graph_shape_str(n, s, sizeof(s));
		return graph_errorf(c->g, -EDOM, "%s: %s: %s '%s' must be 2-D, is %s", c->name,
				    c->op, what, n->name, s);
	}
	return 0;
}

static int dims_ok(struct ctx *c, uint32_t ndims, const uint32_t *dims)
{
	uint64_t total = 1;

	if (!dims || ndims < 1 || ndims > LOOM_GRAPH_MAX_DIMS)
		return graph_errorf(c->g, -EINVAL, "%s: %s: %u dimensions (1 to %d allowed)",
				    c->name, c->op, ndims, LOOM_GRAPH_MAX_DIMS);
	for (uint32_t i = 0; i < ndims; i++) {
		if (dims[i] == 0 || dims[i] > DIM_MAX)
			return graph_errorf(c->g, -EINVAL, "%s: %s: dimension %u is %u", c->name,
					    c->op, i, dims[i]);
		total *= dims[i];
	}
	if (total > DIM_MAX)
		return graph_errorf(c->g, -EINVAL, "%s: %s: %llu elements (at most %u)", c->name,
				    c->op, (unsigned long long)total, DIM_MAX);
	return 0;
}

#define TRY(x) do { int _r = (x); if (_r) return _r; } while (0)

/* ---- Leaves --------------------------------------------------------------- */

int loom_g_input(loom_graph *g, const char *name, enum loom_gdtype dt, uint32_t ndims,
		 const uint32_t *dims)
{
	struct ctx c;
	int id;

	TRY(begin(&c, g, name, "input"));
	if ((unsigned)dt > LOOM_G_I32)
		return graph_errorf(g, -EINVAL, "%s: input: unknown dtype %d", c.name, (int)dt);
	TRY(dims_ok(&c, ndims, dims));
	id = graph_node_add(g, GK_INPUT, name, dt, ndims, dims, NULL, 0);
	if (id >= 0)
		g->nodes[id].persistent = true;
	return id;
}

int loom_g_param(loom_graph *g, const char *name, enum loom_gdtype dt, uint32_t ndims,
		 const uint32_t *dims, enum loom_ginit init)
{
	struct ctx c;
	int id;

	TRY(begin(&c, g, name, "param"));
	if (dt != LOOM_G_F32 && dt != LOOM_G_BF16)
		return graph_errorf(g, -EINVAL, "%s: param: dtype %s (f32 or bf16 allowed)",
				    c.name, graph_dtype_name(dt));
	if ((unsigned)init > LOOM_INIT_UNIFORM_FAN_IN)
		return graph_errorf(g, -EINVAL, "%s: param: unknown init %d", c.name, (int)init);
	TRY(dims_ok(&c, ndims, dims));
	id = graph_node_add(g, GK_PARAM, name, dt, ndims, dims, NULL, 0);
	if (id >= 0) {
		g->nodes[id].persistent = true;
		g->nodes[id].init = init;
		g->nodes[id].fan_in = dims[0];
	}
	return id;
}

int loom_g_param_fan_in(loom_graph *g, int id, uint32_t fan_in)
{
	if (!g || id < 0 || id >= g->count || g->nodes[id].kind != GK_PARAM || !fan_in)
		return graph_errorf(g, -EINVAL, "param_fan_in: node %d is not a parameter", id);
	g->nodes[id].fan_in = fan_in;
	return 0;
}

/* ---- Operations ----------------------------------------------------------- */

int loom_g_matmul(loom_graph *g, const char *name, int a, int b, int trans_a, int trans_b)
{
	struct ctx c;
	char sa[64], sb[64];

	TRY(begin(&c, g, name, "matmul"));
	TRY(in_ok(&c, a, "input a"));
	TRY(in_ok(&c, b, "input b"));
	TRY(want_2d(&c, a, "input a"));
	TRY(want_2d(&c, b, "input b"));
	struct gnode *na = N(&c, a), *nb = N(&c, b);

	if (na->dt == LOOM_G_I32 || nb->dt != na->dt)
		return graph_errorf(g, -EPROTOTYPE,
				    "%s: matmul: dtypes %s x %s (f32 x f32 or bf16 x bf16)",
				    c.name, graph_dtype_name(na->dt), graph_dtype_name(nb->dt));
	uint32_t m = trans_a ? na->dims[1] : na->dims[0];
	uint32_t ka = trans_a ? na->dims[0] : na->dims[1];
	uint32_t kb = trans_b ? nb->dims[1] : nb->dims[0];
	uint32_t n = trans_b ? nb->dims[0] : nb->dims[1];

	if (ka != kb) {
		graph_shape_str(na, sa, sizeof(sa));
		graph_shape_str(nb, sb, sizeof(sb));
		return graph_errorf(g, -EDOM, "%s: matmul: inner dimensions differ: %s%s x %s%s",
				    c.name, sa, trans_a ? "^T" : "", sb, trans_b ? "^T" : "");
	}
	uint32_t d[2] = { m, n };
	int in[2] = { a, b };
	int id = graph_node_add(g, GK_MATMUL, name, LOOM_G_F32, 2, d, in, 2);

	if (id >= 0) {
		g->nodes[id].trans_a = !!trans_a;
		g->nodes[id].trans_b = !!trans_b;
	}
	return id;
}

/* b must be [cols] with cols the last dimension of x. */
static int bias_ok(struct ctx *c, int x, int b)
{
	struct gnode *nx = N(c, x), *nb = N(c, b);
	char sx[64], sb[64];

	TRY(want_dtype(c, b, LOOM_G_F32, "bias"));
	if (nb->ndims != 1 || nb->dims[0] != nx->dims[nx->ndims - 1]) {
		graph_shape_str(nx, sx, sizeof(sx));
		graph_shape_str(nb, sb, sizeof(sb));
		return graph_errorf(c->g, -EDOM, "%s: %s: bias %s does not match %s", c->name,
				    c->op, sb, sx);
	}
	return 0;
}

int loom_g_linear(loom_graph *g, const char *name, int x, int w, int b, int relu)
{
	struct ctx c;
	char sx[64], sw[64];

	TRY(begin(&c, g, name, "linear"));
	TRY(in_ok(&c, x, "input"));
	TRY(in_ok(&c, w, "weight"));
	if (b != -1)
		TRY(in_ok(&c, b, "bias"));
	TRY(want_2d(&c, x, "input"));
	TRY(want_2d(&c, w, "weight"));
	struct gnode *nx = N(&c, x), *nw = N(&c, w);

	if (nx->dt == LOOM_G_I32 || nx->dt != nw->dt)
		return graph_errorf(g, -EPROTOTYPE,
				    "%s: linear: dtypes %s x %s (f32 x f32 or bf16 x bf16)",
				    c.name, graph_dtype_name(nx->dt), graph_dtype_name(nw->dt));
	if (nx->dims[1] != nw->dims[0]) {
		graph_shape_str(nx, sx, sizeof(sx));
		graph_shape_str(nw, sw, sizeof(sw));
		return graph_errorf(g, -EDOM, "%s: linear: input %s does not fit weight %s",
				    c.name, sx, sw);
	}
	uint32_t d[2] = { nx->dims[0], nw->dims[1] };

	if (b != -1) {
		struct gnode tmp = { .ndims = 2, .dims = { d[0], d[1] } };
		char sb[64], st[64];

		if (N(&c, b)->dt != LOOM_G_F32)
			return want_dtype(&c, b, LOOM_G_F32, "bias");
		if (N(&c, b)->ndims != 1 || N(&c, b)->dims[0] != d[1]) {
			graph_shape_str(N(&c, b), sb, sizeof(sb));
			graph_shape_str(&tmp, st, sizeof(st));
			return graph_errorf(g, -EDOM, "%s: linear: bias %s does not match %s",
					    c.name, sb, st);
		}
	}
	int in[3] = { x, w, b };
	int id = graph_node_add(g, GK_LINEAR, name, LOOM_G_F32, 2, d, in, b != -1 ? 3 : 2);

	if (id >= 0)
		g->nodes[id].relu = !!relu;
	return id;
}

int loom_g_bias_add(loom_graph *g, const char *name, int x, int b)
{
	struct ctx c;

	TRY(begin(&c, g, name, "bias_add"));
	TRY(in_ok(&c, x, "input"));
	TRY(in_ok(&c, b, "bias"));
	TRY(want_dtype(&c, x, LOOM_G_F32, "input"));
	TRY(bias_ok(&c, x, b));
	int in[2] = { x, b };

	return graph_node_add(g, GK_BIAS_ADD, name, LOOM_G_F32, N(&c, x)->ndims, N(&c, x)->dims,
			      in, 2);
}

static int unary(loom_graph *g, const char *name, int x, enum gkind k, const char *op)
{
	struct ctx c;

	TRY(begin(&c, g, name, op));
	TRY(in_ok(&c, x, "input"));
	TRY(want_dtype(&c, x, LOOM_G_F32, "input"));
	return graph_node_add(g, k, name, LOOM_G_F32, N(&c, x)->ndims, N(&c, x)->dims, &x, 1);
}

int loom_g_relu(loom_graph *g, const char *name, int x)
{
	return unary(g, name, x, GK_RELU, "relu");
}

int loom_g_gelu(loom_graph *g, const char *name, int x)
{
	return unary(g, name, x, GK_GELU, "gelu");
}

int loom_g_sigmoid(loom_graph *g, const char *name, int x)
{
	return unary(g, name, x, GK_SIGMOID, "sigmoid");
}

int loom_g_tanh(loom_graph *g, const char *name, int x)
{
	return unary(g, name, x, GK_TANH, "tanh");
}

int loom_g_softmax(loom_graph *g, const char *name, int x)
{
	return unary(g, name, x, GK_SOFTMAX, "softmax");
}

int loom_g_log_softmax(loom_graph *g, const char *name, int x)
{
	return unary(g, name, x, GK_LOG_SOFTMAX, "log_softmax");
}

int loom_g_scale(loom_graph *g, const char *name, int x, float alpha)
{
	int id = unary(g, name, x, GK_SCALE, "scale");

	if (id >= 0)
		g->nodes[id].alpha = alpha;
	return id;
}

int loom_g_xent(loom_graph *g, const char *name, int logits, int labels)
{
	struct ctx c;
	char sl[64], sy[64];

	TRY(begin(&c, g, name, "xent"));
	TRY(in_ok(&c, logits, "logits"));
	TRY(in_ok(&c, labels, "labels"));
	TRY(want_dtype(&c, logits, LOOM_G_F32, "logits"));
	TRY(want_dtype(&c, labels, LOOM_G_I32, "labels"));
	TRY(want_2d(&c, logits, "logits"));
	struct gnode *nl = N(&c, logits), *ny = N(&c, labels);

	if (ny->ndims != 1 || ny->dims[0] != nl->dims[0]) {
		graph_shape_str(nl, sl, sizeof(sl));
		graph_shape_str(ny, sy, sizeof(sy));
		return graph_errorf(g, -EDOM, "%s: xent: labels %s do not match logits %s",
				    c.name, sy, sl);
	}
	uint32_t one = 1;
	int in[2] = { logits, labels };
	uint32_t rows = nl->dims[0];
	int id = graph_node_add(g, GK_XENT, name, LOOM_G_F32, 1, &one, in, 2);

	if (id >= 0)	/* per-row losses after the mean */
		g->nodes[id].aux_bytes = (uint64_t)rows * 4;
	return id;
}

int loom_g_layernorm(loom_graph *g, const char *name, int x, int gamma, int beta, float eps)
{
	struct ctx c;

	TRY(begin(&c, g, name, "layernorm"));
	TRY(in_ok(&c, x, "input"));
	TRY(in_ok(&c, gamma, "gamma"));
	TRY(in_ok(&c, beta, "beta"));
	TRY(want_dtype(&c, x, LOOM_G_F32, "input"));
	TRY(bias_ok(&c, x, gamma));
	TRY(bias_ok(&c, x, beta));
	if (!(eps >= 0) || eps > 1e30f)
		return graph_errorf(g, -EINVAL, "%s: layernorm: eps %g (finite, >= 0)", c.name,
				    (double)eps);
	struct gnode *nx = N(&c, x);
	int in[3] = { x, gamma, beta };
	uint64_t rows = nx->nelem / nx->dims[nx->ndims - 1];
	int id = graph_node_add(g, GK_LAYERNORM, name, LOOM_G_F32, nx->ndims, nx->dims, in, 3);

	if (id >= 0) {
		g->nodes[id].eps = eps;
		g->nodes[id].aux_bytes = rows * 8;	/* mean, rstd */
	}
	return id;
}

static int binary(loom_graph *g, const char *name, int a, int b, enum gkind k, const char *op)
{
	struct ctx c;
	char sa[64], sb[64];

	TRY(begin(&c, g, name, op));
	TRY(in_ok(&c, a, "input a"));
	TRY(in_ok(&c, b, "input b"));
	TRY(want_dtype(&c, a, LOOM_G_F32, "input a"));
	TRY(want_dtype(&c, b, LOOM_G_F32, "input b"));
	struct gnode *na = N(&c, a), *nb = N(&c, b);

	if (na->ndims != nb->ndims || memcmp(na->dims, nb->dims, na->ndims * 4)) {
		graph_shape_str(na, sa, sizeof(sa));
		graph_shape_str(nb, sb, sizeof(sb));
		return graph_errorf(g, -EDOM, "%s: %s: shapes differ: %s and %s", c.name, op, sa,
				    sb);
	}
	int in[2] = { a, b };

	return graph_node_add(g, k, name, LOOM_G_F32, na->ndims, na->dims, in, 2);
}

int loom_g_add(loom_graph *g, const char *name, int a, int b)
{
	return binary(g, name, a, b, GK_ADD, "add");
}

int loom_g_mul(loom_graph *g, const char *name, int a, int b)
{
	return binary(g, name, a, b, GK_MUL, "mul");
}

int loom_g_reduce(loom_graph *g, const char *name, int x, enum loom_greduce op, int axis)
{
	struct ctx c;
	char s[64];

	TRY(begin(&c, g, name, "reduce"));
	TRY(in_ok(&c, x, "input"));
	TRY(want_dtype(&c, x, LOOM_G_F32, "input"));
	struct gnode *nx = N(&c, x);

	if ((unsigned)op > LOOM_RED_MAX)
		return graph_errorf(g, -EINVAL, "%s: reduce: unknown reduction %d", c.name, (int)op);
	if (nx->ndims > 2) {
		graph_shape_str(nx, s, sizeof(s));
		return graph_errorf(g, -EDOM, "%s: reduce: input '%s' must be 1-D or 2-D, is %s",
				    c.name, nx->name, s);
	}
	if (axis != 0 && axis != 1)
		return graph_errorf(g, -EINVAL, "%s: reduce: axis %d (0 or 1)", c.name, axis);
	uint32_t rows = nx->ndims == 2 ? nx->dims[0] : 1;
	uint32_t cols = nx->dims[nx->ndims - 1];
	uint32_t d = axis == 1 ? rows : cols;
	int id = graph_node_add(g, GK_REDUCE, name, LOOM_G_F32, 1, &d, &x, 1);

	if (id >= 0) {
		g->nodes[id].red = op;
		g->nodes[id].axis = axis;
	}
	return id;
}

int loom_g_reshape(loom_graph *g, const char *name, int x, uint32_t ndims, const uint32_t *dims)
{
	struct ctx c;
	char s[64];
	uint64_t total = 1;

	TRY(begin(&c, g, name, "reshape"));
	TRY(in_ok(&c, x, "input"));
	TRY(dims_ok(&c, ndims, dims));
	for (uint32_t i = 0; i < ndims; i++)
		total *= dims[i];
	struct gnode *nx = N(&c, x);

	if (total != nx->nelem) {
		graph_shape_str(nx, s, sizeof(s));
		return graph_errorf(g, -EDOM, "%s: reshape: %s has %llu elements, not %llu",
				    c.name, s, (unsigned long long)nx->nelem,
				    (unsigned long long)total);
	}
	return graph_node_add(g, GK_RESHAPE, name, nx->dt, ndims, dims, &x, 1);
}

int loom_g_transpose(loom_graph *g, const char *name, int x)
{
	struct ctx c;

	TRY(begin(&c, g, name, "transpose"));
	TRY(in_ok(&c, x, "input"));
	TRY(want_dtype(&c, x, LOOM_G_F32, "input"));
	TRY(want_2d(&c, x, "input"));
	uint32_t d[2] = { N(&c, x)->dims[1], N(&c, x)->dims[0] };

	return graph_node_add(g, GK_TRANSPOSE, name, LOOM_G_F32, 2, d, &x, 1);
}

int loom_g_cast(loom_graph *g, const char *name, int x, enum loom_gdtype to)
{
	struct ctx c;
	struct gnode *nx;

	TRY(begin(&c, g, name, "cast"));
	TRY(in_ok(&c, x, "input"));
	nx = N(&c, x);
	if ((to != LOOM_G_F32 && to != LOOM_G_BF16) ||
	    (nx->dt != LOOM_G_F32 && nx->dt != LOOM_G_BF16) || to == nx->dt)
		return graph_errorf(g, -EPROTOTYPE, "%s: cast: %s to %s (f32 <-> bf16 only)",
				    c.name, graph_dtype_name(nx->dt), graph_dtype_name(to));
	return graph_node_add(g, GK_CAST, name, to, nx->ndims, nx->dims, &x, 1);
}

int loom_graph_output(loom_graph *g, int id)
{
	if (!g || id < 0 || id >= g->count)
		return graph_errorf(g, -EINVAL, "output: %d is not a node", id);
	g->nodes[graph_base(g, id)].output = true;
	g->nodes[id].output = true;
	return 0;
}
