// scale: out = alpha * x, elementwise over n floats.
#include "loomk.h"

void main(tensor x, tensor out, float alpha)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };

#pragma unroll 4
	for (int i = first[0]; i < first[0] + count[0]; i++) {
		c[0] = i * VEC;
		v_f32_st_tnsr(c, out, alpha * v_f32_ld_tnsr(c, x));
	}
}
