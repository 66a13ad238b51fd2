// expect: 7:23: error: argument 2 of 'v_max' has type 'int5'
// an int5 argument of v_max
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 a = 1.0f;
	float64 r = v_max(a, c);
}
