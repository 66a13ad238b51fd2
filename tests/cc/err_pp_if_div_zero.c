// expect: 3:7: error: division by zero in #if expression
// division by zero in #if
#if 1 / 0
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
