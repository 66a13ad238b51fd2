// Declarations: several declarators, const, zero-initialised variables,
// scopes and shadowing, statement expressions with the comma operator.
// run: index=1 args=5 checks=5
#include "inc/check.h"

void main(tensor out, tensor ok, int n)
{
	int a = 1, b, d = a + 2;
	const float k = 2.5f;
	float64 v;
	bool64 p;
	int5 c;
	CHECK(0, b == 0 && c[0] == 0 && c[4] == 0);
	CHECKV(1, v == 0.0f);
	{
		int a = 10;	// shadows
		b = a + d;
	}
	CHECK(2, a == 1 && b == 13);
	for (int i = 0, j = n; i < j; i++, j--)
		b += i * j;		// 0*5 + 1*4 + 2*3
	b = (a++, a + b);
	CHECK(3, a == 2 && b == 25);
	p = v > (float)b;
	v = p ? v + k : v;
	v_f32_st_tnsr(c, out, v);
	CHECKV(4, v_f32_ld_tnsr(c, out) == 0.0f);
}
