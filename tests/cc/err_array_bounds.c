// expect: 8:6: error: array index 16 is out of bounds for 'buf' (16 elements)
// a constant array index out of bounds
__local__ float64 buf[16];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	buf[16] = 0.0f;
}
