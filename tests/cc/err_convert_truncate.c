// expect: 6:12: error: cannot convert 'float' to 'int64' in initialization implicitly (it would truncate; use a cast)
// a float broadcast into int lanes
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int64 i = 1.5f;
}
