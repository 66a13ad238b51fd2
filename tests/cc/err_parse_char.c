// expect: 6:2: error: 'char' is not supported; use int (lanes and scalars are 32-bit)
// the type 'char'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	char x = 1;
}
