// expect: 3:9: error: expected ',' or ')' in the parameter list of macro 'F'
// a parameter list without ')'
#define F(a
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
