// expect: 6:2: error: 'volatile' is not supported in kernels
// 'volatile'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	volatile int x = 1;
}
