// expect: 3:10: error: empty file name in #include
// an empty #include file name
#include ""
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
