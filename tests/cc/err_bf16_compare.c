// expect: 7:15: error: '<' on bfloat128 is not supported (128 lanes do not fit a bool64); convert the halves to float64 first
// comparing bfloat128
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	bfloat128 x = v_bf16_ld_tnsr(c, in);
	bool64 p = x < 1.0f;
}
