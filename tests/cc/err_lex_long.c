// expect: 6:10: error: integer suffix 'L' is not supported (there is no long; int is 32 bits)
// the long suffix
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1L;
}
