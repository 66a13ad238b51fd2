// expect: 3:10: error: undeclared identifier 'x'
void main(tensor in, tensor out) {
	int y = x + 1;
}
