// expect: 7:31: error: argument 1 of 'v_convert_bf16_to_f32_lo' must be a bfloat128, not 'float64'
// unpacking a float64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 a = 1.0f;
	a = v_convert_bf16_to_f32_lo(a);
}
