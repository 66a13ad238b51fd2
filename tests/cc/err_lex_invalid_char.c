// expect: 6:12: error: invalid character '@' in program
// a character outside the language
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1 @ 2;
}
