// relu: out = x < 0 ? 0 : x (NaN stays NaN), elementwise over n floats.
static inline float64 op(float64 x)
{
	return x < 0.0f ? 0.0f : x;
}

#include "ew_unary.h"
