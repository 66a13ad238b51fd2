/* SPDX-License-Identifier: MIT */
/*
 * TPC kernel objects in memory: the model the assembler fills, the
 * disassembler prints and a loader launches, and its conversion to and
 * from the file format of hw/loom_tpc.h (struct loom_tpc_obj_hdr ...).
 *
 * Nothing here prints or exits; functions return 0 or a negative errno.
 */
#ifndef LOOM_OBJ_H
#define LOOM_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include "../hw/loom_tpc.h"

struct loom_obj_arg {
	uint32_t kind;		/* LOOM_TPC_ARG_* */
	uint32_t slot;
	uint32_t dtype;		/* LOOM_TPC_DT_* */
	uint32_t flags;		/* LOOM_TPC_ARG_F_* */
	char *name;
};

struct loom_obj_sym {
	uint32_t kind;		/* LOOM_TPC_SYM_* */
	uint32_t value;		/* byte offset in the code */
	char *name;
};

struct loom_obj {
	char *name;		/* kernel name, never NULL once filled ("" if none) */
	uint64_t *code;
	uint32_t ncode;		/* instructions */
	struct loom_obj_arg *args;
	uint32_t nargs;
	struct loom_obj_sym *syms;
	uint32_t nsyms;
	uint32_t slm_size, vlm_size;
};

/* Free what o holds and zero it; NULL is fine. */
void loom_obj_clear(struct loom_obj *o);

/* Append to o (copies name); -ENOMEM, or -EINVAL on a limit. */
int loom_obj_add_arg(struct loom_obj *o, uint32_t kind, uint32_t dtype, const char *name);
int loom_obj_add_sym(struct loom_obj *o, uint32_t value, const char *name);
int loom_obj_add_code(struct loom_obj *o, uint64_t word);

/* Serialise o into a malloc'ed buffer (*buf, *size). */
int loom_obj_write(const struct loom_obj *o, void **buf, size_t *size);

/*
 * Parse and check an object file image into o (which it fills; clear it
 * with loom_obj_clear). -EINVAL on a malformed object, with a reason in
 * err (if errlen > 0); -ENOMEM.
 */
int loom_obj_read(const void *buf, size_t size, struct loom_obj *o, char *err, size_t errlen);

/* Name of a data type ("f32" ...) or NULL. */
const char *loom_obj_dtype_name(uint32_t dt);

#endif /* LOOM_OBJ_H */
