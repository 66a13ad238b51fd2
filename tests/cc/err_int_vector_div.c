// expect: 7:8: error: integer '/' is not supported on vectors
// integer division on vectors
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int64 v = 6;
	v = v / 2;
}
