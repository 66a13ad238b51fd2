// expect: 7:20: error: cannot convert 'int64' to 'float64' in argument 1 of 'v_exp' without a cast
// v_exp of int64
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int64 v = 1;
	float64 r = v_exp(v);
}
