// expect: 7:10: error: called object 'f' is not a function
// calling a variable
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int f = 1;
	int y = f(2);
}
