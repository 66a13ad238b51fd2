// Constant folding and dead code elimination (-O1): the loop bound and
// the address arithmetic fold to constants, an unused value disappears.
// ir: const 40
// ir: const 1.5
void main(tensor out)
{
	int5 c = get_index_space_offset();
	int unused = 7 * 9;
	const int n = (3 + 2) * 8;
	float h = 3.0f / 2.0f;
	c[0] = n;
	if (n > 100)
		c[1] = 1;
	v_f32_st_tnsr(c, out, h);
}
