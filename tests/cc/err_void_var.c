// expect: 6:7: error: variable 'x' has type void
// a void variable
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	void x;
}
