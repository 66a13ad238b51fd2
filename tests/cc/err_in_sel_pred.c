// expect: 7:12: error: argument 1 of 'v_sel' must be a bool64, not 'float64'
// v_sel with a float64 predicate
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 a = 1.0f;
	a = v_sel(a, a, a);
}
