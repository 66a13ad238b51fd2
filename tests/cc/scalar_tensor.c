// One-element tensor access: a row sum written as a single element, a
// per-row scale read as one element, int and unsigned elements.
// ir: f32 = ld_tnsr $1
// ir: st_tnsr $2
// ir: i32 = ld_tnsr $3
void main(tensor in, tensor scale, tensor sums, tensor counts)
{
	int5 row = get_index_space_offset();
	int width = get_dim_size(in, 0);
	int5 c = { 0, row[1] };
	int5 one = { 0, row[1] };
	float s = s_f32_ld_tnsr(one, scale);
	float64 acc = 0.0f;

	for (int x = 0; x < width; x += 64) {
		c[0] = x;
		acc += v_f32_ld_tnsr(c, in);
	}
	s_f32_st_tnsr(one, sums, v_reduce_add(acc) * s);
	int n = s_i32_ld_tnsr(one, counts);
	unsigned u = s_u32_ld_tnsr(one, counts);
	s_i32_st_tnsr(one, counts, n + 1);
	s_u32_st_tnsr(one, counts, u + 1u);
}
