// expect: 4:19: error: __local__ arrays need more than the 65536 bytes of local memory
// more __local__ memory than exists
__local__ float64 a[200];
__local__ float64 b[57];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
