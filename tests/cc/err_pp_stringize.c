// expect: 3:14: error: the '#' operator (stringizing) is not supported
// the '#' operator
#define S(x) #x
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
