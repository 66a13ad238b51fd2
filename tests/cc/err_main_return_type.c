// expect: 3:5: error: the kernel entry 'main' must return void
// main returning int
int main(tensor in)
{
	return 0;
}
