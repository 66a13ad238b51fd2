// expect: 6:10: error: invalid integer constant '12abc'
// a malformed integer
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 12abc;
}
