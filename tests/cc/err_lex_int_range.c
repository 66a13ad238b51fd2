// expect: 6:10: error: integer constant '2147483648' is too large for 'int' (use the 'u' suffix)
// a decimal constant above INT_MAX
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 2147483648;
}
