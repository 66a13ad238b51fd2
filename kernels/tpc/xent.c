// Softmax cross-entropy of logits [rows][cols] against int32 labels [rows],
// one row per index-space point (dimension 0). Built three ways
// (kernels/meson.build):
//   xent       (-DXENT_LOSS)  loss[r] = log(sum_c e^(x[r][c] - m)) + m - x[r][label[r]]
//   xent_grad  (-DXENT_GRAD)  dx[r][c] = (softmax(x[r])[c] - (c == label[r])) * scale
//   xent_fused (both)         the two in one pass, each exponential computed once
// m is the row's maximum, scale = 1 / batch (given by the host); loss is a
// [rows][1] tensor. A label outside [0, cols) marks an ignored row: loss 0
// and gradient 0. The logits' padding is -inf. dx may be logits: the
// exponentials are stored into dx and scaled there, and x[label] is read
// before anything is stored.
#include "loomk.h"

#if defined(XENT_LOSS) && defined(XENT_GRAD)
void main(tensor logits, tensor labels, tensor loss, tensor dx, float scale)
#elif defined(XENT_GRAD)
void main(tensor logits, tensor labels, tensor dx, float scale)
#else
void main(tensor logits, tensor labels, tensor loss)
#endif
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
#ifdef XENT_LOSS
			v_f32_st_tnsr(co, loss, 0.0f);
#endif
#ifdef XENT_GRAD
			for (int x = 0; x < width; x += VEC) {
				c[0] = x;
				v_f32_st_tnsr(c, dx, 0.0f);
			}
#endif
			continue;
		}
		c[0] = 0;
		float64 m = v_f32_ld_tnsr(c, logits);

		for (int x = VEC; x < width; x += VEC) {
			c[0] = x;
			m = v_max(m, v_f32_ld_tnsr(c, logits));
		}
		float mx = v_reduce_max(m);
#ifdef XENT_LOSS
		c[0] = label;
		float xl = s_f32_ld_tnsr(c, logits);
#endif
		float64 acc = 0.0f;

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			float64 e = v_exp(v_f32_ld_tnsr(c, logits) - mx);

			acc += e;
#ifdef XENT_GRAD
			v_f32_st_tnsr(c, dx, e);
#endif
		}
		float sum = v_reduce_add(acc);
#ifdef XENT_LOSS
		v_f32_st_tnsr(co, loss, v_log(sum) + (mx - xl));
#endif
#ifdef XENT_GRAD
		float k = scale / sum;

		for (int x = 0; x < width; x += VEC) {
			c[0] = x;
			float64 p = v_f32_ld_tnsr(c, dx) * k;
			bool64 hot = v_lane_id() == label - x;

			v_f32_st_tnsr(c, dx, v_sel(hot, p - scale, p));
		}
#endif
	}
}
