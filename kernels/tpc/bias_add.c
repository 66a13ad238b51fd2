// bias_add: out[r][c] = in[r][c] + bias[c] for a [rows][cols] tensor and a
// bias of cols floats. One row per index-space point (dimension 0).
#include "loomk.h"

void main(tensor in, tensor bias, tensor out)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(in, 0);
	int5 c = { 0, 0, 0, 0, 0 };
	int5 cb = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		c[1] = r;
		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			cb[0] = x;
			v_f32_st_tnsr(c, out, v_f32_ld_tnsr(c, in) + v_f32_ld_tnsr(cb, bias));
		}
	}
}
