// expect: 7:14: error: pasting '+' and '/' does not give a valid token
// '##' that does not make a token
#define P(a, b) a ## b
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = 1 P(+, /) 2;
}
