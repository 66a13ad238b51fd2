// int5 coordinates: the index space, tensor dimensions, lane reads and
// writes, brace initializers, int5 parameters and results of helpers.
// ir: index_offset
// ir: index_size
// ir: dim_size $1, 1
// ir: coord.set
// ir: coord.get
// ir: coord.make
// run: index=2x3 part=1 grain=1 in=128x3x4 out=128x3x4 checks=4
#define CHECK_PART 1
#include "inc/check.h"

static int5 shift(int5 c, int d, int by)
{
	if (d == 0)
		c[0] += by;
	else
		c[1] += by;
	return c;
}

void main(tensor in, tensor out, tensor ok)
{
	int5 off = get_index_space_offset();
	int5 size = get_index_space_size();
	int5 c = { off[0] * 64, off[1], 0 };
	int rows = get_dim_size(out, 1);
	int depth = get_dim_size(in, 4);

	CHECK(0, rows == 3 && depth == 1 && get_dim_size(in, 2) == 4 && get_dim_size(in, 0) == 128);
	CHECK(1, off[0] == 0 && size[0] == 2 && size[1] == 1 && size[2] == 1 && off[2] == 0);
	c[2] = rows - 1 + depth - depth;	// plane 2
	for (int y = 0; y < size[1]; y++) {
		int5 d = shift(c, 1, y);
		v_f32_st_tnsr(d, out, v_f32_ld_tnsr(d, in) + 1.0f);
	}
	// element (x, r, 2) is at x + 128 r + 384 * 2
	int5 d = { 0, off[1], 2 };
	float64 want = (float64)(v_lane_id() + 128 * off[1] + 768) + 1.0f;
	CHECKV(2, v_f32_ld_tnsr(d, out) == want);
	c = shift(c, 0, 64);
	v_f32_st_tnsr(c, out, 0.0f);
	CHECKV(3, v_f32_ld_tnsr(c, out) == 0.0f);
}
