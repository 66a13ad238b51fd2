// expect: 3:16: error: '##' cannot appear at either end of a macro
// '##' at the end of a macro
#define F(a) a ##
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
