// expect: 6:6: error: cannot convert 'int' to 'int5' in assignment
// an int assigned to an int5
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	c = 1;
}
