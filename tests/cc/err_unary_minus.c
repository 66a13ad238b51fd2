// expect: 7:6: error: invalid operand to unary '-' ('bool64')
// unary '-' on bool64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	bool64 p = v_lane_id() > 3;
	p = -p;
}
