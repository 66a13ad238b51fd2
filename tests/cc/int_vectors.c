// int64 (64 lanes of int32) and uint64: arithmetic, bit operations,
// shifts, comparisons, conversions to and from float64.
// ir: v64i32 = shl
// ir: v64i32 = ushr
// ir: v64i32 = shr
// ir: v64bool = ult
// ir: v64f32 = sitofp
// ir: v64f32 = uitofp
// ir: v64i32 = fptosi
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int64 a = v_i32_ld_tnsr(c, in);
	int64 b = a * 3 + 1;
	int64 d = (b & 0xff) | (a ^ b) << 2;
	int64 e = d >> 1;
	uint64 u = (uint64)e;
	uint64 v = u >> 3;
	bool64 lt = u < v;
	int64 m = lt ? a : ~b;
	float64 f = (float64)m + (float64)v;
	int64 back = (int64)f;
	back = -back;
	back += 1;
	v_i32_st_tnsr(c, out, back);
	v_u32_st_tnsr(c, out, v);
}
