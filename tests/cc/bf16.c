// bfloat128 (128 lanes of bf16): loads and stores, + - *, fma, max/min/abs,
// and the conversions to and from two float64 halves.
// ir: v128bf16 = ld_tnsr $0
// ir: pack_bf16
// ir: unpack_lo
// ir: unpack_hi
// ir: v128bf16 = fma
// run: index=1 in=256@1,-64 out=256 args=2 checks=6
#include "inc/check.h"

void main(tensor in, tensor out, tensor ok, float s)
{
	int5 c = get_index_space_offset();
	bfloat128 x = v_bf16_ld_tnsr(c, in);		// lane i: i - 64 (exact in bf16)
	float64 xl = v_convert_bf16_to_f32_lo(x);
	float64 xh = v_convert_bf16_to_f32_hi(x);
	float64 lane = (float64)v_lane_id();
	CHECKV(0, (xl == lane - 64.0f) & (xh == lane));

	bfloat128 y = x * s + x - 1.0f;			// 3x - 1: exact below 256
	CHECKV(1, (v_convert_bf16_to_f32_lo(y) == xl * 3.0f - 1.0f) &
		  (v_convert_bf16_to_f32_hi(y) == xh * 3.0f - 1.0f));
	y = v_fma(x, y, 0.5f);				// x (3x - 1) + 0.5, rounded once
	float64 ylo = v_convert_bf16_to_f32_lo(y);
	float64 yhi = v_convert_bf16_to_f32_hi(y);
	// the same in fp32, rounded to bf16 through a pack
	bfloat128 r = v_convert_f32_to_bf16(v_fma(xl, xl * 3.0f - 1.0f, 0.5f),
					    v_fma(xh, xh * 3.0f - 1.0f, 0.5f));
	CHECKV(2, (ylo == v_convert_bf16_to_f32_lo(r)) & (yhi == v_convert_bf16_to_f32_hi(r)));
	y = v_max(y, 0.0f);
	y = v_min(v_abs(y), x);
	CHECKV(3, (v_convert_bf16_to_f32_lo(y) == v_min(v_max(ylo, 0.0f), xl)) &
		  (v_convert_bf16_to_f32_hi(y) == v_min(v_max(yhi, 0.0f), xh)));
	float64 lo = v_convert_bf16_to_f32_lo(y);
	float64 hi = v_convert_bf16_to_f32_hi(y);
	lo = v_exp(lo);
	v_bf16_st_tnsr(c, out, v_convert_f32_to_bf16(lo, hi));
	bfloat128 back = v_bf16_ld_tnsr(c, out);
	CHECKV(4, v_convert_bf16_to_f32_hi(back) == hi);
	// lo was rounded to bf16: within 2^-8 relative
	CHECKV(5, v_abs(v_convert_bf16_to_f32_lo(back) - lo) <= lo * 0.00390625f);
}
