// expect: 7:11: error: subscripted value of type 'int' is not an array or int5
// subscripting a scalar
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	int y = x[0];
}
