// expect: 3:8: error: macro name must be an identifier
// #undef of a number
#undef 3
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
