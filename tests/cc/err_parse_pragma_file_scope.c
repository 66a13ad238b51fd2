// expect: 3:1: error: #pragma unroll must be followed by a loop
// #pragma unroll at file scope
#pragma unroll 2
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
