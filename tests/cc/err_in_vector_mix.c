// expect: 8:23: error: arguments of 'v_max' have different vector types ('float64' and 'int64')
// v_max of float64 and int64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 a = 1.0f;
	int64 b = 1;
	float64 r = v_max(a, b);
}
