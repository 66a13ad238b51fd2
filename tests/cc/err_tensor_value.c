// expect: 6:11: error: tensor 'in' can only be an argument of a tensor intrinsic (v_*_ld_tnsr, v_*_st_tnsr, get_dim_size)
// a tensor used as a value
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int5 d = in;
}
