// int64 (64 lanes of int32) and uint64: arithmetic, bit operations,
// shifts, comparisons, conversions to and from float64.
// ir: v64i32 = shl
// ir: v64i32 = ushr
// ir: v64i32 = shr
// ir: v64bool = ult
// ir: v64f32 = sitofp
// ir: v64f32 = uitofp
// ir: v64i32 = fptosi
// run: index=1 in=4096@1,-32 checks=6
#include "inc/check.h"

void main(tensor in, tensor out, tensor ok)
{
	int5 c = get_index_space_offset();
	int64 a = v_i32_ld_tnsr(c, in);		// lane i: i - 32
	int64 lane = v_lane_id();
	CHECKV(0, a == lane - 32);
	int64 b = a * 3 + 1;
	int64 d = (b & 0xff) | (a ^ b) << 2;
	int64 e = d >> 1;
	CHECKV(1, (e * 2 + (d & 1) == d) & (d == ((b & 255) | ((a ^ b) * 4))));
	uint64 u = (uint64)e;
	uint64 v = u >> 3;
	CHECKV(2, (e >= 0) | (v > (uint64)0x10000000u));	// negative e: a big unsigned
	bool64 lt = u < v;
	int64 m = lt ? a : ~b;
	CHECKV(3, m == ~b);			// u >= u >> 3 always
	float64 f = (float64)m + (float64)v;
	int64 back = (int64)f;
	back = -back;
	back += 1;
	v_i32_st_tnsr(c, out, back);
	CHECKV(4, v_i32_ld_tnsr(c, out) == back);
	v_u32_st_tnsr(c, out, v);
	CHECKV(5, (uint64)v_i32_ld_tnsr(c, out) == v);
}
