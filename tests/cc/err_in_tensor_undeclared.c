// expect: 6:31: error: undeclared identifier 'input'
// an undeclared tensor
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = v_f32_ld_tnsr(c, input);
}
