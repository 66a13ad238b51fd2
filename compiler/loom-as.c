// SPDX-License-Identifier: MIT
/*
 * loom-as: the TPC assembler's command line. Reads assembly (a file or
 * "-" for standard input), writes a kernel object (-o, default: the input
 * name with .o), prints diagnostics to standard error. Exit status 0 on
 * success, 1 on errors in the source, 2 on usage or I/O errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom_asm.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: loom-as [-o OUTPUT] INPUT.s\n"
		   "Assemble a TPC kernel (docs/isa.md) into an object; INPUT '-' reads stdin.\n");
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0, r;
	char *buf = malloc(cap), *nb;

	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf && ferror(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static char *default_output(const char *in)
{
	const char *base = strrchr(in, '/');
	size_t n;
	char *out;

	base = base ? base + 1 : in;
	n = strlen(base);
	if (n > 2 && !strcmp(base + n - 2, ".s"))
		n -= 2;
	out = malloc(n + 3);
	if (out) {
		memcpy(out, base, n);
		memcpy(out + n, ".o", 3);
	}
	return out;
}

int main(int argc, char **argv)
{
	const char *output = NULL, *input;
	struct loom_obj obj;
	char *src, *diag = NULL, *out_name;
	void *image;
	size_t len, size;
	FILE *f;
	int c, ret;

	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	input = argv[optind];
	f = strcmp(input, "-") ? fopen(input, "r") : stdin;
	if (!f) {
		fprintf(stderr, "loom-as: %s: %s\n", input, strerror(errno));
		return 2;
	}
	src = read_all(f, &len);
	if (f != stdin)
		fclose(f);
	if (!src) {
		fprintf(stderr, "loom-as: %s: read error\n", input);
		return 2;
	}
	ret = loom_asm(strcmp(input, "-") ? input : "<stdin>", src, len, &obj, &diag);
	free(src);
	if (ret) {
		if (diag)
			fputs(diag, stderr);
		else
			fprintf(stderr, "loom-as: %s\n", strerror(-ret));
		free(diag);
		return ret == -EINVAL ? 1 : 2;
	}
	ret = loom_obj_write(&obj, &image, &size);
	loom_obj_clear(&obj);
	if (ret) {
		fprintf(stderr, "loom-as: %s\n", strerror(-ret));
		return 2;
	}
	out_name = output ? strdup(output) : default_output(strcmp(input, "-") ? input : "a.s");
	f = out_name ? fopen(out_name, "wb") : NULL;
	if (!f || fwrite(image, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "loom-as: %s: %s\n", out_name ? out_name : "output", strerror(errno));
		free(image);
		free(out_name);
		return 2;
	}
	free(image);
	free(out_name);
	return 0;
}
