// expect: 6:2: error: cannot assign to tensor 'in'
// assigning to a tensor
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	in = out;
}
