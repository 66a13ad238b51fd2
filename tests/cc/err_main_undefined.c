// expect: 3:6: error: the kernel entry 'main' is declared but not defined
// main declared but not defined
void main(tensor in, tensor out);
