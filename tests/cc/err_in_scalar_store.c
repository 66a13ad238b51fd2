// expect: 7:24: error: cannot convert 'float64' to 'float' in argument 3 of 's_f32_st_tnsr' (use v_reduce_*; lane access is not supported)
// storing a vector as one element
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	s_f32_st_tnsr(c, out, v);
}
