// expect: 3:42: error: tensor parameters of main must come before its scalar parameters ('out')
// a tensor after a scalar in main
void main(tensor in, float alpha, tensor out)
{
}
