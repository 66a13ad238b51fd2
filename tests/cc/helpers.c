// Helper functions: static inline and plain, prototypes, nested calls,
// void helpers with early return, helpers with loops and local state,
// the same helper inlined many times.
// ir: sigmoid
// ir: tanh
static inline float64 gelu(float64 x);

static float64 cube(float64 x)
{
	return x * x * x;
}

static inline float64 gelu(float64 x)
{
	return 0.5f * x * (1.0f + v_tanh(0.7978845608f * (x + 0.044715f * cube(x))));
}

inline float64 silu(float64 x)
{
	return x * v_sigmoid(x);
}

int clamp_int(int v, int lo, int hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

float sum_to(int n)
{
	float s = 0.0f;

	for (int i = 0; i < n; i++)
		s += (float)i;
	return s;
}

void nothing(int x)
{
	if (x > 0)
		return;
	x++;
}

void main(tensor in, tensor out, int n)
{
	int5 c = get_index_space_offset();
	float64 x = v_f32_ld_tnsr(c, in);

	nothing(n);
	c[1] = clamp_int(n, 0, 7);
	x = gelu(x) + silu(gelu(x)) + sum_to(clamp_int(n, 1, 4));
	v_f32_st_tnsr(c, out, x);
}
