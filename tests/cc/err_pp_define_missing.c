// expect: 3:2: error: macro name missing in #define
// #define without a name
#define
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	
}
