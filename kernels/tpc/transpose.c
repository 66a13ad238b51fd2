// transpose: out[c][r] = in[r][c] for in [rows][cols]. The host passes in
// as a strided view with its dimensions swapped (dimension 0: the rows,
// stride cols; dimension 1: the columns, stride 1), so that a vector
// load gathers 64 elements of a column and the store writes them
// contiguously into a row of out ([cols][rows]). One row of out (a
// column of in) per index-space point (dimension 0).
#include "loomk.h"

void main(tensor in_t, tensor out)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(out, 0);
	int5 c = { 0, 0, 0, 0, 0 };

	for (int j = first[0]; j < first[0] + count[0]; j++) {
		c[1] = j;
		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			v_f32_st_tnsr(c, out, v_f32_ld_tnsr(c, in_t));
		}
	}
}
