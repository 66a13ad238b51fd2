// expect: 7:13: error: lane access on 'float64' is not supported: vectors are processed whole (use v_sel, comparisons or v_reduce_*)
// lane access on a vector
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 0.0f;
	float x = v[3];
}
