// expect: 6:6: error: pointers are not supported in kernels
// a pointer declaration
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int *p;
}
