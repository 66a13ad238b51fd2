// expect: 7:8: error: invalid operands to binary '*' ('int64' and 'float'): a float scalar does not convert to int lanes implicitly; use a cast
// a float scalar with int lanes
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int64 v = 1;
	v = v * 1.5f;
}
