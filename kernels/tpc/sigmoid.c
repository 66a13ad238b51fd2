// sigmoid: out = 1 / (1 + e^-x), elementwise over n floats.
static inline float64 op(float64 x)
{
	return v_sigmoid(x);
}

#include "ew_unary.h"
