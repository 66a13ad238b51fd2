// expect: 6:12: error: floating constant '1e40f' is out of range for 'float'
// a float constant out of range
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float f = 1e40f;
}
