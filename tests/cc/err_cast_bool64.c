// expect: 7:12: error: cannot cast 'bool64' to 'int64': use v_sel
// casting bool64 to int64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	bool64 p = v_lane_id() > 3;
	int64 v = (int64)p;
}
