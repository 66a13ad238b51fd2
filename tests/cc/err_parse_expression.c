// expect: 6:10: error: expected an expression before ';'
// a missing expression
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = ;
}
