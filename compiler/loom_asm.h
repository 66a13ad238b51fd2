/* SPDX-License-Identifier: MIT */
/*
 * The TPC assembler and disassembler (docs/isa.md, section 8): assembly
 * text to a kernel object and back. Both are driven by the opcode and
 * form tables of hw/loom_tpc.h, so they agree with the device by
 * construction. Library code: nothing prints or exits; diagnostics are
 * returned as text.
 */
#ifndef LOOM_ASM_H
#define LOOM_ASM_H

#include <stddef.h>
#include <stdint.h>

#include "loom_obj.h"

#define LOOM_ASM_MAX_ERRORS	20

/*
 * Assemble len bytes of src (file names it in diagnostics) into out
 * (filled; release with loom_obj_clear). Returns 0; -EINVAL if the source
 * has errors, described in *diag as "file:line:col: error: message" lines
 * each followed by the source line and a caret (malloc'ed, free() it;
 * NULL on success); -ENOMEM.
 */
int loom_asm(const char *file, const char *src, size_t len, struct loom_obj *out,
	     char **diag);

/*
 * One instruction word at instruction index pc as assembly text into buf
 * (n bytes, NUL-terminated, truncated if short). Branch targets are named
 * after o's symbols, else ".L<pc>"; o may be NULL. An illegal word prints
 * as ".word 0x...". Returns the length the text needed.
 */
int loom_disasm_insn(uint64_t w, uint32_t pc, const struct loom_obj *o, char *buf, size_t n);

#define LOOM_DISASM_F_NO_COMMENT	(1U << 0)	/* no "; offset: encoding" comments */

/*
 * A whole object as assembly that loom_asm() turns back into the same
 * object: directives, labels, instructions. *text is malloc'ed. Returns 0
 * or -ENOMEM.
 */
int loom_disasm_obj(const struct loom_obj *o, unsigned flags, char **text);

/* Assembly name of special register sr ("off0", "core", "arg3"), or NULL. */
const char *loom_asm_sr_name(uint32_t sr, char *buf, size_t n);

#endif /* LOOM_ASM_H */
