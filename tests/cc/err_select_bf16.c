// expect: 8:8: error: a bool64 cannot select bfloat128 lanes (128 lanes); select the float64 halves
// a bool64 selecting bfloat128 lanes
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	bfloat128 x = v_bf16_ld_tnsr(c, in);
	bool64 p = v_lane_id() > 3;
	x = p ? x : x;
}
