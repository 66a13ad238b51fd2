/* SPDX-License-Identifier: MIT */
/*
 * IDX files: the format of the MNIST and Fashion-MNIST data sets. A file
 * is a big-endian header (two zero bytes, a type byte, a dimension count,
 * then one 32-bit size per dimension) followed by the elements, row-major.
 * Files may be gzip-compressed (Debian ships them so); both forms are read.
 *
 * Only unsigned bytes (type 0x08), the type of every image and label file
 * of these data sets, are loaded; the other IDX types are recognised and
 * refused by name. Every defect (bad magic, zero or too many dimensions,
 * a size product that overflows, a file shorter or longer than its header
 * says, a broken gzip stream) is an error with a message naming the file
 * and the reason. No function prints or exits.
 */
#ifndef LOOM_IDX_H
#define LOOM_IDX_H

#include <stddef.h>
#include <stdint.h>

#define LOOM_IDX_MAX_DIMS	4
#define LOOM_IDX_MAX_BYTES	(1ull << 31)	/* data bytes one file may hold */

enum loom_idx_type {
	LOOM_IDX_U8 = 0x08, LOOM_IDX_S8 = 0x09, LOOM_IDX_I16 = 0x0b,
	LOOM_IDX_I32 = 0x0c, LOOM_IDX_F32 = 0x0d, LOOM_IDX_F64 = 0x0e,
};

struct loom_idx {
	uint32_t type;		/* enum loom_idx_type (always LOOM_IDX_U8 once loaded) */
	uint32_t ndims;		/* 1 .. LOOM_IDX_MAX_DIMS */
	uint32_t dims[LOOM_IDX_MAX_DIMS];
	uint64_t count;		/* elements: the product of dims */
	uint8_t *data;		/* count bytes (malloc'ed) */
};

/**
 * Parse an IDX image held in memory (not compressed). On success fills
 * *idx with a copy of the data (free with loom_idx_free()). Errors:
 * -EINVAL bad magic or dimensions, -ENOTSUP an element type other than
 * unsigned byte, -EFBIG more than LOOM_IDX_MAX_BYTES of data, -ENODATA
 * truncated, -EBADMSG bytes after the data, -ENOMEM. err (errlen bytes,
 * may be NULL) receives a message; name is used in it.
 */
int loom_idx_parse(const void *buf, size_t len, const char *name, struct loom_idx *idx,
		   char *err, size_t errlen);

/**
 * Load an IDX file, plain or gzip-compressed. Errors as loom_idx_parse(),
 * and the errno of opening or reading it (-ENOENT ...); a corrupt gzip
 * stream is -EBADMSG.
 */
int loom_idx_load(const char *path, struct loom_idx *idx, char *err, size_t errlen);

/** Free what a load or parse allocated (accepts a zeroed or freed struct). */
void loom_idx_free(struct loom_idx *idx);

/** Name of an IDX element type ("ubyte", "float", ...) or "unknown". */
const char *loom_idx_type_name(uint32_t type);

#endif /* LOOM_IDX_H */
