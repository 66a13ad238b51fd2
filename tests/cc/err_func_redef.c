// expect: 8:12: error: redefinition of function 'f'
// two definitions of a helper
static int f(int x)
{
	return x;
}

static int f(int x)
{
	return x;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
