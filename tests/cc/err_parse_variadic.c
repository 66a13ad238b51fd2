// expect: 3:14: error: variadic functions are not supported
// a variadic function
int f(int a, ...)
{
	return a;
}
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
