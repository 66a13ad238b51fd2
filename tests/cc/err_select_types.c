// expect: 7:12: error: incompatible operand types ('int5' and 'int')
// incompatible arms of ?:
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	int y = x ? c : 1;
}
