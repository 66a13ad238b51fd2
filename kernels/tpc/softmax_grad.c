// softmax_grad over rows, for y = softmax(x) and the output gradient dy,
// both [rows][cols]:  dx[r][c] = y[r][c] * (dy[r][c] - sum_c y[r][c] dy[r][c]).
// The padding of y and dy is 0, so padded lanes add nothing to the sum.
// dx may be dy or y. One row per index-space point (dimension 0).
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
			acc = v_fma(v_f32_ld_tnsr(c, y_t), v_f32_ld_tnsr(c, dy_t), acc);
		}
		float dot = v_reduce_add(acc);

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			v_f32_st_tnsr(c, dx_t, v_f32_ld_tnsr(c, y_t) * (v_f32_ld_tnsr(c, dy_t) - dot));
		}
	}
}
