// expect: 11:10: error: too many arguments to function 'twice' (expected 1, have 2)
// too many arguments
static int twice(int x)
{
	return 2 * x;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int y = twice(1, 2);
}
