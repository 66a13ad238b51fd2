/* SPDX-License-Identifier: MIT */
/*
 * test_loomcc_device: kernels in the kernel language (tests/cc/device/),
 * compiled with loomcc's library (front end and code generation), loaded
 * with loom_kernel_load on the in-process device, launched, and checked
 * element by element against the same computation in C. Also: what code
 * generation refuses, and that its objects survive the disassembler and
 * assembler unchanged.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <loom/loom.h>

#include "../compiler/loom_asm.h"
#include "../compiler/loomcc.h"
#include "../compiler/loomcc_codegen.h"
#include "../compiler/loomcc_ir.h"

#ifndef CC_DEVICE_DIR
#define CC_DEVICE_DIR "tests/cc/device"
#endif

struct ctx {
	loom_device *dev;
	loom_stream *s;
};

/* Compile file (in CC_DEVICE_DIR, or src if given) into a filled object. */
static int compile(const char *file, const char *src, struct loom_obj *o, char **diag)
{
	struct lcc_options opts = { 0 };
	struct lcc_ctx *cc = lcc_ctx_create(&opts);
	struct lcc_ir_func *ir = NULL;
	char path[512];
	int ret;

	assert_non_null(cc);
	snprintf(path, sizeof(path), "%s/%s", CC_DEVICE_DIR, file);
	if (src)
		ret = lcc_compile_buffer(cc, file, src, strlen(src), &ir);
	else
		ret = lcc_compile_file(cc, path, &ir);
	if (ret) {
		print_error("%s: %s\n", file, lcc_ctx_diag(cc) ? lcc_ctx_diag(cc) : "?");
		lcc_ctx_destroy(cc);
		return ret;
	}
	memset(o, 0, sizeof(*o));
	ret = lcc_codegen(ir, o, diag);
	lcc_ctx_destroy(cc);
	return ret;
}

static loom_kernel *load(struct ctx *c, const char *file)
{
	struct loom_obj o;
	char *diag = NULL;
	void *buf = NULL;
	size_t size = 0;
	loom_kernel *k;
	int ret = compile(file, NULL, &o, &diag);

	if (ret)
		print_error("%s: %s\n", file, diag ? diag : "compile failed");
	assert_int_equal(ret, 0);
	assert_int_equal(loom_obj_write(&o, &buf, &size), 0);
	loom_obj_clear(&o);
	k = loom_kernel_load(c->dev, buf, size);
	free(buf);
	assert_non_null(k);
	return k;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->dev = loom_device_open("inproc", NULL);
	c->s = c->dev ? loom_stream_create(c->dev) : NULL;
	*state = c;
	return c->s ? 0 : -1;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	loom_stream_destroy(c->s);
	loom_device_close(c->dev);
	free(c);
	return 0;
}

static struct loom_tensor vec(uint64_t addr, uint32_t n)
{
	return (struct loom_tensor){ .addr = addr, .dtype = LOOM_T_F32, .ndims = 1,
				     .size = { n } };
}

static uint64_t upload(struct ctx *c, const float *x, uint32_t n)
{
	uint64_t a;

	assert_int_equal(loom_mem_alloc(c->dev, (size_t)n * 4, 0, &a), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, a, x, (size_t)n * 4), 0);
	return a;
}

static float *fill(uint32_t n, int seed)
{
	float *x = malloc((size_t)n * 4);

	assert_non_null(x);
	for (uint32_t i = 0; i < n; i++)
		x[i] = (float)((i * 7 + (uint32_t)seed * 13) % 29) * 0.25f - 3.0f;
	return x;
}

/* Run k over n elements, points of `per` elements; tensors x (and y), out. */
static float *run(struct ctx *c, loom_kernel *k, int ntens, float **in, uint32_t n,
		  uint32_t per, const uint32_t *scalars, uint32_t nscalars, int out_slot)
{
	struct loom_tensor ts[3];
	uint64_t addr[3];
	float *out = malloc((size_t)n * 4);

	assert_non_null(out);
	for (int t = 0; t < ntens; t++) {
		addr[t] = upload(c, in[t], n);
		ts[t] = vec(addr[t], n);
	}
	struct loom_launch l = {
		.sz = sizeof(l), .tensors = ts, .num_tensors = (uint32_t)ntens,
		.scalars = scalars, .num_scalars = nscalars, .index = { (n + per - 1) / per },
	};
	assert_int_equal(loom_launch(c->s, k, &l), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, out, addr[out_slot], (size_t)n * 4), 0);
	assert_int_equal(loom_stream_sync(c->s, 10000000000LL), 0);
	for (int t = 0; t < ntens; t++)
		loom_mem_free(c->dev, addr[t]);
	return out;
}

/* device-add: out = a + b at sizes that are and are not multiples of 64. */
static void device_add(void **state)
{
	struct ctx *c = *state;
	static const uint32_t sizes[] = { 1, 63, 64, 1000, 4097 };
	loom_kernel *k = load(c, "add.c");

	assert_string_equal(loom_kernel_name(k), "main");
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		uint32_t n = sizes[t];
		float *in[3] = { fill(n, 1), fill(n, 2), fill(n, 3) };
		float *out = run(c, k, 3, in, n, 64, NULL, 0, 2);

		for (uint32_t i = 0; i < n; i++)
			assert_true(out[i] == in[0][i] + in[1][i]);
		for (int j = 0; j < 3; j++)
			free(in[j]);
		free(out);
	}
	loom_kernel_free(k);
}

/* device-axpy: y = alpha x + y, fused, with a float parameter. */
static void device_axpy(void **state)
{
	struct ctx *c = *state;
	static const uint32_t sizes[] = { 5, 130, 2049 };
	loom_kernel *k = load(c, "axpy.c");

	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		uint32_t n = sizes[t];
		float *in[2] = { fill(n, 4), fill(n, 5) };
		uint32_t alpha = loom_f32_bits(-1.75f);
		float *out = run(c, k, 2, in, n, 64, &alpha, 1, 1);

		for (uint32_t i = 0; i < n; i++)
			assert_true(out[i] == fmaf(-1.75f, in[0][i], in[1][i]));
		free(in[0]);
		free(in[1]);
		free(out);
	}
	loom_kernel_free(k);
}

/* device-multi: an inner loop over 4 vectors per index point. */
static void device_multi(void **state)
{
	struct ctx *c = *state;
	static const uint32_t sizes[] = { 256, 1000, 3333 };
	loom_kernel *k = load(c, "multi.c");

	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		uint32_t n = sizes[t];
		float *in[2] = { fill(n, 6), fill(n, 7) };
		uint32_t scale = loom_f32_bits(3.0f);
		float *out = run(c, k, 2, in, n, 256, &scale, 1, 1);

		for (uint32_t i = 0; i < n; i++) {
			float v = in[0][i];

			assert_true(out[i] == v * 3.0f + 1.0f - v / 4.0f);
		}
		free(in[0]);
		free(in[1]);
		free(out);
	}
	loom_kernel_free(k);
}

/* device-branch: if/else on an int parameter, and a vector select. */
static void device_branch(void **state)
{
	struct ctx *c = *state;
	loom_kernel *k = load(c, "branch.c");
	uint32_t n = 777;

	for (int mode = 0; mode < 3; mode++) {
		float *in[2] = { fill(n, 8), fill(n, 9) };
		uint32_t sc[2] = { (uint32_t)mode, loom_f32_bits(0.5f) };
		float *out = run(c, k, 2, in, n, 64, sc, 2, 1);

		for (uint32_t i = 0; i < n; i++) {
			float v = in[0][i], r = mode == 1 ? v * v : 0.5f - v;

			assert_true(out[i] == (r < 0.0f ? 0.0f : r));
		}
		free(in[0]);
		free(in[1]);
		free(out);
	}
	loom_kernel_free(k);
}

/* device-elementwise: tests/cc/elementwise.c, relu(alpha x + y) (unroll hint). */
static void device_elementwise(void **state)
{
	struct ctx *c = *state;
	loom_kernel *k = load(c, "../elementwise.c");
	uint32_t n = 1111;
	float *in[3] = { fill(n, 11), fill(n, 12), fill(n, 13) };
	uint32_t alpha = loom_f32_bits(0.75f);
	float *out = run(c, k, 3, in, n, 64, &alpha, 1, 2);

	for (uint32_t i = 0; i < n; i++) {
		float r = 0.75f * in[0][i] + in[1][i];

		assert_true(out[i] == (r > 0.0f ? r : 0.0f));
	}
	for (int j = 0; j < 3; j++)
		free(in[j]);
	free(out);
	loom_kernel_free(k);
}

/*
 * device-softmax: tests/cc/softmax.c (reductions, lane masks, exp, rcp)
 * over the rows of a 2-D tensor, one row per work item.
 */
static void device_softmax(void **state)
{
	struct ctx *c = *state;
	const uint32_t w = 100, rows = 5, n = w * rows;
	loom_kernel *k = load(c, "../softmax.c");
	float *x = fill(n, 10), *out = malloc((size_t)n * 4);
	uint64_t X = upload(c, x, n), Y = upload(c, x, n);
	struct loom_tensor ts[2] = {
		{ .addr = X, .dtype = LOOM_T_F32, .ndims = 2, .size = { w, rows } },
		{ .addr = Y, .dtype = LOOM_T_F32, .ndims = 2, .size = { w, rows } },
	};
	struct loom_launch l = {
		.sz = sizeof(l), .tensors = ts, .num_tensors = 2, .index = { 1, rows },
		.part_dim = 1, .grain = 1,
	};

	assert_non_null(out);
	assert_int_equal(loom_launch(c->s, k, &l), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, out, Y, (size_t)n * 4), 0);
	assert_int_equal(loom_stream_sync(c->s, 10000000000LL), 0);
	for (uint32_t r = 0; r < rows; r++) {
		const float *row = x + r * w;
		double m = row[0], sum = 0;

		for (uint32_t i = 1; i < w; i++)
			m = fmax(m, row[i]);
		for (uint32_t i = 0; i < w; i++)
			sum += exp(row[i] - m);
		for (uint32_t i = 0; i < w; i++) {
			double want = exp(row[i] - m) / sum;

			assert_true(fabs(out[r * w + i] - want) <= 1e-5 * want + 1e-9);
		}
	}
	loom_mem_free(c->dev, X);
	loom_mem_free(c->dev, Y);
	free(x);
	free(out);
	loom_kernel_free(k);
}

/* codegen-unsupported: a clear refusal, no object. */
static void codegen_unsupported(void **state)
{
	static const char src[] =
		"__local__ float64 tmp[2];\n"
		"void main(tensor x, tensor out)\n"
		"{\n"
		"	int5 c = { 0, 0, 0, 0, 0 };\n"
		"	tmp[1] = v_f32_ld_tnsr(c, x);\n"
		"	v_f32_st_tnsr(c, out, tmp[1]);\n"
		"}\n";
	struct loom_obj o;
	char *diag = NULL;

	(void)state;
	assert_int_equal(compile("local.c", src, &o, &diag), -ENOTSUP);
	assert_non_null(diag);
	assert_string_equal(diag, "loomcc: st_local is not supported by code generation yet\n");
	assert_int_equal(o.ncode, 0);
	assert_null(o.code);
	free(diag);
}

/* codegen-too-large: 40 vectors live across a loop do not fit in v0..v31. */
static void codegen_too_large(void **state)
{
	char src[4096];
	size_t len = 0;
	struct loom_obj o;
	char *diag = NULL;

	(void)state;
	len += (size_t)snprintf(src + len, sizeof(src) - len,
				"void main(tensor x, tensor out, int n)\n{\n"
				"	int5 c = { 0, 0, 0, 0, 0 };\n");
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(src + len, sizeof(src) - len,
					"	c[0] = %d; float64 v%d = v_f32_ld_tnsr(c, x);\n", i * 64, i);
	len += (size_t)snprintf(src + len, sizeof(src) - len, "	for (int k = 0; k < n; k++) {\n");
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(src + len, sizeof(src) - len,
					"		c[0] = %d; v_f32_st_tnsr(c, out, v%d);\n", i * 64, i);
	snprintf(src + len, sizeof(src) - len, "	}\n}\n");
	assert_int_equal(compile("large.c", src, &o, &diag), -ENOTSUP);
	assert_non_null(diag);
	assert_string_equal(diag,
			    "loomcc: kernel too large for the register file (not supported yet)\n");
	assert_null(o.code);
	free(diag);
}

/* codegen-roundtrip: objdump text assembles back to the same code. */
static void codegen_roundtrip(void **state)
{
	static const char *const files[] = { "add.c", "axpy.c", "multi.c", "branch.c" };

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct loom_obj o, back = { 0 };
		char *diag = NULL, *text = NULL;

		assert_int_equal(compile(files[f], NULL, &o, &diag), 0);
		assert_int_equal(loom_disasm_obj(&o, 0, &text), 0);
		assert_null(strstr(text, ".word"));
		assert_int_equal(loom_asm(files[f], text, strlen(text), &back, &diag), 0);
		assert_int_equal(back.ncode, o.ncode);
		assert_memory_equal(back.code, o.code, o.ncode * 8);
		assert_int_equal(back.nargs, o.nargs);
		free(text);
		loom_obj_clear(&o);
		loom_obj_clear(&back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(device_add),
		cmocka_unit_test(device_axpy),
		cmocka_unit_test(device_multi),
		cmocka_unit_test(device_branch),
		cmocka_unit_test(device_elementwise),
		cmocka_unit_test(device_softmax),
		cmocka_unit_test(codegen_unsupported),
		cmocka_unit_test(codegen_too_large),
		cmocka_unit_test(codegen_roundtrip),
	};

	return cmocka_run_group_tests_name("loomcc_device", tests, setup, teardown);
}
