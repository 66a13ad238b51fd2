// if/else on a scalar parameter: mode 1 squares, anything else negates
// and adds bias; negative values are clamped to 0 with a select.
void main(tensor x, tensor out, int mode, float bias)
{
	int5 start = get_index_space_offset();
	int5 size = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };

	for (int i = start[0]; i < start[0] + size[0]; i++) {
		c[0] = i * 64;
		float64 v = v_f32_ld_tnsr(c, x);
		float64 r;
		if (mode == 1)
			r = v * v;
		else
			r = bias - v;
		r = r < 0.0f ? 0.0f : r;
		v_f32_st_tnsr(c, out, r);
	}
}
