// expect: 7:24: error: cannot convert 'int64' to 'float64' in argument 3 of 'v_f32_st_tnsr' without a cast
// storing int64 lanes as fp32
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int64 v = 1;
	v_f32_st_tnsr(c, out, v);
}
