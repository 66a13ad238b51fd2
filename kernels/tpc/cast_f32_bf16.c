// cast_f32_bf16: out[i] = bf16(x[i]) (round to nearest even) over n
// elements; 128 elements (two fp32 vectors) per index-space point.
#include "loomk.h"

void main(tensor x, tensor out)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };
	int5 c2 = { 0, 0, 0, 0, 0 };

	for (int i = first[0]; i < first[0] + count[0]; i++) {
		c[0] = i * 2 * VEC;
		c2[0] = c[0] + VEC;
		v_bf16_st_tnsr(c, out, v_convert_f32_to_bf16(v_f32_ld_tnsr(c, x),
							     v_f32_ld_tnsr(c2, x)));
	}
}
