// -D and -I from the command line (see the args line).
// args: -DWIDTH=8 -DFAST -I @DIR@/inc
// ir: const 64
// run: index=1 checks=2
#include <width.h>
#include <check.h>
#ifndef FAST
#error "FAST not defined"
#endif
#if WIDTH != 8 || FAST != 1
#error "bad -D values"
#endif
void main(tensor out, tensor ok)
{
	int5 c = { HEADER_WIDTH * WIDTH / 8 };
	v_f32_st_tnsr(c, out, 1.0f);
	CHECK(0, c[0] == 64);
	CHECKV(1, v_f32_ld_tnsr(c, out) == 1.0f);
}
