// gelu: out = gelu(x) (tanh approximation, see gelu.h), elementwise.
#include "gelu.h"

static inline float64 op(float64 x)
{
	float64 h = 0.5f * x;

	return v_fma(h, v_tanh(gelu_inner(x)), h);
}

#include "ew_unary.h"
