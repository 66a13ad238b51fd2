// float64 arithmetic, broadcast of scalars, comparisons giving bool64,
// lane selection with ?: and v_sel, bool64 operators.
// ir: %
// ir: v64bool = gt
// ir: sel
// ir: bcast
// ir: div
// run: index=1 in=4096@1,-32 args=2 checks=4
#include "inc/check.h"

void main(tensor in, tensor out, tensor ok, float alpha)
{
	int5 c = get_index_space_offset();
	float64 x = v_f32_ld_tnsr(c, in);	// lane i: i - 32
	float64 y = x * alpha + 1.0f;		// 2x + 1
	float64 z = (x - y) / 2 + -x;		// (-x - 1) / 2 - x
	CHECKV(0, (y == x + x + 1.0f) & (z * 2.0f == -3.0f * x - 1.0f));
	bool64 pos = x > 0.0f;
	bool64 big = y >= z;			// x >= -0.4
	bool64 both = pos & big;
	bool64 either = pos | !big;
	bool64 one = pos ^ big;			// x == 0
	CHECKV(1, !(both ^ pos) & !(either ^ (pos | (x < 0.0f))) & !(one ^ (x == 0.0f)));
	float64 r = both ? x : y;
	r = v_sel(either, r, 0.0f);
	r = one ? r : alpha;
	CHECKV(2, r == v_sel(x == 0.0f, 0.0f, 2.0f));
	r += x;
	r *= 0.5f;
	r -= (float64)alpha;
	r /= y;
	v_f32_st_tnsr(c, out, r);
	float64 want = ((v_sel(x == 0.0f, 0.0f, 2.0f) + x) * 0.5f - 2.0f) / y;
	CHECKV(3, v_f32_ld_tnsr(c, out) == want);
}
