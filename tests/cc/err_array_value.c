// expect: 8:14: error: array 'buf' must be indexed (arrays are not values)
// an array used as a value
__local__ float64 buf[4];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = buf;
}
