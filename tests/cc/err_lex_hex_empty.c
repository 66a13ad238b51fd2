// expect: 6:10: error: invalid integer constant '0x'
// a hex prefix without digits
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 0x;
}
