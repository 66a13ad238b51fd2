// GELU, tanh approximation (PyTorch's approximate="tanh"):
//   gelu(x) = x/2 (1 + tanh(k (x + 0.044715 x^3))),  k = sqrt(2/pi).
#pragma once

#define GELU_K 0.7978845608f
#define GELU_C 0.044715f

static inline float64 gelu_inner(float64 x)
{
	return GELU_K * v_fma(GELU_C * x * x, x, x);
}
