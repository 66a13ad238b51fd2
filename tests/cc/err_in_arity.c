// expect: 7:6: error: 'v_exp' expects 1 argument, 2 given
// an intrinsic with too many arguments
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	v = v_exp(v, v);
}
