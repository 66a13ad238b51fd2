// expect: 12:22: error: recursive call of 'even' (even -> odd -> even): kernels cannot recurse
// mutually recursive helpers
static int odd(int n);

static int even(int n)
{
	return n == 0 ? 1 : odd(n - 1);
}

static int odd(int n)
{
	return n == 0 ? 0 : even(n - 1);
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int y = even(4);
}
