// expect: 7:6: error: cannot cast to 'tensor'
// casting to tensor
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 0;
	x = (tensor)x;
}
