// expect: 6:2: error: 'short' is not supported; use int (lanes and scalars are 32-bit)
// the type 'short'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	short x = 1;
}
