// expect: 5:2: error: #else after #else
// #else after #else
#if 0
#else
#else
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
