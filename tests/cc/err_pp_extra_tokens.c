// expect: 4:8: error: extra tokens at end of #endif directive
// tokens after #endif
#ifdef X
#endif X
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
