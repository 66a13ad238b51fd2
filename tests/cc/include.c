// #include "file" relative to the including file, include guards and
// #pragma once (each header is included twice).
// ir: sigmoid
// run: index=1 in=4096@0.0625,-2 checks=1
#include "inc/activations.h"
#include "inc/activations.h"
#include "inc/once.h"
#include "inc/once.h"
#include "inc/check.h"

void main(tensor in, tensor out, tensor ok)
{
	int5 c = get_index_space_offset();
	v_f32_st_tnsr(c, out, act_swish(v_f32_ld_tnsr(c, in)) * ONCE_SCALE);
	float64 x = (float64)v_lane_id() * 0.0625f - 2.0f;
	CHECKV(0, v_abs(v_f32_ld_tnsr(c, out) - 2.0f * x / (1.0f + v_exp(-x))) <= 1e-5f);
}
