// expect: 7:8: error: redefinition of 'x'
// a variable declared twice in a scope
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	float x = 2.0f;
}
