// expect: 8:14: error: called object 'buf' is not a function
// calling an array
__local__ float64 buf[4];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = buf(1);
}
