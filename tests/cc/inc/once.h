// For include.c: #pragma once instead of a guard.
#pragma once
#define ONCE_SCALE 2.0f
static float64 once_only(float64 x)
{
	return x;
}
