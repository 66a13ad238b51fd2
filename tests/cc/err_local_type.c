// expect: 3:18: error: __local__ arrays cannot hold 'bool64' (int, unsigned, float, float64, int64, uint64 or bfloat128)
// a __local__ array of bool64
__local__ bool64 masks[4];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
