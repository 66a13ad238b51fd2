// expect: 3:23: error: multidimensional arrays are not supported
// a two-dimensional array
__local__ float buf[4][4];
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
