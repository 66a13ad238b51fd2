// expect: 5:14: error: conflicting types for 'f'
// a definition that does not match its prototype
static int f(int x);

static float f(int x)
{
	return 1.0f;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
