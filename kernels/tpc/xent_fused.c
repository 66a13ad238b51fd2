// Softmax cross-entropy and its gradient in one pass over the logits, for
// the loss at the root of a backward pass (its upstream gradient is 1):
//   loss[r]  = log(sum_c e^(x[r][c] - m)) + m - x[r][label[r]]
//   dx[r][c] = (softmax(x[r])[c] - (c == label[r])) * scale
// m the row's maximum, scale = 1 / batch (given by the host). A label
// outside [0, cols) marks an ignored row: loss 0 and gradient 0. The
// exponentials are stored into dx on the way and scaled in place, so each
// is computed once. The logits' padding is -inf; dx must not be logits.
// One row per index-space point (dimension 0).
#include "loomk.h"

void main(tensor logits, tensor labels, tensor loss, tensor dx, float scale)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int width = get_dim_size(logits, 0);
	int5 c = { 0, 0, 0, 0, 0 };
	int5 cl = { 0, 0, 0, 0, 0 };
	int5 co = { 0, 0, 0, 0, 0 };

	for (int r = first[0]; r < first[0] + count[0]; r++) {
		cl[0] = r;
		int label = s_i32_ld_tnsr(cl, labels);

		co[1] = r;
		c[1] = r;
		if (label < 0 || label >= width) {
			v_f32_st_tnsr(co, loss, 0.0f);
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
			float64 e = v_exp(v_f32_ld_tnsr(c, logits) - mx);

			acc += e;
			v_f32_st_tnsr(c, dx, e);
		}
		float sum = v_reduce_add(acc);
		float k = scale / sum;

		c[0] = label;
		float xl = s_f32_ld_tnsr(c, logits);

		v_f32_st_tnsr(co, loss, v_log(sum) + (mx - xl));
		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			float64 p = v_f32_ld_tnsr(c, dx) * k;
			bool64 hot = v_lane_id() == label - x;

			v_f32_st_tnsr(c, dx, v_sel(hot, p - scale, p));
		}
	}
}
