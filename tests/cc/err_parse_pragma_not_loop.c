// expect: 7:2: error: #pragma unroll must be followed by a loop
// #pragma unroll not before a loop
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 0;
	#pragma unroll 2
	x++;
}
