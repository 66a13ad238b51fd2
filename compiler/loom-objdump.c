// SPDX-License-Identifier: MIT
/*
 * loom-objdump: prints TPC kernel objects as assembly that loom-as turns
 * back into the same object (docs/isa.md, section 8). With --raw the input
 * is bare code (64-bit little-endian words), as a TPC_LAUNCH packet names
 * it. Exit status 0, 1 for a malformed file, 2 on usage or I/O errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "loom_asm.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: loom-objdump [--raw] [--no-comments] FILE...\n"
		   "Disassemble TPC kernel objects (or raw code with --raw).\n");
}

static void *read_file(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	size_t cap = 65536, n = 0, r;
	char *buf, *nb;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	*len = n;
	return buf;
}

static int dump(const char *name, bool raw, unsigned flags)
{
	struct loom_obj obj = { 0 };
	char err[128], *text;
	size_t len;
	void *buf = read_file(name, &len);
	int ret;

	if (!buf) {
		fprintf(stderr, "loom-objdump: %s: %s\n", name, strerror(errno));
		return 2;
	}
	if (raw) {
		if (!len || len % 8 || len > LOOM_TPC_CODE_MAX) {
			fprintf(stderr, "loom-objdump: %s: raw code must be a non-empty multiple of 8 bytes\n",
				name);
			free(buf);
			return 1;
		}
		obj.name = strdup("");
		obj.code = buf;
		obj.ncode = (uint32_t)(len / 8);
		buf = NULL;
	} else if (loom_obj_read(buf, len, &obj, err, sizeof(err))) {
		fprintf(stderr, "loom-objdump: %s: %s\n", name, err[0] ? err : "out of memory");
		free(buf);
		return 1;
	}
	free(buf);
	ret = loom_disasm_obj(&obj, flags, &text);
	loom_obj_clear(&obj);
	if (ret) {
		fprintf(stderr, "loom-objdump: %s\n", strerror(-ret));
		return 2;
	}
	printf("; %s\n%s", name, text);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "no-comments", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned flags = 0;
	bool raw = false;
	int c, status = 0, r;

	while ((c = getopt_long(argc, argv, "rnh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			raw = true;
			break;
		case 'n':
			flags |= LOOM_DISASM_F_NO_COMMENT;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (; optind < argc; optind++) {
		r = dump(argv[optind], raw, flags);
		if (r > status)
			status = r;
	}
	return status;
}
