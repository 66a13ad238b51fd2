// expect: 6:10: error: character constants are not supported
// character constants
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 'a';
}
