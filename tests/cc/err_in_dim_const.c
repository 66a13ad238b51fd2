// expect: 7:27: error: the dimension of 'get_dim_size' must be an integer constant from 0 to 4
// a dimension that is not a constant
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int d = 1;
	int n = get_dim_size(in, d);
}
