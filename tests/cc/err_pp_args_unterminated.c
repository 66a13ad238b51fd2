// expect: 7:10: error: unterminated argument list invoking macro 'F'
// a macro call without its closing parenthesis
#define F(a) a
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = F(1;
}
