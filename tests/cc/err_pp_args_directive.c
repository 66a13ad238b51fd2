// expect: 8:2: error: preprocessing directive inside the arguments of macro 'F'
// a directive inside macro arguments
#define F(a) a
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = F(1
	#define Y 2
	);
}
