// expect: 7:8: error: the condition of 'if' is a bool64; a condition must be a scalar (select lanes with ?: or v_sel)
// a bool64 as an if condition
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	if (v > 0.0f)
		v = 0.0f;
}
