// bfloat128 (128 lanes of bf16): loads and stores, + - *, fma, max/min/abs,
// and the conversions to and from two float64 halves.
// ir: v128bf16 = ld_tnsr $0
// ir: pack_bf16
// ir: unpack_lo
// ir: unpack_hi
// ir: v128bf16 = fma
void main(tensor in, tensor out, float s)
{
	int5 c = get_index_space_offset();
	bfloat128 x = v_bf16_ld_tnsr(c, in);
	bfloat128 y = x * s + x - 1.0f;
	y = v_fma(x, y, 0.5f);
	y = v_max(y, 0.0f);
	y = v_min(v_abs(y), x);
	float64 lo = v_convert_bf16_to_f32_lo(y);
	float64 hi = v_convert_bf16_to_f32_hi(y);
	lo = v_exp(lo);
	v_bf16_st_tnsr(c, out, v_convert_f32_to_bf16(lo, hi));
}
