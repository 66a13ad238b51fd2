// expect: 3:5: error: macro name missing after 'defined'
// 'defined' without a name
#if defined
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
