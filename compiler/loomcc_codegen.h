/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen.h: code generation, from loomcc's IR (loomcc_ir.h) to a
 * TPC kernel object (loom_obj.h, docs/isa.md). Covers a first subset of
 * the IR (docs/kernel-language.md, "Code generation status"); anything
 * else is refused with a diagnostic. Library code: nothing prints.
 */
#ifndef LOOMCC_CODEGEN_H
#define LOOMCC_CODEGEN_H

#include "loom_obj.h"
#include "loomcc_ir.h"

/*
 * Fill out (zeroed by the caller; release with loom_obj_clear) with the
 * kernel for fn. Returns 0; -ENOTSUP when fn uses what code generation
 * does not support yet or does not fit the register file, with a
 * one-line message ("loomcc: ...\n") in *diag (malloc'ed, free() it);
 * -ENOMEM. On failure out is cleared.
 */
int lcc_codegen(const struct lcc_ir_func *fn, struct loom_obj *out, char **diag);

#endif /* LOOMCC_CODEGEN_H */
