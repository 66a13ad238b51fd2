// expect: 3:2: error: #if with no expression
// #if without an expression
#if
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
