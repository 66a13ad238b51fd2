// expect: 3:2: error: expected a value at end of #if expression
// #if with a missing operand
#if 1 +
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
