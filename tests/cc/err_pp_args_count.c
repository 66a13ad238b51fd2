// expect: 7:10: error: macro 'F' expects 2 arguments, 1 given
// the wrong number of macro arguments
#define F(a, b) a
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = F(1);
}
