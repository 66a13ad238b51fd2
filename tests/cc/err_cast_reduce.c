// expect: 7:12: error: cannot cast 'float64' to 'float': use v_reduce_* (lane access is not supported)
// casting a vector to a scalar
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	float f = (float)v;
}
