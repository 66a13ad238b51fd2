// Constant folding and dead code elimination (-O1): the loop bound and
// the address arithmetic fold to constants, an unused value disappears.
// ir: const 40
// ir: const 1.5
// run: index=1 checks=2
#include "inc/check.h"

void main(tensor out, tensor ok)
{
	int5 c = get_index_space_offset();
	int unused = 7 * 9;
	const int n = (3 + 2) * 8;
	float h = 3.0f / 2.0f;
	c[0] = n;
	if (n > 100)
		c[1] = 1;
	v_f32_st_tnsr(c, out, h);
	int5 back = { 40 };
	CHECKV(0, v_f32_ld_tnsr(back, out) == 1.5f);
	CHECK(1, c[1] == 0);
}
