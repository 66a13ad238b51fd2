// expect: 6:9: error: void function 'main' should not return a value
// returning a value from main
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	return 1;
}
