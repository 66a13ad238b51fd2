// expect: 6:10: error: unroll count must be between 1 and 1024
// an unroll count out of range
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	#pragma unroll 0
	for (int i = 0; i < 4; i++) { }
}
