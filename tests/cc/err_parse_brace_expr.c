// expect: 6:6: error: a brace initializer is only allowed in a declaration
// a brace list in an expression
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	c = { 1, 2 };
}
