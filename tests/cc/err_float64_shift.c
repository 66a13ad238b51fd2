// expect: 7:8: error: invalid operands to binary '<<' ('float64' and 'int')
// '<<' on float64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	v = v << 1;
}
