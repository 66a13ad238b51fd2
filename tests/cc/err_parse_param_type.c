// expect: 3:11: error: expected a type before 'in'
// a parameter without a type
void main(in)
{
}
