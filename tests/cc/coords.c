// int5 coordinates: the index space, tensor dimensions, lane reads and
// writes, brace initializers, int5 parameters and results of helpers.
// ir: index_offset
// ir: index_size
// ir: dim_size $1, 1
// ir: coord.set
// ir: coord.get
// ir: coord.make
static int5 shift(int5 c, int d, int by)
{
	if (d == 0)
		c[0] += by;
	else
		c[1] += by;
	return c;
}

void main(tensor in, tensor out)
{
	int5 off = get_index_space_offset();
	int5 size = get_index_space_size();
	int5 c = { off[0] * 64, off[1], 0 };
	int rows = get_dim_size(out, 1);
	int depth = get_dim_size(in, 4);

	c[2] = rows - 1 + depth - depth;
	for (int y = 0; y < size[1]; y++) {
		int5 d = shift(c, 1, y);
		v_f32_st_tnsr(d, out, v_f32_ld_tnsr(d, in));
	}
	c = shift(c, 0, 64);
	v_f32_st_tnsr(c, out, 0.0f);
}
