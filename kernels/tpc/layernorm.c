// layernorm over rows, for a [rows][cols] tensor:
//   mean = sum_c x / cols,  var = sum_c (x - mean)^2 / cols (biased),
//   rstd = 1 / sqrt(var + eps),  out = (x - mean) * rstd * gamma + beta,
// gamma and beta of cols floats. When save is non-zero, mean[r] and
// rstd[r] are stored ([rows][1] tensors) for layernorm_grad. The row is
// centred on its first element k: ms = sum_c (x - k) / cols, and the
// deviations are (x - k) - ms, so that a large mean costs no precision
// (neither in its sum nor by its rounding to fp32). Both sums mask the
// partial last vector. out may be in.
// One row per index-space point (dimension 0).
#include "loomk.h"

void main(tensor in, tensor gamma, tensor beta, tensor out, tensor mean_t, tensor rstd_t,
	  float eps, int save)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(in, 0);
	int full = width - width % VEC;
	float n = (float)width;
	int5 c = { 0, 0, 0, 0, 0 };
	int5 cg = { 0, 0, 0, 0, 0 };
	int5 cs = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		c[1] = r;
		c[0] = 0;
		float k = s_f32_ld_tnsr(c, in);
		float64 acc = 0.0f;

		for (int x = 0; x < full; x += VEC) {
			c[0] = x;
			acc += v_f32_ld_tnsr(c, in) - k;
		}
		if (full < width) {
			c[0] = full;
			acc += v_sel(lanes_in(full, width), v_f32_ld_tnsr(c, in) - k, 0.0f);
		}
		float ms = v_reduce_add(acc) / n;
		float mean = k + ms;
		float64 acc2 = 0.0f;

		for (int x = 0; x < full; x += VEC) {
			c[0] = x;
			float64 d = (v_f32_ld_tnsr(c, in) - k) - ms;

			acc2 = v_fma(d, d, acc2);
		}
		if (full < width) {
			c[0] = full;
			float64 d = v_sel(lanes_in(full, width), (v_f32_ld_tnsr(c, in) - k) - ms, 0.0f);

			acc2 = v_fma(d, d, acc2);
		}
		float64 rstd = v_rsqrt(v_reduce_add(acc2) / n + eps);

		if (save != 0) {
			cs[1] = r;
			v_f32_st_tnsr(cs, mean_t, mean);
			v_f32_st_tnsr(cs, rstd_t, rstd);
		}
		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			cg[0] = x;
			float64 xhat = ((v_f32_ld_tnsr(c, in) - k) - ms) * rstd;

			v_f32_st_tnsr(c, out, v_fma(xhat, v_f32_ld_tnsr(cg, gamma),
						    v_f32_ld_tnsr(cg, beta)));
		}
	}
}
