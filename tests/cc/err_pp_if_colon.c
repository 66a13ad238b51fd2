// expect: 3:2: error: expected ':' at end of #if expression
// #if ?: without ':'
#if 1 ? 2
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
