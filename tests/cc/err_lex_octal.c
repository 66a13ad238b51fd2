// expect: 6:10: error: invalid digit '9' in octal constant
// a bad octal digit
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 09;
}
