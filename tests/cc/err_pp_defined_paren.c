// expect: 3:5: error: missing ')' after 'defined'
// 'defined(' without ')'
#if defined(X
#endif
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
