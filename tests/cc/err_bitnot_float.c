// expect: 7:6: error: invalid operand to unary '~' ('float')
// '~' on a float
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float f = 1.0f;
	f = ~f;
}
