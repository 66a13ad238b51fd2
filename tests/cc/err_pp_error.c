// expect: 4:2: error: #error WIDTH must be defined (-DWIDTH=...)
// #error with a message
#ifndef WIDTH
#error WIDTH must be defined (-DWIDTH=...)
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
