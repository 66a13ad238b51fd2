// expect: 6:12: error: const variable 'k' must be initialized
// a const without an initializer
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	const int k;
}
