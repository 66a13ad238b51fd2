// float64 arithmetic, broadcast of scalars, comparisons giving bool64,
// lane selection with ?: and v_sel, bool64 operators.
// ir: %
// ir: v64bool = gt
// ir: sel
// ir: bcast
// ir: div
void main(tensor in, tensor out, float alpha)
{
	int5 c = get_index_space_offset();
	float64 x = v_f32_ld_tnsr(c, in);
	float64 y = x * alpha + 1.0f;
	float64 z = (x - y) / 2 + -x;
	bool64 pos = x > 0.0f;
	bool64 big = y >= z;
	bool64 both = pos & big;
	bool64 either = pos | !big;
	bool64 one = pos ^ big;
	float64 r = both ? x : y;
	r = v_sel(either, r, 0.0f);
	r = one ? r : alpha;
	r += x;
	r *= 0.5f;
	r -= (float64)alpha;
	r /= y;
	v_f32_st_tnsr(c, out, r);
}
