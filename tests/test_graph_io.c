// SPDX-License-Identifier: MIT
/*
 * test_graph_io: libloomgraph's saved graphs (include/loom/graph.h), over
 * the fixture of tests/loom_test_graph.h: loom_graph_save/loom_graph_load
 * over every public op, the same training step bit for bit from a saved
 * graph, another batch, and the exact message of each kind of bad line.
 */
#include "loom_test_graph.h"

/* ---- Saved graphs: round trip, the same training step, exact errors ------------ */

/* A graph that uses every public op; the loss is [1]. */
static int io_build(loom_graph *g, uint32_t B)
{
	uint32_t dx[2] = { B, 12 }, dw[2] = { 12, 16 }, dwt[2] = { 16, 12 }, d16 = 16;
	int x = loom_g_input(g, "x", LOOM_G_F32, 2, dx);
	int lab = loom_g_input(g, "labels", LOOM_G_I32, 1, &B);
	int w = loom_g_param(g, "w", LOOM_G_F32, 2, dw, LOOM_INIT_UNIFORM_FAN_IN);
	int wt = loom_g_param(g, "wt", LOOM_G_F32, 2, dwt, LOOM_INIT_UNIFORM_FAN_IN);
	int b = loom_g_param(g, "b", LOOM_G_F32, 1, &d16, LOOM_INIT_UNIFORM_FAN_IN);
	int ga = loom_g_param(g, "gamma", LOOM_G_F32, 1, &d16, LOOM_INIT_ONE);
	int be = loom_g_param(g, "beta", LOOM_G_F32, 1, &d16, LOOM_INIT_ZERO);

	loom_g_param_fan_in(g, b, 12);
	int h = loom_g_linear(g, "fc", x, w, b, 1);
	int m = loom_g_matmul(g, "mm", x, wt, 0, 1);
	int s = loom_g_add(g, "sum", loom_g_bias_add(g, "biased", m, b),
			   loom_g_layernorm(g, "ln", h, ga, be, 1e-5f));
	s = loom_g_mul(g, "prod", loom_g_gelu(g, "gelu", s), loom_g_sigmoid(g, "sig", s));
	s = loom_g_scale(g, "half", loom_g_tanh(g, "tanh", s), 0.5f);
	int t = loom_g_transpose(g, "tr", s);
	uint32_t rs[2] = { 16, B };
	int r = loom_g_reshape(g, "back", loom_g_transpose(g, "tr2", loom_g_reshape(g, "view", t, 2, rs)),
			       2, (uint32_t[]){ B, 16 });
	int c = loom_g_cast(g, "c16", loom_g_cast(g, "to16", r, LOOM_G_BF16), LOOM_G_F32);
	int sm = loom_g_softmax(g, "sm", c), ls = loom_g_log_softmax(g, "ls", c);
	int red = loom_g_reduce(g, "red", loom_g_add(g, "both", sm, ls), LOOM_RED_MEAN, 1);
	int logits = loom_g_linear(g, "head", c, wt, -1, 0);	/* [B, 12] */
	int loss = loom_g_xent(g, "loss", logits, lab);

	assert_true(red >= 0 && loss >= 0);
	loom_graph_output(g, red);
	loom_graph_output(g, loss);
	return loss;
}

static char *io_text(const loom_graph *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(loom_graph_save(g, f), 0);
	fclose(f);
	return buf;
}

static loom_graph *io_load(const char *text, uint32_t batch, char *err, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	loom_graph *g;

	assert_non_null(f);
	g = loom_graph_load(f, "model", batch, err, len);
	fclose(f);
	return g;
}

/* a and b are the same text (else: where they differ). */
static void io_same(const char *a, const char *b)
{
	size_t i = 0, line = 1;

	while (a[i] && a[i] == b[i])
		line += a[i++] == '\n';
	if (a[i] || b[i])
		fail_msg("texts differ at line %zu: '%.40s' vs '%.40s'", line, a + i, b + i);
}

static void io_bad(const char *body, const char *want)
{
	char text[1024], err[256];

	snprintf(text, sizeof(text), "loom-graph 1\ninput x f32 B,12\n%s", body);
	assert_null(io_load(text, 8, err, sizeof(err)));
	if (strcmp(err, want))
		fail_msg("loading '%s': '%s', expected '%s'", body, err, want);
}

static void saved_graphs(void **state)
{
	struct ctx *c = *state;
	loom_graph *g = loom_graph_create(), *g2, *g3;
	int loss = io_build(g, 8);
	char *t1 = io_text(g), *t2, err[256];
	struct loom_gnode_info a, b;

	/* Round trip: the same nodes, the same text. */
	g2 = io_load(t1, 8, err, sizeof(err));
	if (!g2)
		fail_msg("load: %s\n%s", err, t1);
	assert_int_equal(loom_graph_node_count(g2), loom_graph_node_count(g));
	for (int i = 0; i < loom_graph_node_count(g); i++) {
		assert_int_equal(loom_graph_node_info(g, i, &a), 0);
		assert_int_equal(loom_graph_node_info(g2, i, &b), 0);
		assert_int_equal(a.op, b.op);
		assert_int_equal(a.dtype, b.dtype);
		assert_int_equal(a.ndims, b.ndims);
		assert_memory_equal(a.dims, b.dims, sizeof(a.dims));
		assert_string_equal(a.name, b.name);
	}
	t2 = io_text(g2);
	io_same(t1, t2);
	assert_non_null(strstr(t1, "\ninput x f32 B,12\n"));
	assert_non_null(strstr(t1, "\nparam b f32 16 uniform fan_in=12\n"));
	assert_non_null(strstr(t1, "\nlinear fc x w b relu\n"));
	assert_non_null(strstr(t1, "\nmatmul mm x wt tb\n"));
	assert_int_equal(loom_graph_find(g2, "ln"), loom_graph_find(g, "ln"));
	assert_int_equal(loom_graph_find(g2, "nope"), -ENOENT);
	/* Another batch: the reshapes' targets were saved as numbers (for 8). */
	assert_null(io_load(t1, 32, err, sizeof(err)));
	assert_string_equal(err, "model:20: view: reshape: [16, 32] has 512 elements, not 128");
	char *t3 = strdup(t1), *p;

	assert_non_null(p = strstr(t3, "reshape view tr 16,8\n"));
	memcpy(p, "reshape view tr 16,B\n", 21);
	assert_non_null(p = strstr(t3, "reshape back tr2 8,16\n"));
	memcpy(p, "reshape back tr2 B,16\n", 22);
	g3 = io_load(t3, 32, err, sizeof(err));
	if (!g3)
		fail_msg("load at batch 32: %s", err);
	free(t3);
	assert_int_equal(loom_graph_node_info(g3, loom_graph_find(g3, "fc"), &b), 0);
	assert_int_equal(b.dims[0], 32);
	loom_graph_destroy(g3);

	/* Trained from the file: the same step, bit for bit. */
	struct loom_optim_opts o = { .sz = sizeof(o), .kind = LOOM_OPTIM_ADAM, .lr = 0.01f };
	struct loom_compile_opts co = { .sz = sizeof(co), .seed = 7 };
	float loss1[2];

	for (int k = 0; k < 2; k++) {
		loom_graph *gg = k ? g2 : g;
		int l = k ? loom_graph_find(g2, "loss") : loss;
		loom_recipe *r;
		float *xp;
		int32_t *yp;

		assert_int_equal(loom_graph_backward(gg, l), 0);
		assert_int_equal(loom_graph_optimizer(gg, &o), 0);
		r = loom_graph_compile(gg, c->dev, &co);
		assert_non_null(r);
		for (int s = 0; s < 3; s++) {
			xp = loom_recipe_input(r, loom_graph_find(gg, "x"));
			yp = loom_recipe_input(r, loom_graph_find(gg, "labels"));
			for (int i = 0; i < 8 * 12; i++)
				xp[i] = (float)((i * 37 + s) % 17) / 8.0f - 1.0f;
			for (int i = 0; i < 8; i++)
				yp[i] = (i + s) % 12;
			assert_int_equal(loom_recipe_run(r), 0);
		}
		assert_int_equal(loom_recipe_read(r, l, &loss1[k], 4), 0);
		assert_true(isfinite(loss1[k]));
		loom_recipe_destroy(r);
	}
	assert_memory_equal(&loss1[0], &loss1[1], 4);
	/* After backward() and the optimiser, the saved text is the forward graph's. */
	free(t2);
	t2 = io_text(g);
	io_same(t1, t2);

	/* Errors: file and line, and the constructor's own message. */
	assert_null(io_load("loom-graph 2\n", 8, err, sizeof(err)));
	assert_string_equal(err, "model:1: not a saved graph (expected 'loom-graph 1')");
	assert_null(io_load("", 8, err, sizeof(err)));
	assert_string_equal(err, "model:0: empty file");
	io_bad("conv c x\n", "model:3: unknown operation 'conv'");
	io_bad("relu r h\n", "model:3: no node called 'h' above");
	io_bad("relu x x\n", "model:3: a node called 'x' exists already");
	io_bad("param w f32 10,4 uniform\nlinear fc x w - relu\n",
	       "model:4: fc: linear: input [8, 12] does not fit weight [10, 4]");
	io_bad("param w f32 12,0 zero\n",
	       "model:3: dimension '0' is not a number from 1 to 2^31-1");
	io_bad("param w f32 12,4 gauss\n", "model:3: unknown init 'gauss' (zero, one or uniform)");
	io_bad("linear fc x\n", "model:3: expected 'linear NAME X W BIAS|- [relu]'");
	io_bad("input y f16 B\n", "model:3: unknown dtype 'f16' (f32, bf16 or i32)");
	io_bad("reduce r x sum 2\n", "model:3: axis '2' (0 or 1)");
	io_bad("scale s x big\n", "model:3: alpha 'big' is not a number");
	io_bad("output nope\n", "model:3: no node called 'nope' above");
	/* A NUL byte inside a line is named as such (not as a long line). */
	{
		static const char nul[] = "loom-graph 1\ninput x f32 B,12\nrelu r\0x\n";
		FILE *fn = fmemopen((void *)nul, sizeof(nul) - 1, "r");

		assert_non_null(fn);
		assert_null(loom_graph_load(fn, "model", 8, err, sizeof(err)));
		fclose(fn);
		assert_string_equal(err, "model:3: a NUL byte at column 7");
	}
	{
		char longl[600];

		memset(longl, 'a', 513);
		longl[513] = '\n';
		longl[514] = 0;
		io_bad(longl, "model:3: line longer than 512 characters");
	}
	assert_null(io_load("loom-graph 1\n", 0, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	/* Names the format cannot carry are refused when saving. */
	loom_graph *gs = loom_graph_create();
	uint32_t d1 = 4;

	loom_g_input(gs, "two words", LOOM_G_F32, 1, &d1);
	FILE *null = fopen("/dev/null", "w");

	assert_int_equal(loom_graph_save(gs, null), -EINVAL);
	assert_string_equal(loom_graph_error(gs), "save: the name 'two words' has a space or '#'");
	loom_g_input(gs, "two words", LOOM_G_F32, 1, &d1);
	fclose(null);
	loom_graph_destroy(gs);
	free(t1);
	free(t2);
	loom_graph_destroy(g);
	loom_graph_destroy(g2);
}

/* Usage: test_graph_io [inproc|loomd|kernel] */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(saved_graphs),
	};

	return graph_main(argc, argv, "io-", tests, sizeof(tests) / sizeof(tests[0]));
}
