// expect: 6:2: error: 'break' statement not in a loop
// 'break' outside a loop
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	break;
}
