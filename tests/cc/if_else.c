// if / else if / else chains, nested conditions, early return from main.
// ir: cbr
// ir: ret
// run: index=6 grain=1 args=-1,12.5 checks=2
#include "inc/check.h"

void main(tensor out, tensor ok, int mode, float x)
{
	int5 c = get_index_space_offset();
	float64 v;

	// the work item at point p runs mode p - 1 with x - p: -1 0 1 2 2 3
	mode += c[0];
	x -= (float)c[0];
	if (c[0] == 4)
		x = -1.0f;
	CHECK(0, true);
	if (mode < 0) {
		CHECK(1, c[0] == 0);
		return;
	}
	if (mode == 0) {
		v = x;
	} else if (mode == 1) {
		v = x * 2;
	} else if (mode == 2 && x > 0.0f) {
		if (x > 10.0f)
			v = 10.0f;
		else
			v = x;
	} else {
		v = 0.0f;
	}
	c[0] *= 64;
	v_f32_st_tnsr(c, out, v);
	float want = c[0] == 64 ? 11.5f : c[0] == 128 ? 21.0f : c[0] == 192 ? 9.5f : 0.0f;
	CHECKV(1, v_f32_ld_tnsr(c, out) == want);
}
