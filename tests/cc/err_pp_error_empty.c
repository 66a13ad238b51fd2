// expect: 3:2: error: #error
// #error alone
#error
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
