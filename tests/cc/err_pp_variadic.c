// expect: 3:11: error: variadic macros are not supported
// variadic macros
#define F(...) 1
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
