// expect: 3:16: error: 'v_exp' is a builtin and cannot be redefined
// a helper named like a builtin
static float64 v_exp(float64 x)
{
	return x;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
