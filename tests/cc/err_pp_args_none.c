// expect: 7:12: error: macro 'Z' takes no arguments
// arguments to a macro that takes none
#define Z() 1
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int x = Z(2);
}
