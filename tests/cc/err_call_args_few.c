// expect: 11:10: error: too few arguments to function 'add' (expected 2, have 1)
// too few arguments
static int add(int x, int y)
{
	return x + y;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int y = add(1);
}
