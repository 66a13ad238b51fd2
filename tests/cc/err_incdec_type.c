// expect: 7:3: error: '++' needs an int, unsigned or float variable, not 'float64'
// '++' on a vector
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = 1.0f;
	v++;
}
