// expect: 7:1: error: control reaches the end of non-void function 'f' without a return
// a non-void function that can end without return
int f(int x)
{
	if (x > 0)
		return 1;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
