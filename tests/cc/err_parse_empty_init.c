// expect: 6:12: error: empty initializer
// an empty initializer
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int5 d = {};
}
