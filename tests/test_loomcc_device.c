/* SPDX-License-Identifier: MIT */
/*
 * test_loomcc_device: kernels in the kernel language compiled with
 * loomcc's library (front end and code generation), loaded with
 * loom_kernel_load on the in-process device and launched.
 *
 *  - cc-<name>: every program of tests/cc/ that is not a diagnostic test
 *    checks itself on the device (convention in tests/cc/README): its
 *    `// run:` line gives the launch, its tensor `ok` receives one result
 *    per check and work item, and any result but 1 fails the subtest with
 *    the program's name, the check's number, the work item, the first
 *    wrong lane and the check's source line;
 *  - device-*: kernels of tests/cc/device/ checked element by element
 *    against the same computation in C;
 *  - codegen-*: what code generation refuses, spilling, bool parameters,
 *    and that its objects survive the disassembler and assembler
 *    unchanged (for every tests/cc program).
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
#include <dirent.h>

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

static struct ctx *cc_ctx;	/* the group's device, for the cc-* subtests */

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
	cc_ctx = c;
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

/* ---- tests/cc programs checking themselves ------------------------------ */

#define CC_DIR CC_DEVICE_DIR "/.."


static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)len + 1);
		if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		if (buf)
			buf[len] = 0;
	}
	fclose(f);
	return buf;
}

/* The rest of the first line starting with tag ("// run:"), or "" (copied to buf). */
static const char *cc_line(const char *src, const char *tag, char *buf, size_t len)
{
	size_t tl = strlen(tag);

	buf[0] = 0;
	for (const char *l = src; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, tag, tl) == 0) {
			const char *e = strchr(l, '\n');
			size_t n = e ? (size_t)(e - l) - tl : strlen(l) - tl;

			if (n >= len)
				n = len - 1;
			memcpy(buf, l + tl, n);
			buf[n] = 0;
			break;
		}
	}
	return buf;
}

/* Compile a tests/cc program with the options of its "// args:" line. */
static int cc_compile(const char *path, const char *src, struct loom_obj *o, char **diag)
{
	char args[512], dirs[8][256], *tok, *save = NULL;
	const char *incs[8], *defs[16];
	struct lcc_options opts = { .include_dirs = incs, .defines = defs };
	struct lcc_ir_func *ir = NULL;
	struct lcc_ctx *cc;
	int ret;

	cc_line(src, "// args:", args, sizeof(args));
	for (tok = strtok_r(args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(tok, "-D", 2) && tok[2] && opts.n_defines < 16) {
			defs[opts.n_defines++] = tok + 2;
		} else if (!strcmp(tok, "-I") && opts.n_include_dirs < 8) {
			char *d = strtok_r(NULL, " \t", &save), *at;

			if (!d)
				break;
			at = strstr(d, "@DIR@");
			snprintf(dirs[opts.n_include_dirs], sizeof(dirs[0]), "%s%s",
				 at ? CC_DIR : "", at ? at + 5 : d);
			incs[opts.n_include_dirs] = dirs[opts.n_include_dirs];
			opts.n_include_dirs++;
		}
	}
	cc = lcc_ctx_create(&opts);
	assert_non_null(cc);
	ret = lcc_compile_file(cc, path, &ir);
	if (ret) {
		print_error("%s: %s\n", path, lcc_ctx_diag(cc) ? lcc_ctx_diag(cc) : "cannot compile");
		lcc_ctx_destroy(cc);
		return ret;
	}
	memset(o, 0, sizeof(*o));
	ret = lcc_codegen(ir, o, diag);
	lcc_ctx_destroy(cc);
	return ret;
}

struct cc_run {
	uint32_t index[5], part, grain;
	int checks;
	uint32_t size[5];		/* default tensor shape */
	char names[LOOM_TPC_MAX_TENSORS][32];
	uint32_t dims[LOOM_TPC_MAX_TENSORS][5];
	double scale[LOOM_TPC_MAX_TENSORS], bias[LOOM_TPC_MAX_TENSORS];
	int ntd;
	char args[256];
};

/* "4x2x1" -> dims (unused ones 1); the number of dimensions or 0. */
static int cc_dims(const char *s, uint32_t *d)
{
	int n = 0;

	for (int k = 0; k < 5; k++)
		d[k] = 1;
	while (*s && n < 5) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v == 0 || v > (1u << 24))
			return 0;
		d[n++] = (uint32_t)v;
		s = *end == 'x' ? end + 1 : end;
		if (*end && *end != 'x')
			return 0;
	}
	return n;
}

static int cc_parse_run(const char *line, struct cc_run *r)
{
	char buf[512], *tok, *save = NULL;

	memset(r, 0, sizeof(*r));
	cc_dims("4096", r->size);
	cc_dims("1", r->index);
	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return -1;
		*eq++ = 0;
		if (!strcmp(tok, "index")) {
			if (!cc_dims(eq, r->index))
				return -1;
		} else if (!strcmp(tok, "size")) {
			if (!cc_dims(eq, r->size))
				return -1;
		} else if (!strcmp(tok, "part")) {
			r->part = (uint32_t)atoi(eq);
		} else if (!strcmp(tok, "grain")) {
			r->grain = (uint32_t)atoi(eq);
		} else if (!strcmp(tok, "checks")) {
			r->checks = atoi(eq);
		} else if (!strcmp(tok, "args")) {
			snprintf(r->args, sizeof(r->args), "%s", eq);
		} else if (r->ntd < LOOM_TPC_MAX_TENSORS) {
			char *at = strchr(eq, '@');

			snprintf(r->names[r->ntd], sizeof(r->names[0]), "%s", tok);
			r->scale[r->ntd] = 1;
			if (at) {
				*at++ = 0;
				if (sscanf(at, "%lf,%lf", &r->scale[r->ntd], &r->bias[r->ntd]) != 2)
					return -1;
			}
			if (!cc_dims(eq, r->dims[r->ntd++]))
				return -1;
		}
	}
	return r->checks > 0 && r->part < 5 ? 0 : -1;
}

/* The source line of check k ("CHECK(k," or "CHECKV(k,"), for messages. */
static void cc_check_line(const char *src, int k, char *out, size_t len)
{
	char pat[2][32];

	snprintf(pat[0], sizeof(pat[0]), "CHECK(%d,", k);
	snprintf(pat[1], sizeof(pat[1]), "CHECKV(%d,", k);
	snprintf(out, len, "(no CHECK(%d, ...) in the source)", k);
	for (int p = 0; p < 2; p++) {
		const char *at = strstr(src, pat[p]), *b, *e;
		int line = 1;

		if (!at)
			continue;
		for (b = src; b < at; b++)
			line += *b == '\n';
		for (b = at; b > src && b[-1] != '\n'; b--)
			;
		while (*b == ' ' || *b == '\t')
			b++;
		e = strchr(at, '\n');
		snprintf(out, len, "line %d: %.*s", line, (int)(e ? e - b : (long)strlen(b)), b);
		return;
	}
}

static const char **cc_files;	/* the programs of tests/cc that run on the device */
static size_t cc_nfiles;

static void cc_program(size_t idx)
{
	const char *file = cc_files[idx];
	struct ctx *c = cc_ctx;
	char path[512], line[512], msg[512];
	struct loom_tensor ts[LOOM_TPC_MAX_TENSORS];
	uint64_t addr[LOOM_TPC_MAX_TENSORS];
	uint32_t scalars[LOOM_TPC_NUM_ARGS] = { 0 };
	uint32_t nt = 0, ns = 0, rows, grain, okslot = UINT32_MAX;
	struct loom_obj o;
	struct cc_run run;
	char *src, *diag = NULL, *tok, *save = NULL;
	void *buf = NULL;
	size_t size = 0;
	int32_t *ok;
	loom_kernel *k;
	int fails = 0, ret;

	snprintf(path, sizeof(path), "%s/%s", CC_DIR, file);
	src = read_text(path);
	assert_non_null(src);
	if (cc_parse_run(cc_line(src, "// run:", line, sizeof(line)), &run)) {
		print_error("%s: no valid '// run:' line (tests/cc/README)\n", file);
		fail();
	}
	ret = cc_compile(path, src, &o, &diag);
	if (ret)
		print_error("%s: %s", file, diag ? diag : "compile failed\n");
	assert_int_equal(ret, 0);
	assert_int_equal(loom_obj_write(&o, &buf, &size), 0);
	k = loom_kernel_load(c->dev, buf, size);
	free(buf);
	assert_non_null(k);
	rows = run.index[run.part];
	grain = run.grain ? run.grain : (rows + 7) / 8;
	for (uint32_t a = 0; a < o.nargs; a++) {
		const struct loom_obj_arg *arg = &o.args[a];
		uint32_t dims[5], nd = 1;
		uint64_t n = 1, esize = arg->dtype == LOOM_TPC_DT_BF16 ? 2 : 4;
		double scale = 1, bias = 0;
		void *host;

		if (arg->kind == LOOM_TPC_ARG_SCALAR) {
			tok = strtok_r(ns == 0 ? run.args : NULL, ",", &save);
			assert_non_null(tok);
			scalars[ns++] = arg->dtype == LOOM_TPC_DT_F32 ? loom_f32_bits(strtof(tok, NULL)) :
					(uint32_t)strtoll(tok, NULL, 0);
			continue;
		}
		memcpy(dims, run.size, sizeof(dims));
		for (int d = 0; d < run.ntd; d++) {
			if (!strcmp(run.names[d], arg->name)) {
				memcpy(dims, run.dims[d], sizeof(dims));
				scale = run.scale[d];
				bias = run.bias[d];
			}
		}
		if (!strcmp(arg->name, "ok")) {
			okslot = nt;
			dims[0] = (uint32_t)run.checks;
			dims[1] = rows;
			for (int d = 2; d < 5; d++)
				dims[d] = 1;
			assert_int_equal(arg->dtype, LOOM_TPC_DT_I32);
		}
		for (int d = 0; d < 5; d++) {
			n *= dims[d];
			if (dims[d] > 1)
				nd = (uint32_t)d + 1;
		}
		host = calloc(n, esize);
		assert_non_null(host);
		/* Element i (linear) holds i * scale + bias in the tensor's type; ok starts at 0. */
		for (uint64_t i = 0; okslot != nt && i < n; i++) {
			double v = (double)i * scale + bias;

			if (arg->dtype == LOOM_TPC_DT_F32)
				((float *)host)[i] = (float)v;
			else if (arg->dtype == LOOM_TPC_DT_BF16)
				((uint16_t *)host)[i] = loom_f32_to_bf16((float)v);
			else
				((int32_t *)host)[i] = (int32_t)(int64_t)v;
		}
		assert_int_equal(loom_mem_alloc(c->dev, n * esize, 0, &addr[nt]), 0);
		assert_int_equal(loom_memcpy_h2d(c->s, addr[nt], host, n * esize), 0);
		free(host);
		ts[nt] = (struct loom_tensor){ .addr = addr[nt], .dtype = arg->dtype, .ndims = nd };
		memcpy(ts[nt].size, dims, sizeof(dims));
		nt++;
	}
	if (okslot == UINT32_MAX) {
		print_error("%s: no tensor parameter 'ok' (tests/cc/README)\n", file);
		fail();
	}
	struct loom_launch l = {
		.sz = sizeof(l), .tensors = ts, .num_tensors = nt, .scalars = scalars,
		.num_scalars = ns, .part_dim = run.part, .grain = run.grain,
	};
	memcpy(l.index, run.index, sizeof(l.index));
	ok = calloc((size_t)run.checks * rows, 4);
	assert_non_null(ok);
	ret = loom_launch(c->s, k, &l);
	if (ret)
		print_error("%s: launch: %d\n", file, ret);
	assert_int_equal(ret, 0);
	assert_int_equal(loom_memcpy_d2h(c->s, ok, addr[okslot], (size_t)run.checks * rows * 4), 0);
	ret = loom_stream_sync(c->s, 10000000000LL);
	if (ret)
		print_error("%s: the kernel failed on the device: %d\n", file, ret);
	assert_int_equal(ret, 0);
	for (uint32_t row = 0; row < rows; row += grain) {
		for (int j = 0; j < run.checks; j++) {
			int32_t v = ok[(size_t)row * (uint32_t)run.checks + (uint32_t)j];

			if (v == 1)
				continue;
			cc_check_line(src, j, msg, sizeof(msg));
			if (v <= -2)
				print_error("%s: check %d failed in the work item at point %u (lane %d): %s\n",
					    file, j, row, -2 - v, msg);
			else
				print_error("%s: check %d %s in the work item at point %u: %s\n", file, j,
					    v == 0 ? "did not run" : "failed", row, msg);
			fails++;
		}
	}
	for (uint32_t t = 0; t < nt; t++)
		loom_mem_free(c->dev, addr[t]);
	free(ok);
	free(src);
	loom_obj_clear(&o);
	loom_kernel_free(k);
	assert_int_equal(fails, 0);
}

/* The value out[i] must have, from the inputs and the kernel's scalars. */
typedef float (*ew_want)(float *const *in, uint32_t i, const uint32_t *sc);

/*
 * One launch of an elementwise device-* kernel over n elements, points of
 * `per` elements: inputs fill(n, seed), fill(n, seed + 1), ... in ntens
 * tensors, scalars sc, the result in tensor out_slot checked element by
 * element against want.
 */
static void ew_check(struct ctx *c, loom_kernel *k, int ntens, int seed, uint32_t n,
		     uint32_t per, const uint32_t *sc, uint32_t nsc, int out_slot, ew_want want)
{
	float *in[3], *out;

	for (int j = 0; j < ntens; j++)
		in[j] = fill(n, seed + j);
	out = run(c, k, ntens, in, n, per, sc, nsc, out_slot);
	for (uint32_t i = 0; i < n; i++)
		assert_true(out[i] == want(in, i, sc));
	for (int j = 0; j < ntens; j++)
		free(in[j]);
	free(out);
}

static float want_add(float *const *in, uint32_t i, const uint32_t *sc)
{
	(void)sc;
	return in[0][i] + in[1][i];
}

/* device-add: out = a + b at sizes that are and are not multiples of 64. */
static void device_add(void **state)
{
	struct ctx *c = *state;
	static const uint32_t sizes[] = { 1, 63, 64, 1000, 4097 };
	loom_kernel *k = load(c, "add.c");

	assert_string_equal(loom_kernel_name(k), "main");
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++)
		ew_check(c, k, 3, 1, sizes[t], 64, NULL, 0, 2, want_add);
	loom_kernel_free(k);
}

static float want_axpy(float *const *in, uint32_t i, const uint32_t *sc)
{
	(void)sc;
	return fmaf(-1.75f, in[0][i], in[1][i]);
}

/* device-axpy: y = alpha x + y, fused, with a float parameter. */
static void device_axpy(void **state)
{
	struct ctx *c = *state;
	static const uint32_t sizes[] = { 5, 130, 2049 };
	loom_kernel *k = load(c, "axpy.c");
	uint32_t alpha = loom_f32_bits(-1.75f);

	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++)
		ew_check(c, k, 2, 4, sizes[t], 64, &alpha, 1, 1, want_axpy);
	loom_kernel_free(k);
}

static float want_multi(float *const *in, uint32_t i, const uint32_t *sc)
{
	float v = in[0][i];

	(void)sc;
	return v * 3.0f + 1.0f - v / 4.0f;
}

/* device-multi: an inner loop over 4 vectors per index point. */
static void device_multi(void **state)
{
	struct ctx *c = *state;
	static const uint32_t sizes[] = { 256, 1000, 3333 };
	loom_kernel *k = load(c, "multi.c");
	uint32_t scale = loom_f32_bits(3.0f);

	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++)
		ew_check(c, k, 2, 6, sizes[t], 256, &scale, 1, 1, want_multi);
	loom_kernel_free(k);
}

/* sc[0] is the mode: 1 squares, anything else computes 0.5 - v; then relu. */
static float want_branch(float *const *in, uint32_t i, const uint32_t *sc)
{
	float v = in[0][i], r = sc[0] == 1 ? v * v : 0.5f - v;

	return r < 0.0f ? 0.0f : r;
}

/* device-branch: if/else on an int parameter, and a vector select. */
static void device_branch(void **state)
{
	struct ctx *c = *state;
	loom_kernel *k = load(c, "branch.c");

	for (int mode = 0; mode < 3; mode++) {
		uint32_t sc[2] = { (uint32_t)mode, loom_f32_bits(0.5f) };

		ew_check(c, k, 2, 8, 777, 64, sc, 2, 1, want_branch);
	}
	loom_kernel_free(k);
}

static float want_elementwise(float *const *in, uint32_t i, const uint32_t *sc)
{
	float r = fmaf(0.75f, in[0][i], in[1][i]);

	(void)sc;
	return r > 0.0f ? r : 0.0f;
}

/*
 * device-elementwise: tests/cc/device/elementwise.c, relu(alpha x + y) (unroll
 * hint); alpha * x + y is contracted into one vfma.
 */
static void device_elementwise(void **state)
{
	struct ctx *c = *state;
	loom_kernel *k = load(c, "elementwise.c");
	uint32_t alpha = loom_f32_bits(0.75f);

	ew_check(c, k, 3, 11, 1111, 64, &alpha, 1, 2, want_elementwise);
	loom_kernel_free(k);
}

/*
 * device-softmax: tests/cc/device/softmax.c (reductions, lane masks, exp, rcp)
 * over the rows of a 2-D tensor, one row per work item.
 */
static void device_softmax(void **state)
{
	struct ctx *c = *state;
	const uint32_t w = 100, rows = 5, n = w * rows;
	loom_kernel *k = load(c, "softmax.c");
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

/* A kernel built directly as IR: main(tensor out, <scalar of type pt>). */
static struct lcc_ir_func *ir_kernel(struct lcc_ctx *cc, enum lcc_irtype pt,
				     struct lcc_irblock **b0)
{
	struct lcc_ir_func *fn = lcc_ir_func_new(cc, "main");

	fn->tensors = lcc_alloc(cc, sizeof(*fn->tensors));
	fn->tensors[0].name = "out";
	fn->ntensors = 1;
	fn->scalars = lcc_alloc(cc, sizeof(*fn->scalars));
	fn->scalars[0].name = "p";
	fn->scalars[0].type = pt;
	fn->scalars[0].vreg = lcc_ir_vreg_new(cc, fn, pt, "p");
	fn->nscalars = 1;
	*b0 = lcc_ir_block_new(cc, fn);
	return fn;
}

static int ir_const(struct lcc_ctx *cc, struct lcc_ir_func *fn, struct lcc_irblock *b,
		    enum lcc_irtype t, int v)
{
	struct lcc_irinsn *in = lcc_ir_emit(cc, fn, b, IR_CONST);

	in->dst = lcc_ir_vreg_new(cc, fn, t, NULL);
	in->imm = v;
	in->fimm = (float)v;
	return in->dst;
}

/* codegen-unsupported: a clear refusal (an operation the IR has no vector form of), no object. */
static void codegen_unsupported(void **state)
{
	struct lcc_options opts = { 0 };
	struct lcc_ctx *cc = lcc_ctx_create(&opts);
	struct lcc_irblock *b;
	struct lcc_ir_func *fn;
	struct lcc_irinsn *in;
	struct loom_obj o = { 0 };
	char *diag = NULL;
	int x;

	(void)state;
	assert_non_null(cc);
	fn = ir_kernel(cc, IRT_I32, &b);
	in = lcc_ir_emit(cc, fn, b, IR_BCAST);
	in->dst = x = lcc_ir_vreg_new(cc, fn, IRT_V64I32, NULL);
	in->src[0] = fn->scalars[0].vreg;
	in->nsrc = 1;
	in = lcc_ir_emit(cc, fn, b, IR_UREM);
	in->dst = lcc_ir_vreg_new(cc, fn, IRT_V64I32, NULL);
	in->src[0] = x;
	in->src[1] = x;
	in->nsrc = 2;
	lcc_ir_emit(cc, fn, b, IR_RET);
	assert_int_equal(lcc_codegen(fn, &o, &diag), -ENOTSUP);
	assert_non_null(diag);
	assert_string_equal(diag, "loomcc: urem is not supported by code generation yet\n");
	assert_int_equal(o.ncode, 0);
	assert_null(o.code);
	free(diag);
	lcc_ctx_destroy(cc);
}

/*
 * codegen-bool-param: a scalar bool parameter (the language gives main
 * none, the IR and code generation allow it): any non-zero word is true.
 */
static void codegen_bool_param(void **state)
{
	struct ctx *c = *state;
	struct lcc_options opts = { 0 };
	struct lcc_ctx *cc = lcc_ctx_create(&opts);
	struct lcc_irblock *b;
	struct lcc_ir_func *fn;
	struct lcc_irinsn *in;
	struct loom_obj o = { 0 };
	char *diag = NULL;
	void *buf = NULL;
	size_t size = 0;
	int z, seven, nine, r, co;
	loom_kernel *k;

	assert_non_null(cc);
	fn = ir_kernel(cc, IRT_BOOL, &b);
	z = ir_const(cc, fn, b, IRT_I32, 0);
	seven = ir_const(cc, fn, b, IRT_I32, 7);
	nine = ir_const(cc, fn, b, IRT_I32, 9);
	in = lcc_ir_emit(cc, fn, b, IR_SEL);
	in->dst = r = lcc_ir_vreg_new(cc, fn, IRT_I32, NULL);
	in->src[0] = fn->scalars[0].vreg;
	in->src[1] = seven;
	in->src[2] = nine;
	in->nsrc = 3;
	in = lcc_ir_emit(cc, fn, b, IR_COORD_MAKE);
	in->dst = co = lcc_ir_vreg_new(cc, fn, IRT_COORD5, NULL);
	for (int i = 0; i < 5; i++)
		in->src[i] = z;
	in->nsrc = 5;
	in = lcc_ir_emit(cc, fn, b, IR_ST_TNSR);
	in->tensor = 0;
	in->src[0] = co;
	in->src[1] = r;
	in->nsrc = 2;
	lcc_ir_emit(cc, fn, b, IR_RET);
	lcc_ir_verify(cc, fn);
	assert_int_equal(lcc_codegen(fn, &o, &diag), 0);
	assert_int_equal(o.nargs, 2);
	assert_int_equal(o.args[1].dtype, LOOM_TPC_DT_I32);
	assert_int_equal(loom_obj_write(&o, &buf, &size), 0);
	k = loom_kernel_load(c->dev, buf, size);
	assert_non_null(k);
	free(buf);
	for (int t = 0; t < 3; t++) {
		uint32_t arg = t == 0 ? 0 : t == 1 ? 1 : 0x80000000u;
		int32_t out = -1;
		uint64_t a;
		struct loom_tensor ts = { .dtype = LOOM_T_I32, .ndims = 1, .size = { 1 } };
		struct loom_launch l = { .sz = sizeof(l), .tensors = &ts, .num_tensors = 1,
					 .scalars = &arg, .num_scalars = 1, .index = { 1 } };

		assert_int_equal(loom_mem_alloc(c->dev, 4, 0, &a), 0);
		ts.addr = a;
		assert_int_equal(loom_launch(c->s, k, &l), 0);
		assert_int_equal(loom_memcpy_d2h(c->s, &out, a, 4), 0);
		assert_int_equal(loom_stream_sync(c->s, 10000000000LL), 0);
		assert_int_equal(out, arg ? 7 : 9);
		loom_mem_free(c->dev, a);
	}
	loom_kernel_free(k);
	loom_obj_clear(&o);
	lcc_ctx_destroy(cc);
}

/* codegen-too-large: 9 vector predicates live at once do not fit vp1..vp7. */
static void codegen_too_large(void **state)
{
	char src[4096];
	size_t len = 0;
	struct loom_obj o;
	char *diag = NULL;

	(void)state;
	len += (size_t)snprintf(src + len, sizeof(src) - len,
				"void main(tensor x, tensor out, int n)\n{\n"
				"	int5 c = { 0, 0, 0, 0, 0 };\n"
				"	float64 v = v_f32_ld_tnsr(c, x);\n");
	for (int i = 0; i < 9; i++)
		len += (size_t)snprintf(src + len, sizeof(src) - len,
					"	bool64 p%d = v > %d.0f;\n", i, i);
	len += (size_t)snprintf(src + len, sizeof(src) - len, "	for (int k = 0; k < n; k++) {\n");
	for (int i = 0; i < 9; i++)
		len += (size_t)snprintf(src + len, sizeof(src) - len,
					"		v = p%d ? v + 1.0f : v;\n", i);
	snprintf(src + len, sizeof(src) - len, "	}\n	v_f32_st_tnsr(c, out, v);\n}\n");
	assert_int_equal(compile("large.c", src, &o, &diag), -ENOTSUP);
	assert_non_null(diag);
	assert_string_equal(diag, "loomcc: kernel too large for the register file "
			    "(more than 7 vector predicate registers live at once)\n");
	assert_null(o.code);
	free(diag);
}

/*
 * codegen-spill: tests/cc/spill.c keeps 40 vectors and 40 scalars live
 * across a loop; its object must use spill slots in both local memories
 * (cc-spill runs it on the device).
 */
static void codegen_spill(void **state)
{
	char path[512], *src, *diag = NULL, *text = NULL;
	struct loom_obj o;

	(void)state;
	snprintf(path, sizeof(path), "%s/spill.c", CC_DIR);
	src = read_text(path);
	assert_non_null(src);
	assert_int_equal(cc_compile(path, src, &o, &diag), 0);
	assert_true(o.vlm_size >= 8 * LOOM_TPC_VBYTES);
	assert_true(o.slm_size >= 8 * 4);
	assert_int_equal(loom_disasm_obj(&o, 0, &text), 0);
	assert_non_null(strstr(text, "stlv.f32"));
	assert_non_null(strstr(text, "ldlv.f32"));
	free(text);
	free(src);
	loom_obj_clear(&o);
}


/* codegen-roundtrip: objdump text of every compiled program assembles back to the same code. */
static void codegen_roundtrip(void **state)
{
	static const char *const files[] = { "add.c", "axpy.c", "multi.c", "branch.c" };

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]) + cc_nfiles; f++) {
		struct loom_obj o, back = { 0 };
		char *diag = NULL, *text = NULL, path[512], *src = NULL;
		const char *name = f < 4 ? files[f] : cc_files[f - 4];

		if (f < 4) {
			assert_int_equal(compile(files[f], NULL, &o, &diag), 0);
		} else {
			snprintf(path, sizeof(path), "%s/%s", CC_DIR, name);
			src = read_text(path);
			assert_non_null(src);
			assert_int_equal(cc_compile(path, src, &o, &diag), 0);
		}
		assert_int_equal(loom_disasm_obj(&o, 0, &text), 0);
		assert_null(strstr(text, ".word"));
		if (loom_asm(name, text, strlen(text), &back, &diag))
			print_error("%s: %s\n", name, diag ? diag : "?");
		assert_int_equal(back.ncode, o.ncode);
		assert_memory_equal(back.code, o.code, o.ncode * 8);
		assert_int_equal(back.nargs, o.nargs);
		assert_int_equal(back.slm_size, o.slm_size);
		assert_int_equal(back.vlm_size, o.vlm_size);
		free(text);
		free(src);
		loom_obj_clear(&o);
		loom_obj_clear(&back);
	}
}

/*
 * codegen-hot-loop: tests/cc/elementwise.c's loop, unrolled by 4, is 4 x
 * (address, load, load, fma, compare, guarded move, store, i++) and one
 * `loop`, with no copies.
 */
static void codegen_hot_loop(void **state)
{
	char path[512], *src, *diag = NULL;
	struct loom_obj o;
	int64_t loop_at = -1, target = -1;
	int fma = 0, ldt = 0, stt = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/elementwise.c", CC_DIR);
	src = read_text(path);
	assert_non_null(src);
	assert_int_equal(cc_compile(path, src, &o, &diag), 0);
	for (uint32_t i = 0; i < o.ncode && loop_at < 0; i++)
		if (LOOM_TPC_INSN_OP(o.code[i]) == LOOM_TPC_OP_LOOP) {
			loop_at = i;
			target = (int64_t)i + (int32_t)LOOM_TPC_INSN_IMM(o.code[i]);
		}
	assert_true(loop_at > 0 && target >= 0 && target < loop_at);
	for (int64_t i = target; i < loop_at; i++) {
		unsigned op = LOOM_TPC_INSN_OP(o.code[i]);

		fma += op == LOOM_TPC_OP_VFMA;
		ldt += op == LOOM_TPC_OP_LDT;
		stt += op == LOOM_TPC_OP_STT;
		assert_false((op == LOOM_TPC_OP_MOV || op == LOOM_TPC_OP_VMOV) &&
			     LOOM_TPC_INSN_BK(o.code[i]) == LOOM_TPC_BK_REG);
		assert_false(op == LOOM_TPC_OP_BR);
	}
	assert_int_equal(fma, 4);
	assert_int_equal(ldt, 8);
	assert_int_equal(stt, 4);
	assert_int_equal(loop_at - target, 4 * 9);
	free(src);
	loom_obj_clear(&o);
}

static int cc_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The programs of tests/cc/ that are not diagnostic tests. */
static void cc_scan(void)
{
	DIR *d = opendir(CC_DIR);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[512], *src;

		if (n < 3 || strcmp(e->d_name + n - 2, ".c"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CC_DIR, e->d_name);
		src = read_text(path);
		if (src && !strstr(src, "// expect:")) {
			const char **f = realloc(cc_files, (cc_nfiles + 1) * sizeof(*f));

			if (f) {
				cc_files = f;
				cc_files[cc_nfiles++] = strdup(e->d_name);
			}
		}
		free(src);
	}
	closedir(d);
	qsort(cc_files, cc_nfiles, sizeof(*cc_files), cc_cmp);
}

/* One test function per program (cmocka gives a test no argument of its own). */
#define CC_MAX 96
#define CC_T(n, k) static void cc_t##n##_##k(void **state) { (void)state; cc_program(n * 8 + k); }
#define CC_T8(n) CC_T(n, 0) CC_T(n, 1) CC_T(n, 2) CC_T(n, 3) CC_T(n, 4) CC_T(n, 5) \
		 CC_T(n, 6) CC_T(n, 7)
CC_T8(0) CC_T8(1) CC_T8(2) CC_T8(3) CC_T8(4) CC_T8(5) CC_T8(6) CC_T8(7) CC_T8(8) CC_T8(9)
CC_T8(10) CC_T8(11)
#define CC_F8(n) cc_t##n##_0, cc_t##n##_1, cc_t##n##_2, cc_t##n##_3, cc_t##n##_4, \
		 cc_t##n##_5, cc_t##n##_6, cc_t##n##_7,
static void (*const cc_fns[CC_MAX])(void **) = {
	CC_F8(0) CC_F8(1) CC_F8(2) CC_F8(3) CC_F8(4) CC_F8(5) CC_F8(6) CC_F8(7) CC_F8(8)
	CC_F8(9) CC_F8(10) CC_F8(11)
};

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(device_add),
		cmocka_unit_test(device_axpy),
		cmocka_unit_test(device_multi),
		cmocka_unit_test(device_branch),
		cmocka_unit_test(device_elementwise),
		cmocka_unit_test(device_softmax),
		cmocka_unit_test(codegen_spill),
		cmocka_unit_test(codegen_unsupported),
		cmocka_unit_test(codegen_bool_param),
		cmocka_unit_test(codegen_too_large),
		cmocka_unit_test(codegen_roundtrip),
		cmocka_unit_test(codegen_hot_loop),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), n;
	struct CMUnitTest *tests;
	int ret;

	cc_scan();
	if (cc_nfiles > CC_MAX) {
		fprintf(stderr, "test_loomcc_device: more than %d programs in tests/cc\n", CC_MAX);
		return 1;
	}
	n = nfixed + cc_nfiles;
	tests = calloc(n, sizeof(*tests));
	if (!tests)
		return 1;
	for (size_t i = 0; i < cc_nfiles; i++) {
		char *name = malloc(strlen(cc_files[i]) + 4);

		if (!name)
			return 1;
		sprintf(name, "cc-%.*s", (int)strlen(cc_files[i]) - 2, cc_files[i]);
		tests[i] = (struct CMUnitTest){ .name = name, .test_func = cc_fns[i] };
	}
	memcpy(tests + cc_nfiles, fixed, sizeof(fixed));
	ret = _cmocka_run_group_tests("loomcc_device", tests, n, setup, teardown);
	for (size_t i = 0; i < cc_nfiles; i++) {
		free((void *)tests[i].name);
		free((void *)cc_files[i]);
	}
	free(cc_files);
	free(tests);
	return ret;
}
