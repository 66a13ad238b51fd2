// expect: 3:30: error: parameter 'v' of main has type 'float64'; main takes tensors, then int, unsigned or float scalars
// a vector parameter of main
void main(tensor in, float64 v)
{
}
