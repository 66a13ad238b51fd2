// cast_bf16_f32: out[i] = float(x[i]) (exact) over n elements; 128
// elements (one bf16 vector) per index-space point.
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
		bfloat128 v = v_bf16_ld_tnsr(c, x);

		v_f32_st_tnsr(c, out, v_convert_bf16_to_f32_lo(v));
		v_f32_st_tnsr(c2, out, v_convert_bf16_to_f32_hi(v));
	}
}
