// SPDX-License-Identifier: MIT
/*
 * Tests of the TPC assembler, disassembler and object format (compiler/):
 * every opcode with every legal type, operand kind and guard, encoded
 * with the hw/loom_tpc.h macros, goes disassemble -> assemble back to the
 * same word; illegal words survive as ".word"; whole objects go assemble
 * -> write -> read -> disassemble -> assemble to identical bytes; every
 * diagnostic the assembler has is produced with its expected message and
 * position; the object reader refuses malformed and mutated files without
 * crashing.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compiler/loom_asm.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* A random legal value for a field of kind k; dest: it is written. */
static unsigned field_val(unsigned k, bool dest)
{
	switch (k) {
	case LOOM_TPC_K_S: case LOOM_TPC_K_V: case LOOM_TPC_K_I:
		return rnd() % 32;
	case LOOM_TPC_K_P: case LOOM_TPC_K_VP:
		return dest ? 1 + rnd() % 7 : rnd() % 8;
	case LOOM_TPC_K_T:
		return rnd() % LOOM_TPC_MAX_TENSORS;
	case LOOM_TPC_K_DIM:
		return rnd() % LOOM_TPC_DIMS;
	case LOOM_TPC_K_MASK:
		return 1 + rnd() % 31;
	default:
		return 0;
	}
}

static const uint32_t special_imm[] = {
	0, 1, 0xffffffffU, 0x80000000U, 0x7fffffffU, 0x3fc00000U /* 1.5 */,
	0x80000000U /* -0.0 */, 0x7fc00000U /* nan */, 0xffc00000U, 0x7f800001U,
	0x7f800000U, 0xff800000U, 0x00000001U /* denormal */, 0x00800000U, 0x7f7fffffU,
	0x501502f9U /* 1e10 */, 0x3dcccccdU /* 0.1 */, 0xc2c80000U /* -100 */,
};

/* Disassemble w at pc, assemble the text as instruction pc of a program. */
static uint64_t reassemble(uint64_t w, uint32_t pc)
{
	char text[256], *src, *diag = NULL;
	struct loom_obj o;
	size_t len;
	uint64_t out;
	int ret;

	assert_true(loom_disasm_insn(w, pc, NULL, text, sizeof(text)) < (int)sizeof(text));
	/* pc - 1 nops first, so that relative branches keep their offsets. */
	len = (size_t)pc * 4 + strlen(text) + 2;
	src = malloc(len + 1);
	assert_non_null(src);
	src[0] = '\0';
	for (uint32_t i = 0; i < pc; i++)
		strcat(src, "nop\n");
	strcat(src, text);
	strcat(src, "\n");
	ret = loom_asm("rt.s", src, strlen(src), &o, &diag);
	if (ret) {
		print_error("word %016llx -> '%s': %s\n", (unsigned long long)w, text,
			    diag ? diag : "?");
		fail();
	}
	assert_int_equal(o.ncode, pc + 1);
	out = o.code[pc];
	loom_obj_clear(&o);
	free(src);
	return out;
}

/* roundtrip-every-instruction: every opcode, type, bk, guard and operand kind. */
static void test_roundtrip_insns(void **state)
{
	unsigned covered = 0, words = 0;

	for (unsigned op = 0; op < 256; op++) {
		const struct loom_tpc_op_desc *od = loom_tpc_op_desc(op);
		const struct loom_tpc_form_desc *fd;
		unsigned n = 0;

		if (!od)
			continue;
		fd = loom_tpc_form_desc(od->form);
		for (unsigned t = 0; t < LOOM_TPC_NUM_DT; t++) {
			if (od->types ? !(od->types & LOOM_TPC_DTM(t)) : t != 0)
				continue;
			for (unsigned bk = 0; bk < 3; bk++) {
				if (!(fd->bkm & LOOM_TPC_BKM(bk)))
					continue;
				for (unsigned v = 0; v < 24; v++) {
					unsigned p = v % 8, pn = (v / 8) % 2;
					uint64_t w = LOOM_TPC_INSN(op, t, bk, field_val(fd->d, true),
								   field_val(fd->a, false),
								   bk == LOOM_TPC_BK_REG ?
								   field_val(fd->b, false) :
								   bk == LOOM_TPC_BK_SREG ? rnd() % 32 : 0,
								   p, pn);
					uint32_t imm = v < 18 ? special_imm[v] : rnd();
					uint32_t pc = 0;

					if (fd->imm == LOOM_TPC_IMM_SR) {
						do
							imm = rnd() % 64;
						while (!LOOM_TPC_SR_VALID(imm));
					}
					if (fd->imm == LOOM_TPC_IMM_BR) {
						pc = rnd() % 4;
						imm = v < 4 ? (uint32_t)-(int32_t)pc : imm;
					}
					if (loom_tpc_insn_has_imm(w, fd)) {
						w |= LOOM_TPC_ENC_IMM(imm);
					} else if (fd->c == LOOM_TPC_K_P || fd->c == LOOM_TPC_K_VP) {
						w |= LOOM_TPC_ENC_CP(rnd() % 8, rnd() % 2);
					} else if (fd->c == LOOM_TPC_K_CVT) {
						unsigned src = rnd() % 4, r = rnd() % 4, h = rnd() % 2;

						while (!loom_tpc_cvt_ok(t, src, r, h,
									od->form == LOOM_TPC_F_VCVT)) {
							src = rnd() % 4;
							r = rnd() % 4;
							h = rnd() % 2;
						}
						w |= LOOM_TPC_ENC_CVT(src, r, h);
					} else if (fd->c != LOOM_TPC_K_NONE) {
						w |= LOOM_TPC_ENC_C(rnd() % 32);
					}
					assert_int_equal(loom_tpc_insn_check(w), 0);
					assert_true(reassemble(w, pc) == w);
					n++;
				}
			}
		}
		/* A conversion with no legal pair for a type cannot exist: */
		assert_true(n > 0);
		covered++;
		words += n;
	}
	/* Every opcode of the table was covered. */
#define COUNT_OP(...) + 1
	assert_int_equal(covered, 0 LOOM_TPC_OPCODES(COUNT_OP));
#undef COUNT_OP
	assert_true(words > 2000);
}

/* roundtrip-illegal: words the device rejects print as .word and come back. */
static void test_roundtrip_illegal(void **state)
{
	static const uint64_t bad[] = {
		0xff, 0x05, 0xffffffffffffffffULL,
		LOOM_TPC_INSN(LOOM_TPC_OP_VEXP, LOOM_TPC_DT_I32, 0, 1, 2, 0, 0, 0),
		LOOM_TPC_INSN(LOOM_TPC_OP_CMPLT, LOOM_TPC_DT_F32, 0, 0, 1, 2, 0, 0),
		LOOM_TPC_INSN(LOOM_TPC_OP_HALT, 0, 0, 0, 0, 0, 0, 0) | LOOM_TPC_ENC_C(1),
		LOOM_TPC_INSN(LOOM_TPC_OP_MOVSR, 0, 0, 1, 0, 0, 0, 0) | LOOM_TPC_ENC_IMM(100),
		LOOM_TPC_INSN(LOOM_TPC_OP_CVT, LOOM_TPC_DT_I32, 0, 1, 1, 0, 0, 0) |
			LOOM_TPC_ENC_CVT(LOOM_TPC_DT_U32, 0, 0),
	};
	char text[64];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(loom_tpc_insn_check(bad[i]) != 0);
		loom_disasm_insn(bad[i], 0, NULL, text, sizeof(text));
		assert_memory_equal(text, ".word 0x", 8);
		assert_true(reassemble(bad[i], 0) == bad[i]);
	}
}

static const char axpy_src[] =
	"; axpy\n"
	".kernel axpy\n"
	".tensor x, f32\n"
	".tensor y, f32\n"
	".scalar alpha, f32\n"
	".slm 64\n"
	".vlm 512\n"
	"\tmovsr\ts0, alpha\n"
	"\tidxoff\ti0\n"
	"\tmovsr\ts1, size0\n"
	"\tmovsr s2, off0 // first point\n"
	"\tshl.i32 s2, s2, 6\n"
	"\tiset i0.0, s2\n"
	"loop:\tldt.f32 v0, x, i0\n"
	"\tldt.f32 v1, y, i0\n"
	"\tvfma.f32 v1, v0, s0, v1\n"
	"\tstt.f32 y, i0, v1\n"
	"\tiadd i0.0, 64\n"
	"\tloop s1, loop\n"
	"\tcmplt.i32 p1, s1, 3\n"
	"\t@p1 br done\n"
	"\t@!p1 br .Lskip\n"
	".Lskip: nop\n"
	"done:\n"
	"\thalt\n";

/* roundtrip-object: source -> object -> text -> object gives the same bytes. */
static void test_roundtrip_object(void **state)
{
	struct loom_obj o, o2, o3;
	void *img, *img2;
	size_t size, size2;
	char *text, *diag = NULL;

	assert_int_equal(loom_asm("axpy.s", axpy_src, strlen(axpy_src), &o, &diag), 0);
	assert_null(diag);
	assert_string_equal(o.name, "axpy");
	assert_int_equal(o.nargs, 3);
	assert_int_equal(o.args[0].flags, LOOM_TPC_ARG_F_READ);
	assert_int_equal(o.args[1].flags, LOOM_TPC_ARG_F_READ | LOOM_TPC_ARG_F_WRITE);
	assert_int_equal(o.args[2].kind, LOOM_TPC_ARG_SCALAR);
	assert_int_equal(o.args[2].slot, 0);
	assert_int_equal(o.slm_size, 64);
	assert_int_equal(o.vlm_size, 512);
	assert_int_equal(o.nsyms, 2);		/* loop, done; .Lskip is local */
	assert_string_equal(o.syms[0].name, "loop");
	assert_int_equal(o.syms[0].value, 6 * 8);
	assert_int_equal(o.ncode, 17);
	assert_int_equal(LOOM_TPC_INSN_IMM(o.code[11]), (uint32_t)-5);	/* loop back 5 */

	assert_int_equal(loom_obj_write(&o, &img, &size), 0);
	assert_int_equal(loom_obj_read(img, size, &o2, NULL, 0), 0);
	assert_int_equal(loom_disasm_obj(&o2, 0, &text), 0);
	assert_int_equal(loom_asm("dis.s", text, strlen(text), &o3, &diag), 0);
	assert_int_equal(loom_obj_write(&o3, &img2, &size2), 0);
	assert_int_equal(size, size2);
	assert_memory_equal(img, img2, size);
	assert_non_null(strstr(text, "loop:\n"));
	assert_non_null(strstr(text, ".L15:\n"));
	free(text);

	/* Without comments too. */
	assert_int_equal(loom_disasm_obj(&o2, LOOM_DISASM_F_NO_COMMENT, &text), 0);
	assert_null(strchr(text, ';'));
	loom_obj_clear(&o3);
	assert_int_equal(loom_asm("dis.s", text, strlen(text), &o3, &diag), 0);
	assert_int_equal(o3.ncode, o.ncode);
	assert_memory_equal(o3.code, o.code, o.ncode * 8);
	free(text);
	free(img);
	free(img2);
	loom_obj_clear(&o);
	loom_obj_clear(&o2);
	loom_obj_clear(&o3);
}

/* One diagnostic case: source and the first line of the expected output. */
struct diag_case {
	const char *src;
	const char *want;
	size_t len;		/* 0: strlen(src) */
};

static const struct diag_case diags[] = {
	{ "foo s1, s2\n", "d.s:1:1: error: unknown instruction 'foo'" },
	{ "add s1, s2, s3\n", "d.s:1:4: error: 'add' needs a type suffix" },
	{ "add.bf16 s1, s2, s3\n", "d.s:1:5: error: '.bf16' is not a valid type for 'add'" },
	{ "nop.f32\n", "d.s:1:5: error: 'nop' takes no type suffix" },
	{ "add.i32.x s1, s2, s3\n", "d.s:1:9: error: unknown suffix '.x'" },
	{ "add..i32 s1, s2, s3\n", "d.s:1:5: error: empty suffix" },
	{ "cvt.f32 s1, s2\n", "d.s:1:8: error: 'cvt' needs a source type: cvt.DST.SRC" },
	{ "cvt.i32.u32 s1, s2\n", "d.s:1:1: error: 'cvt.i32.u32': conversion or rounding not supported" },
	{ "cvt.f32.i32.rz s1, s2\n", "d.s:1:1: error: 'cvt.f32.i32.rz': conversion or rounding not supported" },
	{ "  add.i32 s1, v2, s3\n", "d.s:1:15: error: expected a scalar register (s0..s31)" },
	{ "add.i32 s32, s2, s3\n", "d.s:1:9: error: s32 does not exist (s0..s31)" },
	{ "vadd.f32 v1, v2, p1\n", "d.s:1:18: error: expected a vector register, a scalar register or an immediate" },
	{ "vfma.f32 v1, v2, 3, v4\n", "d.s:1:18: error: expected a vector or scalar register" },
	{ "add.i32 s1, s2\n", "d.s:1:15: error: missing operand" },
	{ "add.i32 s1, s2 s3\n", "d.s:1:16: error: expected ','" },
	{ "add.i32 s1, s2, s3, s4\n", "d.s:1:19: error: too many operands" },
	{ "halt x\n", "d.s:1:6: error: unexpected 'x' after the operands" },
	{ "mov.i32 s1, 0x1ffffffff\n", "d.s:1:13: error: immediate out of range (32 bits)" },
	{ "mov.i32 s1, 12abc\n", "d.s:1:13: error: invalid number" },
	{ "mov.i32 s1, 1.5\n", "d.s:1:13: error: invalid number" },
	{ "mov.f32 s1, 0r123456789\n", "d.s:1:13: error: invalid raw immediate (0r and 1 to 8 hex digits)" },
	{ "vbcast.f32 v1, v2, v3\n", "d.s:1:20: error: expected a scalar register or an integer" },
	{ "br nowhere\nhalt\n", "d.s:1:4: error: undefined label 'nowhere'" },
	{ "br 5\n", "d.s:1:4: error: expected a label or .+N" },
	{ "a: nop\na: nop\n", "d.s:2:1: error: label 'a' defined twice" },
	{ "s1: nop\n", "d.s:1:1: error: 's1' is a register or special register name" },
	{ "@p1 vadd.f32 v1, v2, v3\n", "d.s:1:1: error: 'vadd' is lane-guarded: use @vpN" },
	{ "@vp1 add.i32 s1, s2, s3\n", "d.s:1:1: error: 'add' is guarded by a scalar predicate: use @pN" },
	{ "@x nop\n", "d.s:1:2: error: expected a guard predicate like @p1, @!p1 or @vp1" },
	{ "@p9 nop\n", "d.s:1:2: error: p9 does not exist" },
	{ "cmpeq.i32 p0, s1, s2\n", "d.s:1:1: error: p0 and vp0 are read-only" },
	{ "sel.i32 s1, s2, s3, s4\n", "d.s:1:13: error: expected a scalar predicate (p0..p7)" },
	{ "ldt.f32 v1, t16, i0\n", "d.s:1:13: error: t16 does not exist (t0..t15)" },
	{ "ldt.f32 v1, x, i0\n", "d.s:1:13: error: expected a tensor (t0..t15 or a .tensor name)" },
	{ "tsize s1, t0\n", "d.s:1:13: error: expected a tensor and a dimension, like t0.1" },
	{ "tsize s1, t0.12\n", "d.s:1:11: error: expected one dimension, like t0.1" },
	{ "iset i0.7, 1\n", "d.s:1:9: error: dimension 7 does not exist (0..4)" },
	{ "iset i0.00, 1\n", "d.s:1:10: error: dimension 0 listed twice" },
	{ "iset s0.0, 1\n", "d.s:1:6: error: expected an index register (i0..i31)" },
	{ "iget s1, i0.01\n", "d.s:1:10: error: expected one dimension, like i0.1" },
	{ "movsr s1, bogus\n", "d.s:1:11: error: unknown special register 'bogus'" },
	{ "ldl s1, s2\n", "d.s:1:9: error: expected a local memory address like [s1 + 16]" },
	{ "ldl s1, [s2 + 4\n", "d.s:1:16: error: expected ']'" },
	{ "ldl s1, [s2 + -4]\n", "d.s:1:15: error: expected an offset" },
	{ ".foo 1\n", "d.s:1:1: error: unknown directive '.foo'" },
	{ ".kernel a\n.kernel b\n", "d.s:2:1: error: kernel name already set" },
	{ ".kernel 9\n", "d.s:1:9: error: expected a kernel name" },
	{ ".tensor x\n", "d.s:1:10: error: expected ',' and a type" },
	{ ".tensor x, f64\n", "d.s:1:12: error: expected an element type (f32, bf16, i32, u32)" },
	{ ".scalar a, bf16\n", "d.s:1:12: error: expected a scalar type (f32, i32, u32)" },
	{ ".tensor x, f32\n.scalar x, f32\n", "d.s:2:9: error: argument 'x' declared twice" },
	{ ".tensor s3, f32\n", "d.s:1:9: error: 's3' is a register or special register name" },
	{ ".tensor 3, f32\n", "d.s:1:9: error: expected an argument name" },
	{ ".slm 100000\n", "d.s:1:1: error: scalar local memory is at most 65536 bytes" },
	{ ".vlm\n", "d.s:1:5: error: expected a size in bytes" },
	{ ".slm 4 4\n", "d.s:1:8: error: unexpected text after the directive" },
	{ ".word x\n", "d.s:1:7: error: expected a 64-bit value" },
	{ ".word 0x1ffffffffffffffff\n", "d.s:1:7: error: invalid 64-bit value" },
	{ "\n", "d.s: error: no instructions" },
	{ "# nop\n", "d.s:1:1: error: unexpected '#'" },
	{ "nop\n.tensor a, f32\n.tensor b, f32\n.tensor c, f32\n.tensor d, f32\n"
	  ".tensor e, f32\n.tensor f, f32\n.tensor g, f32\n.tensor h, f32\n.tensor i, f32\n"
	  ".tensor j, f32\n.tensor k, f32\n.tensor l, f32\n.tensor m, f32\n.tensor n, f32\n"
	  ".tensor o, f32\n.tensor q, f32\n.tensor r, f32\n",
	  "d.s:18:9: error: too many tensor arguments (at most 16)" },
	{ "nop\0\n", "d.s:1:4: error: NUL character in the source", 5 },
	{ "@p1\n", "d.s:1:4: error: expected an instruction" },
	{ "iset i0, 1\n", "d.s:1:8: error: expected an index register and dimensions, like i0.01" },
	{ "iget s1, i0\n", "d.s:1:12: error: expected an index register and a dimension, like i0.1" },
	{ "iset i40.0, 1\n", "d.s:1:6: error: i40 does not exist (i0..i31)" },
	{ "ldl s1, [s2 + x]\n", "d.s:1:15: error: expected an immediate" },
	{ ".kernel a b\n", "d.s:1:11: error: unexpected text after the directive" },
	{ "nop\n.scalar a, f32\n.scalar b, f32\n.scalar c, f32\n.scalar d, f32\n"
	  ".scalar e, f32\n.scalar f, f32\n.scalar g, f32\n.scalar h, f32\n.scalar i, f32\n"
	  ".scalar j, f32\n.scalar k, f32\n.scalar l, f32\n.scalar m, f32\n.scalar n, f32\n"
	  ".scalar o, f32\n.scalar q, f32\n.scalar r, f32\n",
	  "d.s:18:9: error: too many scalar arguments (at most 16)" },
};

static size_t case_len(const struct diag_case *c)
{
	return c->len ? c->len : strlen(c->src);
}

/* diagnostics: each error with its message, position, source line and caret. */
static void test_diagnostics(void **state)
{
	for (unsigned i = 0; i < sizeof(diags) / sizeof(diags[0]); i++) {
		struct loom_obj o;
		char *diag = NULL, *nl;
		int ret = loom_asm("d.s", diags[i].src, case_len(&diags[i]), &o, &diag);

		if (ret != -EINVAL || !diag) {
			print_error("case %u ('%s'): ret %d\n", i, diags[i].src, ret);
			fail();
		}
		nl = strchr(diag, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (strcmp(diag, diags[i].want)) {
			print_error("case %u:\n got: %s\nwant: %s\n", i, diag, diags[i].want);
			fail();
		}
		assert_null(o.code);
		free(diag);
	}
}

/* diagnostic-caret: the source line and a caret under the column, tabs kept. */
static void test_caret(void **state)
{
	const char *src = "nop\n\tadd.i32\ts1, s2, v3\n";
	struct loom_obj o;
	char *diag = NULL;

	assert_int_equal(loom_asm("c.s", src, strlen(src), &o, &diag), -EINVAL);
	assert_string_equal(diag,
			    "c.s:2:18: error: expected a scalar register or an immediate\n"
			    "\tadd.i32\ts1, s2, v3\n"
			    "\t       \t        ^\n");
	free(diag);
}

/* limits: code and line length. */
static void test_limits(void **state)
{
	const size_t n = LOOM_TPC_CODE_MAX / 8 + 1;
	char *src = malloc(n * 4 + 8192), *diag = NULL;
	struct loom_obj o;

	assert_non_null(src);
	for (size_t i = 0; i < n; i++)
		memcpy(src + i * 4, "nop\n", 4);
	assert_int_equal(loom_asm("big.s", src, n * 4, &o, &diag), -EINVAL);
	assert_non_null(strstr(diag, "big.s:131073:1: error: code too large (at most 131072 instructions)"));
	free(diag);
	/* Exactly the limit is fine. */
	assert_int_equal(loom_asm("big.s", src, (n - 1) * 4, &o, &diag), 0);
	assert_int_equal(o.ncode, n - 1);
	loom_obj_clear(&o);

	memset(src, ' ', 5000);
	memcpy(src + 5000, "nop\n", 4);
	assert_int_equal(loom_asm("long.s", src, 5004, &o, &diag), -EINVAL);
	assert_non_null(strstr(diag, "long.s:1:1: error: line longer than 4096 characters"));
	free(diag);
	free(src);
}

/* many-errors: all errors are reported, up to the limit, then a final line. */
static void test_many_errors(void **state)
{
	char src[4096] = "";
	struct loom_obj o;
	char *diag = NULL, *p;
	unsigned lines = 0;

	for (int i = 0; i < 30; i++)
		strcat(src, "bogus\n");
	assert_int_equal(loom_asm("m.s", src, strlen(src), &o, &diag), -EINVAL);
	for (p = diag; (p = strstr(p, ": error: ")); p++)
		lines++;
	assert_int_equal(lines, LOOM_ASM_MAX_ERRORS + 1);
	assert_non_null(strstr(diag, "m.s: error: too many errors, stopping\n"));
	assert_non_null(strstr(diag, "m.s:20:1: error: unknown instruction 'bogus'"));
	free(diag);

	/* Two errors on different lines, both reported; a good line between. */
	assert_int_equal(loom_asm("m.s", "foo\nnop\nbar\n", 12, &o, &diag), -EINVAL);
	assert_non_null(strstr(diag, "m.s:1:1:"));
	assert_non_null(strstr(diag, "m.s:3:1:"));
	free(diag);
}

/* immediates: typed immediates encode as documented. */
static void test_immediates(void **state)
{
	static const struct { const char *src; uint32_t imm; } cases[] = {
		{ "mov.f32 s1, 1.5", 0x3fc00000U }, { "mov.f32 s1, 2", 0x40000000U },
		{ "mov.f32 s1, -2", 0xc0000000U }, { "mov.f32 s1, -inf", 0xff800000U },
		{ "mov.f32 s1, nan", 0x7fc00000U }, { "mov.f32 s1, 0r80000000", 0x80000000U },
		{ "mov.f32 s1, 1e-3", 0x3a83126fU }, { "mov.i32 s1, -1", 0xffffffffU },
		{ "mov.u32 s1, 0xffffffff", 0xffffffffU }, { "mov.i32 s1, 0b101", 5 },
		{ "mov.i32 s1, -2147483648", 0x80000000U }, { "vmov.bf16 v1, 0.5", 0x3f000000U },
		{ "ldl s1, [s2 - 8]", 0xfffffff8U }, { "ldl s1, [s2+0x10]", 16 },
		{ "vext.f32 s1, v2, 3", 3 }, { "movsr s1, arg15", 47 }, { "movsr s1, nitems", 27 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loom_obj o;
		char *diag = NULL;

		assert_int_equal(loom_asm("i.s", cases[i].src, strlen(cases[i].src), &o, &diag), 0);
		assert_int_equal(LOOM_TPC_INSN_IMM(o.code[0]), cases[i].imm);
		loom_obj_clear(&o);
	}
}

/* object-reader: truncated, corrupted and mutated objects are refused cleanly. */
static void test_object_reader(void **state)
{
	struct loom_obj o, r;
	struct loom_tpc_obj_hdr *h;
	uint8_t *img, *m;
	size_t size;
	char err[128], *diag = NULL;
	unsigned accepted = 0;

	assert_int_equal(loom_asm("axpy.s", axpy_src, strlen(axpy_src), &o, &diag), 0);
	assert_int_equal(loom_obj_write(&o, (void **)&img, &size), 0);
	m = malloc(size);
	assert_non_null(m);

	for (size_t n = 0; n < size; n++)		/* every truncation */
		assert_int_equal(loom_obj_read(img, n, &r, err, sizeof(err)), -EINVAL);
	memcpy(m, img, size);
	m[0] ^= 1;
	assert_int_equal(loom_obj_read(m, size, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not a TPC object (bad magic)");
	memcpy(m, img, size);
	h = (struct loom_tpc_obj_hdr *)m;
	h->code_off = 0xfffffff8U;
	assert_int_equal(loom_obj_read(m, size, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad code section");
	memcpy(m, img, size);
	h->num_relocs = 1;
	assert_int_equal(loom_obj_read(m, size, &r, err, sizeof(err)), -EINVAL);
	memcpy(m, img, size);
	m[size - 1] = 'x';				/* string table not terminated */
	assert_int_equal(loom_obj_read(m, size, &r, err, sizeof(err)), -EINVAL);

	/* Random mutations: accepted or refused, never a crash (ASan checks reads). */
	for (unsigned i = 0; i < 20000; i++) {
		memcpy(m, img, size);
		for (unsigned k = 0; k < 1 + rnd() % 4; k++)
			m[rnd() % size] = (uint8_t)rnd();
		if (!loom_obj_read(m, size, &r, err, sizeof(err))) {
			char *text;

			accepted++;
			assert_int_equal(loom_disasm_obj(&r, 0, &text), 0);
			free(text);
			loom_obj_clear(&r);
		}
	}
	assert_true(accepted > 0);
	free(m);
	free(img);
	loom_obj_clear(&o);
}

/* asm-fuzz: random text is assembled or refused, never a crash. */
static void test_asm_fuzz(void **state)
{
	static const char *const pieces[] = {
		"add.i32", "vadd.f32", "s1", "v2", "i0.01", ",", " ", "\n", "@p1", "@!vp2",
		"[s1 + 4]", "t0", "t0.1", "1.5", "-3", "0r7f", "loop:", "loop", ".+2", ".kernel",
		".tensor", "x", "f32", ";", "//", "!", "ldt.f32", "iset", "cvt.i32.f32.rz", "]",
		"[", "halt", "nan", "0x", "\t", ".word", "99999999999999999999",
	};
	char src[512];

	for (unsigned i = 0; i < 20000; i++) {
		struct loom_obj o;
		char *diag = NULL;
		size_t len = 0;
		int ret;

		src[0] = '\0';
		for (unsigned k = 0; k < 1 + rnd() % 24; k++) {
			const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];

			if (len + strlen(p) + 1 >= sizeof(src))
				break;
			strcat(src, p);
			len += strlen(p);
		}
		ret = loom_asm("f.s", src, len, &o, &diag);
		assert_true(ret == 0 || ret == -EINVAL);
		if (ret == 0) {
			for (uint32_t pc = 0; pc < o.ncode; pc++)
				assert_true(LOOM_TPC_INSN_OP(o.code[pc]) == LOOM_TPC_OP_NOP ||
					    loom_tpc_insn_check(o.code[pc]) == 0 ||
					    strstr(src, ".word"));
			loom_obj_clear(&o);
		} else {
			assert_non_null(diag);
		}
		free(diag);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_insns),
		cmocka_unit_test(test_roundtrip_illegal),
		cmocka_unit_test(test_roundtrip_object),
		cmocka_unit_test(test_diagnostics),
		cmocka_unit_test(test_caret),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_immediates),
		cmocka_unit_test(test_object_reader),
		cmocka_unit_test(test_asm_fuzz),
	};

	return cmocka_run_group_tests_name("asm", tests, NULL, NULL);
}
