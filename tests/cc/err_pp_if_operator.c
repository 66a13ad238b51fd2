// expect: 3:7: error: missing binary operator before '2' in #if expression
// #if with two values in a row
#if 1 2
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
