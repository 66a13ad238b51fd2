// expect: 8:18: error: array index must be an int or unsigned scalar, not 'float'
// a float array index
__local__ float64 buf[4];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = buf[1.5f];
}
