// expect: 6:28: error: argument 1 of 'v_f32_ld_tnsr' must be an int5 coordinate, not 'int'
// an int where a coordinate is expected
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = v_f32_ld_tnsr(0, in);
}
