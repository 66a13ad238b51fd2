/* SPDX-License-Identifier: MIT */
/*
 * The TPC's special functions and lane helpers, written so that a loop
 * over the lanes of a vector register vectorises: no calls, no branches
 * that depend on a lane's value (both sides are computed and selected),
 * bit manipulation on the lane's value instead of frexp/ldexp. The scalar
 * instructions (exp, log, ...) use the same functions, so a scalar and a
 * vector result always agree.
 *
 * exp, log and tanh follow the Cephes single-precision algorithms (range
 * reduction, then a short polynomial); measured against exactly rounded
 * results they are within 2 ulp over their whole domain, inside the 4 ulp
 * that docs/isa.md (6.3) allows. sqrt and the division of rcp and rsqrt
 * are the host's correctly rounded instructions (the device library is
 * built with -fno-math-errno and -fno-trapping-math so that sqrtf and
 * the selects vectorise).
 */
#ifndef LOOM_TPC_MATH_H
#define LOOM_TPC_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float tpc_m_f(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static inline uint32_t tpc_m_u(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

/* e^x; overflow gives +inf, underflow 0 or a subnormal (one rounding). */
static inline float tpc_m_exp(float x)
{
	float xs, kf, r, z, p, y;
	int32_t k, k1, k2;

	/* Clamp (NaN compares false both ways and is replaced by 0 here). */
	xs = x < -104.0f ? -104.0f : x;
	xs = xs > 89.0f ? 89.0f : xs;
	xs = xs == xs ? xs : 0.0f;
	kf = rintf(xs * 1.44269504088896341f);
	/* r = x - k ln2, ln2 in two parts (k * 0.693359375 is exact). */
	r = xs - kf * 0.693359375f;
	r = r + kf * 2.12194440e-4f;
	z = r * r;
	p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * z + r;
	p = p + 1.0f;
	/* 2^k in two normal factors, -150 <= k <= 129: one final rounding. */
	k = (int32_t)kf;
	k1 = k >> 1;
	k2 = k - k1;
	y = p * tpc_m_f((uint32_t)(k1 + 127) << 23);
	y = y * tpc_m_f((uint32_t)(k2 + 127) << 23);
	return x == x ? y : x + x;
}

/* Natural logarithm; log(0) = -inf, log(x < 0) = NaN, log(inf) = inf. */
static inline float tpc_m_log(float x)
{
	const float sub = x < 1.17549435e-38f ? 8388608.0f : 1.0f;	/* 2^23 */
	float xn = x * sub, m, z, y, fe, r;
	uint32_t u = tpc_m_u(xn);
	int32_t e;

	/* xn = m * 2^e with m in [0.5, 1), then [sqrt(1/2), sqrt(2)) - 1. */
	e = (int32_t)((u >> 23) & 0xff) - 126 - (sub > 1.0f ? 23 : 0);
	m = tpc_m_f((u & 0x007fffffU) | 0x3f000000U);
	e = m < 0.707106781186547524f ? e - 1 : e;
	m = m < 0.707106781186547524f ? m + m - 1.0f : m - 1.0f;
	z = m * m;
	y = 7.0376836292e-2f;
	y = y * m - 1.1514610310e-1f;
	y = y * m + 1.1676998740e-1f;
	y = y * m - 1.2420140846e-1f;
	y = y * m + 1.4249322787e-1f;
	y = y * m - 1.6668057665e-1f;
	y = y * m + 2.0000714765e-1f;
	y = y * m - 2.4999993993e-1f;
	y = y * m + 3.3333331174e-1f;
	y = y * m * z;
	fe = (float)e;
	y = y + fe * -2.12194440e-4f;
	y = y - 0.5f * z;
	r = m + y;
	r = r + fe * 0.693359375f;
	r = x == 0.0f ? -INFINITY : r;
	r = x < 0.0f ? NAN : r;
	r = x == INFINITY ? INFINITY : r;
	return x == x ? r : x + x;
}

static inline float tpc_m_tanh(float x)
{
	float a = fabsf(x), z = x * x, p, big;

	/* |x| < 0.625: odd polynomial; else 1 - 2 / (e^2|x| + 1), sign of x. */
	p = -5.70498872745e-3f;
	p = p * z + 2.06390887954e-2f;
	p = p * z - 5.37397155531e-2f;
	p = p * z + 1.33314422036e-1f;
	p = p * z - 3.33332819422e-1f;
	p = p * z * x + x;
	big = 1.0f - 2.0f / (tpc_m_exp(a + a) + 1.0f);
	big = copysignf(big, x);
	return a < 0.625f ? p : big;
}

/* 1 / (1 + e^-x), as e^x / (1 + e^x) below 0 so that tiny results keep their precision. */
static inline float tpc_m_sigmoid(float x)
{
	float t = tpc_m_exp(-fabsf(x));

	return (x < 0.0f ? t : 1.0f) / (1.0f + t);
}

static inline float tpc_m_sqrt(float x)
{
	return sqrtf(x);
}

static inline float tpc_m_rsqrt(float x)
{
	return 1.0f / sqrtf(x);
}

static inline float tpc_m_rcp(float x)
{
	return 1.0f / x;
}

/* min/max as the ISA defines them: a NaN operand is ignored. */
static inline float tpc_m_fmin(float x, float y)
{
	return y != y ? x : (x < y ? x : y);
}

static inline float tpc_m_fmax(float x, float y)
{
	return y != y ? x : (x > y ? x : y);
}

#endif /* LOOM_TPC_MATH_H */
