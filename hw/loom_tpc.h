/* SPDX-License-Identifier: MIT */
/*
 * Loom hardware interface: the TPC vector cores' instruction set, their
 * tensor descriptors and the kernel object format.
 *
 * This header is the one definition the device (device/loom_tpc*.c), the
 * assembler and disassembler (compiler/) and the compiler share; the
 * prose is docs/isa.md. The launch packet that runs a kernel is
 * struct loom_pkt_tpc_launch in loom_packets.h.
 *
 * Machine model, per core: 32 scalar registers S0..S31 (32 bit), 32 vector
 * registers V0..V31 (2048 bit: 64 x fp32/int32/uint32 or 128 x bf16), 32
 * index registers I0..I31 (5 x int32 tensor coordinates), 8 scalar
 * predicates P0..P7 (P0 reads true) and 8 vector predicates VP0..VP7 (128
 * lane bits; VP0 reads all true), scalar local memory (SLM) and vector
 * local memory (VLM).
 *
 * Every instruction is one little-endian 64-bit word:
 *
 *   bits  0..7   op     opcode (LOOM_TPC_OP_*)
 *   bits  8..10  type   data type (LOOM_TPC_DT_*), 0 for typeless opcodes
 *   bits 11..12  bk     kind of operand b: LOOM_TPC_BK_*
 *   bits 13..17  d      destination (or the stored value for stores)
 *   bits 18..22  a      first source
 *   bits 23..27  b      second source (register when bk is REG or SREG)
 *   bits 28..30  p      guard predicate: P<p> or VP<p> (see guard class)
 *   bit  31      pn     guard negated
 *   bits 32..63  imm    immediate, when the form has one (bk == IMM, or
 *                       an always-immediate form); otherwise:
 *   bits 32..36  c      third source register, or a selector predicate
 *                       (bits 32..34 index, bit 35 negated)
 *   bits 37..63  x      form-specific modifiers (conversions), else 0
 *
 * Every field an instruction's form does not use must be zero; anything
 * else is an illegal instruction. Each opcode has a form (LOOM_TPC_F_*,
 * which fields mean what), a set of legal types and a guard class: scalar
 * guarded (the instruction runs only if P<p> ^ pn) or lane guarded (only
 * the lanes whose VP<p> ^ pn bit is set are written).
 */
#ifndef LOOM_HW_TPC_H
#define LOOM_HW_TPC_H

#include "loom_hw_types.h"

/* ---- Core resources ------------------------------------------------------ */
#define LOOM_TPC_NUM_SREGS	32
#define LOOM_TPC_NUM_VREGS	32
#define LOOM_TPC_NUM_IREGS	32
#define LOOM_TPC_NUM_PREGS	8	/* scalar predicates; P0 is always true */
#define LOOM_TPC_NUM_VPREGS	8	/* vector predicates; VP0 is all true */
#define LOOM_TPC_VBYTES		256	/* 2048-bit vector */
#define LOOM_TPC_LANES32	64	/* lanes of a 32-bit type */
#define LOOM_TPC_LANES16	128	/* lanes of bf16 */
#define LOOM_TPC_DIMS		5	/* coordinates of an index register */
#define LOOM_TPC_SLM_SIZE	(64U << 10)	/* scalar local memory per core */
#define LOOM_TPC_VLM_SIZE	(128U << 10)	/* vector local memory per core */
#define LOOM_TPC_MAX_TENSORS	16
#define LOOM_TPC_NUM_ARGS	16	/* 32-bit scalar arguments of a launch */
#define LOOM_TPC_CODE_MAX	(1U << 20)	/* bytes of code per kernel */
#define LOOM_TPC_INSN_SIZE	8

/* ---- Data types (instruction type field, tensor element types) -------- */
#define LOOM_TPC_DT_F32		0	/* = LOOM_DTYPE_F32 */
#define LOOM_TPC_DT_BF16	1	/* = LOOM_DTYPE_BF16 */
#define LOOM_TPC_DT_I32		2
#define LOOM_TPC_DT_U32		3
#define LOOM_TPC_NUM_DT		4
#define LOOM_TPC_DTM(t)		(1U << (t))
#define LOOM_TPC_DTM_F32	LOOM_TPC_DTM(LOOM_TPC_DT_F32)
#define LOOM_TPC_DTM_BF16	LOOM_TPC_DTM(LOOM_TPC_DT_BF16)
#define LOOM_TPC_DTM_I32	LOOM_TPC_DTM(LOOM_TPC_DT_I32)
#define LOOM_TPC_DTM_U32	LOOM_TPC_DTM(LOOM_TPC_DT_U32)
#define LOOM_TPC_DTM_INT	(LOOM_TPC_DTM_I32 | LOOM_TPC_DTM_U32)
#define LOOM_TPC_DTM_S32	(LOOM_TPC_DTM_F32 | LOOM_TPC_DTM_INT)	/* 32-bit types */
#define LOOM_TPC_DTM_FP		(LOOM_TPC_DTM_F32 | LOOM_TPC_DTM_BF16)
#define LOOM_TPC_DTM_ALL	(LOOM_TPC_DTM_S32 | LOOM_TPC_DTM_BF16)
#define LOOM_TPC_DTM_SIGNED	(LOOM_TPC_DTM_FP | LOOM_TPC_DTM_I32)
#define LOOM_TPC_DTM_NONE	0U	/* typeless: the type field must be 0 */

/* ---- Encoding ------------------------------------------------------------ */
#define LOOM_TPC_BK_REG		0	/* b names a register of the form's class */
#define LOOM_TPC_BK_SREG	1	/* b names a scalar register (broadcast) */
#define LOOM_TPC_BK_IMM		2	/* the operand is imm (bits 32..63) */
#define LOOM_TPC_BKM(k)		(1U << (k))

#define LOOM_TPC_RND_RNE	0	/* round to nearest, ties to even */
#define LOOM_TPC_RND_RZ		1	/* toward zero */
#define LOOM_TPC_RND_RD		2	/* toward -inf (floor) */
#define LOOM_TPC_RND_RU		3	/* toward +inf (ceil) */

#define LOOM_TPC_GET(w, sh, bits)	((unsigned)(((__u64)(w) >> (sh)) & ((1ULL << (bits)) - 1)))
#define LOOM_TPC_INSN_OP(w)	LOOM_TPC_GET(w, 0, 8)
#define LOOM_TPC_INSN_TYPE(w)	LOOM_TPC_GET(w, 8, 3)
#define LOOM_TPC_INSN_BK(w)	LOOM_TPC_GET(w, 11, 2)
#define LOOM_TPC_INSN_D(w)	LOOM_TPC_GET(w, 13, 5)
#define LOOM_TPC_INSN_A(w)	LOOM_TPC_GET(w, 18, 5)
#define LOOM_TPC_INSN_B(w)	LOOM_TPC_GET(w, 23, 5)
#define LOOM_TPC_INSN_P(w)	LOOM_TPC_GET(w, 28, 3)
#define LOOM_TPC_INSN_PN(w)	LOOM_TPC_GET(w, 31, 1)
#define LOOM_TPC_INSN_IMM(w)	((__u32)((__u64)(w) >> 32))
#define LOOM_TPC_INSN_C(w)	LOOM_TPC_GET(w, 32, 5)
#define LOOM_TPC_INSN_X(w)	LOOM_TPC_GET(w, 37, 27)
/* c as a selector predicate */
#define LOOM_TPC_INSN_CP(w)	LOOM_TPC_GET(w, 32, 3)
#define LOOM_TPC_INSN_CPN(w)	LOOM_TPC_GET(w, 35, 1)
/* x of a conversion: source type, rounding, bf16 half */
#define LOOM_TPC_INSN_CVT_SRC(w)	LOOM_TPC_GET(w, 37, 3)
#define LOOM_TPC_INSN_CVT_RND(w)	LOOM_TPC_GET(w, 40, 2)
#define LOOM_TPC_INSN_CVT_HALF(w)	LOOM_TPC_GET(w, 42, 1)
#define LOOM_TPC_CVT_X_MASK		0x3fULL	/* x bits a conversion may use */

/* Build an instruction word; fields are truncated to their widths. */
#define LOOM_TPC_INSN(op, type, bk, d, a, b, p, pn) \
	(((__u64)(op) & 0xff) | (((__u64)(type) & 7) << 8) | (((__u64)(bk) & 3) << 11) | \
	 (((__u64)(d) & 31) << 13) | (((__u64)(a) & 31) << 18) | \
	 (((__u64)(b) & 31) << 23) | (((__u64)(p) & 7) << 28) | (((__u64)(pn) & 1) << 31))
#define LOOM_TPC_ENC_IMM(imm)		((__u64)(__u32)(imm) << 32)
#define LOOM_TPC_ENC_C(c)		(((__u64)(c) & 31) << 32)
#define LOOM_TPC_ENC_CP(p, neg)		((((__u64)(p) & 7) << 32) | (((__u64)(neg) & 1) << 35))
#define LOOM_TPC_ENC_CVT(src, rnd, half) \
	((((__u64)(src) & 7) << 37) | (((__u64)(rnd) & 3) << 40) | (((__u64)(half) & 1) << 42))

/* ---- Operand kinds of a form's fields ------------------------------------ */
#define LOOM_TPC_K_NONE		0	/* unused: must be 0 */
#define LOOM_TPC_K_S		1	/* scalar register 0..31 */
#define LOOM_TPC_K_V		2	/* vector register 0..31 */
#define LOOM_TPC_K_I		3	/* index register 0..31 */
#define LOOM_TPC_K_P		4	/* scalar predicate 0..7 (as a destination: 1..7) */
#define LOOM_TPC_K_VP		5	/* vector predicate 0..7 (as a destination: 1..7) */
#define LOOM_TPC_K_T		6	/* tensor number 0..LOOM_TPC_MAX_TENSORS-1 */
#define LOOM_TPC_K_DIM		7	/* dimension number 0..4 */
#define LOOM_TPC_K_MASK		8	/* dimension mask 1..31 */
#define LOOM_TPC_K_CVT		9	/* c unused, x = conversion modifiers */

/* What bits 32..63 hold. */
#define LOOM_TPC_IMM_NONE	0	/* c / x per the form, else 0 */
#define LOOM_TPC_IMM_BK		1	/* imm iff bk == IMM (then c and x unused) */
#define LOOM_TPC_IMM_BR		2	/* signed branch offset in instructions */
#define LOOM_TPC_IMM_OFF	3	/* local memory byte offset (added to S<a>) */
#define LOOM_TPC_IMM_SR		4	/* special register number */

/* Guard classes. */
#define LOOM_TPC_G_SCALAR	0	/* P<p>: the whole instruction */
#define LOOM_TPC_G_LANE		1	/* VP<p>: the lanes it writes */

/*
 * Forms: X(name, d kind, a kind, b kind, legal bk values, c kind, imm kind,
 * assembly syntax). With bk == REG the b field is of the b kind (K_NONE:
 * must be 0); with bk == SREG it names a scalar register whatever the b
 * kind; with bk == IMM the operand is imm and the b field must be 0.
 *
 * The syntax string lists the operands in assembly order, one pair of
 * characters each: what is written, then the field it goes to.
 *   s v i p q   a scalar, vector, index register, scalar or vector predicate
 *   P Q         a selector predicate in c, "!" allowed (sel, vsel)
 *   t           a tensor (t0..t15 or a .tensor name)
 *   T           a tensor and a dimension, "t1.2" (tensor in b, dim in a)
 *   M           an index register and a dimension list, "i3.02" (mask in a)
 *   G           an index register and one dimension, "i3.2" (dim in b)
 *   B           operand b: a register of the b kind, a scalar register or
 *               an immediate of the instruction's type, as bk allows
 *   N           operand b: a scalar register or an integer immediate
 *   L           a branch target (imm)
 *   R           a special register (imm)
 *   A           a local memory address "[sA + off]" (a and imm)
 */
#define LOOM_TPC_BKM_R		LOOM_TPC_BKM(LOOM_TPC_BK_REG)
#define LOOM_TPC_BKM_RI		(LOOM_TPC_BKM(LOOM_TPC_BK_REG) | LOOM_TPC_BKM(LOOM_TPC_BK_IMM))
#define LOOM_TPC_BKM_RS		(LOOM_TPC_BKM(LOOM_TPC_BK_REG) | LOOM_TPC_BKM(LOOM_TPC_BK_SREG))
#define LOOM_TPC_BKM_SI		(LOOM_TPC_BKM(LOOM_TPC_BK_SREG) | LOOM_TPC_BKM(LOOM_TPC_BK_IMM))
#define LOOM_TPC_BKM_RSI	(LOOM_TPC_BKM_RS | LOOM_TPC_BKM(LOOM_TPC_BK_IMM))

#define LOOM_TPC_FORMS(X) \
	X(NONE,  K_NONE, K_NONE, K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "")            \
	X(BR,    K_NONE, K_NONE, K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_BR,   "L ")          \
	X(LOOP,  K_NONE, K_S,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_BR,   "saL ")        \
	X(SMOV,  K_S,    K_NONE, K_S,    LOOM_TPC_BKM_RI,  K_NONE, IMM_BK,   "sdBb")        \
	X(SBIN,  K_S,    K_S,    K_S,    LOOM_TPC_BKM_RI,  K_NONE, IMM_BK,   "sdsaBb")      \
	X(SUN,   K_S,    K_S,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "sdsa")        \
	X(SFMA,  K_S,    K_S,    K_S,    LOOM_TPC_BKM_R,   K_S,    IMM_NONE, "sdsasbsc")    \
	X(SSEL,  K_S,    K_S,    K_S,    LOOM_TPC_BKM_R,   K_P,    IMM_NONE, "sdPcsasb")    \
	X(SCVT,  K_S,    K_S,    K_NONE, LOOM_TPC_BKM_R,   K_CVT,  IMM_NONE, "sdsa")        \
	X(SCMP,  K_P,    K_S,    K_S,    LOOM_TPC_BKM_RI,  K_NONE, IMM_BK,   "pdsaBb")      \
	X(MOVSR, K_S,    K_NONE, K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_SR,   "sdR ")        \
	X(PBIN,  K_P,    K_P,    K_P,    LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "pdpapb")      \
	X(PUN,   K_P,    K_P,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "pdpa")        \
	X(VMOV,  K_V,    K_NONE, K_V,    LOOM_TPC_BKM_RSI, K_NONE, IMM_BK,   "vdBb")        \
	X(VBIN,  K_V,    K_V,    K_V,    LOOM_TPC_BKM_RSI, K_NONE, IMM_BK,   "vdvaBb")      \
	X(VUN,   K_V,    K_V,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "vdva")        \
	X(VFMA,  K_V,    K_V,    K_V,    LOOM_TPC_BKM_RS,  K_V,    IMM_NONE, "vdvaBbvc")    \
	X(VSEL,  K_V,    K_V,    K_V,    LOOM_TPC_BKM_RS,  K_VP,   IMM_NONE, "vdQcvaBb")    \
	X(VCVT,  K_V,    K_V,    K_NONE, LOOM_TPC_BKM_R,   K_CVT,  IMM_NONE, "vdva")        \
	X(VCMP,  K_VP,   K_V,    K_V,    LOOM_TPC_BKM_RSI, K_NONE, IMM_BK,   "qdvaBb")      \
	X(VSHUF, K_V,    K_V,    K_V,    LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "vdvavb")      \
	X(VLANE, K_V,    K_V,    K_NONE, LOOM_TPC_BKM_SI,  K_NONE, IMM_BK,   "vdvaNb")      \
	X(VEXT,  K_S,    K_V,    K_NONE, LOOM_TPC_BKM_SI,  K_NONE, IMM_BK,   "sdvaNb")      \
	X(VINS,  K_V,    K_S,    K_NONE, LOOM_TPC_BKM_SI,  K_NONE, IMM_BK,   "vdsaNb")      \
	X(VD,    K_V,    K_NONE, K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "vd")          \
	X(VPBIN, K_VP,   K_VP,   K_VP,   LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "qdqaqb")      \
	X(VPUN,  K_VP,   K_VP,   K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "qdqa")        \
	X(VPSET, K_VP,   K_P,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "qdpa")        \
	X(VPRED, K_P,    K_VP,   K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "pdqa")        \
	X(LDT,   K_V,    K_I,    K_T,    LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "vdtbia")      \
	X(STT,   K_V,    K_I,    K_T,    LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "tbiavd")      \
	X(LDTS,  K_S,    K_I,    K_T,    LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "sdtbia")      \
	X(STTS,  K_S,    K_I,    K_T,    LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "tbiasd")      \
	X(LDL,   K_S,    K_S,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_OFF,  "sdA ")        \
	X(STL,   K_S,    K_S,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_OFF,  "A sd")        \
	X(LDLV,  K_V,    K_S,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_OFF,  "vdA ")        \
	X(STLV,  K_V,    K_S,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_OFF,  "A vd")        \
	X(TSIZE, K_S,    K_DIM,  K_T,    LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "sdT ")        \
	X(IMOV,  K_I,    K_I,    K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "idia")        \
	X(ISET,  K_I,    K_MASK, K_NONE, LOOM_TPC_BKM_SI,  K_NONE, IMM_BK,   "M Nb")        \
	X(IGET,  K_S,    K_I,    K_DIM,  LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "sdG ")        \
	X(ID,    K_I,    K_NONE, K_NONE, LOOM_TPC_BKM_R,   K_NONE, IMM_NONE, "id")

#define LOOM_TPC_FORM_ENUM(n, d, a, b, bk, c, imm, syn)	LOOM_TPC_F_##n,
enum loom_tpc_form { LOOM_TPC_FORMS(LOOM_TPC_FORM_ENUM) LOOM_TPC_NUM_FORMS };
#undef LOOM_TPC_FORM_ENUM

/*
 * Opcodes: X(NAME, number, mnemonic, form, legal types, guard class).
 * Scalar opcodes 0x00..0x3f, vector 0x40..0x7f, memory and index
 * 0x80..0x9f; every other number is an illegal instruction.
 */
#define LOOM_TPC_OPCODES(X) \
	X(NOP,      0x00, "nop",      NONE,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(HALT,     0x01, "halt",     NONE,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(BR,       0x02, "br",       BR,    LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(LOOP,     0x03, "loop",     LOOP,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(MOV,      0x10, "mov",      SMOV,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(ADD,      0x11, "add",      SBIN,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(SUB,      0x12, "sub",      SBIN,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(MUL,      0x13, "mul",      SBIN,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(DIV,      0x14, "div",      SBIN,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(REM,      0x15, "rem",      SBIN,  LOOM_TPC_DTM_INT,    G_SCALAR) \
	X(MIN,      0x16, "min",      SBIN,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(MAX,      0x17, "max",      SBIN,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(AND,      0x18, "and",      SBIN,  LOOM_TPC_DTM_INT,    G_SCALAR) \
	X(OR,       0x19, "or",       SBIN,  LOOM_TPC_DTM_INT,    G_SCALAR) \
	X(XOR,      0x1a, "xor",      SBIN,  LOOM_TPC_DTM_INT,    G_SCALAR) \
	X(SHL,      0x1b, "shl",      SBIN,  LOOM_TPC_DTM_INT,    G_SCALAR) \
	X(SHR,      0x1c, "shr",      SBIN,  LOOM_TPC_DTM_INT,    G_SCALAR) \
	X(NOT,      0x1d, "not",      SUN,   LOOM_TPC_DTM_INT,    G_SCALAR) \
	X(NEG,      0x1e, "neg",      SUN,   LOOM_TPC_DTM_F32 | LOOM_TPC_DTM_I32, G_SCALAR) \
	X(ABS,      0x1f, "abs",      SUN,   LOOM_TPC_DTM_F32 | LOOM_TPC_DTM_I32, G_SCALAR) \
	X(FMA,      0x20, "fma",      SFMA,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(SEL,      0x21, "sel",      SSEL,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(CVT,      0x22, "cvt",      SCVT,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(CMPEQ,    0x23, "cmpeq",    SCMP,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(CMPNE,    0x24, "cmpne",    SCMP,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(CMPLT,    0x25, "cmplt",    SCMP,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(CMPLE,    0x26, "cmple",    SCMP,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(CMPGT,    0x27, "cmpgt",    SCMP,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(CMPGE,    0x28, "cmpge",    SCMP,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(EXP,      0x29, "exp",      SUN,   LOOM_TPC_DTM_F32,    G_SCALAR) \
	X(LOG,      0x2a, "log",      SUN,   LOOM_TPC_DTM_F32,    G_SCALAR) \
	X(RSQRT,    0x2b, "rsqrt",    SUN,   LOOM_TPC_DTM_F32,    G_SCALAR) \
	X(RCP,      0x2c, "rcp",      SUN,   LOOM_TPC_DTM_F32,    G_SCALAR) \
	X(SQRT,     0x2d, "sqrt",     SUN,   LOOM_TPC_DTM_F32,    G_SCALAR) \
	X(TANH,     0x2e, "tanh",     SUN,   LOOM_TPC_DTM_F32,    G_SCALAR) \
	X(SIGMOID,  0x2f, "sigmoid",  SUN,   LOOM_TPC_DTM_F32,    G_SCALAR) \
	X(MOVSR,    0x30, "movsr",    MOVSR, LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(PAND,     0x38, "pand",     PBIN,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(POR,      0x39, "por",      PBIN,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(PXOR,     0x3a, "pxor",     PBIN,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(PNOT,     0x3b, "pnot",     PUN,   LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(VMOV,     0x40, "vmov",     VMOV,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VADD,     0x41, "vadd",     VBIN,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VSUB,     0x42, "vsub",     VBIN,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VMUL,     0x43, "vmul",     VBIN,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VDIV,     0x44, "vdiv",     VBIN,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VMIN,     0x45, "vmin",     VBIN,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VMAX,     0x46, "vmax",     VBIN,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VAND,     0x47, "vand",     VBIN,  LOOM_TPC_DTM_INT,    G_LANE) \
	X(VOR,      0x48, "vor",      VBIN,  LOOM_TPC_DTM_INT,    G_LANE) \
	X(VXOR,     0x49, "vxor",     VBIN,  LOOM_TPC_DTM_INT,    G_LANE) \
	X(VSHL,     0x4a, "vshl",     VBIN,  LOOM_TPC_DTM_INT,    G_LANE) \
	X(VSHR,     0x4b, "vshr",     VBIN,  LOOM_TPC_DTM_INT,    G_LANE) \
	X(VNOT,     0x4c, "vnot",     VUN,   LOOM_TPC_DTM_INT,    G_LANE) \
	X(VNEG,     0x4d, "vneg",     VUN,   LOOM_TPC_DTM_SIGNED, G_LANE) \
	X(VABS,     0x4e, "vabs",     VUN,   LOOM_TPC_DTM_SIGNED, G_LANE) \
	X(VFMA,     0x4f, "vfma",     VFMA,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VSEL,     0x50, "vsel",     VSEL,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VCVT,     0x51, "vcvt",     VCVT,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VCMPEQ,   0x52, "vcmpeq",   VCMP,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VCMPNE,   0x53, "vcmpne",   VCMP,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VCMPLT,   0x54, "vcmplt",   VCMP,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VCMPLE,   0x55, "vcmple",   VCMP,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VCMPGT,   0x56, "vcmpgt",   VCMP,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VCMPGE,   0x57, "vcmpge",   VCMP,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VEXP,     0x58, "vexp",     VUN,   LOOM_TPC_DTM_FP,     G_LANE) \
	X(VLOG,     0x59, "vlog",     VUN,   LOOM_TPC_DTM_FP,     G_LANE) \
	X(VRSQRT,   0x5a, "vrsqrt",   VUN,   LOOM_TPC_DTM_FP,     G_LANE) \
	X(VRCP,     0x5b, "vrcp",     VUN,   LOOM_TPC_DTM_FP,     G_LANE) \
	X(VSQRT,    0x5c, "vsqrt",    VUN,   LOOM_TPC_DTM_FP,     G_LANE) \
	X(VTANH,    0x5d, "vtanh",    VUN,   LOOM_TPC_DTM_FP,     G_LANE) \
	X(VSIGMOID, 0x5e, "vsigmoid", VUN,   LOOM_TPC_DTM_FP,     G_LANE) \
	X(VREDSUM,  0x5f, "vredsum",  VUN,   LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VREDMAX,  0x60, "vredmax",  VUN,   LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VREDMIN,  0x61, "vredmin",  VUN,   LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VSHUF,    0x62, "vshuf",    VSHUF, LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VBCAST,   0x63, "vbcast",   VLANE, LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VEXT,     0x64, "vext",     VEXT,  LOOM_TPC_DTM_ALL,    G_SCALAR) \
	X(VINS,     0x65, "vins",     VINS,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VIOTA,    0x66, "viota",    VD,    LOOM_TPC_DTM_ALL,    G_LANE) \
	X(VPAND,    0x70, "vpand",    VPBIN, LOOM_TPC_DTM_NONE,   G_LANE) \
	X(VPOR,     0x71, "vpor",     VPBIN, LOOM_TPC_DTM_NONE,   G_LANE) \
	X(VPXOR,    0x72, "vpxor",    VPBIN, LOOM_TPC_DTM_NONE,   G_LANE) \
	X(VPNOT,    0x73, "vpnot",    VPUN,  LOOM_TPC_DTM_NONE,   G_LANE) \
	X(VPSET,    0x74, "vpset",    VPSET, LOOM_TPC_DTM_NONE,   G_LANE) \
	X(VPANY,    0x75, "vpany",    VPRED, LOOM_TPC_DTM_ALL,    G_SCALAR) \
	X(VPALL,    0x76, "vpall",    VPRED, LOOM_TPC_DTM_ALL,    G_SCALAR) \
	X(LDT,      0x80, "ldt",      LDT,   LOOM_TPC_DTM_ALL,    G_LANE) \
	X(STT,      0x81, "stt",      STT,   LOOM_TPC_DTM_ALL,    G_LANE) \
	X(LDTS,     0x82, "ldts",     LDTS,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(STTS,     0x83, "stts",     STTS,  LOOM_TPC_DTM_S32,    G_SCALAR) \
	X(LDL,      0x84, "ldl",      LDL,   LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(STL,      0x85, "stl",      STL,   LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(LDLV,     0x86, "ldlv",     LDLV,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(STLV,     0x87, "stlv",     STLV,  LOOM_TPC_DTM_ALL,    G_LANE) \
	X(TSIZE,    0x88, "tsize",    TSIZE, LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(IMOV,     0x89, "imov",     IMOV,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(ISET,     0x8a, "iset",     ISET,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(IADD,     0x8b, "iadd",     ISET,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(IGET,     0x8c, "iget",     IGET,  LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(IDXOFF,   0x8d, "idxoff",   ID,    LOOM_TPC_DTM_NONE,   G_SCALAR) \
	X(IDXSIZE,  0x8e, "idxsize",  ID,    LOOM_TPC_DTM_NONE,   G_SCALAR)

#define LOOM_TPC_OP_ENUM(n, num, mn, form, types, guard)	LOOM_TPC_OP_##n = num,
enum loom_tpc_opcode { LOOM_TPC_OPCODES(LOOM_TPC_OP_ENUM) LOOM_TPC_NUM_OPCODES = 0x100 };
#undef LOOM_TPC_OP_ENUM

/* ---- Special registers (MOVSR) ------------------------------------------ */
#define LOOM_TPC_SR_OFF(d)	(0 + (d))	/* this work item's first index point */
#define LOOM_TPC_SR_SIZE(d)	(8 + (d))	/* this work item's extent */
#define LOOM_TPC_SR_DIM(d)	(16 + (d))	/* the whole index space's extent */
#define LOOM_TPC_SR_CORE	24	/* core number, 0..LOOM_NUM_TPC-1 */
#define LOOM_TPC_SR_NCORES	25	/* LOOM_NUM_TPC */
#define LOOM_TPC_SR_ITEM	26	/* work item number within the launch */
#define LOOM_TPC_SR_NITEMS	27	/* work items of the launch */
#define LOOM_TPC_SR_ARG(n)	(32 + (n))	/* scalar argument n < LOOM_TPC_NUM_ARGS */
#define LOOM_TPC_SR_VALID(sr)	(((sr) < 24 && ((sr) & 7) < LOOM_TPC_DIMS) || \
				 ((sr) >= 24 && (sr) <= 27) || \
				 ((sr) >= 32 && (sr) < 32 + LOOM_TPC_NUM_ARGS))

/* ---- Checking and taking words apart ------------------------------------ */
/*
 * What the device, the assembler and the disassembler all use to decide
 * whether a word is a legal instruction: the opcode and form tables as
 * data, and loom_tpc_insn_check(). Branch targets are not part of
 * legality (a branch out of the code faults when taken).
 */
struct loom_tpc_form_desc {
	__u8 d, a, b, bkm, c, imm;	/* LOOM_TPC_K_*, bk mask, K_*, LOOM_TPC_IMM_* */
	const char *syntax;		/* assembly operands, see LOOM_TPC_FORMS */
};

struct loom_tpc_op_desc {
	const char *name;		/* mnemonic */
	__u8 form;			/* LOOM_TPC_F_* */
	__u8 types;			/* LOOM_TPC_DTM_* */
	__u8 guard;			/* LOOM_TPC_G_* */
};

static inline const struct loom_tpc_form_desc *loom_tpc_form_desc(unsigned form)
{
#define LOOM_TPC_FD(n, d, a, b, bk, c, imm, syn) \
	{ LOOM_TPC_##d, LOOM_TPC_##a, LOOM_TPC_##b, (bk), LOOM_TPC_##c, LOOM_TPC_##imm, syn },
	static const struct loom_tpc_form_desc t[] = { LOOM_TPC_FORMS(LOOM_TPC_FD) };
#undef LOOM_TPC_FD
	return form < LOOM_TPC_NUM_FORMS ? &t[form] : (const struct loom_tpc_form_desc *)0;
}

/* NULL for an undefined opcode. */
static inline const struct loom_tpc_op_desc *loom_tpc_op_desc(unsigned op)
{
#define LOOM_TPC_OD(n, num, mn, form, types, guard) \
	[num] = { mn, LOOM_TPC_F_##form, (types), LOOM_TPC_##guard },
	static const struct loom_tpc_op_desc t[256] = { LOOM_TPC_OPCODES(LOOM_TPC_OD) };
#undef LOOM_TPC_OD
	return op < 256 && t[op].name ? &t[op] : (const struct loom_tpc_op_desc *)0;
}

/* Reasons a word is illegal (loom_tpc_insn_check). */
#define LOOM_TPC_BAD_OPCODE	1	/* undefined opcode */
#define LOOM_TPC_BAD_TYPE	2	/* type not legal for the opcode */
#define LOOM_TPC_BAD_BK		3	/* operand kind of b not allowed */
#define LOOM_TPC_BAD_FIELD	4	/* register, predicate, tensor, dim out of range or unused field set */
#define LOOM_TPC_BAD_DEST	5	/* p0 or vp0 as a destination */
#define LOOM_TPC_BAD_CVT	6	/* conversion pair, rounding or half not supported */
#define LOOM_TPC_BAD_SR		7	/* undefined special register */

/* Is v a legal value of a field of kind k? */
static inline int loom_tpc_field_ok(unsigned k, unsigned v)
{
	switch (k) {
	case LOOM_TPC_K_NONE:
		return v == 0;
	case LOOM_TPC_K_S:
	case LOOM_TPC_K_V:
	case LOOM_TPC_K_I:
		return v < 32;
	case LOOM_TPC_K_P:
	case LOOM_TPC_K_VP:
		return v < 8;
	case LOOM_TPC_K_T:
		return v < LOOM_TPC_MAX_TENSORS;
	case LOOM_TPC_K_DIM:
		return v < LOOM_TPC_DIMS;
	case LOOM_TPC_K_MASK:
		return v >= 1 && v < (1U << LOOM_TPC_DIMS);
	default:
		return 0;
	}
}

/*
 * Supported conversions: dst type t from src, rounding, bf16 half; vec:
 * vcvt (bf16 pairs are vector only).
 */
static inline int loom_tpc_cvt_ok(unsigned t, unsigned src, unsigned rnd, unsigned half,
				  int vec)
{
	if (src >= LOOM_TPC_NUM_DT || t == src)
		return 0;
	if (t == LOOM_TPC_DT_BF16 || src == LOOM_TPC_DT_BF16) {
		if (!vec || (t != LOOM_TPC_DT_F32 && src != LOOM_TPC_DT_F32))
			return 0;
		if (t == LOOM_TPC_DT_BF16)
			return rnd == LOOM_TPC_RND_RNE || rnd == LOOM_TPC_RND_RZ;
		return rnd == LOOM_TPC_RND_RNE;
	}
	if (half)
		return 0;
	if (src == LOOM_TPC_DT_F32)
		return t == LOOM_TPC_DT_I32 || t == LOOM_TPC_DT_U32;
	return t == LOOM_TPC_DT_F32 && rnd == LOOM_TPC_RND_RNE;
}

/* Does word w carry an immediate in bits 32..63? */
static inline int loom_tpc_insn_has_imm(__u64 w, const struct loom_tpc_form_desc *fd)
{
	return fd->imm == LOOM_TPC_IMM_BR || fd->imm == LOOM_TPC_IMM_OFF ||
	       fd->imm == LOOM_TPC_IMM_SR ||
	       (fd->imm == LOOM_TPC_IMM_BK && LOOM_TPC_INSN_BK(w) == LOOM_TPC_BK_IMM);
}

/* 0 if w is a legal instruction, else LOOM_TPC_BAD_*. */
static inline int loom_tpc_insn_check(__u64 w)
{
	const struct loom_tpc_op_desc *od = loom_tpc_op_desc(LOOM_TPC_INSN_OP(w));
	const struct loom_tpc_form_desc *fd;
	unsigned type = LOOM_TPC_INSN_TYPE(w), bk = LOOM_TPC_INSN_BK(w);
	unsigned c = LOOM_TPC_INSN_C(w), x = LOOM_TPC_INSN_X(w);

	if (!od)
		return LOOM_TPC_BAD_OPCODE;
	fd = loom_tpc_form_desc(od->form);
	if (od->types ? !(od->types & LOOM_TPC_DTM(type)) : type != 0)
		return LOOM_TPC_BAD_TYPE;
	if (!(fd->bkm & LOOM_TPC_BKM(bk)))
		return LOOM_TPC_BAD_BK;
	if (!loom_tpc_field_ok(fd->d, LOOM_TPC_INSN_D(w)) ||
	    !loom_tpc_field_ok(fd->a, LOOM_TPC_INSN_A(w)))
		return LOOM_TPC_BAD_FIELD;
	if ((fd->d == LOOM_TPC_K_P || fd->d == LOOM_TPC_K_VP) && LOOM_TPC_INSN_D(w) == 0)
		return LOOM_TPC_BAD_DEST;
	if (bk == LOOM_TPC_BK_REG ? !loom_tpc_field_ok(fd->b, LOOM_TPC_INSN_B(w)) :
	    bk == LOOM_TPC_BK_IMM && LOOM_TPC_INSN_B(w))
		return LOOM_TPC_BAD_FIELD;
	if (loom_tpc_insn_has_imm(w, fd)) {
		if (fd->imm == LOOM_TPC_IMM_SR && !LOOM_TPC_SR_VALID(LOOM_TPC_INSN_IMM(w)))
			return LOOM_TPC_BAD_SR;
		return 0;
	}
	switch (fd->c) {
	case LOOM_TPC_K_NONE:
		return c || x ? LOOM_TPC_BAD_FIELD : 0;
	case LOOM_TPC_K_S:
	case LOOM_TPC_K_V:
		return x ? LOOM_TPC_BAD_FIELD : 0;
	case LOOM_TPC_K_P:
	case LOOM_TPC_K_VP:
		return x || (c & 0x10) ? LOOM_TPC_BAD_FIELD : 0;
	case LOOM_TPC_K_CVT:
		if (c || (x & ~LOOM_TPC_CVT_X_MASK))
			return LOOM_TPC_BAD_FIELD;
		return loom_tpc_cvt_ok(type, LOOM_TPC_INSN_CVT_SRC(w), LOOM_TPC_INSN_CVT_RND(w),
				       LOOM_TPC_INSN_CVT_HALF(w), od->form == LOOM_TPC_F_VCVT) ?
		       0 : LOOM_TPC_BAD_CVT;
	default:
		return LOOM_TPC_BAD_FIELD;
	}
}

/* ---- Tensor descriptors ---------------------------------------------------- */
/*
 * A tensor of up to 5 dimensions in the launch's context. Element
 * (c0, .., c4) lives at base + (c0 * stride[0] + .. + c4 * stride[4]) *
 * element size; dimensions at or beyond ndims have size 1. A load lane
 * whose coordinates fall outside [0, size) in any dimension reads the
 * padding value; a store lane outside is dropped. With
 * LOOM_TPC_TENSOR_F_STRICT such an access is an error instead
 * (LOOM_ERR_TPC_OOB).
 */
#define LOOM_TPC_TENSOR_F_STRICT	(1U << 0)
#define LOOM_TPC_TENSOR_F_MASK		LOOM_TPC_TENSOR_F_STRICT

struct loom_tpc_tensor {
	__u64 base;		/* VA of element 0, aligned to the element size */
	__u32 dtype;		/* LOOM_TPC_DT_* of the elements in memory */
	__u32 ndims;		/* 1..5 */
	__u32 size[LOOM_TPC_DIMS];	/* elements per dimension, < 2^31; >= 1 below ndims */
	__u32 flags;		/* LOOM_TPC_TENSOR_F_* */
	__u64 stride[LOOM_TPC_DIMS];	/* in elements; 0 beyond ndims */
	__u32 pad;		/* padding value, in dtype's bits (bf16: low 16 bits) */
	__u32 reserved;		/* must be 0 */
};

/* ---- Kernel objects ---------------------------------------------------------- */
/*
 * A kernel object: this header, then (anywhere after it, at the offsets the
 * header gives) the code, the argument table, the symbol table and a
 * string table of NUL-terminated names. Code is position independent
 * (branches are relative, nothing holds an address), so version 1 has no
 * relocations: a loader copies the code anywhere in device memory and
 * launches it as is; num_relocs must be 0.
 *
 * Arguments are listed in the kernel's parameter order. Tensor arguments
 * take descriptor slots 0, 1, .. in that order; scalar arguments take the
 * launch's scalar slots (MOVSR arg<n>) 0, 1, .. in that order.
 */
#define LOOM_TPC_OBJ_MAGIC	0x4f43544cU	/* "LTCO" */
#define LOOM_TPC_OBJ_VERSION	1

#define LOOM_TPC_ARG_TENSOR	1
#define LOOM_TPC_ARG_SCALAR	2

#define LOOM_TPC_ARG_F_READ	(1U << 0)	/* the code loads from the tensor */
#define LOOM_TPC_ARG_F_WRITE	(1U << 1)	/* the code stores to the tensor */

#define LOOM_TPC_SYM_LABEL	1	/* a code address */

struct loom_tpc_obj_hdr {
	__u32 magic;		/* LOOM_TPC_OBJ_MAGIC */
	__u16 version;		/* LOOM_TPC_OBJ_VERSION */
	__u16 hdr_size;		/* sizeof(struct loom_tpc_obj_hdr) */
	__u32 flags;		/* 0 */
	__u32 name;		/* kernel name: offset in the string table */
	__u32 code_off;		/* 8-byte aligned */
	__u32 code_size;	/* bytes, a multiple of 8, > 0 */
	__u32 args_off;		/* struct loom_tpc_obj_arg[num_args], 4-byte aligned */
	__u32 num_args;		/* <= LOOM_TPC_MAX_TENSORS + LOOM_TPC_NUM_ARGS */
	__u32 syms_off;		/* struct loom_tpc_obj_sym[num_syms], 4-byte aligned */
	__u32 num_syms;
	__u32 strtab_off;
	__u32 strtab_size;	/* starts and ends with a NUL */
	__u32 slm_size;		/* scalar local memory the kernel needs, bytes */
	__u32 vlm_size;		/* vector local memory the kernel needs, bytes */
	__u32 relocs_off;	/* 0 */
	__u32 num_relocs;	/* 0 in version 1 */
	__u32 reserved[4];	/* 0 */
};

struct loom_tpc_obj_arg {
	__u32 kind;		/* LOOM_TPC_ARG_* */
	__u32 slot;		/* tensor descriptor slot or scalar argument slot */
	__u32 dtype;		/* LOOM_TPC_DT_*: element type, or the scalar's type */
	__u32 name;		/* offset in the string table */
	__u32 flags;		/* LOOM_TPC_ARG_F_* (tensors) */
	__u32 reserved;		/* 0 */
};

struct loom_tpc_obj_sym {
	__u32 name;		/* offset in the string table */
	__u32 kind;		/* LOOM_TPC_SYM_* */
	__u32 value;		/* byte offset in the code */
	__u32 reserved;		/* 0 */
};

#endif /* LOOM_HW_TPC_H */
