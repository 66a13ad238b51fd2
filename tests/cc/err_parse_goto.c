// expect: 6:2: error: 'goto' is not supported
// 'goto'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	goto end;
}
