// log_softmax over rows: out[r][c] = (x[r][c] - m) - log(sum_c e^(x[r][c] - m)),
// m the row's maximum, for a [rows][cols] tensor; in's padding is -inf (as
// for softmax). out may be in. One row per index-space point (dimension 0).
#include "loomk.h"

void main(tensor in, tensor out)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(in, 0);
	int5 c = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		c[1] = r;
		c[0] = 0;
		float64 m = v_f32_ld_tnsr(c, in);

		for (int x = VEC; x < width; x += VEC) {
			c[0] = x;
			m = v_max(m, v_f32_ld_tnsr(c, in));
		}
		float mx = v_reduce_max(m);
		float64 acc = 0.0f;

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			acc += v_exp(v_f32_ld_tnsr(c, in) - mx);
		}
		float64 lse = v_log(v_reduce_add(acc));

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			v_f32_st_tnsr(c, out, (v_f32_ld_tnsr(c, in) - mx) - lse);
		}
	}
}
