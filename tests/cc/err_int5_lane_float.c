// expect: 6:13: error: an int5 lane must be initialized with an integer, not 'float'
// an int5 lane initialized with a float
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int5 d = { 1.5f };
}
