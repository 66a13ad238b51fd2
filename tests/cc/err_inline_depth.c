// expect: 137:9: error: helper calls nested too deeply (more than 32 levels)
// a helper call chain deeper than 32
static int f0(int x)
{
	return x;
}
static int f1(int x)
{
	return f0(x) + 1;
}
static int f2(int x)
{
	return f1(x) + 1;
}
static int f3(int x)
{
	return f2(x) + 1;
}
static int f4(int x)
{
	return f3(x) + 1;
}
static int f5(int x)
{
	return f4(x) + 1;
}
static int f6(int x)
{
	return f5(x) + 1;
}
static int f7(int x)
{
	return f6(x) + 1;
}
static int f8(int x)
{
	return f7(x) + 1;
}
static int f9(int x)
{
	return f8(x) + 1;
}
static int f10(int x)
{
	return f9(x) + 1;
}
static int f11(int x)
{
	return f10(x) + 1;
}
static int f12(int x)
{
	return f11(x) + 1;
}
static int f13(int x)
{
	return f12(x) + 1;
}
static int f14(int x)
{
	return f13(x) + 1;
}
static int f15(int x)
{
	return f14(x) + 1;
}
static int f16(int x)
{
	return f15(x) + 1;
}
static int f17(int x)
{
	return f16(x) + 1;
}
static int f18(int x)
{
	return f17(x) + 1;
}
static int f19(int x)
{
	return f18(x) + 1;
}
static int f20(int x)
{
	return f19(x) + 1;
}
static int f21(int x)
{
	return f20(x) + 1;
}
static int f22(int x)
{
	return f21(x) + 1;
}
static int f23(int x)
{
	return f22(x) + 1;
}
static int f24(int x)
{
	return f23(x) + 1;
}
static int f25(int x)
{
	return f24(x) + 1;
}
static int f26(int x)
{
	return f25(x) + 1;
}
static int f27(int x)
{
	return f26(x) + 1;
}
static int f28(int x)
{
	return f27(x) + 1;
}
static int f29(int x)
{
	return f28(x) + 1;
}
static int f30(int x)
{
	return f29(x) + 1;
}
static int f31(int x)
{
	return f30(x) + 1;
}
static int f32(int x)
{
	return f31(x) + 1;
}
static int f33(int x)
{
	return f32(x) + 1;
}
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int y = f33(1);
}
