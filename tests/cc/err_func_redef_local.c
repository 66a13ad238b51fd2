// expect: 5:14: error: redefinition of 'acc'
// a function named like a __local__ array
__local__ float acc[4];

static float acc(float x)
{
	return x;
}

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
