// expect: 3:10: error: expected '>' to end the file name
// #include <... without '>'
#include <stdio.h
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
