// expect: 6:10: error: unterminated string literal
// an unterminated string
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = "abc;
}
