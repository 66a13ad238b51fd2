/* SPDX-License-Identifier: MIT */
/*
 * The kernel objects embedded into libloomkernels at build time
 * (kernels/embed.py writes the table; loom_kernels.c reads it). Internal
 * to the library.
 */
#ifndef LOOM_KERNELS_BLOB_H
#define LOOM_KERNELS_BLOB_H

#include <stddef.h>

struct loom_kobj {
	const char *name;		/* source file name without ".c" */
	const unsigned char *data;	/* the object, or NULL if not generated */
	size_t size;
	const char *why;		/* loomcc's reason when data is NULL */
};

extern const struct loom_kobj loom_kobj_table[];
extern const size_t loom_kobj_count;

#endif /* LOOM_KERNELS_BLOB_H */
