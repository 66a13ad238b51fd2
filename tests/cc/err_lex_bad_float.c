// expect: 6:12: error: invalid floating constant '1.5q'
// a malformed float
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float f = 1.5q;
}
