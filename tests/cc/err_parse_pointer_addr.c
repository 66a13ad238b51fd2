// expect: 7:10: error: pointers are not supported in kernels
// taking an address
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	int y = &x;
}
