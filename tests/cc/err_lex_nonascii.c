// expect: 6:8: error: invalid character '\xc3' in program
// a byte outside ASCII
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float é = 1.0f;
}
