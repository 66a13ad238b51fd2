// expect: 7:22: error: '&&' needs scalar operands; use '&' on bool64 lanes
// '&&' on bool64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	bool64 p = v > 0.0f && v < 1.0f;
}
