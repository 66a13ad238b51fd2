// expect: 3:1: error: 'enum' is not supported in kernels; use #define
// 'enum'
enum mode { A, B };
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
