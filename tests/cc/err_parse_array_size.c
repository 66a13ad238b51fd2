// expect: 3:21: error: an array needs a size
// an array without a size
__local__ float buf[];
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
