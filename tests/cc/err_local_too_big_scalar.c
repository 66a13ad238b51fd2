// expect: 4:15: error: __local__ scalar arrays need more than the 65536 bytes of scalar local memory
// more scalar local memory than exists
__local__ float a[16384];
__local__ int b[1];

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
