// expect: 7:2: error: cannot assign to const variable 'k'
// assigning to a const variable
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	const float k = 2.0f;
	k = 3.0f;
}
