// #include "file" relative to the including file, include guards and
// #pragma once (each header is included twice).
// ir: sigmoid
#include "inc/activations.h"
#include "inc/activations.h"
#include "inc/once.h"
#include "inc/once.h"

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	v_f32_st_tnsr(c, out, act_swish(v_f32_ld_tnsr(c, in)) * ONCE_SCALE);
}
