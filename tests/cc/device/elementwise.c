// Elementwise axpy with ReLU: loads, stores, a helper, scalar broadcast.
// ir: ld_tnsr $0
// ir: st_tnsr $2
// ir: unroll 4
// ir: param %0:f32 alpha
#define N 4

static inline float64 axpy(float a, float64 x, float64 y)
{
	return a * x + y;
}

void main(tensor x, tensor y, tensor out, float alpha)
{
	int5 start = get_index_space_offset();
	int5 end = get_index_space_size();
	int5 c = { 0, 0, 0, 0, 0 };

#pragma unroll N
	for (int i = start[0]; i < start[0] + end[0]; i++) {
		c[0] = i * 64;
		float64 r = axpy(alpha, v_f32_ld_tnsr(c, x), v_f32_ld_tnsr(c, y));
		r = r > 0.0f ? r : 0.0f;
		v_f32_st_tnsr(c, out, r);
	}
}
