// expect: 6:6: error: two types in one declaration ('float' after 'int')
// two types in one declaration
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int float x;
}
