// expect: 6:2: error: 'static' is only allowed on functions at file scope
// 'static' on a local variable
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	static int x = 1;
}
