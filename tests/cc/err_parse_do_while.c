// expect: 7:10: error: expected 'while' after the body of 'do' before 'until'
// 'do' without 'while'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 0;
	do x++; until (x > 3);
}
