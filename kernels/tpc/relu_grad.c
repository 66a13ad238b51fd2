// relu_grad: dx = x > 0 ? dy : 0, elementwise over n floats (a = x, b = dy).
static inline float64 op(float64 x, float64 dy)
{
	return x > 0.0f ? dy : 0.0f;
}

#include "ew_binary.h"
