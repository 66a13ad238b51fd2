/* SPDX-License-Identifier: MIT */
/*
 * loomcc_fuzz.c: libFuzzer target for loomcc's front end and code
 * generation.
 *
 * Compiles the input as a kernel (preprocessor, parser, checks, lowering,
 * IR verifier, optimiser, printer) with -D N=4, then generates code for
 * it (instruction selection, loop transformation, register allocation
 * with spilling, encoding): every word of the object must be a legal
 * instruction (loom_tpc_insn_check), every branch must land inside the
 * code, the object must survive loom_obj_write and loom_obj_read, and a
 * refusal must come with a one-line "loomcc: ..." diagnostic. No file is read: every
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

#include "compiler/loom_obj.h"
#include "compiler/loomcc.h"
#include "compiler/loomcc_codegen.h"
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

/* Code generation for ir: abort() on anything but a well-formed object or a clean refusal. */
static void fuzz_codegen(const struct lcc_ir_func *ir)
{
	struct loom_obj o = { 0 }, back = { 0 };
	char *diag = NULL;
	void *buf = NULL;
	size_t len = 0;
	int ret = lcc_codegen(ir, &o, &diag);

	if (ret == -ENOTSUP) {
		size_t n = diag ? strlen(diag) : 0;

		if (n < 10 || strncmp(diag, "loomcc: ", 8) || diag[n - 1] != '\n' ||
		    strchr(diag, '\n') != diag + n - 1)
			abort();
		free(diag);
		return;
	}
	if (ret == -ENOMEM)
		return;
	if (ret || diag || o.ncode == 0)
		abort();
	for (uint32_t i = 0; i < o.ncode; i++) {
		uint64_t w = o.code[i];
		unsigned op = LOOM_TPC_INSN_OP(w);

		if (loom_tpc_insn_check(w)) {
			fprintf(stderr, "illegal word %#llx at %u\n", (unsigned long long)w, i);
			abort();
		}
		if (op == LOOM_TPC_OP_BR || op == LOOM_TPC_OP_LOOP) {
			int64_t t = (int64_t)i + (int32_t)LOOM_TPC_INSN_IMM(w);

			if (t < 0 || t >= o.ncode)
				abort();
		}
	}
	if (LOOM_TPC_INSN_OP(o.code[o.ncode - 1]) != LOOM_TPC_OP_HALT &&
	    LOOM_TPC_INSN_OP(o.code[o.ncode - 1]) != LOOM_TPC_OP_BR &&
	    LOOM_TPC_INSN_OP(o.code[o.ncode - 1]) != LOOM_TPC_OP_LOOP)
		abort();	/* the code must not run off its end */
	ret = loom_obj_write(&o, &buf, &len);
	if (ret == 0 && loom_obj_read(buf, len, &back, NULL, 0))
		abort();
	free(buf);
	loom_obj_clear(&back);
	loom_obj_clear(&o);
}

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
	if (ret == 0)
		fuzz_codegen(ir);
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
