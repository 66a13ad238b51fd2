// expect: 7:8: error: invalid operands to binary '+' ('bool64' and 'bool64')
// '+' on bool64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	bool64 p = v_lane_id() > 3;
	p = p + p;
}
