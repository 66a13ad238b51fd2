// expect: 7:2: error: 'else' without a previous 'if'
// 'else' without 'if'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 0;
	else x = 1;
}
