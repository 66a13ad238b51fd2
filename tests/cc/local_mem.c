// __local__ arrays (per-core local memory): scalar and vector elements,
// indexed reads and writes, compound assignment on elements.
// ir: local @0 acc: v64f32[16]
// ir: local @1 counts: i32[8]
// ir: local @2 halves: v128bf16[2]
// ir: st_local @0
// ir: ld_local @1
// run: index=1 in=256x4 out=256x4 checks=5
#include "inc/check.h"
#define SLOTS 16
__local__ float64 acc[SLOTS];
__local__ int counts[SLOTS / 2];
__local__ bfloat128 halves[2];
__local__ float scal[4];

void main(tensor in, tensor out, tensor ok)
{
	int5 c = get_index_space_offset();
	CHECK(0, counts[3] == 0 && scal[2] == 0.0f);	// zero at the start of a launch
	for (int i = 0; i < SLOTS; i++)
		acc[i] = 0.0f;
	for (int i = 0; i < 4; i++) {
		c[1] = i;
		acc[i & (SLOTS - 1)] += v_f32_ld_tnsr(c, in);
		counts[i % 8]++;
		scal[i] = (float)(i * i);
	}
	float64 lane = (float64)v_lane_id();
	CHECKV(1, (acc[3] == lane + 768.0f) & (acc[0] == lane) & (acc[4] == 0.0f));
	CHECK(2, counts[3] == 1 && counts[4] == 0 && scal[3] + scal[2] == 13.0f);
	halves[0] = v_bf16_ld_tnsr(c, in);		// row 3: 768 + i, rounded to bf16
	halves[1] = halves[0] * 2.0f;
	v_f32_st_tnsr(c, out, acc[3] * (float)counts[3]);
	CHECKV(3, v_f32_ld_tnsr(c, out) == lane + 768.0f);
	v_bf16_st_tnsr(c, out, halves[1]);
	CHECKV(4, v_convert_bf16_to_f32_lo(v_bf16_ld_tnsr(c, out)) ==
		  v_convert_bf16_to_f32_lo(halves[0]) * 2.0f);
}
