// Register pressure: 40 float64 values and 40 scalars live across a loop
// need more than the 32 vector and 32 scalar registers, so some live in
// local memory (spill slots) between their uses.
// ir: v64f32 = ld_tnsr $0
// run: index=1 size=2560 checks=3 args=3
#include "inc/check.h"
#define ROW(k) float64 v##k = v_f32_ld_tnsr(c, in); c[0] += 64; int s##k = k * 3;
#define SUM(k) v##k = v##k * 0.5f + v##k; s##k += k;
#define TEN(M, a) M(a##0) M(a##1) M(a##2) M(a##3) M(a##4) M(a##5) M(a##6) M(a##7) M(a##8) M(a##9)

void main(tensor in, tensor ok, int n)
{
	int5 c = { 0 };

	TEN(ROW, ) TEN(ROW, 1) TEN(ROW, 2) TEN(ROW, 3)
	for (int k = 0; k < n; k++) {
		TEN(SUM, ) TEN(SUM, 1) TEN(SUM, 2) TEN(SUM, 3)
	}
	// v_k = (64 k + lane) * 1.5^3, s_k = 3 k + 3 k
	float64 lane = (float64)v_lane_id();
	bool64 good = true;
	int sgood = 0;
#define CHK(k) good = good & (v##k == (lane + (float)(64 * k)) * 3.375f); sgood += s##k == 6 * k;
	TEN(CHK, ) TEN(CHK, 1) TEN(CHK, 2) TEN(CHK, 3)
	CHECKV(0, good);
	CHECK(1, sgood == 40);
	CHECKV(2, v39 != v38);
}
