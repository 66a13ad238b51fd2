// expect: 3:13: error: the kernel entry 'main' cannot be static
// a static main
static void main(tensor in)
{
}
