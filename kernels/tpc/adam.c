// adam: one Adam step (PyTorch's update) over n parameters, elementwise:
//   g = grad + wd * w
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
//   w = w - h[0] * m / (sqrt(v) * h[1] + eps)
// with h = [lr / (1 - beta1^t), 1 / sqrt(1 - beta2^t)] read from a tensor
// written by adam_tick on the device each step. One 64-element vector per
// index-space point (dimension 0).
#include "loomk.h"

void main(tensor w, tensor grad, tensor m_t, tensor v_t, tensor h_t, float beta1,
	  float beta2, float eps, float wd)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };
	int5 h0 = { 0, 0, 0, 0, 0 };
	int5 h1 = { 1, 0, 0, 0, 0 };
	float step = s_f32_ld_tnsr(h0, h_t);
	float rbc2 = s_f32_ld_tnsr(h1, h_t);

	for (int i = first[0]; i < first[0] + count[0]; i++) {
		c[0] = i * VEC;
		float64 wv = v_f32_ld_tnsr(c, w);
		float64 g = v_fma(wd, wv, v_f32_ld_tnsr(c, grad));
		float64 m = v_fma(beta1, v_f32_ld_tnsr(c, m_t), (1.0f - beta1) * g);
		float64 v = v_fma(beta2, v_f32_ld_tnsr(c, v_t), (1.0f - beta2) * (g * g));
		v_f32_st_tnsr(c, m_t, m);
		v_f32_st_tnsr(c, v_t, v);
		v_f32_st_tnsr(c, w, wv - step * m / v_fma(v_sqrt(v), rbc2, eps));
	}
}
