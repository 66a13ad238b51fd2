// expect: 6:27: error: the dimension of 'get_dim_size' must be an integer constant from 0 to 4
// a dimension above 4
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int n = get_dim_size(in, 5);
}
