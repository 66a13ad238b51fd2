// expect: 7:23: error: argument 2 of 'v_f32_ld_tnsr' must be a tensor parameter of main
// a vector where a tensor is expected
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	v = v_f32_ld_tnsr(c, v);
}
