// expect: 3:23: error: the size of an array must be positive
// an array of size zero
__local__ float table[0];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
