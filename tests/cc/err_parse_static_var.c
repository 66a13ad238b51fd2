// expect: 3:1: error: file-scope variables must be __local__ arrays
// a 'static' variable at file scope
static int counter;
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
