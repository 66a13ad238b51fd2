// layernorm_grad, the input part, for a [rows][cols] tensor: with
// xhat = (x - mean[r]) * rstd[r] and g = dy * gamma,
//   dx = rstd * (g - sum_c g / cols - xhat * sum_c (g * xhat) / cols).
// mean and rstd are layernorm's saved [rows][1] tensors. The padding of
// dy and gamma is 0, so padded lanes add nothing to the sums. dx may be dy.
// One row per index-space point (dimension 0).
#include "loomk.h"

void main(tensor x_t, tensor dy_t, tensor gamma, tensor mean_t, tensor rstd_t, tensor dx_t)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(x_t, 0);
	float n = (float)width;
	int5 c = { 0, 0, 0, 0, 0 };
	int5 cg = { 0, 0, 0, 0, 0 };
	int5 cs = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		c[1] = r;
		cs[1] = r;
		float mean = s_f32_ld_tnsr(cs, mean_t);
		float rstd = s_f32_ld_tnsr(cs, rstd_t);
		float64 acc1 = 0.0f;
		float64 acc2 = 0.0f;

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			cg[0] = x;
			float64 g = v_f32_ld_tnsr(c, dy_t) * v_f32_ld_tnsr(cg, gamma);
			float64 xhat = (v_f32_ld_tnsr(c, x_t) - mean) * rstd;

			acc1 += g;
			acc2 = v_fma(g, xhat, acc2);
		}
		float m1 = v_reduce_add(acc1) / n;
		float m2 = v_reduce_add(acc2) / n;

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			cg[0] = x;
			float64 g = v_f32_ld_tnsr(c, dy_t) * v_f32_ld_tnsr(cg, gamma);
			float64 xhat = (v_f32_ld_tnsr(c, x_t) - mean) * rstd;

			v_f32_st_tnsr(c, dx_t, rstd * (g - m1 - xhat * m2));
		}
	}
}
