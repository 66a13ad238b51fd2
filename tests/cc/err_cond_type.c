// expect: 6:10: error: the condition of '?:' has type 'int5'
// an int5 condition of ?:
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = c ? 1 : 2;
}
