// The math intrinsics on float64 (scalars broadcast into them).
// ir: exp
// ir: log
// ir: rsqrt
// ir: rcp
// ir: sqrt
// ir: tanh
// ir: sigmoid
// ir: abs
// ir: max
// ir: min
// ir: fma
// run: index=1 in=4096@0.25,0.25 checks=4
#include "inc/check.h"

void main(tensor in, tensor out, tensor ok)
{
	int5 c = get_index_space_offset();
	float64 x = v_f32_ld_tnsr(c, in);	// lane i: (i + 1) / 4
	float64 r = v_exp(x) + v_log(x) + v_rsqrt(x) + v_rcp(x) + v_sqrt(x);
	CHECKV(0, (v_abs(v_exp(v_log(x)) - x) <= x * 1e-5f) &
		  (v_abs(v_sqrt(x) * v_sqrt(x) - x) <= x * 1e-6f) &
		  (v_abs(v_rsqrt(x) * v_sqrt(x) - 1.0f) <= 1e-6f) & (v_abs(v_rcp(x) * x - 1.0f) <= 1e-6f));
	r = r + v_tanh(x) + v_sigmoid(x) + v_abs(x);
	CHECKV(1, (v_abs(v_tanh(x) - (1.0f - 2.0f / (v_exp(2.0f * x) + 1.0f))) <= 1e-6f) &
		  (v_abs(v_sigmoid(-x) + v_sigmoid(x) - 1.0f) <= 1e-6f) & (v_abs(-x) == x));
	r = v_max(r, x) - v_min(0.0f, x);
	r = v_fma(r, x, 1.0f);
	r = r + v_exp(2.0f);	// a scalar argument is broadcast
	CHECKV(2, v_abs(v_exp(2.0f) - 7.389056f) <= 1e-6f);
	int64 i = v_max(v_abs((int64)x), 3);
	uint64 u = v_min((uint64)i, 7u);
	CHECKV(3, (int64)u == v_min(v_max((v_lane_id() + 1) >> 2, 3), 7));
	v_f32_st_tnsr(c, out, r + (float64)u);
}
