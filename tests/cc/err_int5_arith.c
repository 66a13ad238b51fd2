// expect: 6:13: error: invalid operands to binary '+' ('int5' and 'int')
// arithmetic on int5
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int5 d = c + 1;
}
