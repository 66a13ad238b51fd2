// expect: inc/unterminated.h:2:1: error: unterminated conditional directive
// an #if without #endif in a header
#include "inc/unterminated.h"
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
