// expect: 3:5: error: file-scope variables must be __local__ arrays ('counter')
// a plain variable at file scope
int counter;

void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
