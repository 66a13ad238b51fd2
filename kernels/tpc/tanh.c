// tanh: out = tanh(x), elementwise over n floats.
static inline float64 op(float64 x)
{
	return v_tanh(x);
}

#include "ew_unary.h"
