// if / else if / else chains, nested conditions, early return from main.
// ir: cbr
// ir: ret
void main(tensor out, int mode, float x)
{
	int5 c = get_index_space_offset();
	float64 v;

	if (mode < 0)
		return;
	if (mode == 0) {
		v = x;
	} else if (mode == 1) {
		v = x * 2;
	} else if (mode == 2 && x > 0.0f) {
		if (x > 10.0f)
			v = 10.0f;
		else
			v = x;
	} else {
		v = 0.0f;
	}
	v_f32_st_tnsr(c, out, v);
}
