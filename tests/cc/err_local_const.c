// expect: 3:23: error: __local__ arrays cannot be const
// a const __local__ array
__local__ const float table[4];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
