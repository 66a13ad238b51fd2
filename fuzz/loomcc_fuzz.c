/* SPDX-License-Identifier: MIT */
/*
 * loomcc_fuzz.c: libFuzzer target for loomcc's front end.
 *
 * Compiles the input as a kernel (preprocessor, parser, checks, lowering,
 * IR verifier, optimiser, printer) with -D N=4. No file is read: every
 * #include resolves to the input itself, except names containing
 * "missing", which do not exist, so include depth and count limits are
 * exercised too. Any outcome but a crash, a hang, a leak or an internal
 * error (the IR verifier rejecting the front end's output) is fine.
 * Build and run with fuzz/run.sh.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/loomcc.h"
#include "compiler/loomcc_ir.h"

struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

static int fuzz_read(struct lcc_ctx *ctx, void *arg, const char *path, char **data, size_t *len)
{
	struct fuzz_input *in = arg;

	if (strstr(path, "missing"))
		return -ENOENT;
	*data = lcc_alloc(ctx, in->size + 1);
	memcpy(*data, in->data, in->size);
	*len = in->size;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const defines[] = { "N=4" };
	static const char *const incdirs[] = { "inc" };
	static FILE *sink;
	struct fuzz_input in = { data, size };
	struct lcc_options opts = {
		.include_dirs = incdirs, .n_include_dirs = 1,
		.defines = defines, .n_defines = 1,
		.read_file = fuzz_read, .read_arg = &in,
		.no_opt = size > 0 && (data[0] & 1),
	};
	struct lcc_ir_func *ir;
	struct lcc_ctx *ctx;
	int ret;

	if (!sink)
		sink = fopen("/dev/null", "w");
	ctx = lcc_ctx_create(&opts);
	if (!ctx)
		return 0;
	ret = lcc_compile_buffer(ctx, "fuzz.c", (const char *)data, size, &ir);
	if (ret == 0 && sink)
		lcc_ir_print(ir, sink);
	if (ret == -EFAULT) {
		/* The front end produced IR its own verifier rejects: a bug. */
		fputs(lcc_ctx_diag(ctx), stderr);
		abort();
	}
	if (ret < 0 && ret != -ENOMEM && !lcc_ctx_diag(ctx))
		abort();	/* every error from a buffer has a diagnostic */
	lcc_ctx_destroy(ctx);
	return 0;
}
