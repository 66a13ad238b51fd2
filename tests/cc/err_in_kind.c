// expect: 7:6: error: 'v_abs' does not take 'uint64' (it takes float64, int64 or bfloat128)
// v_abs of uint64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	uint64 u = 1u;
	u = v_abs(u);
}
