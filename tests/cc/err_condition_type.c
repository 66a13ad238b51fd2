// expect: 6:9: error: the condition of 'while' has type 'int5'; it must be a scalar
// an int5 as a while condition
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	while (c) { }
}
