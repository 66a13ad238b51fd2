// adam_tick: advance Adam's step counter once per step, on the device.
// st = [beta1^t, beta2^t, lr, h0, h1] (fp32): the powers are multiplied
// by beta1 and beta2, then h0 = lr / (1 - beta1^t) and h1 = 1 / sqrt(1 -
// beta2^t) are stored for the adam kernel. One index-space point.
#include "loomk.h"

void main(tensor st, float beta1, float beta2)
{
	int5 c0 = { 0, 0, 0, 0, 0 };
	int5 c1 = { 1, 0, 0, 0, 0 };
	int5 c2 = { 2, 0, 0, 0, 0 };
	int5 c3 = { 3, 0, 0, 0, 0 };
	int5 c4 = { 4, 0, 0, 0, 0 };
	float p1 = s_f32_ld_tnsr(c0, st) * beta1;
	float p2 = s_f32_ld_tnsr(c1, st) * beta2;
	float lr = s_f32_ld_tnsr(c2, st);
	float h1 = v_reduce_max(v_rsqrt((float64)(1.0f - p2)));

	s_f32_st_tnsr(c0, st, p1);
	s_f32_st_tnsr(c1, st, p2);
	s_f32_st_tnsr(c3, st, lr / (1.0f - p1));
	s_f32_st_tnsr(c4, st, h1);
}
