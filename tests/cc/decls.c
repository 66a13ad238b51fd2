// Declarations: several declarators, const, zero-initialised variables,
// scopes and shadowing, statement expressions with the comma operator.
void main(tensor out, int n)
{
	int a = 1, b, d = a + 2;
	const float k = 2.5f;
	float64 v;
	bool64 p;
	int5 c;
	{
		int a = 10;	// shadows
		b = a + d;
	}
	for (int i = 0, j = n; i < j; i++, j--)
		b += i * j;
	b = (a++, a + b);
	p = v > (float)b;
	v = p ? v + k : v;
	v_f32_st_tnsr(c, out, v);
}
