// expect: 6:7: error: only a plain variable can be declared in a 'for'
// a __local__ array in a for
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	for (__local__ int a[2]; ;) { }
}
