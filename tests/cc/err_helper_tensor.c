// expect: 3:28: error: helper functions cannot take tensors (only main can): 't'
// a helper taking a tensor
static float64 load(tensor t, int5 c)
{
	return v_f32_ld_tnsr(c, t);
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
