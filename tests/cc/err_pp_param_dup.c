// expect: 3:14: error: duplicate macro parameter 'a'
// a duplicate macro parameter
#define F(a, a) a
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
