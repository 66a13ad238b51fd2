// bcast_scale: out[r][c] = alpha * in[r][c] for [rows][cols] tensors, where
// in may be a view with a stride of 0 (a row or a column broadcast over
// the matrix: the gradient of a reduction). One row per index-space point
// (dimension 0).
#include "loomk.h"

void main(tensor in, tensor out, float alpha)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(out, 0);
	int5 c = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		c[1] = r;
		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			v_f32_st_tnsr(c, out, alpha * v_f32_ld_tnsr(c, in));
		}
	}
}
