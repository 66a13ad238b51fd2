// expect: 3:28: error: __local__ arrays cannot be initialized
// an initialized __local__ array
__local__ float table[4] = 0;

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
