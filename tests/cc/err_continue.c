// expect: 7:3: error: 'continue' statement not in a loop
// 'continue' outside a loop
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	if (c[0] > 0)
		continue;
}
