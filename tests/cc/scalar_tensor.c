// One-element tensor access: a row sum written as a single element, a
// per-row scale read as one element, int and unsigned elements.
// ir: f32 = ld_tnsr $1
// ir: st_tnsr $2
// ir: i32 = ld_tnsr $3
// run: index=1x3 part=1 grain=1 in=100x3 scale=1x3@0.5,1 sums=1x3 counts=1x3@1,40 checks=3
#define CHECK_PART 1
#include "inc/check.h"

void main(tensor in, tensor scale, tensor sums, tensor counts, tensor ok)
{
	int5 row = get_index_space_offset();
	int width = get_dim_size(in, 0);
	int5 c = { 0, row[1] };
	int5 one = { 0, row[1] };
	float s = s_f32_ld_tnsr(one, scale);
	float64 acc = 0.0f;

	CHECK(0, s == 0.5f * (float)row[1] + 1.0f);
	for (int x = 0; x < width; x += 64) {
		c[0] = x;
		acc += v_f32_ld_tnsr(c, in);	// the tail of the row reads 0 (padding)
	}
	s_f32_st_tnsr(one, sums, v_reduce_add(acc) * s);
	// sum of 100 r + x for x < 100 = 10000 r + 4950
	CHECK(1, s_f32_ld_tnsr(one, sums) == (10000.0f * (float)row[1] + 4950.0f) * s);
	int n = s_i32_ld_tnsr(one, counts);
	unsigned u = s_u32_ld_tnsr(one, counts);
	s_i32_st_tnsr(one, counts, n + 1);
	s_u32_st_tnsr(one, counts, u + 1u);
	CHECK(2, n == 40 + row[1] && s_i32_ld_tnsr(one, counts) == n + 1);
}
