// expect: 3:1: error: 'typedef' is not supported in kernels; use #define
// 'typedef'
typedef float real;
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
