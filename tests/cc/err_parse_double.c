// expect: 6:2: error: 'double' is not supported; use float
// the type 'double'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	double x = 1;
}
