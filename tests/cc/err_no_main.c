// expect: 7:1: error: no kernel entry point: define 'void main(tensor in, tensor out, ...)'
// a file without main
static int f(int x)
{
	return x;
}
