// expect: 8:8: error: invalid operands to binary '+' ('float64' and 'int64'): convert one with a cast
// float64 + int64 without a conversion
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 a = 1.0f;
	int64 b = 2;
	a = a + b;
}
