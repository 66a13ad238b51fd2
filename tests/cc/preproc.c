// The preprocessor subset: object- and function-like macros, ## pasting,
// #if/#elif/#else with defined(), #ifdef/#ifndef, #undef, nesting, and
// the predefined __LOOMCC__ and __LOOM_TPC__.
// ir: exp
// ir: const 12
// run: index=1 in=4096@0.001,0 checks=2
#include "inc/check.h"
#define WIDTH 64
#define SQR(x) ((x) * (x))
#define LOAD(T, c, t) v_##T##_ld_tnsr(c, t)
#define PICK(a, b) a
#define EMPTY
#define TWICE(f, x) f(f(x))

#if !defined(__LOOMCC__) || !defined __LOOM_TPC__
#error "not loomcc"
#endif

#if WIDTH * 2 == 128 && (1 ? 1 : 1 / 0)
#define GOOD 1
#elif WIDTH > 0
#error "wrong branch"
#else
#error "wrong branch"
#endif

#ifdef GOOD
#undef GOOD
#endif
#ifndef GOOD
#define MODE 3
#endif

#if 0
#if this is skipped entirely
#error "skipped"
#endif
#else
#define FLAG 1
#endif

void main(tensor in, tensor out, tensor ok)
{
	int5 c = get_index_space_offset();
	float64 x = LOAD(f32, c, in) EMPTY;
	x = v_exp(PICK(x, 0));
	int k = SQR(MODE + 1) - 4 + FLAG - 1;	// (3+1)*(3+1) - 4 = 12
	CHECK(0, k == 12);
	x = TWICE(v_exp, x) * (float)k;
	v_f32_st_tnsr(c, out, x);
	float64 e = v_exp(v_exp(v_exp((float64)v_lane_id() * 0.001f)));
	CHECKV(1, v_abs(v_f32_ld_tnsr(c, out) - e * 12.0f) <= e * 1e-5f);
}
