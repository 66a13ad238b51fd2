// expect: 6:11: error: too many initializers for int5 (5 lanes)
// six lanes for an int5
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int5 d = { 1, 2, 3, 4, 5, 6 };
}
