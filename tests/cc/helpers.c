// Helper functions: static inline and plain, prototypes, nested calls,
// void helpers with early return, helpers with loops and local state,
// the same helper inlined many times.
// ir: sigmoid
// ir: tanh
// run: index=1 in=4096@0.0078125,-0.25 args=5 checks=4
#include "inc/check.h"

static inline float64 gelu(float64 x);

static float64 cube(float64 x)
{
	return x * x * x;
}

static inline float64 gelu(float64 x)
{
	return 0.5f * x * (1.0f + v_tanh(0.7978845608f * (x + 0.044715f * cube(x))));
}

inline float64 silu(float64 x)
{
	return x * v_sigmoid(x);
}

int clamp_int(int v, int lo, int hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

float sum_to(int n)
{
	float s = 0.0f;

	for (int i = 0; i < n; i++)
		s += (float)i;
	return s;
}

void nothing(int x)
{
	if (x > 0)
		return;
	x++;
}

void main(tensor in, tensor out, tensor ok, int n)
{
	int5 c = get_index_space_offset();
	float64 x = v_f32_ld_tnsr(c, in);	// lane i: i / 128 - 0.25

	nothing(n);
	c[1] = clamp_int(n, 0, 7);
	CHECK(0, c[1] == 5 && clamp_int(-3, 0, 7) == 0 && clamp_int(9, 0, 7) == 7);
	CHECK(1, sum_to(clamp_int(n, 1, 4)) == 6.0f && sum_to(0) == 0.0f);
	float64 g = gelu(x);
	// gelu(x) against its erf-free definition, computed without helpers
	float64 t = v_tanh(0.7978845608f * (x + 0.044715f * x * x * x));
	CHECKV(2, v_abs(g - 0.5f * x * (1.0f + t)) <= 1e-6f);
	x = g + silu(g) + sum_to(clamp_int(n, 1, 4));
	c[1] = 0;
	v_f32_st_tnsr(c, out, x);
	float64 s = g / (1.0f + v_exp(-g));
	CHECKV(3, v_abs(v_f32_ld_tnsr(c, out) - (g + s + 6.0f)) <= 1e-5f);
}
