// expect: 6:11: error: member access is not supported (int5 lanes are c[0] ... c[4])
// member access
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = c.x;
}
