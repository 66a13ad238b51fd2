// expect: 3:17: error: a __local__ variable must be an array (e.g. __local__ float64 buf[16];)
// a __local__ scalar
__local__ float total;

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
