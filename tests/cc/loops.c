// for, while and do loops, nested, with break and continue and
// #pragma unroll hints (full, by N, and through a macro).
// ir: loop L0: header
// ir: unroll full
// ir: unroll 8
// ir: parent L1
#define U 8
void main(tensor in, tensor out, int n)
{
	int5 c = get_index_space_offset();
	float64 acc = 0.0f;
	int i = 0;

#pragma unroll
	for (int k = 0; k < 4; k++)
		acc += 1.0f;
	while (i < n) {
		i++;
		if (i == 3)
			continue;
#pragma unroll U
		for (int j = 0; j < 16; j++) {
			if (j > i)
				break;
			c[1] = j;
			acc += v_f32_ld_tnsr(c, in);
		}
	}
	do {
		i--;
		if (i < -100)
			break;
	} while (i > 0);
	for (;;) {
		if (n-- < 0)
			break;
	}
	v_f32_st_tnsr(c, out, acc);
}
