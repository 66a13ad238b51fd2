// gelu_grad: dx = dy * gelu'(x) (tanh approximation, see gelu.h):
//   gelu'(x) = (1 + t)/2 + x/2 (1 - t^2) k (1 + 3 0.044715 x^2),
//   t = tanh(k (x + 0.044715 x^3)).  a = x, b = dy.
#include "gelu.h"

static inline float64 op(float64 x, float64 dy)
{
	float64 t = v_tanh(gelu_inner(x));
	float64 dinner = GELU_K * v_fma(3.0f * GELU_C * x, x, 1.0f);
	float64 d = 0.5f + 0.5f * t + 0.5f * x * (1.0f - t * t) * dinner;

	return dy * d;
}

#include "ew_binary.h"
