// expect: 3:14: error: expected '{' or ';' before 'return'
// a function without '{'
int f(int a) return a;
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
