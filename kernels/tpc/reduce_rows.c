// reduce_rows: out[r] = OP over c of in[r][c], for a [rows][cols] tensor
// (the reduction over the last axis). OP is chosen when the kernel is
// compiled (-D OP=...): OP_SUM, OP_MAX or OP_MEAN (kernels/meson.build
// builds reduce_rows_sum, _max and _mean). out is a [rows][1] tensor. The
// host sets in's padding to 0 for sum and mean and to -inf for max, so the
// partial last vector of a row needs no mask. One row per index-space
// point (dimension 0). Sums are blocked (loomk.h).
#include "loomk.h"

#ifndef OP
#error OP must be OP_SUM, OP_MAX or OP_MEAN
#endif

void main(tensor in, tensor out)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(in, 0);
	int5 c = { 0, 0, 0, 0, 0 };
	int5 co = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		c[1] = r;
		co[1] = r;
#if OP == OP_MAX
		c[0] = 0;
		float64 m = v_f32_ld_tnsr(c, in);

		for (int x = VEC; x < width; x += VEC) {
			c[0] = x;
			m = v_max(m, v_f32_ld_tnsr(c, in));
		}
		v_f32_st_tnsr(co, out, v_reduce_max(m));
#else
		float64 acc = 0.0f;

		for (int x = 0; x < width; x += VEC * BLOCK) {
			float64 blk = 0.0f;
			int end = min_i(x + VEC * BLOCK, width);

			for (int y = x; y < end; y += VEC) {
				c[0] = y;
				blk += v_f32_ld_tnsr(c, in);
			}
			acc += blk;
		}
		float s = v_reduce_add(acc);
#if OP == OP_MEAN
		s = s / (float)width;
#endif
		v_f32_st_tnsr(co, out, s);
#endif
	}
}
