// expect: 3:11: error: expected a parameter name in macro 'F'
// a macro parameter that is not a name
#define F(1) 1
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
