// Softmax cross-entropy, per row, for logits [rows][cols] and int32
// labels [rows]:  loss[r] = log(sum_c e^(x[r][c] - m)) + m - x[r][label[r]],
// m the row's maximum. A label outside [0, cols) marks an ignored row:
// its loss is 0. loss is a [rows][1] tensor. The logits' padding is -inf.
// One row per index-space point (dimension 0).
#include "loomk.h"

void main(tensor logits, tensor labels, tensor loss)
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
		if (label < 0 || label >= width) {
			v_f32_st_tnsr(co, loss, 0.0f);
			continue;
		}
		c[1] = r;
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
		c[0] = label;
		float xl = s_f32_ld_tnsr(c, logits);

		v_f32_st_tnsr(co, loss, v_log(v_reduce_add(acc)) + (mx - xl));
	}
}
