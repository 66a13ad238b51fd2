// expect: 3:2: error: invalid preprocessing directive '#frobnicate'
// an unknown directive
#frobnicate
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
