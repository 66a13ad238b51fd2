// reduce_rows: out[r] = op over c of in[r][c], for a [rows][cols] tensor
// (the reduction over the last axis). op: 0 sum, 1 max, 2 mean. out is a
// [rows][1] tensor. The host sets in's padding to 0 for sum and mean and
// to -inf for max, so the partial last vector of a row needs no mask. One
// row per index-space point (dimension 0). Sums are blocked (loomk.h).
#include "loomk.h"

#define OP_MAX 1
#define OP_MEAN 2

void main(tensor in, tensor out, int op)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(in, 0);
	int5 c = { 0, 0, 0, 0, 0 };
	int5 co = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		float64 res;

		c[1] = r;
		co[1] = r;
		if (op == OP_MAX) {
			c[0] = 0;
			float64 m = v_f32_ld_tnsr(c, in);

			for (int x = VEC; x < width; x += VEC) {
				c[0] = x;
				m = v_max(m, v_f32_ld_tnsr(c, in));
			}
			res = v_reduce_max(m);
		} else {
			float64 acc = 0.0f;

			for (int x = 0; x < width; x += VEC * BLOCK) {
				float64 blk = 0.0f;
				int end = x + VEC * BLOCK < width ? x + VEC * BLOCK : width;

				for (int y = x; y < end; y += VEC) {
					c[0] = y;
					blk += v_f32_ld_tnsr(c, in);
				}
				acc += blk;
			}
			float s = v_reduce_add(acc);

			if (op == OP_MEAN)
				s = s / (float)width;
			res = s;
		}
		v_f32_st_tnsr(co, out, res);
	}
}
