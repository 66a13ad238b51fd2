// Reductions to a scalar, and broadcasting the result back.
// ir: f32 = radd
// ir: f32 = rmax
// ir: f32 = rmin
// ir: i32 = radd
// ir: i32 = rumax
// ir: i32 = rumin
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 x = v_f32_ld_tnsr(c, in);
	float s = v_reduce_add(x);
	float m = v_reduce_max(x);
	float n = v_reduce_min(x);
	int64 i = v_i32_ld_tnsr(c, in);
	int si = v_reduce_add(i);
	uint64 u = (uint64)i;
	unsigned mu = v_reduce_max(u) + v_reduce_min(u);
	float64 r = (x - m) / s + n + (float)si + (float)mu;
	v_f32_st_tnsr(c, out, r);
}
