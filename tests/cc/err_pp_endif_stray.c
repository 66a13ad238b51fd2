// expect: 8:2: error: #endif without #if
// #endif without #if
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
#endif
