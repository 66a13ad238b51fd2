// sigmoid_grad: dx = dy * y * (1 - y) from sigmoid's output y,
// elementwise over n floats (a = y, b = dy).
static inline float64 op(float64 y, float64 dy)
{
	return dy * (y * (1.0f - y));
}

#include "ew_binary.h"
