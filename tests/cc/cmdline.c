// -D and -I from the command line (see the args line).
// args: -DWIDTH=8 -DFAST -I @DIR@/inc
// ir: const 64
#include <width.h>
#ifndef FAST
#error "FAST not defined"
#endif
#if WIDTH != 8 || FAST != 1
#error "bad -D values"
#endif
void main(tensor out)
{
	int5 c = { HEADER_WIDTH * WIDTH / 8 };
	v_f32_st_tnsr(c, out, 1.0f);
}
