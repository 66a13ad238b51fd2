// expect: 3:12: error: arrays cannot be parameters (use a file-scope __local__ array)
// an array parameter
int f(int a[4])
{
	return 0;
}
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
