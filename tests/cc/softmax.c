// Softmax over rows: one row per index-space member, three passes over
// the row (max, sum of exponentials, normalise), tails masked.
// ir: rmax
// ir: radd
// ir: rcp
// run: index=1x5 part=1 grain=1 in=100x5@0.01,-2 out=100x5 checks=3
#define CHECK_PART 1
#include "inc/check.h"
#define VEC 64

static inline float64 masked(float64 x, int start, int width, float fill)
{
	return v_sel(v_lane_id() < width - start, x, fill);
}

void main(tensor in, tensor out, tensor ok)
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
	// element (x, r) holds (100 r + x) / 100 - 2: the row's maximum is its last
	float dm = m - ((float)(100 * idx[1] + 99) * 0.01f - 2.0f);
	CHECK(0, dm <= 1e-5f && dm >= -1e-5f);
	// the outputs sum to 1 and grow along the row by e^0.01
	float total = 0.0f;
	for (int x = 0; x < width; x += VEC) {
		c[0] = x;
		total += v_reduce_add(masked(v_f32_ld_tnsr(c, out), x, width, 0.0f));
	}
	CHECK(1, total >= 0.99999f && total <= 1.00001f);
	int5 last = { width - 1, idx[1] };
	int5 prev = { width - 2, idx[1] };
	float ratio = s_f32_ld_tnsr(last, out) / s_f32_ld_tnsr(prev, out);
	CHECK(2, ratio >= 1.01004f && ratio <= 1.01006f);
}
