// Scalar arithmetic: int, unsigned, float, bool; conversions; compound
// assignment; ++/--; shifts; comparisons; && || and ?: on scalars.
// ir: udiv
// ir: urem
// ir: ushr
// ir: sitofp
// ir: uitofp
// ir: fptosi
// ir: zext
// ir: ult
// run: index=1 args=7,100,2.5 checks=6
#include "inc/check.h"

void main(tensor out, tensor ok, int n, unsigned u, float f)
{
	int a = n * 3 - 1;			// 20
	unsigned b = u / 7u + u % 5u;		// 14 + 0
	unsigned sh = u >> 3;			// 12
	int ss = n >> 2;			// 1
	float g = f * 0.5f + (float)a;		// 21.25
	float h = (float)u;
	int k = (int)g;				// 21
	bool p = a < n && b != 0u;		// false
	bool q = !p || f >= 1.0f;		// true
	int z = p + q;		// bool promotes to int
	signed int w = -a;
	CHECK(0, a == 20 && b == 14u && sh == 12u && ss == 1 && g == 21.25f && k == 21);
	CHECK(1, !p && q && z == 1 && w == -20 && h == 100.0f && -7 >> 1 == -4 && (-7 / 2) == -3 &&
		 (-7 % 3) == -1 && (0xfffffff0u >> 4) == 0x0fffffffu && (int)-2.75f == -2);
	a += 2;
	a -= 1;
	a *= 3;
	a /= 2;
	a %= 5;
	a <<= 1;
	a >>= 1;
	a &= 0xff;
	a |= 0x100;
	a ^= 0x3;
	CHECK(2, a == 0x102);			// 63 / 2 = 31, % 5 = 1
	g += 1;
	k = a++ + ++a - a-- - --a;		// 258 + 260 - 260 - 258
	g++;
	CHECK(3, k == 0 && a == 258 && g == 23.25f);
	int m = p ? a : k;
	float r = q ? g : 2;	// int converts to float
	bool lt = b < sh;		// unsigned comparison
	unsigned big = 0x80000000u;
	CHECK(4, m == 0 && r == 23.25f && !lt && big > 1u && (int)big < 1);
	int5 c = { 0 };
	c[0] = a + k + m + z + w + ss + (int)(r + h) + lt;	// 258 + 1 - 20 + 1 + 123
	v_f32_st_tnsr(c, out, g);
	CHECK(5, c[0] == 363 && (unsigned)-1 == 0xffffffffu);
}
