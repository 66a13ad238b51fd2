// expect: 3:2: error: #pragma needs a name ('unroll' or 'once')
// #pragma without a name
#pragma
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
