// expect: 3:10: error: cannot open include file 'inc/no_such_file.h': No such file or directory
// an #include file that does not exist
#include "inc/no_such_file.h"
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
