// expect: 5:26: error: recursive call of 'fact' (fact -> fact): kernels cannot recurse
// a recursive helper
static int fact(int n)
{
	return n <= 1 ? 1 : n * fact(n - 1);
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int y = fact(5);
}
