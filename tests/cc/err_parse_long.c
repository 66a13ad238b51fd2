// expect: 6:2: error: 'long' is not supported; int is 32 bits and there is no 64-bit integer
// the type 'long'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	long x = 1;
}
