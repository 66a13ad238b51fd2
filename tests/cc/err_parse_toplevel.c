// expect: 3:1: error: expected a declaration before 'x'
// a statement at file scope
x = 1;
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
