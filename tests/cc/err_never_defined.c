// expect: 8:14: error: function 'act' is used but never defined
// calling a helper that is never defined
static float64 act(float64 x);

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = act(1.0f);
}
