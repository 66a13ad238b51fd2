// expect: 3:3: error: invalid preprocessing directive
// a line marker
# 1 "x.c"
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
