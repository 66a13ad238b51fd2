// expect: 7:2: error: 'switch' is not supported; use if/else
// 'switch'
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1;
	switch (x) { }
}
