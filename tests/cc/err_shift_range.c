// expect: 7:11: error: shift count 32 is out of range (0 to 31)
// a shift by 32
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	x = x << 32;
}
