// expect: 7:8: error: invalid operands to binary '%' ('float' and 'float')
// '%' on floats
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float f = 5.0f;
	f = f % 2.0f;
}
