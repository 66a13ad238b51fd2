// expect: 7:12: error: 'v_reduce_add' does not take 'bfloat128' (it takes float64, int64 or uint64)
// reducing bfloat128
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	bfloat128 x = v_bf16_ld_tnsr(c, in);
	float s = v_reduce_add(x);
}
