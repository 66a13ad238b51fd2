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
void main(tensor out, int n, unsigned u, float f)
{
	int a = n * 3 - 1;
	unsigned b = u / 7u + u % 5u;
	unsigned sh = u >> 3;
	int ss = n >> 2;
	float g = f * 0.5f + (float)a;
	float h = (float)u;
	int k = (int)g;
	bool p = a < n && b != 0u;
	bool q = !p || f >= 1.0f;
	int z = p + q;		// bool promotes to int
	signed int w = -a;
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
	g += 1;
	k = a++ + ++a - a-- - --a;
	g++;
	int m = p ? a : k;
	float r = q ? g : 2;	// int converts to float
	bool lt = b < sh;		// unsigned comparison
	int5 c = { 0 };
	c[0] = a + k + m + z + w + ss + (int)(r + h) + lt;
	v_f32_st_tnsr(c, out, g);
}
