// expect: 7:12: error: cannot convert 'float64' to 'float' in initialization (use v_reduce_*; lane access is not supported)
// a vector assigned to a scalar
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	float f = v;
}
