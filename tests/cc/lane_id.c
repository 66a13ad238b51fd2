// v_lane_id() masks the tail of a row that is not a multiple of 64.
// ir: lane_id
// run: index=3 grain=1 in=150@2,-100 out=150 checks=2
#include "inc/check.h"

void main(tensor in, tensor out, tensor ok)
{
	int5 c = get_index_space_offset();
	int width = get_dim_size(in, 0);
	c[0] = c[0] * 64;
	bool64 valid = v_lane_id() < width - c[0];
	float64 x = v_f32_ld_tnsr(c, in);
	float64 m = v_sel(valid, x, -3.0e38f);
	v_f32_st_tnsr(c, out, x - v_reduce_max(m));
	// element e holds 2 e - 100; the largest valid one is min(c + 63, 149)
	int last = c[0] + 63 < width - 1 ? c[0] + 63 : width - 1;
	CHECK(0, v_reduce_max(m) == (float)(2 * last - 100));
	float64 want = (float64)(2 * (v_lane_id() + c[0]) - 2 * last);
	CHECKV(1, !valid | (v_f32_ld_tnsr(c, out) == want));
}
