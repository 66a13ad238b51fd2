// Gradient of the mean softmax cross-entropy, for logits [rows][cols] and
// int32 labels [rows]:  dx[r][c] = (softmax(x[r])[c] - (c == label[r])) * scale,
// scale = 1 / batch (given by the host). Rows whose label is outside
// [0, cols) are ignored: their gradient is 0. The logits' padding is -inf.
// dx may be logits. One row per index-space point (dimension 0).
#include "loomk.h"

void main(tensor logits, tensor labels, tensor dx, float scale)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(logits, 0);
	int5 c = { 0, 0, 0, 0, 0 };
	int5 cl = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		cl[0] = r;
		int label = s_i32_ld_tnsr(cl, labels);

		c[1] = r;
		if (label < 0 || label >= width) {
			for (int x = 0; x < width; x += VEC) {
				c[0] = x;
				v_f32_st_tnsr(c, dx, 0.0f);
			}
			continue;
		}
		c[0] = 0;
		float64 m = v_f32_ld_tnsr(c, logits);

		for (int x = VEC; x < width; x += VEC) {
			c[0] = x;
			m = v_max(m, v_f32_ld_tnsr(c, logits));
		}
		float mx = v_reduce_max(m);
		float64 acc = 0.0f;

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			acc += v_exp(v_f32_ld_tnsr(c, logits) - mx);
		}
		float k = scale / v_reduce_add(acc);

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			float64 p = v_exp(v_f32_ld_tnsr(c, logits) - mx) * k;
			bool64 hot = v_lane_id() == label - x;

			v_f32_st_tnsr(c, dx, v_sel(hot, p - scale, p));
		}
	}
}
