// expect: 3:9: error: macro name must be an identifier
// a macro name that is not an identifier
#define 1x 2
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
