// for, while and do loops, nested, with break and continue and
// #pragma unroll hints (full, by N, and through a macro).
// ir: loop L0: header
// ir: unroll full
// ir: unroll 8
// ir: parent L1
// run: index=1 in=64x16 args=5 checks=4
#include "inc/check.h"
#define U 8
void main(tensor in, tensor out, tensor ok, int n)
{
	int5 c = get_index_space_offset();
	float64 acc = 0.0f;
	int i = 0, iters = 0;

#pragma unroll
	for (int k = 0; k < 4; k++)
		acc += 1.0f;
	CHECKV(0, acc == 4.0f);
	while (i < n) {
		i++;
		if (i == 3)
			continue;
#pragma unroll U
		for (int j = 0; j < 16; j++) {
			if (j > i)
				break;
			c[1] = j;
			acc += v_f32_ld_tnsr(c, in);	// row j: 64 j + lane
			iters++;
		}
	}
	// i = 1, 2, 4, 5 run rows 0..i: 2 + 3 + 5 + 6 = 16 loads
	CHECK(1, iters == 16 && i == 5);
	// rows summed: 0..1, 0..2, 0..4, 0..5: 64 (1 + 3 + 10 + 15) = 1856
	CHECKV(2, acc == 4.0f + 1856.0f + 16.0f * (float64)v_lane_id());
	do {
		i--;
		if (i < -100)
			break;
	} while (i > 0);
	for (;;) {
		if (n-- < 0)
			break;
	}
	CHECK(3, i == 0 && n == -2);
	v_f32_st_tnsr(c, out, acc);
}
