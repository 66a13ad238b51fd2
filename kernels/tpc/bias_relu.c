// bias_relu: out[r][c] = max(in[r][c] + bias[c], 0) for a [rows][cols]
// tensor and a bias of cols floats (a linear layer's bias add and relu in
// one pass). One row per index-space point (dimension 0). In place allowed.
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
			float64 v = v_f32_ld_tnsr(c, in) + v_f32_ld_tnsr(cb, bias);
			v_f32_st_tnsr(c, out, v < 0.0f ? 0.0f : v);
		}
	}
}
