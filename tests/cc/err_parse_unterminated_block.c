// expect: 4:1: error: unterminated block: missing '}'
// a block without '}'
void main(tensor in)
{
	int x = 1;
