// Skeleton of a unary elementwise kernel: out[i] = op(x[i]) over n
// elements, one 64-element vector per index-space point (dimension 0).
// The includer defines `static inline float64 op(float64 x)`. The last
// vector's lanes beyond n read padding and their stores are dropped.
#include "loomk.h"

void main(tensor x, tensor out)
{
	int5 first = get_index_space_offset();
	int5 count = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };

#pragma unroll 4
	for (int i = first[0]; i < first[0] + count[0]; i++) {
		c[0] = i * VEC;
		v_f32_st_tnsr(c, out, op(v_f32_ld_tnsr(c, x)));
	}
}
