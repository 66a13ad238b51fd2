// Lowering corner cases: returns inside endless loops, helpers in loop
// conditions and increments, void helpers in expressions, chained and
// compound assignment through arrays and int5 lanes, selects of scalars
// into lanes, conversions of bool.
// ir: sel
// ir: exit -, parent L2
// run: index=1 size=256 out=256x4 args=5 checks=6
#include "inc/check.h"
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

void main(tensor in, tensor out, tensor ok, int n)
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
	CHECK(0, j == 9 && k == 9 && i == 10 && f == 1.0f && b);
	CHECK(1, hits[0] == 1 && hits[1] == 2 && hits[2] == 1 && hits[3] == 1 && hits[4] == 0);
	CHECKV(2, (acc[1] == x + 2.0f) & (acc[3] == 1.0f) & (acc[4] == 0.0f));
	CHECK(3, c[0] == 1 && c[1] == 2 && c[2] == 0 && pick(false, c, d)[1] == 2 &&
		 pick(false, d, c)[0] == 1);
	CHECKV(4, (r == x + 51.0f) & (v_f32_ld_tnsr(c, out) == x + 51.0f));
	CHECKV(5, (twice(x) == x * 2.0f) & (lanes == 1));
}

