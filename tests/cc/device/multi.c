// Each index point covers VPP vectors: out = x * scale + 1 - x / 4.
#define VPP 4

void main(tensor x, tensor out, float scale)
{
	int5 start = get_index_space_offset();
	int5 size = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };

	for (int i = start[0]; i < start[0] + size[0]; i++) {
		for (int j = 0; j < VPP; j++) {
			c[0] = (i * VPP + j) * 64;
			float64 v = v_f32_ld_tnsr(c, x);
			v_f32_st_tnsr(c, out, v * scale + 1.0f - v / 4.0f);
		}
	}
}
