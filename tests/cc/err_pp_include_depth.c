// expect: 3:2: error: #include nested too deeply (more than 16 levels)
// a file that includes itself
#include "err_pp_include_depth.c"
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
