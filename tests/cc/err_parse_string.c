// expect: 7:10: error: string literals are not supported in kernels
// a string literal in code
#define NAME "x"
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = NAME;
}
