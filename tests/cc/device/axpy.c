// y = alpha * x + y, one rounding (v_fma), alpha a float parameter.
void main(tensor x, tensor y, float alpha)
{
	int5 start = get_index_space_offset();
	int5 size = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };

	for (int i = start[0]; i < start[0] + size[0]; i++) {
		c[0] = i * 64;
		float64 v = v_fma(alpha, v_f32_ld_tnsr(c, x), v_f32_ld_tnsr(c, y));
		v_f32_st_tnsr(c, y, v);
	}
}
