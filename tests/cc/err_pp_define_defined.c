// expect: 3:9: error: 'defined' cannot be used as a macro name
// 'defined' as a macro name
#define defined 1
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
