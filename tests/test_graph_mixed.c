// SPDX-License-Identifier: MIT
/*
 * test_graph_mixed: libloomgraph's mixed precision (include/loom/graph.h),
 * over the fixture of tests/loom_test_graph.h: the 2-layer MLP with every
 * matmul operand cast to bf16 against a float64 reference that rounds the
 * same operands, and against the f32 graph.
 */
#include "loom_test_graph.h"

/* ---- Mixed precision: bf16 operands on the MME, f32 parameters ---------------- */

#define MP_B 16
#define MP_D 40
#define MP_H 24
#define MP_K 5

static double bf(double v)	/* v rounded to bf16 as the device's casts round */
{
	uint32_t u = (uint32_t)loom_f32_to_bf16((float)v) << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

/*
 * The reference of mixed precision in float64: every matmul operand
 * (x, the weights, the hidden activations, and the gradients a product
 * multiplies) rounded to bf16 first; biases, the ReLU mask, the loss and
 * every gradient that leaves a product stay f32/f64. g: dW1, db1, dW2, db2.
 */
static double mp_reference(const float *const v[6], bool bf16, double g[4][MP_D * MP_H])
{
	static double x[MP_B][MP_D], w1[MP_D][MP_H], w2[MP_H][MP_K], pre[MP_B][MP_H];
	static double h[MP_B][MP_H], lg[MP_B][MP_K], dl[MP_B][MP_K], dp[MP_B][MP_H];
	double (*r)(double) = bf16 ? bf : NULL;
	const int32_t *lab = (const int32_t *)v[5];
	double loss = 0;

#define RND(e) (r ? r(e) : (e))
	for (int i = 0; i < MP_B; i++)
		for (int d = 0; d < MP_D; d++)
			x[i][d] = RND(v[4][i * MP_D + d]);
	for (int d = 0; d < MP_D; d++)
		for (int j = 0; j < MP_H; j++)
			w1[d][j] = RND(v[0][d * MP_H + j]);
	for (int j = 0; j < MP_H; j++)
		for (int k = 0; k < MP_K; k++)
			w2[j][k] = RND(v[2][j * MP_K + k]);
	for (int i = 0; i < MP_B; i++)
		for (int j = 0; j < MP_H; j++) {
			double s = v[1][j];

			for (int d = 0; d < MP_D; d++)
				s += x[i][d] * w1[d][j];
			pre[i][j] = s;
			h[i][j] = RND(s > 0 ? s : 0);
		}
	for (int i = 0; i < MP_B; i++) {
		double mx = -INFINITY, z = 0;

		for (int k = 0; k < MP_K; k++) {
			double s = v[3][k];

			for (int j = 0; j < MP_H; j++)
				s += h[i][j] * w2[j][k];
			lg[i][k] = s;
			mx = fmax(mx, s);
		}
		for (int k = 0; k < MP_K; k++)
			z += exp(lg[i][k] - mx);
		loss += mx + log(z) - lg[i][lab[i]];
		for (int k = 0; k < MP_K; k++)
			dl[i][k] = (exp(lg[i][k] - mx) / z - (k == lab[i])) / MP_B;
	}
	memset(g, 0, 4 * sizeof(g[0]));
	for (int i = 0; i < MP_B; i++)
		for (int k = 0; k < MP_K; k++) {
			g[3][k] += dl[i][k];
			for (int j = 0; j < MP_H; j++)
				g[2][j * MP_K + k] += h[i][j] * RND(dl[i][k]);
		}
	for (int i = 0; i < MP_B; i++)
		for (int j = 0; j < MP_H; j++) {
			double s = 0;

			for (int k = 0; k < MP_K; k++)
				s += RND(dl[i][k]) * w2[j][k];
			dp[i][j] = pre[i][j] > 0 ? s : 0;
			g[1][j] += dp[i][j];
			for (int d = 0; d < MP_D; d++)
				g[0][d * MP_H + j] += x[i][d] * RND(dp[i][j]);
		}
#undef RND
	return loss / MP_B;
}

/* The MLP, its operands cast to bf16 or not; one backward step from vals. */
static void mp_mlp(loom_device *dev, bool bf16, const float *const vals[6],
		   float grads[4][MP_D * MP_H], float *loss_out)
{
	loom_graph *g = loom_graph_create();
	uint32_t B = MP_B, H = MP_H, K = MP_K;
	uint32_t dx[2] = { MP_B, MP_D }, dw1[2] = { MP_D, MP_H }, dw2[2] = { MP_H, MP_K };
	int x = loom_g_input(g, "x", LOOM_G_F32, 2, dx);
	int y = loom_g_input(g, "labels", LOOM_G_I32, 1, &B);
	int p[4] = {
		loom_g_param(g, "w1", LOOM_G_F32, 2, dw1, LOOM_INIT_ZERO),
		loom_g_param(g, "b1", LOOM_G_F32, 1, &H, LOOM_INIT_ZERO),
		loom_g_param(g, "w2", LOOM_G_F32, 2, dw2, LOOM_INIT_ZERO),
		loom_g_param(g, "b2", LOOM_G_F32, 1, &K, LOOM_INIT_ZERO),
	};
	uint32_t cnt[4] = { MP_D * MP_H, MP_H, MP_H * MP_K, MP_K };
	int xin = bf16 ? loom_g_cast(g, "x16", x, LOOM_G_BF16) : x;
	int w1 = bf16 ? loom_g_cast(g, "w1_16", p[0], LOOM_G_BF16) : p[0];
	int h = loom_g_linear(g, "fc1", xin, w1, p[1], 1);
	int hin = bf16 ? loom_g_cast(g, "h16", h, LOOM_G_BF16) : h;
	int w2 = bf16 ? loom_g_cast(g, "w2_16", p[2], LOOM_G_BF16) : p[2];
	int loss = loom_g_xent(g, "loss", loom_g_linear(g, "fc2", hin, w2, p[3], 0), y);
	loom_recipe *r;

	assert_true(loss >= 0);
	if (loom_graph_backward(g, loss))
		fail_msg("backward: %s", loom_graph_error(g));
	loom_graph_output(g, loss);
	r = loom_graph_compile(g, dev, NULL);
	if (!r)
		fail_msg("compile: %s", loom_graph_error(g));
	for (int i = 0; i < 4; i++)
		assert_int_equal(loom_recipe_write(r, p[i], vals[i], cnt[i] * 4), 0);
	assert_int_equal(loom_recipe_set_input(r, x, vals[4], MP_B * MP_D * 4), 0);
	assert_int_equal(loom_recipe_set_input(r, y, vals[5], MP_B * 4), 0);
	if (loom_recipe_step(r))
		fail_msg("step: %s", loom_recipe_error(r));
	assert_int_equal(loom_recipe_read(r, loss, loss_out, 4), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(loom_recipe_read(r, loom_graph_grad(g, p[i]), grads[i], cnt[i] * 4), 0);
	loom_recipe_destroy(r);
	loom_graph_destroy(g);
}

/*
 * A 2-layer MLP with every matmul operand cast to bf16 (the gradients flow
 * back through the casts to the f32 parameters) against the float64
 * reference that rounds the same operands, and against the f32 graph: it
 * matches the first to f32 precision and differs from the second (the
 * products really were rounded).
 */
static void mixed_bf16(void **state)
{
	struct ctx *c = *state;
	uint32_t cnt[4] = { MP_D * MP_H, MP_H, MP_H * MP_K, MP_K };
	float *vals[6] = { rand_vals(cnt[0], -0.3f, 0.3f), rand_vals(cnt[1], -0.2f, 0.2f),
			   rand_vals(cnt[2], -0.4f, 0.4f), rand_vals(cnt[3], -0.2f, 0.2f),
			   rand_vals(MP_B * MP_D, -1.0f, 1.0f), malloc(MP_B * 4) };
	static float got[2][4][MP_D * MP_H];
	static double ref[2][4][MP_D * MP_H];
	double off_f32 = 0;

	for (int i = 0; i < MP_B; i++)
		((int32_t *)vals[5])[i] = i % MP_K;
	for (int m = 0; m < 2; m++) {
		float loss;
		double want = mp_reference((const float *const *)vals, m, ref[m]);

		mp_mlp(c->dev, m, (const float *const *)vals, got[m], &loss);
		if (fabs(loss - want) > 1e-5 + 1e-5 * fabs(want))
			fail_msg("%s: loss %g, expected %g", m ? "bf16" : "f32", loss, want);
		for (int i = 0; i < 4; i++)
			for (uint32_t k = 0; k < cnt[i]; k++) {
				double e = ref[m][i][k];

				if (fabs(got[m][i][k] - e) > 1e-6 + 1e-4 * fabs(e))
					fail_msg("%s: gradient of param %d [%u] = %.7g, expected %.7g",
						 m ? "bf16" : "f32", i, k, got[m][i][k], e);
				if (m)
					off_f32 = fmax(off_f32, fabs(got[1][i][k] - ref[0][i][k]));
			}
	}
	assert_true(off_f32 > 1e-5);	/* bf16 is not f32 under another name */
	printf("# mixed precision: largest gradient difference bf16 vs f32 %.3g\n", off_f32);
	for (int i = 0; i < 6; i++)
		free(vals[i]);
}

/* Usage: test_graph_mixed [inproc|loomd|kernel] */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mixed_bf16),
	};

	return graph_main(argc, argv, "mixed-", tests, sizeof(tests) / sizeof(tests[0]));
}
