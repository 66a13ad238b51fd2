// expect: 3:1: error: 'extern' is not supported: a kernel is one translation unit
// 'extern'
extern float table;
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
