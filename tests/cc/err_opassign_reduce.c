// expect: 8:4: error: cannot convert 'float64' to 'float' in assignment (use v_reduce_*)
// a vector op= into a scalar
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float f = 0.0f;
	float64 v = 1.0f;
	f += v;
}
