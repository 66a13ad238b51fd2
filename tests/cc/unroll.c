// #pragma unroll N on counted loops: the body is copied N times and a
// remainder loop runs what is left, for any trip count (none, fewer than
// N, a multiple, not a multiple), steps above 1, <= and unsigned bounds,
// nested loops, and full unrolling of a constant count.
// ir: unroll 4
// ir: unroll 3
// ir: unroll full
// run: index=1 size=2048 args=0,1,5,8,11 checks=7
#include "inc/check.h"

static int count_to(int from, int to)
{
	int n = 0;

#pragma unroll 4
	for (int i = from; i < to; i++)
		n += i;
	return n;
}

static int sum(int a, int b)	// a + (a + 1) + ... + (b - 1)
{
	int s = 0;

	for (int i = a; i < b; i++)
		s += i;
	return s;
}

void main(tensor in, tensor ok, int zero, int one, int five, int eight, int eleven)
{
	int5 c = get_index_space_offset();

	CHECK(0, count_to(0, zero) == 0 && count_to(five, one) == 0 && count_to(0, one) == 0 &&
		 count_to(0, five) == 10 && count_to(0, eight) == 28 && count_to(-3, eleven) == 49);
	int s3 = 0, n3 = 0;
#pragma unroll 3
	for (int i = one; i <= eleven * 3; i += 7) {	// 1, 8, 15, 22, 29
		s3 += i;
		n3++;
	}
	CHECK(1, s3 == 75 && n3 == 5);
	unsigned u = 0;
	int nu = 0;
#pragma unroll 2
	for (unsigned k = 0x7ffffffeu; k < 0x80000003u; k++) {	// crosses 2^31
		u += k;
		nu++;
	}
	CHECK(2, nu == 5 && u == 0x7ffffffeu * 5u + 10u);
	float64 acc = 0.0f;
#pragma unroll 4
	for (int r = 0; r < five; r++) {
#pragma unroll 8
		for (int x = 0; x < eleven; x++) {
			c[0] = 64 * (r + x);
			acc += v_f32_ld_tnsr(c, in);
		}
	}
	// sum over r < 5, x < 11 of 64 (r + x) + lane = 64 * 385 + 55 lane
	CHECKV(3, acc == 24640.0f + 55.0f * (float64)v_lane_id());
	int full = 0;
#pragma unroll
	for (int k = 0; k < 6; k++)
		full = full * 2 + k;
	CHECK(4, full == 57);
	// a loop that is not counted (the bound changes) keeps its branches
	int m = 0, lim = five;
#pragma unroll 4
	for (int k = 0; k < lim; k++) {
		if (k == 2)
			lim = 3;
		m++;
	}
	CHECK(5, m == 3);
	// a loop with break is not counted either
	int b = 0;
#pragma unroll 4
	for (int k = 0; k < eight; k++) {
		if (k * k > 10)
			break;
		b += k;
	}
	CHECK(6, b == 6 && sum(3, eight) == 25);
}
