// expect: 7:14: error: cannot convert 'int64' to 'float64' in initialization without a cast
// int64 to float64 without a cast
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int64 i = 1;
	float64 v = i;
}
