// __local__ arrays (per-core local memory): scalar and vector elements,
// indexed reads and writes, compound assignment on elements.
// ir: local @0 acc: v64f32[16]
// ir: local @1 counts: i32[8]
// ir: local @2 halves: v128bf16[2]
// ir: st_local @0
// ir: ld_local @1
#define SLOTS 16
__local__ float64 acc[SLOTS];
__local__ int counts[SLOTS / 2];
__local__ bfloat128 halves[2];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	for (int i = 0; i < SLOTS; i++)
		acc[i] = 0.0f;
	for (int i = 0; i < 4; i++) {
		c[1] = i;
		acc[i & (SLOTS - 1)] += v_f32_ld_tnsr(c, in);
		counts[i % 8]++;
	}
	halves[0] = v_bf16_ld_tnsr(c, in);
	halves[1] = halves[0] * 2.0f;
	v_f32_st_tnsr(c, out, acc[3] * (float)counts[3]);
	v_bf16_st_tnsr(c, out, halves[1]);
}
