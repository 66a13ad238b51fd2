// expect: 3:10: error: #include expects "FILENAME" or <FILENAME>
// #include without a file name
#include stdio.h
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
