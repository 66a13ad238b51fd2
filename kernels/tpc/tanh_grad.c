// tanh_grad: dx = dy * (1 - y^2) from tanh's output y, elementwise over n
// floats (a = y, b = dy).
static inline float64 op(float64 y, float64 dy)
{
	return dy * (1.0f - y * y);
}

#include "ew_binary.h"
