// expect: 3:2: error: macro name missing in #undef
// #undef without a name
#undef
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
