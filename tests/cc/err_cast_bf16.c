// expect: 7:14: error: cannot cast 'bfloat128' to 'float64' (different lane counts): use v_convert_f32_to_bf16 or v_convert_bf16_to_f32_lo/_hi
// casting bfloat128 to float64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	bfloat128 x = v_bf16_ld_tnsr(c, in);
	float64 v = (float64)x;
}
