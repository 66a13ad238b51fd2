// expect: 6:4: error: an int5 lane index must be an integer constant from 0 to 4
// an int5 lane above 4
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	c[5] = 0;
}
