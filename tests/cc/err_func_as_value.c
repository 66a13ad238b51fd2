// expect: 11:10: error: function 'f' must be called
// a function used as a value
int f(int x)
{
	return x;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int y = f;
}
