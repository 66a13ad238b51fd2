// out = a + b over a 1-D index space of 64-element vectors; the last
// vector of an odd size reads padding and its extra stores are dropped.
void main(tensor a, tensor b, tensor out)
{
	int5 start = get_index_space_offset();
	int5 size = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };

	for (int i = start[0]; i < start[0] + size[0]; i++) {
		c[0] = i * 64;
		v_f32_st_tnsr(c, out, v_f32_ld_tnsr(c, a) + v_f32_ld_tnsr(c, b));
	}
}
