// Lowering corner cases: returns inside endless loops, helpers in loop
// conditions and increments, void helpers in expressions, chained and
// compound assignment through arrays and int5 lanes, selects of scalars
// into lanes, conversions of bool.
// ir: sel
// ir: exit -, parent L2
__local__ float64 acc[8];
__local__ int hits[8];

static int first_above(int n)
{
	for (int i = 0;; i++) {
		if (i * i > n)
			return i;
	}
}

static int until_break(int n)
{
	int k = 0;

	while (1) {
		if (++k > n)
			break;
	}
	return k;
}

static void bump(int i)
{
	hits[i & 7] += 1;
	if (i > 3)
		return;
	acc[i & 7] = acc[i & 7] + 1.0f;
}

static int5 pick(bool first, int5 a, int5 b)
{
	return first ? a : b;
}

static float64 twice(float64 x)
{
	float64 t;

	t = x;
	do {
		t = t + x;
		continue;
	} while (0);
	return t;
}

// A parameter that lives in its argument's register is read after a copy.
static int keep(int x)
{
	int y = x;

	y = y + 1;
	return x + y;
}

static int use_keep(int n)
{
	return keep(n * 3);
}

void main(tensor in, tensor out, int n)
{
	int5 c = get_index_space_offset();
	int5 d = { 1, 2 };
	int i = 0, j, k;
	float64 x = v_f32_ld_tnsr(c, in);
	bool64 p = true;
	bool b = v_reduce_max(x) > 0.0f;
	float f = b;

	j = k = first_above(n) + until_break(n);
	while (first_above(i) < 4)
		i++;
	for (int m = 0; m < 4; bump(m++))
		;
	b ? bump(1) : bump(2);
	(void)first_above(3);
	acc[i++ & 7] += x;
	c[0]++;
	c[1] += 2;
	c = pick(n > 0, c, d);
	int64 lanes = p ? 1 : 0;
	float64 r = n > 0 ? x : 0.0f;
	r = p ? (x > 1.0f ? x : r) : twice(r);
	r = r + (float64)lanes + f + (float)(j + k);
	r = r + (float)use_keep(n);
	v_f32_st_tnsr(c, out, r * acc[3]);
}

