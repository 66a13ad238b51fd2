// expect: 3:19: error: parameter 'x' has type void
// a void parameter
static int f(void x)
{
	return 0;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
