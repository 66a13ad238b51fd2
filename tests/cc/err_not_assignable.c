// expect: 7:4: error: the operand of '=' is not assignable
// assigning to an expression
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	x + 1 = 2;
}
