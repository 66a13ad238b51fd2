// reduce_cols: out[c] = op over r of in[r][c], for a [rows][cols] tensor
// (the reduction over the first axis; with op sum it is bias_add's
// gradient). op: 0 sum, 1 max, 2 mean. One 64-column strip per
// index-space point (dimension 0); each point walks every row. Sums are
// blocked (loomk.h). Lanes beyond cols read padding and are not stored.
#include "loomk.h"

#define OP_MAX 1
#define OP_MEAN 2

void main(tensor in, tensor out, int op)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int rows = get_dim_size(in, 1);
	int5 c = { 0, 0, 0, 0, 0 };

	for (int i = first[0]; i < first[0] + count[0]; i++) {
		float64 res;

		c[0] = i * VEC;
		c[1] = 0;
		if (op == OP_MAX) {
			float64 m = v_f32_ld_tnsr(c, in);

			for (int r = 1; r < rows; r++) {
				c[1] = r;
				m = v_max(m, v_f32_ld_tnsr(c, in));
			}
			res = m;
		} else {
			float64 acc = 0.0f;

			for (int r0 = 0; r0 < rows; r0 += BLOCK) {
				float64 blk = 0.0f;
				int end = r0 + BLOCK < rows ? r0 + BLOCK : rows;

				for (int r = r0; r < end; r++) {
					c[1] = r;
					blk += v_f32_ld_tnsr(c, in);
				}
				acc += blk;
			}
			if (op == OP_MEAN)
				acc = acc / (float)rows;
			res = acc;
		}
		c[1] = 0;
		v_f32_st_tnsr(c, out, res);
	}
}
