// expect: 6:14: error: builtin 'v_exp' must be called
// a builtin used as a value
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = v_exp;
}
