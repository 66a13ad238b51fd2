// expect: 4:15: error: redefinition of 'a'
// two __local__ arrays with one name
__local__ float a[4];
__local__ int a[4];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
