// expect: 5:2: error: #elif after #else
// #elif after #else
#if 0
#else
#elif 1
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
