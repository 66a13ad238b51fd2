// log_softmax_grad over rows, for y = log_softmax(x) and the output
// gradient dy, both [rows][cols]: dx[r][c] = dy[r][c] - e^y[r][c] * sum_c
// dy[r][c]. The padding of dy is 0, so padded lanes add nothing to the
// sum. dx may be dy. One row per index-space point (dimension 0).
#include "loomk.h"

void main(tensor y_t, tensor dy_t, tensor dx_t)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(y_t, 0);
	int5 c = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		c[1] = r;
		float64 acc = 0.0f;

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			acc = acc + v_f32_ld_tnsr(c, dy_t);
		}
		float sum = v_reduce_add(acc);

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			v_f32_st_tnsr(c, dx_t, v_f32_ld_tnsr(c, dy_t) -
					       v_exp(v_f32_ld_tnsr(c, y_t)) * sum);
		}
	}
}
