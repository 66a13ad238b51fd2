// expect: 6:15: error: integer constant '4294967296' is too large
// an integer constant above 32 bits
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	unsigned x = 4294967296;
}
