// expect: inc/stray_endif.h:2:2: error: #endif without #if
// a header's #endif for the includer's #if
#if 1
#include "inc/stray_endif.h"
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
