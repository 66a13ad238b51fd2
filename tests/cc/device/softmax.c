// Softmax over rows: one row per index-space member, three passes over
// the row (max, sum of exponentials, normalise), tails masked.
// ir: rmax
// ir: radd
// ir: rcp
#define VEC 64

static inline float64 masked(float64 x, int start, int width, float fill)
{
	return v_sel(v_lane_id() < width - start, x, fill);
}

void main(tensor in, tensor out)
{
	int5 idx = get_index_space_offset();
	int width = get_dim_size(in, 0);
	int5 c = { 0, idx[1], 0, 0, 0 };
	float m = -3.0e38f;
	float sum = 0.0f;

	for (int x = 0; x < width; x += VEC) {
		c[0] = x;
		m = v_reduce_max(v_max(masked(v_f32_ld_tnsr(c, in), x, width, -3.0e38f), m));
	}
	for (int x = 0; x < width; x += VEC) {
		c[0] = x;
		sum += v_reduce_add(masked(v_exp(v_f32_ld_tnsr(c, in) - m), x, width, 0.0f));
	}
	float64 inv = v_rcp(sum);
	for (int x = 0; x < width; x += VEC) {
		c[0] = x;
		v_f32_st_tnsr(c, out, v_exp(v_f32_ld_tnsr(c, in) - m) * inv);
	}
}
