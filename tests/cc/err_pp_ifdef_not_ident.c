// expect: 3:9: error: macro name must be an identifier
// #ifndef of a number
#ifndef 3
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
