// expect: 6:11: error: cannot initialize an int5 with 'int' (use { ... } or an int5 value)
// an int5 initialized with an int
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int5 d = 1;
}
