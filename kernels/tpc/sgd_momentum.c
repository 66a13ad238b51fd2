// sgd_momentum: one SGD step with momentum (PyTorch's, no dampening) over
// n parameters, elementwise:
//   g = grad + wd * w;  buf = momentum * buf + g;  w = w - lr * buf
// with lr = h[0] read from a tensor (so it can change between steps). One
// 64-element vector per index-space point (dimension 0).
#include "loomk.h"

void main(tensor w, tensor grad, tensor buf_t, tensor h_t, float momentum, float wd)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };
	int5 h0 = { 0, 0, 0, 0, 0 };
	float lr = s_f32_ld_tnsr(h0, h_t);

	for (int i = first[0]; i < first[0] + count[0]; i++) {
		c[0] = i * VEC;
		float64 wv = v_f32_ld_tnsr(c, w);
		float64 g = v_fma(wd, wv, v_f32_ld_tnsr(c, grad));
		float64 b = v_fma(momentum, v_f32_ld_tnsr(c, buf_t), g);
		v_f32_st_tnsr(c, buf_t, b);
		v_f32_st_tnsr(c, w, v_fma(-lr, b, wv));
	}
}
