// expect: 3:25: error: redefinition of parameter 'a'
// two parameters with one name
static int f(int a, int a)
{
	return a;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
