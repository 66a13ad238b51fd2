// expect: 3:9: error: unknown pragma 'GCC' (only '#pragma unroll' and '#pragma once' are supported)
// an unknown pragma
#pragma GCC optimize("O3")
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
