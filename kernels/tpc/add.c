// add: out = a + b, elementwise over n floats.
static inline float64 op(float64 a, float64 b)
{
	return a + b;
}

#include "ew_binary.h"
