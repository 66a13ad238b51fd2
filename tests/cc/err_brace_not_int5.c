// expect: 6:12: error: a brace initializer is only allowed for int5, not 'float'
// a brace initializer for a float
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float f = { 1.0f };
}
