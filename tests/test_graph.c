/* SPDX-License-Identifier: MIT */
/*
 * test_graph: libloomgraph (include/loom/graph.h). Gradients of every
 * differentiable op on the device against central finite differences of a
 * float64 CPU evaluation of the same graph; a 2-layer MLP's loss,
 * gradients and one Adam step (and SGD with momentum) against the CPU;
 * the memory plan (no live buffers alias; a broken plan is caught);
 * training on synthetic data (the loss falls); bad graphs (exact
 * messages); a device error mid-step named by op (MME and TPC, in
 * captured steps); the MLP's step time per recipe mode. Mixed precision
 * is test_graph_mixed's, saved graphs test_graph_io's, over the same
 * fixture (tests/loom_test_graph.h). Usage: test_graph [inproc|loomd|kernel].
 *
 * Tolerance of the gradient checks: |dev - fd| <= 2e-4 + 2e-3 |fd|, fd the
 * central difference (h = 1e-4) of the float64 loss: the device computes in
 * fp32 (relative error ~1e-6 per rounding, sums of up to a few dozen
 * terms) and the difference's truncation error is O(h^2); inputs are kept
 * away from relu's kink.
 */
#include "loom_test_graph.h"

/* ---- A CPU evaluator in float64 mirroring the graph ------------------------- */

enum top { T_IN, T_PARAM, T_LABELS, T_MATMUL, T_LINEAR, T_BIAS, T_RELU, T_GELU, T_SIG,
	   T_TANH, T_SOFTMAX, T_LOGSOFTMAX, T_XENT, T_LN, T_ADD, T_MUL, T_SCALE, T_RED,
	   T_RESHAPE, T_TRANSPOSE };

#define TMAX 32

struct tn {
	enum top op;
	int a, b, c;
	int ta, tb, relu, axis, red;
	float alpha, eps;
	uint32_t r, cc;		/* shape as [r, cc] (1-D: r = 1) */
	int nd;
	int gid;
	double *v;
	float *init;		/* leaves: values */
	int32_t *lab;
};

struct tg {
	struct tn n[TMAX];
	int count;
	loom_graph *g;
};

static int tadd(struct tg *t, enum top op, int gid, uint32_t r, uint32_t c, int nd)
{
	struct tn *n = &t->n[t->count];

	memset(n, 0, sizeof(*n));
	n->op = op;
	n->gid = gid;
	n->r = r;
	n->cc = c;
	n->nd = nd;
	n->v = calloc((size_t)r * c, sizeof(double));
	assert_true(gid >= 0);
	return t->count++;
}

static int t_leaf(struct tg *t, enum top op, const char *name, uint32_t r, uint32_t c, int nd)
{
	uint32_t d[2] = { r, c };
	const uint32_t *dims = nd == 2 ? d : &d[1];
	int gid = op == T_PARAM ? loom_g_param(t->g, name, LOOM_G_F32, nd, dims, LOOM_INIT_ZERO) :
		  loom_g_input(t->g, name, op == T_LABELS ? LOOM_G_I32 : LOOM_G_F32, nd, dims);
	int id = tadd(t, op, gid, nd == 2 ? r : 1, c, nd);

	if (op == T_LABELS) {
		t->n[id].lab = malloc(c * sizeof(int32_t));
		for (uint32_t i = 0; i < c; i++)
			t->n[id].lab[i] = (int32_t)(urand(0, 0.999f) * 5) % 5;
	} else {
		t->n[id].init = rand_vals((uint64_t)r * c, -1.5f, 1.5f);
	}
	return id;
}

static double gelu_d(double x)
{
	return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
}

/* Evaluate every node in double from the leaves' (possibly perturbed) values. */
static void t_eval(struct tg *t)
{
	for (int i = 0; i < t->count; i++) {
		struct tn *n = &t->n[i];
		struct tn *A = n->op >= T_MATMUL ? &t->n[n->a] : NULL;
		struct tn *B = n->op >= T_MATMUL && n->b >= 0 ? &t->n[n->b] : NULL;
		uint32_t R = n->r, C = n->cc;
		double *v = n->v;

		switch (n->op) {
		case T_IN: case T_PARAM: case T_LABELS:
			break;
		case T_MATMUL: case T_LINEAR: {
			uint32_t K = n->op == T_LINEAR ? A->cc : n->ta ? A->r : A->cc;

			for (uint32_t i2 = 0; i2 < R; i2++)
				for (uint32_t j = 0; j < C; j++) {
					double s = 0;

					for (uint32_t k = 0; k < K; k++) {
						double a = n->ta ? A->v[k * A->cc + i2] : A->v[i2 * A->cc + k];
						double b = n->tb ? B->v[j * B->cc + k] : B->v[k * B->cc + j];

						s += a * b;
					}
					if (n->op == T_LINEAR && n->c >= 0)
						s += t->n[n->c].v[j];
					if (n->op == T_LINEAR && n->relu && s < 0)
						s = 0;
					v[i2 * C + j] = s;
				}
			break;
		}
		case T_BIAS:
			for (uint32_t k = 0; k < R * C; k++)
				v[k] = A->v[k] + B->v[k % C];
			break;
		case T_RELU: case T_GELU: case T_SIG: case T_TANH: case T_SCALE:
			for (uint32_t k = 0; k < R * C; k++) {
				double x = A->v[k];

				v[k] = n->op == T_RELU ? (x > 0 ? x : 0) : n->op == T_GELU ? gelu_d(x) :
				       n->op == T_SIG ? 1 / (1 + exp(-x)) : n->op == T_TANH ? tanh(x) :
				       n->alpha * x;
			}
			break;
		case T_ADD: case T_MUL:
			for (uint32_t k = 0; k < R * C; k++)
				v[k] = n->op == T_ADD ? A->v[k] + B->v[k] : A->v[k] * B->v[k];
			break;
		case T_SOFTMAX: case T_LOGSOFTMAX:
			for (uint32_t i2 = 0; i2 < R; i2++) {
				double mx = -INFINITY, s = 0;

				for (uint32_t j = 0; j < C; j++)
					mx = fmax(mx, A->v[i2 * C + j]);
				for (uint32_t j = 0; j < C; j++)
					s += exp(A->v[i2 * C + j] - mx);
				for (uint32_t j = 0; j < C; j++)
					v[i2 * C + j] = n->op == T_SOFTMAX ? exp(A->v[i2 * C + j] - mx) / s :
							A->v[i2 * C + j] - mx - log(s);
			}
			break;
		case T_XENT: {
			double tot = 0;

			for (uint32_t i2 = 0; i2 < A->r; i2++) {
				double mx = -INFINITY, s = 0;
				const double *x = &A->v[i2 * A->cc];

				for (uint32_t j = 0; j < A->cc; j++)
					mx = fmax(mx, x[j]);
				for (uint32_t j = 0; j < A->cc; j++)
					s += exp(x[j] - mx);
				tot += mx + log(s) - x[B->lab[i2]];
			}
			v[0] = tot / A->r;
			break;
		}
		case T_LN:
			for (uint32_t i2 = 0; i2 < R; i2++) {
				double m = 0, var = 0;

				for (uint32_t j = 0; j < C; j++)
					m += A->v[i2 * C + j];
				m /= C;
				for (uint32_t j = 0; j < C; j++)
					var += (A->v[i2 * C + j] - m) * (A->v[i2 * C + j] - m);
				var /= C;
				for (uint32_t j = 0; j < C; j++)
					v[i2 * C + j] = (A->v[i2 * C + j] - m) / sqrt(var + n->eps) *
							B->v[j] + t->n[n->c].v[j];
			}
			break;
		case T_RED: {
			uint32_t ar = A->r, ac = A->cc;

			for (uint32_t k = 0; k < R * C; k++)
				v[k] = 0;
			for (uint32_t i2 = 0; i2 < ar; i2++)
				for (uint32_t j = 0; j < ac; j++)
					v[n->axis == 1 ? i2 : j] += A->v[i2 * ac + j];
			for (uint32_t k = 0; k < R * C; k++)
				if (n->red == LOOM_RED_MEAN)
					v[k] /= n->axis == 1 ? ac : ar;
			break;
		}
		case T_RESHAPE:
			memcpy(v, A->v, (size_t)R * C * sizeof(double));
			break;
		case T_TRANSPOSE:
			for (uint32_t i2 = 0; i2 < R; i2++)
				for (uint32_t j = 0; j < C; j++)
					v[i2 * C + j] = A->v[j * A->cc + i2];
			break;
		}
	}
}

static int t_op(struct tg *t, enum top op, int a, int b, int c)
{
	struct tn *A = &t->n[a], *B = b >= 0 ? &t->n[b] : NULL;
	int gid = -1, nd = A->nd;
	uint32_t r = A->r, cc = A->cc;

	switch (op) {
	case T_RELU: gid = loom_g_relu(t->g, NULL, A->gid); break;
	case T_GELU: gid = loom_g_gelu(t->g, NULL, A->gid); break;
	case T_SIG: gid = loom_g_sigmoid(t->g, NULL, A->gid); break;
	case T_TANH: gid = loom_g_tanh(t->g, NULL, A->gid); break;
	case T_SOFTMAX: gid = loom_g_softmax(t->g, NULL, A->gid); break;
	case T_LOGSOFTMAX: gid = loom_g_log_softmax(t->g, NULL, A->gid); break;
	case T_ADD: gid = loom_g_add(t->g, NULL, A->gid, B->gid); break;
	case T_MUL: gid = loom_g_mul(t->g, NULL, A->gid, B->gid); break;
	case T_BIAS: gid = loom_g_bias_add(t->g, NULL, A->gid, B->gid); break;
	case T_TRANSPOSE: gid = loom_g_transpose(t->g, NULL, A->gid); r = A->cc; cc = A->r; break;
	case T_XENT: gid = loom_g_xent(t->g, "loss", A->gid, B->gid); r = cc = 1; nd = 1; break;
	case T_LN: gid = loom_g_layernorm(t->g, NULL, A->gid, B->gid, t->n[c].gid, 1e-5f); break;
	default: fail();
	}
	int id = tadd(t, op, gid, r, cc, nd);

	t->n[id].a = a;
	t->n[id].b = b;
	t->n[id].c = c;
	t->n[id].eps = 1e-5f;
	return id;
}

static int t_scale(struct tg *t, int a, float alpha)
{
	int id = tadd(t, T_SCALE, loom_g_scale(t->g, NULL, t->n[a].gid, alpha), t->n[a].r,
		      t->n[a].cc, t->n[a].nd);

	t->n[id].a = a;
	t->n[id].alpha = alpha;
	return id;
}

static int t_matmul(struct tg *t, int a, int b, int ta, int tb)
{
	struct tn *A = &t->n[a], *B = &t->n[b];
	int id = tadd(t, T_MATMUL, loom_g_matmul(t->g, NULL, A->gid, B->gid, ta, tb),
		      ta ? A->cc : A->r, tb ? B->r : B->cc, 2);

	t->n[id].a = a;
	t->n[id].b = b;
	t->n[id].ta = ta;
	t->n[id].tb = tb;
	return id;
}

static int t_linear(struct tg *t, int x, int w, int b, int relu)
{
	int id = tadd(t, T_LINEAR, loom_g_linear(t->g, NULL, t->n[x].gid, t->n[w].gid,
						 b >= 0 ? t->n[b].gid : -1, relu),
		      t->n[x].r, t->n[w].cc, 2);

	t->n[id].a = x;
	t->n[id].b = w;
	t->n[id].c = b;
	t->n[id].relu = relu;
	return id;
}

static int t_reduce(struct tg *t, int a, int red, int axis)
{
	struct tn *A = &t->n[a];
	int id = tadd(t, T_RED, loom_g_reduce(t->g, NULL, A->gid, red, axis), 1,
		      axis == 1 ? A->r : A->cc, 1);

	t->n[id].a = a;
	t->n[id].red = red;
	t->n[id].axis = axis;
	return id;
}

static int t_reshape(struct tg *t, int a, uint32_t r, uint32_t c)
{
	uint32_t d[2] = { r, c };
	int id = tadd(t, T_RESHAPE, loom_g_reshape(t->g, NULL, t->n[a].gid, 2, d), r, c, 2);

	t->n[id].a = a;
	return id;
}

/* loss = sum(y * R) with R a fixed random input of y's shape. */
static int t_head(struct tg *t, int y)
{
	int R = t_leaf(t, T_IN, "R", t->n[y].r, t->n[y].cc, t->n[y].nd);
	int p = t_op(t, T_MUL, y, R, -1);

	if (t->n[p].nd == 2)
		p = t_reduce(t, p, LOOM_RED_SUM, 1);
	return t_reduce(t, p, LOOM_RED_SUM, 1);
}

static void t_free(struct tg *t)
{
	for (int i = 0; i < t->count; i++) {
		free(t->n[i].v);
		free(t->n[i].init);
		free(t->n[i].lab);
	}
	loom_graph_destroy(t->g);
}

static void t_load(struct tg *t)
{
	for (int i = 0; i < t->count; i++) {
		struct tn *n = &t->n[i];

		if (n->init)
			for (uint32_t k = 0; k < n->r * n->cc; k++)
				n->v[k] = n->init[k];
	}
}

/* Upload leaves into a compiled recipe (inputs: for the next step only). */
static void t_upload_opt(struct tg *t, loom_recipe *r, bool params)
{
	for (int i = 0; i < t->count; i++) {
		struct tn *n = &t->n[i];
		size_t bytes = (size_t)n->r * n->cc * 4;

		if (n->op == T_PARAM && params)
			assert_int_equal(loom_recipe_write(r, n->gid, n->init, bytes), 0);
		else if (n->op == T_IN)
			assert_int_equal(loom_recipe_set_input(r, n->gid, n->init, bytes), 0);
		else if (n->op == T_LABELS)
			assert_int_equal(loom_recipe_set_input(r, n->gid, n->lab, bytes), 0);
	}
}

static void t_upload(struct tg *t, loom_recipe *r)
{
	t_upload_opt(t, r, true);
}

/* Central differences of the loss (node loss) for every element of param p. */
static double *t_fd(struct tg *t, int p, int loss)
{
	struct tn *n = &t->n[p];
	uint32_t cnt = n->r * n->cc;
	double *fd = malloc(cnt * sizeof(double)), h = 1e-4;

	for (uint32_t k = 0; k < cnt; k++) {
		double up, dn;

		t_load(t);
		n->v[k] += h;
		t_eval(t);
		up = t->n[loss].v[0];
		t_load(t);
		n->v[k] -= h;
		t_eval(t);
		dn = t->n[loss].v[0];
		fd[k] = (up - dn) / (2 * h);
	}
	return fd;
}

/* Build with build(), run one step on the device, compare every parameter's gradient. */
static void gradcheck(loom_device *dev, const char *what, int (*build)(struct tg *t))
{
	struct tg t = { .g = loom_graph_create() };
	int loss = build(&t);
	loom_recipe *r;
	int checked = 0;

	assert_int_equal(loom_graph_backward(t.g, t.n[loss].gid), 0);
	loom_graph_output(t.g, t.n[loss].gid);
	r = loom_graph_compile(t.g, dev, NULL);
	if (!r)
		fail_msg("%s: compile: %s", what, loom_graph_error(t.g));
	t_upload(&t, r);
	if (loom_recipe_step(r))
		fail_msg("%s: step: %s", what, loom_recipe_error(r));

	float lossv;

	t_load(&t);
	t_eval(&t);
	assert_int_equal(loom_recipe_read(r, t.n[loss].gid, &lossv, 4), 0);
	if (fabs(lossv - t.n[loss].v[0]) > 1e-4 + 1e-4 * fabs(t.n[loss].v[0]))
		fail_msg("%s: loss %g, expected %g", what, lossv, t.n[loss].v[0]);
	for (int i = 0; i < t.count; i++) {
		struct tn *n = &t.n[i];

		if (n->op != T_PARAM)
			continue;
		uint32_t cnt = n->r * n->cc;
		float *got = malloc(cnt * 4);
		double *fd = t_fd(&t, i, loss);
		int gid = loom_graph_grad(t.g, n->gid);

		assert_true(gid >= 0);
		assert_int_equal(loom_recipe_read(r, gid, got, cnt * 4), 0);
		for (uint32_t k = 0; k < cnt; k++)
			if (fabs(got[k] - fd[k]) > 2e-4 + 2e-3 * fabs(fd[k]))
				fail_msg("%s: d/d(leaf %d)[%u] = %g, finite difference %g", what,
					 i, k, got[k], fd[k]);
		checked += cnt;
		free(got);
		free(fd);
	}
	assert_true(checked > 0);
	loom_recipe_destroy(r);
	t_free(&t);
}

/* ---- Gradient checks, one graph per op -------------------------------------- */

static int b_matmul(struct tg *t)
{
	int a = t_leaf(t, T_PARAM, "a", 5, 7, 2), b = t_leaf(t, T_PARAM, "b", 7, 3, 2);
	int at = t_leaf(t, T_PARAM, "at", 7, 5, 2), bt = t_leaf(t, T_PARAM, "bt", 3, 7, 2);
	int y = t_matmul(t, a, b, 0, 0);

	y = t_op(t, T_ADD, y, t_matmul(t, at, b, 1, 0), -1);
	y = t_op(t, T_ADD, y, t_matmul(t, a, bt, 0, 1), -1);
	y = t_op(t, T_ADD, y, t_matmul(t, at, bt, 1, 1), -1);
	return t_head(t, y);
}

static int b_linear(struct tg *t)
{
	int x = t_leaf(t, T_PARAM, "x", 6, 9, 2), w = t_leaf(t, T_PARAM, "w", 9, 70, 2);
	int b = t_leaf(t, T_PARAM, "b", 1, 70, 1), w2 = t_leaf(t, T_PARAM, "w2", 70, 4, 2);
	int h = t_linear(t, x, w, b, 1);

	return t_head(t, t_linear(t, h, w2, -1, 0));
}

static int b_unary(struct tg *t)
{
	int x = t_leaf(t, T_PARAM, "x", 4, 67, 2), b = t_leaf(t, T_PARAM, "bias", 1, 67, 1);
	int y = t_op(t, T_BIAS, x, b, -1);
	int s = t_op(t, T_ADD, t_op(t, T_RELU, y, -1, -1), t_op(t, T_GELU, y, -1, -1), -1);

	s = t_op(t, T_ADD, s, t_op(t, T_SIG, y, -1, -1), -1);
	s = t_op(t, T_ADD, s, t_op(t, T_TANH, y, -1, -1), -1);
	return t_head(t, t_scale(t, s, -0.75f));
}

static int b_softmax(struct tg *t)
{
	int x = t_leaf(t, T_PARAM, "x", 3, 70, 2), x2 = t_leaf(t, T_PARAM, "x2", 5, 6, 2);
	int y = t_op(t, T_SOFTMAX, x, -1, -1), z = t_op(t, T_LOGSOFTMAX, x2, -1, -1);
	int l1 = t_head(t, t_scale(t, y, 10.0f)), l2 = t_head(t, z);

	return t_op(t, T_ADD, l1, l2, -1);
}

static int b_xent(struct tg *t)
{
	int x = t_leaf(t, T_PARAM, "logits", 7, 5, 2), y = t_leaf(t, T_LABELS, "labels", 1, 7, 1);

	return t_op(t, T_XENT, x, y, -1);
}

static int b_xent_scaled(struct tg *t)	/* the loss not at the root */
{
	int x = t_leaf(t, T_PARAM, "logits", 4, 5, 2), y = t_leaf(t, T_LABELS, "labels", 1, 4, 1);

	return t_scale(t, t_op(t, T_XENT, x, y, -1), 3.0f);
}

static int b_layernorm(struct tg *t)
{
	int x = t_leaf(t, T_PARAM, "x", 5, 70, 2), g = t_leaf(t, T_PARAM, "gamma", 1, 70, 1);
	int b = t_leaf(t, T_PARAM, "beta", 1, 70, 1);

	return t_head(t, t_op(t, T_LN, x, g, b));
}

static int b_shape(struct tg *t)
{
	int a = t_leaf(t, T_PARAM, "a", 6, 4, 2), b = t_leaf(t, T_PARAM, "b", 4, 6, 2);
	int y = t_op(t, T_MUL, t_op(t, T_TRANSPOSE, a, -1, -1), b, -1);
	int z = t_reshape(t, y, 8, 3);
	int m = t_reduce(t, z, LOOM_RED_MEAN, 0);	/* [3] */
	int s = t_reduce(t, z, LOOM_RED_MEAN, 1);	/* [8] */

	return t_op(t, T_ADD, t_head(t, m), t_head(t, s), -1);
}

static void grad_matmul(void **state)
{
	gradcheck(((struct ctx *)*state)->dev, "matmul", b_matmul);
}

static void grad_linear(void **state)
{
	gradcheck(((struct ctx *)*state)->dev, "linear", b_linear);
}

static void grad_elementwise(void **state)
{
	gradcheck(((struct ctx *)*state)->dev, "elementwise", b_unary);
}

static void grad_softmax(void **state)
{
	gradcheck(((struct ctx *)*state)->dev, "softmax", b_softmax);
}

static void grad_xent(void **state)
{
	gradcheck(((struct ctx *)*state)->dev, "xent", b_xent);
	gradcheck(((struct ctx *)*state)->dev, "xent scaled", b_xent_scaled);
}

static void grad_layernorm(void **state)
{
	gradcheck(((struct ctx *)*state)->dev, "layernorm", b_layernorm);
}

static void grad_shapes(void **state)
{
	gradcheck(((struct ctx *)*state)->dev, "transpose/reshape/reduce", b_shape);
}

/* ---- A 2-layer MLP: forward, backward and one optimiser step vs the CPU ------ */

static int b_mlp(struct tg *t)
{
	int x = t_leaf(t, T_IN, "x", 8, 12, 2), y = t_leaf(t, T_LABELS, "labels", 1, 8, 1);
	int w1 = t_leaf(t, T_PARAM, "w1", 12, 16, 2), b1 = t_leaf(t, T_PARAM, "b1", 1, 16, 1);
	int w2 = t_leaf(t, T_PARAM, "w2", 16, 5, 2), b2 = t_leaf(t, T_PARAM, "b2", 1, 5, 1);
	int h = t_linear(t, x, w1, b1, 1);

	return t_op(t, T_XENT, t_linear(t, h, w2, b2, 0), y, -1);
}

static void mlp_optim(loom_device *dev, enum loom_optim kind, uint32_t flags)
{
	struct tg t = { .g = loom_graph_create() };
	int loss = b_mlp(&t);
	struct loom_optim_opts o = { .sz = sizeof(o), .kind = kind, .lr = 0.05f,
				     .momentum = 0.9f, .weight_decay = 0.01f };
	struct loom_compile_opts co = { .sz = sizeof(co), .flags = flags };
	loom_recipe *r;

	assert_int_equal(loom_graph_backward(t.g, t.n[loss].gid), 0);
	assert_int_equal(loom_graph_optimizer(t.g, &o), 0);
	loom_graph_output(t.g, t.n[loss].gid);
	r = loom_graph_compile(t.g, dev, &co);
	assert_non_null(r);
	t_upload(&t, r);
	/* Two steps with the same data: the second uses the state of the first. */
	double *m[TMAX] = { 0 }, *v[TMAX] = { 0 };

	for (int step = 1; step <= 2; step++) {
		double *gr[TMAX] = { 0 };

		t_upload_opt(&t, r, false);
		if (loom_recipe_step(r))
			fail_msg("step: %s", loom_recipe_error(r));
		/* The gradients at the values the step started from. */
		for (int i = 0; i < t.count; i++)
			if (t.n[i].op == T_PARAM)
				gr[i] = t_fd(&t, i, loss);
		for (int i = 0; i < t.count; i++) {
			struct tn *n = &t.n[i];

			if (n->op != T_PARAM)
				continue;
			uint32_t cnt = n->r * n->cc;
			double *g = gr[i];

			if (!m[i]) {
				m[i] = calloc(cnt, sizeof(double));
				v[i] = calloc(cnt, sizeof(double));
			}
			for (uint32_t k = 0; k < cnt; k++) {
				double w = n->init[k], gk = g[k] + 0.01 * w;

				if (kind == LOOM_OPTIM_ADAM) {
					m[i][k] = 0.9 * m[i][k] + 0.1 * gk;
					v[i][k] = 0.999 * v[i][k] + 0.001 * gk * gk;
					double mh = m[i][k] / (1 - pow(0.9, step));
					double vh = v[i][k] / (1 - pow(0.999, step));

					g[k] = w - 0.05 * mh / (sqrt(vh) + 1e-8);
				} else {
					m[i][k] = 0.9 * m[i][k] + gk;
					g[k] = w - 0.05 * m[i][k];
				}
			}
			/* The device's new values against the CPU's. */
			float *got = malloc(cnt * 4);

			assert_int_equal(loom_recipe_read(r, n->gid, got, cnt * 4), 0);
			for (uint32_t k = 0; k < cnt; k++) {
				if (fabs(got[k] - g[k]) > 1e-4 + 1e-4 * fabs(g[k]))
					fail_msg("%s step %d: leaf %d [%u] = %.7g, expected %.7g",
						 kind == LOOM_OPTIM_ADAM ? "adam" : "sgd", step, i, k,
						 got[k], g[k]);
				n->init[k] = got[k];
			}
			free(got);
			free(g);
		}
	}
	for (int i = 0; i < TMAX; i++) {
		free(m[i]);
		free(v[i]);
	}
	loom_recipe_destroy(r);
	t_free(&t);
}

static void mlp_adam(void **state)
{
	mlp_optim(((struct ctx *)*state)->dev, LOOM_OPTIM_ADAM, 0);
	mlp_optim(((struct ctx *)*state)->dev, LOOM_OPTIM_ADAM, LOOM_COMPILE_NO_CAPTURE);
	mlp_optim(((struct ctx *)*state)->dev, LOOM_OPTIM_ADAM,
		  LOOM_COMPILE_ONE_STREAM | LOOM_COMPILE_NO_CAPTURE);
}

static void mlp_sgd(void **state)
{
	mlp_optim(((struct ctx *)*state)->dev, LOOM_OPTIM_SGD, LOOM_COMPILE_NO_REUSE);
	mlp_optim(((struct ctx *)*state)->dev, LOOM_OPTIM_SGD,
		  LOOM_COMPILE_NO_REUSE | LOOM_COMPILE_NO_CAPTURE);
}

/* ---- Memory plan -------------------------------------------------------------- */

static void plan(void **state)
{
	struct ctx *c = *state;
	struct tg t = { .g = loom_graph_create() };
	int loss = b_mlp(&t);
	struct loom_plan_entry e[128];
	char msg[256];
	loom_recipe *r;
	uint64_t total = 0, top = 0;
	int n;

	assert_int_equal(loom_graph_backward(t.g, t.n[loss].gid), 0);
	r = loom_graph_compile(t.g, c->dev, NULL);
	assert_non_null(r);
	n = loom_recipe_plan(r, e, 128);
	assert_true(n > 10 && n <= 128);
	assert_int_equal(loom_plan_check(e, n, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	for (int i = 0; i < n; i++)
		if (e[i].arena == 0) {
			total += e[i].size;
			if (e[i].offset + e[i].size > top)
				top = e[i].offset + e[i].size;
		}
	assert_true(top < total);	/* memory is reused */
	/* Break it: put a buffer on top of one that lives at the same time. */
	int a = -1, b = -1;

	for (int i = 0; i < n && b < 0; i++)
		for (int j = i + 1; j < n && b < 0; j++)
			if (e[i].arena == 0 && e[j].arena == 0 && e[i].first <= e[j].last &&
			    e[j].first <= e[i].last) {
				a = i;
				b = j;
			}
	assert_true(b >= 0);
	e[b].offset = e[a].offset;
	assert_int_equal(loom_plan_check(e, n, msg, sizeof(msg)), -EFAULT);
	char want[256];
	uint64_t hi = e[a].size < e[b].size ? e[a].size : e[b].size;

	snprintf(want, sizeof(want),
		 "buffers of nodes %d and %d overlap in arena 0 at [%llu, %llu) while both live in ops %u..%u",
		 e[a].node, e[b].node, (unsigned long long)e[a].offset,
		 (unsigned long long)(e[a].offset + hi),
		 e[a].first > e[b].first ? e[a].first : e[b].first,
		 e[a].last < e[b].last ? e[a].last : e[b].last);
	assert_string_equal(msg, want);
	/* An exact message for a hand-made plan too. */
	struct loom_plan_entry h[2] = {
		{ .node = 3, .arena = 0, .offset = 0, .size = 8192, .first = 1, .last = 5 },
		{ .node = 7, .arena = 0, .offset = 4096, .size = 8192, .first = 2, .last = 9 },
	};
	assert_int_equal(loom_plan_check(h, 2, msg, sizeof(msg)), -EFAULT);
	assert_string_equal(msg, "buffers of nodes 3 and 7 overlap in arena 0 at [4096, 8192) "
				 "while both live in ops 2..5");
	h[1].first = 6;
	assert_int_equal(loom_plan_check(h, 2, msg, sizeof(msg)), 0);
	loom_recipe_destroy(r);
	t_free(&t);
}

/* ---- Training on synthetic data: the loss falls --------------------------------- */

static void train(void **state)
{
	struct ctx *c = *state;
	loom_graph *g = loom_graph_create();
	uint32_t B = 64, D = 20, H = 32, K = 4;
	uint32_t dx[2] = { B, D }, dw1[2] = { D, H }, dw2[2] = { H, K };
	int x = loom_g_input(g, "x", LOOM_G_F32, 2, dx);
	int y = loom_g_input(g, "y", LOOM_G_I32, 1, &B);
	int w1 = loom_g_param(g, "w1", LOOM_G_F32, 2, dw1, LOOM_INIT_UNIFORM_FAN_IN);
	int b1 = loom_g_param(g, "b1", LOOM_G_F32, 1, &H, LOOM_INIT_ZERO);
	int w2 = loom_g_param(g, "w2", LOOM_G_F32, 2, dw2, LOOM_INIT_UNIFORM_FAN_IN);
	int b2 = loom_g_param(g, "b2", LOOM_G_F32, 1, &K, LOOM_INIT_ZERO);
	int h = loom_g_linear(g, "fc1", x, w1, b1, 1);
	int loss = loom_g_xent(g, "loss", loom_g_linear(g, "fc2", h, w2, b2, 0), y);
	struct loom_optim_opts o = { .sz = sizeof(o), .kind = LOOM_OPTIM_ADAM, .lr = 0.01f };
	float centers[4][20], first = 0, last = 0;

	assert_true(loss >= 0);
	assert_int_equal(loom_graph_backward(g, loss), 0);
	assert_int_equal(loom_graph_optimizer(g, &o), 0);
	assert_int_equal(loom_graph_output(g, loss), 0);
	loom_recipe *r = loom_graph_compile(g, c->dev, NULL);

	assert_non_null(r);
	for (uint32_t k = 0; k < K; k++)
		for (uint32_t d = 0; d < D; d++)
			centers[k][d] = urand(-1, 1);
	for (int step = 0; step < 60; step++) {
		float *xp = loom_recipe_input(r, x);
		int32_t *yp = loom_recipe_input(r, y);

		assert_non_null(xp);
		assert_non_null(yp);
		for (uint32_t i = 0; i < B; i++) {
			yp[i] = (int32_t)(urand(0, 0.999f) * K);
			for (uint32_t d = 0; d < D; d++)
				xp[i * D + d] = centers[yp[i]][d] + urand(-0.8f, 0.8f);
		}
		assert_int_equal(loom_recipe_run(r), 0);
		if (step == 0 || step == 59) {
			float l;

			assert_int_equal(loom_recipe_read(r, loss, &l, 4), 0);
			*(step ? &last : &first) = l;
		}
	}
	assert_int_equal(loom_recipe_sync(r), 0);
	assert_int_equal(loom_recipe_steps(r), 60);
	if (!(last < 0.3f * first))
		fail_msg("loss %g -> %g", first, last);
	loom_recipe_destroy(r);
	loom_graph_destroy(g);
}

/* ---- Bad graphs: clean errors with exact messages ------------------------------ */

static void bad_graphs(void **state)
{
	loom_graph *g = loom_graph_create();
	uint32_t d1[2] = { 32, 784 }, d2[2] = { 512, 256 }, d3[1] = { 32 }, d4[2] = { 32, 10 };
	int a = loom_g_input(g, "x", LOOM_G_F32, 2, d1);
	int w = loom_g_param(g, "w", LOOM_G_F32, 2, d2, LOOM_INIT_ZERO);
	int lab = loom_g_input(g, "labels", LOOM_G_I32, 1, d3);
	int lg = loom_g_input(g, NULL, LOOM_G_F32, 2, d4);

	assert_int_equal(loom_g_matmul(g, "fc1", a, w, 0, 0), -EDOM);
	assert_string_equal(loom_graph_error(g),
			    "fc1: matmul: inner dimensions differ: [32, 784] x [512, 256]");
	assert_int_equal(loom_g_linear(g, NULL, a, w, -1, 0), -EDOM);
	assert_string_equal(loom_graph_error(g),
			    "op#4: linear: input [32, 784] does not fit weight [512, 256]");
	assert_int_equal(loom_g_add(g, "sum", a, lab), -EPROTOTYPE);
	assert_string_equal(loom_graph_error(g), "sum: add: input b 'labels' is i32, expected f32");
	assert_int_equal(loom_g_relu(g, "r", 99), -EINVAL);
	assert_string_equal(loom_graph_error(g), "r: relu: input 99 is not a node");
	assert_int_equal(loom_g_xent(g, "loss", lg, a), -EPROTOTYPE);
	assert_string_equal(loom_graph_error(g), "loss: xent: labels 'x' is f32, expected i32");
	/* An error carried through: the first message stays. */
	int bad = loom_g_matmul(g, "fc1", a, w, 0, 0);
	int r1 = loom_g_relu(g, "after", bad);

	assert_int_equal(r1, -EDOM);
	assert_string_equal(loom_graph_error(g),
			    "fc1: matmul: inner dimensions differ: [32, 784] x [512, 256]");
	assert_int_equal(loom_g_reduce(g, "red", a, 7, 1), -EINVAL);
	assert_string_equal(loom_graph_error(g), "red: reduce: unknown reduction 7");
	uint32_t z[2] = { 0, 3 };

	assert_int_equal(loom_g_input(g, "empty", LOOM_G_F32, 2, z), -EINVAL);
	assert_string_equal(loom_graph_error(g), "empty: input: dimension 0 is 0");
	uint32_t rs[1] = { 100 };

	assert_int_equal(loom_g_reshape(g, "view", a, 1, rs), -EDOM);
	assert_string_equal(loom_graph_error(g), "view: reshape: [32, 784] has 25088 elements, not 100");
	/* Backward: loss must be [1]; max is not differentiable. */
	assert_int_equal(loom_graph_backward(g, a), -EINVAL);
	assert_string_equal(loom_graph_error(g), "backward: loss 'x' must be [1] f32, is [32, 784] f32");
	loom_graph_destroy(g);

	g = loom_graph_create();
	uint32_t s[2] = { 4, 8 };
	int p = loom_g_param(g, "p", LOOM_G_F32, 2, s, LOOM_INIT_ONE);
	int m = loom_g_reduce(g, "max", p, LOOM_RED_MAX, 1);
	int l = loom_g_reduce(g, "l", m, LOOM_RED_SUM, 1);

	assert_true(l >= 0);
	assert_int_equal(loom_graph_backward(g, l), -ENOTSUP);
	assert_string_equal(loom_graph_error(g), "backward: reduce max ('max') is not differentiable");
	loom_graph_destroy(g);
}

/* ---- A device error in a step names the op; the process keeps control ---------- */

static void device_error(void **state)
{
	struct ctx *c = *state;
	struct tg t = { .g = loom_graph_create() };
	int loss = b_mlp(&t);
	struct loom_optim_opts o = { .sz = sizeof(o), .kind = LOOM_OPTIM_SGD, .lr = 0.1f };
	loom_recipe *r;
	int w2 = t.n[4].gid;	/* b_mlp's w2 */

	assert_int_equal(loom_graph_backward(t.g, t.n[loss].gid), 0);
	assert_int_equal(loom_graph_optimizer(t.g, &o), 0);
	r = loom_graph_compile(t.g, c->dev, NULL);
	assert_non_null(r);
	t_upload(&t, r);
	assert_int_equal(loom_recipe_step(r), 0);
	/* The parameter's memory goes away behind the recipe's back. */
	assert_int_equal(loom_mem_free(c->dev, loom_recipe_addr(r, w2)), 0);
	assert_int_equal(loom_recipe_step(r), -EFAULT);
	char want[160];

	snprintf(want, sizeof(want), "step 2: op 'op#%d' (linear, MME): ", t.n[t.count - 1].a + 0);
	/* The first op reading w2 is the second linear layer's GEMM. */
	struct loom_gnode_info info;
	int fc2 = t.n[t.n[t.count - 1].a].gid;

	assert_int_equal(loom_graph_node_info(t.g, fc2, &info), 0);
	snprintf(want, sizeof(want), "step 2: op '%s' (linear, MME): ", info.name);
	if (strncmp(loom_recipe_error(r), want, strlen(want)))
		fail_msg("message '%s', expected it to start with '%s'", loom_recipe_error(r), want);
	assert_non_null(strstr(loom_recipe_error(r), "(-14)"));
	/* Failed for good, cleanly. */
	assert_int_equal(loom_recipe_run(r), -EFAULT);
	assert_int_equal(loom_recipe_sync(r), -EFAULT);
	loom_recipe_destroy(r);
	t_free(&t);

	/* A fault in a TPC op of a captured step: a layer norm's gamma goes away. */
	loom_graph *g = loom_graph_create();
	uint32_t dx[2] = { 8, 12 }, dw[2] = { 12, 16 }, d16 = 16, d8 = 8;
	int x = loom_g_input(g, "x", LOOM_G_F32, 2, dx);
	int lab = loom_g_input(g, "labels", LOOM_G_I32, 1, &d8);
	int w = loom_g_param(g, "w", LOOM_G_F32, 2, dw, LOOM_INIT_UNIFORM_FAN_IN);
	int ga = loom_g_param(g, "gamma", LOOM_G_F32, 1, &d16, LOOM_INIT_ONE);
	int be = loom_g_param(g, "beta", LOOM_G_F32, 1, &d16, LOOM_INIT_ZERO);
	int ln = loom_g_layernorm(g, "ln", loom_g_linear(g, "fc", x, w, -1, 0), ga, be, 1e-5f);
	int l = loom_g_xent(g, "loss", ln, lab);

	assert_int_equal(loom_graph_backward(g, l), 0);
	r = loom_graph_compile(g, c->dev, NULL);
	assert_non_null(r);
	assert_int_equal(loom_recipe_captured(r), 1);
	memset(loom_recipe_input(r, lab), 0, 8 * 4);
	assert_int_equal(loom_recipe_step(r), 0);
	assert_int_equal(loom_mem_free(c->dev, loom_recipe_addr(r, ga)), 0);
	memset(loom_recipe_input(r, lab), 0, 8 * 4);
	assert_int_equal(loom_recipe_step(r), -EFAULT);
	if (strncmp(loom_recipe_error(r), "step 2: op 'ln' (layernorm, TPC): ", 34))
		fail_msg("message '%s'", loom_recipe_error(r));
	(void)x;
	loom_recipe_destroy(r);
	loom_graph_destroy(g);
	/* The device still works for a new recipe. */
	gradcheck(c->dev, "after error", b_xent);
}

/* ---- Step time of the 784-512-256-10 MLP at batch 256 (reported) --------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void mlp_speed(void **state)
{
	struct ctx *c = *state;
	int steps = getenv("TEST_GRAPH_STEPS") ? atoi(getenv("TEST_GRAPH_STEPS")) : 20;

	static const uint32_t mode_flags[3] = { 0, LOOM_COMPILE_ONE_STREAM | LOOM_COMPILE_NO_CAPTURE,
						LOOM_COMPILE_NO_CAPTURE };
	static const char *const mode_name[3] = { "captured (one submission per step)",
						  "one stream, per-op submission",
						  "DMA/MME/TPC streams, per-op submission" };

	for (int mode = 0; mode < 3; mode++) {
		loom_graph *g = loom_graph_create();
		uint32_t B = 256, dims[4] = { 784, 512, 256, 10 };
		uint32_t dx[2] = { B, 784 };
		int x = loom_g_input(g, "x", LOOM_G_F32, 2, dx);
		int y = loom_g_input(g, "y", LOOM_G_I32, 1, &B);
		int h = x;
		char nm[16];

		for (int l = 0; l < 3; l++) {
			uint32_t dw[2] = { dims[l], dims[l + 1] };

			snprintf(nm, sizeof(nm), "w%d", l + 1);
			int w = loom_g_param(g, nm, LOOM_G_F32, 2, dw, LOOM_INIT_UNIFORM_FAN_IN);

			snprintf(nm, sizeof(nm), "b%d", l + 1);
			int b = loom_g_param(g, nm, LOOM_G_F32, 1, &dims[l + 1],
					     LOOM_INIT_UNIFORM_FAN_IN);

			loom_g_param_fan_in(g, b, dims[l]);
			snprintf(nm, sizeof(nm), "fc%d", l + 1);
			h = loom_g_linear(g, nm, h, w, b, l < 2);
		}
		int loss = loom_g_xent(g, "loss", h, y);
		struct loom_optim_opts o = { .sz = sizeof(o), .kind = LOOM_OPTIM_ADAM, .lr = 1e-3f };
		struct loom_compile_opts co = { .sz = sizeof(co), .flags = mode_flags[mode] };

		assert_int_equal(loom_graph_backward(g, loss), 0);
		assert_int_equal(loom_graph_optimizer(g, &o), 0);
		loom_graph_output(g, loss);
		loom_recipe *r = loom_graph_compile(g, c->dev, &co);

		assert_non_null(r);
		assert_int_equal(loom_recipe_captured(r), mode == 0);
		for (int b = 0; b < 2; b++) {
			float *xp = loom_recipe_input(r, x);
			int32_t *yp = loom_recipe_input(r, y);

			for (uint32_t i = 0; i < B * 784; i++)
				xp[i] = urand(0, 1);
			for (uint32_t i = 0; i < B; i++)
				yp[i] = i % 10;
			assert_int_equal(loom_recipe_run(r), 0);
		}
		assert_int_equal(loom_recipe_sync(r), 0);
		double t0 = now_s();

		for (int s = 0; s < steps; s++)
			assert_int_equal(loom_recipe_run(r), 0);
		assert_int_equal(loom_recipe_sync(r), 0);
		double dt = (now_s() - t0) / steps;
		float l;

		assert_int_equal(loom_recipe_read(r, loss, &l, 4), 0);
		assert_true(isfinite(l));
		printf("# mlp 784-512-256-10 batch 256 Adam, %s: %.2f ms/step, %.0f samples/s\n",
		       mode_name[mode], dt * 1e3, B / dt);
		loom_recipe_destroy(r);
		loom_graph_destroy(g);
	}
}

/* Usage: test_graph [inproc|loomd|kernel] */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grad_matmul), cmocka_unit_test(grad_linear),
		cmocka_unit_test(grad_elementwise), cmocka_unit_test(grad_softmax),
		cmocka_unit_test(grad_xent), cmocka_unit_test(grad_layernorm),
		cmocka_unit_test(grad_shapes), cmocka_unit_test(mlp_adam),
		cmocka_unit_test(mlp_sgd), cmocka_unit_test(plan),
		cmocka_unit_test(train),
		cmocka_unit_test(bad_graphs),
		cmocka_unit_test(device_error),
		cmocka_unit_test(mlp_speed),
	};

	return graph_main(argc, argv, "", tests, sizeof(tests) / sizeof(tests[0]));
}
