// expect: 6:9: error: 'tensor' is only allowed for parameters of main: 't'
// a tensor variable
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	tensor t;
}
