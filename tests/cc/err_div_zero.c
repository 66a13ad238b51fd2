// expect: 7:10: error: division by zero
// integer division by a constant zero
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	x = x / 0;
}
