// Activation helpers for include.c (guarded).
#ifndef ACTIVATIONS_H
#define ACTIVATIONS_H
static inline float64 act_swish(float64 x)
{
	return x * v_sigmoid(x);
}
#endif
