// expect: 7:5: error: the operand of '++' is not assignable
// '++' on an expression
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	(x + 1)++;
}
