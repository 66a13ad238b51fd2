// expect: 4:1: error: unterminated comment
// an unterminated comment
void main(tensor t) { }
/* no end
