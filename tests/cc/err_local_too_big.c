// expect: 4:19: error: __local__ vector arrays need more than the 131072 bytes of vector local memory
// more vector local memory than exists
__local__ float64 a[500];
__local__ float64 b[13];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
