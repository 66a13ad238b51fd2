// expect: 6:10: error: cannot convert 'int5' to 'int' in initialization
// an int5 assigned to an int
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = c;
}
