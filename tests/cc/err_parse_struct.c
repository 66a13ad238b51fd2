// expect: 3:1: error: 'struct' is not supported in kernels
// 'struct'
struct point { int x; };
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
