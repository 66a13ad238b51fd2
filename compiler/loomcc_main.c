/* SPDX-License-Identifier: MIT */
/*
 * loomcc: the compiler for Loom's TPC kernel language (command line).
 *
 *   loomcc [-o out] [-S] [--emit-ir] [-fsyntax-only] [-O0|-O1]
 *          [-I dir] [-D name[=value]] file.c
 *
 * Runs the front end (loomcc.h) on one file. --emit-ir prints the verified
 * IR (docs/kernel-language.md, "The IR") to standard output or to -o;
 * -fsyntax-only only checks. Object output (the default; a.o, or -o)
 * and -S (assembly text, as loom-objdump prints it) run code generation
 * (loomcc_codegen.h), which covers a first subset of the language; a
 * kernel outside it gets "loomcc: <op> is not supported by code
 * generation yet" and exit status 2.
 *
 * Exit status: 0 success; 1 an error in the program (diagnostics on
 * standard error), a usage error or an unreadable file; 2 the kernel uses
 * what code generation does not support yet; 3 internal error (the IR
 * verifier rejected the front end's own output).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loomcc.h"
#include "loom_asm.h"
#include "loomcc_codegen.h"
#include "loomcc_ir.h"

#ifndef LOOMCC_VERSION
#define LOOMCC_VERSION "0.1.0"
#endif

#define EXIT_USAGE	1
#define EXIT_NOCODEGEN	2
#define EXIT_INTERNAL	3

enum cc_mode { CC_OBJECT, CC_ASM, CC_IR, CC_SYNTAX };

static void cc_usage(FILE *out)
{
	fprintf(out,
		"usage: loomcc [options] file.c\n"
		"Compile a TPC kernel (docs/kernel-language.md).\n"
		"  -o FILE          write the output to FILE\n"
		"  -S               write assembly instead of an object\n"
		"  --emit-ir        write the front end's IR (standard output without -o)\n"
		"  -fsyntax-only    check the program, write nothing\n"
		"  -O0, -O1         without / with IR optimisation (default -O1)\n"
		"  -I DIR           search DIR for #include files\n"
		"  -D NAME[=VALUE]  define a macro (VALUE defaults to 1)\n"
		"  --help           this text\n"
		"  --version        the version\n"
		"Exit status: 0 success, 1 errors in the program or usage, 2 the kernel\n"
		"uses what code generation does not support yet, 3 internal error.\n");
}

/* Write len bytes of data to path; 0 or 1 (reported). */
static int cc_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len) {
		fprintf(stderr, "loomcc: cannot write '%s': %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return EXIT_FAILURE;
	}
	if (fclose(f) == EOF) {
		fprintf(stderr, "loomcc: cannot write '%s': %s\n", path, strerror(errno));
		return EXIT_FAILURE;
	}
	return 0;
}

/* Object or assembly output. Returns the exit status. */
static int cc_codegen(struct lcc_ir_func *ir, enum cc_mode mode, const char *output)
{
	struct loom_obj obj = { 0 };
	char *diag = NULL, *text = NULL;
	void *buf = NULL;
	size_t size = 0;
	int ret, status;

	ret = lcc_codegen(ir, &obj, &diag);
	if (ret == -ENOTSUP) {
		fputs(diag, stderr);
		free(diag);
		return EXIT_NOCODEGEN;
	}
	if (ret < 0) {
		fprintf(stderr, "loomcc: error: out of memory\n");
		return EXIT_FAILURE;
	}
	if (mode == CC_ASM) {
		ret = loom_disasm_obj(&obj, 0, &text);
		if (!ret)
			status = output ? cc_write(output, text, strlen(text)) :
					  (fputs(text, stdout) == EOF ? EXIT_FAILURE : 0);
	} else {
		ret = loom_obj_write(&obj, &buf, &size);
		if (!ret)
			status = cc_write(output ? output : "a.o", buf, size);
	}
	if (ret < 0) {
		fprintf(stderr, "loomcc: error: out of memory\n");
		status = EXIT_FAILURE;
	}
	free(text);
	free(buf);
	loom_obj_clear(&obj);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "emit-ir", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char **incs = calloc((size_t)argc + 1, sizeof(*incs));
	const char **defs = calloc((size_t)argc + 1, sizeof(*defs));
	struct lcc_options opts = { 0 };
	enum cc_mode mode = CC_OBJECT;
	const char *output = NULL, *input;
	struct lcc_ir_func *ir = NULL;
	struct lcc_ctx *ctx = NULL;
	int c, ret, status = EXIT_USAGE;

	if (!incs || !defs) {
		fprintf(stderr, "loomcc: out of memory\n");
		goto out;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:SI:D:O:f:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'S':
			mode = CC_ASM;
			break;
		case 'E':
			mode = CC_IR;
			break;
		case 'I':
			incs[opts.n_include_dirs++] = optarg;
			break;
		case 'D':
			defs[opts.n_defines++] = optarg;
			break;
		case 'O':
			if (strcmp(optarg, "0") && strcmp(optarg, "1")) {
				fprintf(stderr, "loomcc: unknown optimisation level '-O%s' (use -O0 or -O1)\n",
					optarg);
				goto out;
			}
			opts.no_opt = !strcmp(optarg, "0");
			break;
		case 'f':
			if (strcmp(optarg, "syntax-only")) {
				fprintf(stderr, "loomcc: unknown option '-f%s'\n", optarg);
				goto out;
			}
			mode = CC_SYNTAX;
			break;
		case 'h':
			cc_usage(stdout);
			status = 0;
			goto out;
		case 'V':
			printf("loomcc %s (Loom TPC kernel compiler; front end, IR and a first code generator)\n",
			       LOOMCC_VERSION);
			status = 0;
			goto out;
		default:
			if (optopt && strchr("oIDOf", optopt))
				fprintf(stderr, "loomcc: option '-%c' needs an argument\n", optopt);
			else if (optopt)
				fprintf(stderr, "loomcc: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "loomcc: unknown option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'loomcc --help'.\n");
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "loomcc: no input file\nTry 'loomcc --help'.\n");
		goto out;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "loomcc: one input file at a time ('%s' and '%s')\n",
			argv[optind], argv[optind + 1]);
		goto out;
	}
	input = argv[optind];
	opts.include_dirs = incs;
	opts.defines = defs;
	ctx = lcc_ctx_create(&opts);
	if (!ctx) {
		fprintf(stderr, "loomcc: out of memory\n");
		goto out;
	}
	ret = lcc_compile_file(ctx, input, &ir);
	if (ret < 0) {
		const char *diag = lcc_ctx_diag(ctx);

		if (diag)
			fputs(diag, stderr);
		else if (ret == -ENOMEM)
			fprintf(stderr, "loomcc: error: out of memory\n");
		else
			fprintf(stderr, "loomcc: cannot read '%s': %s\n", input, strerror(-ret));
		status = ret == -EFAULT ? EXIT_INTERNAL : EXIT_FAILURE;
		goto out;
	}
	switch (mode) {
	case CC_SYNTAX:
		status = 0;
		break;
	case CC_IR: {
		FILE *f = output ? fopen(output, "w") : stdout;

		if (!f) {
			fprintf(stderr, "loomcc: cannot write '%s': %s\n", output, strerror(errno));
			break;
		}
		ret = lcc_ir_print(ir, f);
		if (output && fclose(f) == EOF && !ret)
			ret = -errno;
		if (ret < 0) {
			fprintf(stderr, "loomcc: cannot write '%s': %s\n",
				output ? output : "standard output", strerror(-ret));
			break;
		}
		status = 0;
		break;
	}
	default:
		status = cc_codegen(ir, mode, output);
		break;
	}
out:
	lcc_ctx_destroy(ctx);
	free(incs);
	free(defs);
	return status;
}
