// expect: 6:14: error: 'v_max' needs at least one vector argument (float64, int64, uint64 or bfloat128)
// v_max of two scalars
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 r = v_max(1.0f, 2.0f);
}
