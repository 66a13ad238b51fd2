// expect: 5:2: error: non-void function 'f' should return a value
// 'return;' in a non-void function
int f(int x)
{
	return;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
