// expect: 6:8: error: arrays must be declared __local__ at file scope (per-core local memory)
// an array that is not __local__
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float buf[4];
}
