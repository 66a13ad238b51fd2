// expect: 12:16: error: cannot convert 'float64' to 'int' in argument 1 of 'twice' (use v_reduce_*; lane access is not supported)
// a vector passed for an int
static int twice(int x)
{
	return 2 * x;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	int y = twice(v);
}
