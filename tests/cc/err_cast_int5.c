// expect: 6:10: error: cannot cast 'int5' to 'int'
// casting int5 to int
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = (int)c;
}
