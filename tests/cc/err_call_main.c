// expect: 11:2: error: the kernel entry 'main' cannot be called
// calling main
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}

static void again(int x)
{
	main(x);
}
