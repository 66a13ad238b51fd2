// expect: 7:4: error: an int5 lane index must be an integer constant from 0 to 4
// an int5 lane that is not a constant
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int i = 1;
	c[i] = 0;
}
