// expect: 3:8: error: a function cannot return a tensor
// a helper returning a tensor
tensor pick(int x);

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
