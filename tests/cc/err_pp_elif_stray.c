// expect: 3:2: error: #elif without #if
// #elif without #if
#elif 1
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
