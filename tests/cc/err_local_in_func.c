// expect: 6:20: error: __local__ arrays must be declared at file scope
// a __local__ array in a function
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	__local__ float64 buf[4];
}
