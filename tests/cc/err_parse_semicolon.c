// expect: 7:2: error: expected ';' before 'x'
// a missing ';'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1
	x++;
}
