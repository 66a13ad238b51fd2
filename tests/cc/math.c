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
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 x = v_f32_ld_tnsr(c, in);
	float64 r = v_exp(x) + v_log(x) + v_rsqrt(x) + v_rcp(x) + v_sqrt(x);
	r = r + v_tanh(x) + v_sigmoid(x) + v_abs(x);
	r = v_max(r, x) - v_min(0.0f, x);
	r = v_fma(r, x, 1.0f);
	r = r + v_exp(2.0f);	// a scalar argument is broadcast
	int64 i = v_max(v_abs((int64)x), 3);
	uint64 u = v_min((uint64)i, 7u);
	v_f32_st_tnsr(c, out, r + (float64)u);
}
