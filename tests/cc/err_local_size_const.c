// expect: 3:23: error: the size of an array must be an integer constant
// a non-constant array size
__local__ float table[1.5f];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
