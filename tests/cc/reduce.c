// Reductions to a scalar, and broadcasting the result back.
// ir: f32 = radd
// ir: f32 = rmax
// ir: f32 = rmin
// ir: i32 = radd
// ir: i32 = rumax
// ir: i32 = rumin
// run: index=1 in=4096@1,-10 ints=4096@1,-10 checks=4
#include "inc/check.h"

void main(tensor in, tensor ints, tensor out, tensor ok)
{
	int5 c = get_index_space_offset();
	float64 x = v_f32_ld_tnsr(c, in);	// lane i: i - 10
	float s = v_reduce_add(x);
	float m = v_reduce_max(x);
	float n = v_reduce_min(x);
	CHECK(0, s == 1376.0f && m == 53.0f && n == -10.0f);
	int64 i = v_i32_ld_tnsr(c, ints);
	int si = v_reduce_add(i);
	uint64 u = (uint64)i;
	unsigned mu = v_reduce_max(u) + v_reduce_min(u);
	CHECK(1, si == 1376 && v_reduce_max(i) == 53 && v_reduce_min(i) == -10);
	CHECK(2, v_reduce_max(u) == 0xffffffffu && v_reduce_min(u) == 0u && mu == 0xffffffffu);
	float64 r = (x - m) / s + n + (float)si + (float)mu;
	v_f32_st_tnsr(c, out, r);
	CHECKV(3, v_f32_ld_tnsr(c, out) == r);
}
