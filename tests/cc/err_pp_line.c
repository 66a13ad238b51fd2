// expect: 3:2: error: unsupported preprocessing directive '#line'
// an unsupported directive
#line 10
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
