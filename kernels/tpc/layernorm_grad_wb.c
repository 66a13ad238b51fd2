// layernorm_grad, the weight part, for a [rows][cols] tensor:
//   dgamma[c] = sum_r dy[r][c] * (x[r][c] - mean[r]) * rstd[r],
//   dbeta[c] = sum_r dy[r][c].
// One 64-column strip per index-space point (dimension 0), walking every
// row; sums are blocked (loomk.h).
#include "loomk.h"

void main(tensor x_t, tensor dy_t, tensor mean_t, tensor rstd_t, tensor dgamma, tensor dbeta)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int rows = get_dim_size(x_t, 1);
	int5 c = { 0, 0, 0, 0, 0 };
	int5 cs = { 0, 0, 0, 0, 0 };

	for (int i = first[0]; i < first[0] + count[0]; i++) {
		float64 ag = 0.0f;
		float64 ab = 0.0f;

		c[0] = i * VEC;
		for (int r0 = 0; r0 < rows; r0 += BLOCK) {
			float64 bg = 0.0f;
			float64 bb = 0.0f;
			int end = r0 + BLOCK < rows ? r0 + BLOCK : rows;

			for (int r = r0; r < end; r++) {
				c[1] = r;
				cs[1] = r;
				float mean = s_f32_ld_tnsr(cs, mean_t);
				float rstd = s_f32_ld_tnsr(cs, rstd_t);
				float64 dy = v_f32_ld_tnsr(c, dy_t);

				bg = v_fma(dy, (v_f32_ld_tnsr(c, x_t) - mean) * rstd, bg);
				bb += dy;
			}
			ag += bg;
			ab += bb;
		}
		c[1] = 0;
		v_f32_st_tnsr(c, dgamma, ag);
		v_f32_st_tnsr(c, dbeta, ab);
	}
}
