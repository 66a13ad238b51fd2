// expect: 6:10: error: 'sizeof' is not supported
// 'sizeof'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = sizeof(int);
}
