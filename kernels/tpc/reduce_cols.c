// reduce_cols: out[c] = OP over r of in[r][c], for a [rows][cols] tensor
// (the reduction over the first axis; the sum is bias_add's gradient). OP
// is chosen when the kernel is compiled (-D OP=...): OP_SUM, OP_MAX or
// OP_MEAN (kernels/meson.build builds reduce_cols_sum, _max and _mean).
// One 64-column strip per index-space point (dimension 0); each point
// walks every row. Sums are blocked (loomk.h). Lanes beyond cols read
// padding and are not stored.
#include "loomk.h"

#ifndef OP
#error OP must be OP_SUM, OP_MAX or OP_MEAN
#endif

void main(tensor in, tensor out)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int rows = get_dim_size(in, 1);
	int5 c = { 0, 0, 0, 0, 0 };

	for (int i = first[0]; i < first[0] + count[0]; i++) {
		c[0] = i * VEC;
		c[1] = 0;
#if OP == OP_MAX
		float64 res = v_f32_ld_tnsr(c, in);

		for (int r = 1; r < rows; r++) {
			c[1] = r;
			res = v_max(res, v_f32_ld_tnsr(c, in));
		}
#else
		float64 res = 0.0f;

		for (int r0 = 0; r0 < rows; r0 += BLOCK) {
			float64 blk = 0.0f;
			int end = min_i(r0 + BLOCK, rows);

			for (int r = r0; r < end; r++) {
				c[1] = r;
				blk += v_f32_ld_tnsr(c, in);
			}
			res += blk;
		}
#if OP == OP_MEAN
		res = res / (float)rows;
#endif
#endif
		c[1] = 0;
		v_f32_st_tnsr(c, out, res);
	}
}
