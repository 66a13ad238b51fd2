// expect: 3:5: error: floating constant in #if expression
// a float in #if
#if 1.5
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
