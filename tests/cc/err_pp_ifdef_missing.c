// expect: 3:2: error: macro name missing in #ifdef
// #ifdef without a name
#ifdef
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
