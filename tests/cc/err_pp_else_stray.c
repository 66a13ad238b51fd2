// expect: 3:2: error: #else without #if
// #else without #if
#else
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
