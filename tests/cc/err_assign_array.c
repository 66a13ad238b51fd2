// expect: 8:2: error: cannot assign to array 'buf' (assign its elements)
// assigning to an array
__local__ float64 buf[4];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	buf = 0.0f;
}
