// expect: 6:7: error: a function cannot be declared inside a function
// a function declared in a function
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int f(int x);
}
