// expect: 3:1: error: unterminated conditional directive
// an #if without #endif
#ifdef X
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
