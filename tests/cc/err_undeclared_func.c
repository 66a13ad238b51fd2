// expect: 6:14: error: undeclared function 'softplus'
// calling an undeclared function
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	float64 v = softplus(1.0f);
}
