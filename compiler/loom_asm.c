// SPDX-License-Identifier: MIT
/*
 * The TPC assembler: assembly text (docs/isa.md, section 8) to a kernel
 * object (loom_obj.h).
 *
 * One pass over the lines: directives fill the object's metadata, labels
 * are recorded, each instruction is parsed operand by operand following
 * its form's syntax string in hw/loom_tpc.h and encoded at once; branch
 * targets that name labels are patched at the end. The encoded word is
 * then put through loom_tpc_insn_check(), the check the device itself
 * uses, so the assembler cannot produce a word the device would reject.
 * Errors are collected (up to LOOM_ASM_MAX_ERRORS) as "file:line:col:
 * error: message", the source line and a caret; after an error the rest
 * of its line is skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom_asm.h"

#define ASM_LINE_MAX	4096

struct asm_label {
	char *name;
	uint32_t pc;
};

/* A branch whose target is a label, patched once all labels are known. */
struct asm_fix {
	uint32_t pc;
	char *label;
	char *line;		/* copy of the source line, for the diagnostic */
	uint32_t lineno, col;
};

struct asm_ctx {
	const char *file;
	struct loom_obj *o;
	char line[ASM_LINE_MAX + 1];	/* the current line, comment cut off */
	const char *src_line;		/* the current line as written */
	size_t src_len;
	uint32_t lineno;
	char *diag;
	size_t dlen, dcap;
	int nerr;
	bool oom;
	struct asm_label *labels;
	uint32_t nlabels;
	struct asm_fix *fix;
	uint32_t nfix;
	bool have_kernel;
};

/* ---- diagnostics ---------------------------------------------------------------- */

static void asm_out(struct asm_ctx *x, const char *s, size_t n)
{
	if (x->oom)
		return;
	if (x->dlen + n + 1 > x->dcap) {
		size_t cap = x->dcap ? x->dcap : 1024;
		char *nb;

		while (cap < x->dlen + n + 1)
			cap *= 2;
		nb = realloc(x->diag, cap);
		if (!nb) {
			x->oom = true;
			return;
		}
		x->diag = nb;
		x->dcap = cap;
	}
	memcpy(x->diag + x->dlen, s, n);
	x->dlen += n;
	x->diag[x->dlen] = '\0';
}

/* An error at column col (1-based) of line lineno whose text is src[0..len). */
static void asm_verr_at(struct asm_ctx *x, uint32_t lineno, uint32_t col, const char *src,
			size_t len, const char *fmt, va_list ap)
{
	char msg[512], head[1024];
	int n;

	x->nerr++;
	if (x->nerr > LOOM_ASM_MAX_ERRORS)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!src) {
		n = snprintf(head, sizeof(head), "%s: error: %s\n", x->file, msg);
		asm_out(x, head, (size_t)n < sizeof(head) ? (size_t)n : sizeof(head) - 1);
		return;
	}
	n = snprintf(head, sizeof(head), "%s:%u:%u: error: %s\n", x->file, lineno, col, msg);
	asm_out(x, head, (size_t)n < sizeof(head) ? (size_t)n : sizeof(head) - 1);
	asm_out(x, src, len);
	asm_out(x, "\n", 1);
	for (uint32_t i = 0; i + 1 < col && i < len; i++)
		asm_out(x, src[i] == '\t' ? "\t" : " ", 1);
	asm_out(x, "^\n", 2);
	if (x->nerr == LOOM_ASM_MAX_ERRORS) {
		n = snprintf(head, sizeof(head), "%s: error: too many errors, stopping\n", x->file);
		asm_out(x, head, (size_t)n);
	}
}

/* An error at p, a position in x->line. Returns false for convenience. */
static bool asm_err(struct asm_ctx *x, const char *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	asm_verr_at(x, x->lineno, (uint32_t)(p - x->line) + 1, x->src_line, x->src_len, fmt, ap);
	va_end(ap);
	return false;
}

/* An error at a remembered line (branch fixups). */
static void asm_err_line(struct asm_ctx *x, uint32_t lineno, uint32_t col, const char *line,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	asm_verr_at(x, lineno, col, line, strlen(line), fmt, ap);
	va_end(ap);
}

static void asm_err_file(struct asm_ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	asm_verr_at(x, 0, 0, NULL, 0, fmt, ap);
	va_end(ap);
}

/* ---- lexical helpers ---------------------------------------------------------- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static size_t word_len(const char *p)
{
	size_t n = 0;

	while (is_word(p[n]))
		n++;
	return n;
}

static bool word_is(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(p, s, n);
}

/* Parse decimal digits p[0..n) into *v (< limit); false if not all digits. */
static bool parse_num(const char *p, size_t n, uint32_t *v)
{
	uint64_t x = 0;

	if (!n || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	*v = (uint32_t)x;
	return true;
}

/*
 * Register class of word p[0..n): 's', 'v', 'i', 'p', 'q' (vp), 't', or 0;
 * *num gets its number (range not checked).
 */
static char reg_class(const char *p, size_t n, uint32_t *num)
{
	if (n >= 3 && p[0] == 'v' && p[1] == 'p' && parse_num(p + 2, n - 2, num))
		return 'q';
	if (n >= 2 && strchr("svipt", p[0]) && parse_num(p + 1, n - 1, num))
		return p[0];
	return 0;
}

static const char *reg_what(char cls)
{
	switch (cls) {
	case 's': return "a scalar register (s0..s31)";
	case 'v': return "a vector register (v0..v31)";
	case 'i': return "an index register (i0..i31)";
	case 'p': return "a scalar predicate (p0..p7)";
	case 'q': return "a vector predicate (vp0..vp7)";
	default: return "a tensor (t0..t15 or a .tensor name)";
	}
}

static uint32_t reg_limit(char cls)
{
	return cls == 'p' || cls == 'q' ? 8 : cls == 't' ? LOOM_TPC_MAX_TENSORS : 32;
}

static const char *reg_prefix(char cls)
{
	return cls == 'q' ? "vp" : cls == 's' ? "s" : cls == 'v' ? "v" : cls == 'i' ? "i" :
	       cls == 'p' ? "p" : "t";
}

/* Parse a register of class cls at *pp. */
static bool parse_reg(struct asm_ctx *x, const char **pp, char cls, uint32_t *num)
{
	const char *p = *pp;
	size_t n = word_len(p);
	uint32_t v;

	if (reg_class(p, n, &v) != cls)
		return asm_err(x, p, "expected %s", reg_what(cls));
	if (v >= reg_limit(cls))
		return asm_err(x, p, "%s%u does not exist (%s0..%s%u)", reg_prefix(cls), v,
			       reg_prefix(cls), reg_prefix(cls), reg_limit(cls) - 1);
	*num = v;
	*pp = p + n;
	return true;
}

/* ---- immediates ------------------------------------------------------------------- */

static bool imm_end(char c)
{
	return c == '\0' || c == ',' || c == ' ' || c == '\t' || c == ']' || c == '\r';
}

/*
 * An immediate at *pp: an integer, or for a float type also a float;
 * "0rHHHHHHHH" raw bits.
 */
static bool parse_imm(struct asm_ctx *x, const char **pp, bool fp, uint32_t *out)
{
	const char *p = *pp, *start = *pp;
	bool neg = false;
	uint64_t v = 0;
	int base = 10;
	char *end;

	if (p[0] == '0' && p[1] == 'r') {
		size_t n = 0;

		p += 2;
		while (isxdigit((unsigned char)p[n]))
			n++;
		if (!n || n > 8 || !imm_end(p[n]))
			return asm_err(x, start, "invalid raw immediate (0r and 1 to 8 hex digits)");
		*out = (uint32_t)strtoul(p, NULL, 16);
		*pp = p + n;
		return true;
	}
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (fp && (!strncmp(p, "inf", 3) || !strncmp(p, "nan", 3)) && imm_end(p[3])) {
		float f = p[0] == 'i' ? INFINITY : NAN;

		f = neg ? -f : f;
		memcpy(out, &f, 4);
		if (p[0] == 'n' && neg)
			*out = 0xffc00000U;
		*pp = p + 3;
		return true;
	}
	if (!isdigit((unsigned char)*p))
		return asm_err(x, start, "expected an immediate");
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2;
	if (fp && base == 10) {
		size_t n = strspn(p, "0123456789");

		if (p[n] == '.' || p[n] == 'e' || p[n] == 'E') {
			float f;

			errno = 0;
			f = strtof(start, &end);
			if (end == start || !imm_end(*end))
				return asm_err(x, start, "invalid number");
			memcpy(out, &f, 4);
			*pp = end;
			return true;
		}
	}
	errno = 0;
	v = strtoull(base == 10 ? p : p + 2, &end, base);
	if (end == (base == 10 ? p : p + 2) || !imm_end(*end))
		return asm_err(x, start, "invalid number");
	if (errno == ERANGE || v > (neg ? 0x80000000ULL : 0xffffffffULL))
		return asm_err(x, start, "immediate out of range (32 bits)");
	if (fp) {
		float f = (float)v;

		f = neg ? -f : f;
		memcpy(out, &f, 4);
	} else {
		*out = neg ? (uint32_t)(0 - v) : (uint32_t)v;
	}
	*pp = end;
	return true;
}

/* ---- names ------------------------------------------------------------------------ */

static const struct loom_obj_arg *asm_arg(struct asm_ctx *x, const char *p, size_t n,
					  uint32_t kind)
{
	for (uint32_t i = 0; i < x->o->nargs; i++)
		if (x->o->args[i].kind == kind && word_is(p, n, x->o->args[i].name))
			return &x->o->args[i];
	return NULL;
}

/* A tensor: tN or a .tensor name, p[0..n). */
static bool parse_tensor(struct asm_ctx *x, const char *p, size_t n, uint32_t *slot)
{
	const struct loom_obj_arg *a;
	uint32_t v;

	if (reg_class(p, n, &v) == 't') {
		if (v >= LOOM_TPC_MAX_TENSORS)
			return asm_err(x, p, "t%u does not exist (t0..t%u)", v,
				       LOOM_TPC_MAX_TENSORS - 1);
		*slot = v;
		return true;
	}
	a = asm_arg(x, p, n, LOOM_TPC_ARG_TENSOR);
	if (!a)
		return asm_err(x, p, "expected %s", reg_what('t'));
	*slot = a->slot;
	return true;
}

/* Split word p[0..n) at its last '.' into a name and a list of dimension digits. */
static bool split_dims(struct asm_ctx *x, const char *p, size_t n, size_t *name_len,
		       uint32_t *mask, unsigned *ndims, const char *what)
{
	const char *dot = NULL;

	for (size_t i = 0; i < n; i++)
		if (p[i] == '.')
			dot = p + i;
	if (!dot || dot + 1 == p + n)
		return asm_err(x, p + n, "expected %s", what);
	*mask = 0;
	*ndims = 0;
	for (const char *q = dot + 1; q < p + n; q++) {
		unsigned d;

		if (!isdigit((unsigned char)*q))
			return asm_err(x, q, "expected %s", what);
		d = (unsigned)(*q - '0');
		if (d >= LOOM_TPC_DIMS)
			return asm_err(x, q, "dimension %u does not exist (0..4)", d);
		if (*mask & (1U << d))
			return asm_err(x, q, "dimension %u listed twice", d);
		*mask |= 1U << d;
		(*ndims)++;
	}
	*name_len = (size_t)(dot - p);
	return true;
}

/* A special register name, or a .scalar name. */
static bool parse_sr(struct asm_ctx *x, const char **pp, uint32_t *sr)
{
	const char *p = *pp;
	size_t n = word_len(p);
	const struct loom_obj_arg *a;
	char buf[16];

	for (uint32_t s = 0; s < 64; s++) {
		const char *name = loom_asm_sr_name(s, buf, sizeof(buf));

		if (name && word_is(p, n, name)) {
			*sr = s;
			*pp = p + n;
			return true;
		}
	}
	a = asm_arg(x, p, n, LOOM_TPC_ARG_SCALAR);
	if (!a || !n)
		return asm_err(x, p, "unknown special register '%.*s'", (int)n, p);
	*sr = LOOM_TPC_SR_ARG(a->slot);
	*pp = p + n;
	return true;
}

static bool name_ok(const char *p, size_t n)
{
	return n && (isalpha((unsigned char)p[0]) || p[0] == '_' || p[0] == '.');
}

/* ---- instructions ------------------------------------------------------------------- */

/* Operands of one instruction being assembled. */
struct asm_ops {
	uint32_t d, a, b, c, cpn, bk, imm;
	bool has_imm;
	const char *label;	/* branch target label (in x->line), or NULL */
	size_t label_len;
};

static const char *b_what(unsigned bkind, unsigned bkm)
{
	bool r = bkm & LOOM_TPC_BKM(LOOM_TPC_BK_REG), s = bkm & LOOM_TPC_BKM(LOOM_TPC_BK_SREG);
	bool i = bkm & LOOM_TPC_BKM(LOOM_TPC_BK_IMM);

	if (bkind == LOOM_TPC_K_V)
		return i ? "a vector register, a scalar register or an immediate" :
		       s ? "a vector or scalar register" : "a vector register";
	if (r || s)
		return i ? "a scalar register or an immediate" : "a scalar register";
	return "an immediate";
}

/* Operand 'B' or 'N' (b, bk, imm). */
static bool parse_bop(struct asm_ctx *x, const char **pp, char kind,
		      const struct loom_tpc_form_desc *fd, unsigned type, struct asm_ops *o)
{
	const char *p = *pp;
	size_t n = word_len(p);
	uint32_t v;
	char cls = reg_class(p, n, &v);
	bool fp = kind == 'B' && (type == LOOM_TPC_DT_F32 || type == LOOM_TPC_DT_BF16);

	if (kind == 'N') {
		if (cls == 's')
			return parse_reg(x, pp, 's', &o->b) && (o->bk = LOOM_TPC_BK_SREG, true);
		if (cls)
			return asm_err(x, p, "expected a scalar register or an integer");
		o->bk = LOOM_TPC_BK_IMM;
		o->has_imm = true;
		return parse_imm(x, pp, false, &o->imm);
	}
	if (cls == 'v' && fd->b == LOOM_TPC_K_V) {
		o->bk = LOOM_TPC_BK_REG;
		return parse_reg(x, pp, 'v', &o->b);
	}
	if (cls == 's' && fd->b == LOOM_TPC_K_S) {
		o->bk = LOOM_TPC_BK_REG;
		return parse_reg(x, pp, 's', &o->b);
	}
	if (cls == 's' && (fd->bkm & LOOM_TPC_BKM(LOOM_TPC_BK_SREG))) {
		o->bk = LOOM_TPC_BK_SREG;
		return parse_reg(x, pp, 's', &o->b);
	}
	if (cls || !(fd->bkm & LOOM_TPC_BKM(LOOM_TPC_BK_IMM)) ||
	    !(isdigit((unsigned char)*p) || *p == '-' || *p == '+' || (fp && isalpha((unsigned char)*p))))
		return asm_err(x, p, "expected %s", b_what(fd->b, fd->bkm));
	o->bk = LOOM_TPC_BK_IMM;
	o->has_imm = true;
	return parse_imm(x, pp, fp, &o->imm);
}

/* Operand 'A': [sN], [sN + off], [sN - off]. */
static bool parse_mem(struct asm_ctx *x, const char **pp, struct asm_ops *o)
{
	const char *p = *pp;
	bool neg;

	if (*p != '[')
		return asm_err(x, p, "expected a local memory address like [s1 + 16]");
	p = skip_ws(p + 1);
	if (!parse_reg(x, &p, 's', &o->a))
		return false;
	p = skip_ws(p);
	o->imm = 0;
	o->has_imm = true;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p = skip_ws(p + 1);
		if (*p == '-' || *p == '+')
			return asm_err(x, p, "expected an offset");
		if (!parse_imm(x, &p, false, &o->imm))
			return false;
		if (neg)
			o->imm = 0 - o->imm;
		p = skip_ws(p);
	}
	if (*p != ']')
		return asm_err(x, p, "expected ']'");
	*pp = p + 1;
	return true;
}

/* Operand 'L': a label or .+N / .-N. */
static bool parse_target(struct asm_ctx *x, const char **pp, uint32_t pc, struct asm_ops *o)
{
	const char *p = *pp;
	size_t n;

	o->has_imm = true;
	if (p[0] == '.' && (p[1] == '+' || p[1] == '-')) {
		const char *q = p + 1;
		uint32_t v;

		if (!parse_imm(x, &q, false, &v))
			return false;
		o->imm = v;
		*pp = q;
		return true;
	}
	n = word_len(p);
	if (!name_ok(p, n))
		return asm_err(x, p, "expected a label or .+N");
	o->label = p;
	o->label_len = n;
	o->imm = 0;
	(void)pc;
	*pp = p + n;
	return true;
}

/* One operand of kind k for field f. */
static bool parse_operand(struct asm_ctx *x, const char **pp, char k, char f,
			  const struct loom_tpc_form_desc *fd, unsigned type, uint32_t pc,
			  struct asm_ops *o)
{
	uint32_t *field = f == 'd' ? &o->d : f == 'a' ? &o->a : f == 'b' ? &o->b : &o->c;
	const char *p = *pp;
	size_t n = word_len(p), name_len;
	uint32_t mask, v;
	unsigned nd;

	switch (k) {
	case 's': case 'v': case 'i': case 'p': case 'q':
		return parse_reg(x, pp, k, field);
	case 'P': case 'Q':
		if (*p == '!') {
			o->cpn = 1;
			*pp = ++p;
		}
		return parse_reg(x, pp, k == 'P' ? 'p' : 'q', field);
	case 't':
		if (!parse_tensor(x, p, n, field))
			return false;
		*pp = p + n;
		return true;
	case 'T':
		if (!split_dims(x, p, n, &name_len, &mask, &nd, "a tensor and a dimension, like t0.1"))
			return false;
		if (nd != 1)
			return asm_err(x, p, "expected one dimension, like t0.1");
		if (!parse_tensor(x, p, name_len, &o->b))
			return false;
		o->a = (uint32_t)__builtin_ctz(mask);
		*pp = p + n;
		return true;
	case 'M': case 'G':
		if (!split_dims(x, p, n, &name_len, &mask, &nd, k == 'M' ?
				"an index register and dimensions, like i0.01" :
				"an index register and a dimension, like i0.1"))
			return false;
		if (k == 'G' && nd != 1)
			return asm_err(x, p, "expected one dimension, like i0.1");
		if (reg_class(p, name_len, &v) != 'i')
			return asm_err(x, p, "expected %s", reg_what('i'));
		if (v >= 32)
			return asm_err(x, p, "i%u does not exist (i0..i31)", v);
		if (k == 'M') {
			o->d = v;
			o->a = mask;
		} else {
			o->a = v;
			o->b = (uint32_t)__builtin_ctz(mask);
		}
		*pp = p + n;
		return true;
	case 'B': case 'N':
		return parse_bop(x, pp, k, fd, type, o);
	case 'L':
		return parse_target(x, pp, pc, o);
	case 'R':
		o->has_imm = true;
		return parse_sr(x, pp, &o->imm);
	case 'A':
		return parse_mem(x, pp, o);
	default:
		return asm_err(x, p, "internal error: operand kind '%c'", k);
	}
}

static const struct loom_tpc_op_desc *asm_lookup(const char *p, size_t n, unsigned *op)
{
	for (unsigned i = 0; i < 256; i++) {
		const struct loom_tpc_op_desc *od = loom_tpc_op_desc(i);

		if (od && word_is(p, n, od->name)) {
			*op = i;
			return od;
		}
	}
	return NULL;
}

static int asm_dtype(const char *p, size_t n)
{
	for (unsigned t = 0; t < LOOM_TPC_NUM_DT; t++)
		if (word_is(p, n, loom_obj_dtype_name(t)))
			return (int)t;
	return -1;
}

/* Mnemonic suffixes: type(s) and modifiers; fills type, src, rnd, half. */
static bool parse_suffixes(struct asm_ctx *x, const char *mn, size_t base_len, size_t n,
			   const struct loom_tpc_op_desc *od, unsigned *type, unsigned *src,
			   unsigned *rnd, unsigned *half)
{
	static const char *const rnds[] = { "rne", "rz", "rd", "ru" };
	bool cvt = od->form == LOOM_TPC_F_SCVT || od->form == LOOM_TPC_F_VCVT;
	const char *p = mn + base_len, *end = mn + n;
	unsigned idx = 0;

	*type = *src = *rnd = *half = 0;
	while (p < end) {
		const char *s = p + 1;
		size_t len = 0;
		int t;

		while (s + len < end && s[len] != '.')
			len++;
		if (!len)
			return asm_err(x, s, "empty suffix");
		t = asm_dtype(s, len);
		if (t >= 0 && idx < (cvt ? 2U : od->types ? 1U : 0U)) {
			if (idx == 0 && !(od->types & LOOM_TPC_DTM((unsigned)t)))
				return asm_err(x, s, "'.%.*s' is not a valid type for '%s'", (int)len,
					       s, od->name);
			if (idx == 0)
				*type = (unsigned)t;
			else
				*src = (unsigned)t;
			idx++;
		} else if (t >= 0 && !od->types) {
			return asm_err(x, s, "'%s' takes no type suffix", od->name);
		} else if (cvt && idx == 2) {
			unsigned r;

			for (r = 0; r < 4; r++)
				if (word_is(s, len, rnds[r]))
					break;
			if (r < 4) {
				*rnd = r;
			} else if (od->form == LOOM_TPC_F_VCVT && word_is(s, len, "hi")) {
				*half = 1;
			} else if (od->form == LOOM_TPC_F_VCVT && word_is(s, len, "lo")) {
				*half = 0;
			} else {
				return asm_err(x, s, "unknown suffix '.%.*s'", (int)len, s);
			}
		} else {
			return asm_err(x, s, "unknown suffix '.%.*s'", (int)len, s);
		}
		p = s + len;
	}
	if (od->types && idx == 0)
		return asm_err(x, mn + n, "'%s' needs a type suffix", od->name);
	if (cvt && idx < 2)
		return asm_err(x, mn + n, "'%s' needs a source type: %s.DST.SRC", od->name, od->name);
	return true;
}

static const char *bad_reason(int why)
{
	switch (why) {
	case LOOM_TPC_BAD_DEST: return "p0 and vp0 are read-only";
	case LOOM_TPC_BAD_CVT: return "conversion not supported";
	case LOOM_TPC_BAD_SR: return "undefined special register";
	default: return "illegal operand combination";
	}
}

static bool asm_add_word(struct asm_ctx *x, uint64_t w, const char *at)
{
	int ret = loom_obj_add_code(x->o, w);

	if (ret == -ENOMEM)
		x->oom = true;
	if (ret)
		return asm_err(x, at, "code too large (at most %u instructions)",
			       LOOM_TPC_CODE_MAX / LOOM_TPC_INSN_SIZE);
	return true;
}

static bool asm_insn(struct asm_ctx *x, const char *p)
{
	const char *start = p, *mn;
	const struct loom_tpc_op_desc *od;
	const struct loom_tpc_form_desc *fd;
	struct asm_ops o = { 0 };
	unsigned op, type, src, rnd, half, gp = 0, gpn = 0;
	char gcls = 0;
	size_t n, base;
	uint32_t pc = x->o->ncode;
	uint64_t w;
	int why;

	if (*p == '@') {
		const char *g = ++p;

		if (*p == '!') {
			gpn = 1;
			p++;
		}
		n = word_len(p);
		gcls = reg_class(p, n, &gp);
		if (gcls != 'p' && gcls != 'q')
			return asm_err(x, g, "expected a guard predicate like @p1, @!p1 or @vp1");
		if (gp >= 8)
			return asm_err(x, p, "%s%u does not exist", reg_prefix(gcls), gp);
		p = skip_ws(p + n);
	}
	mn = p;
	n = word_len(p);
	if (!n)
		return asm_err(x, p, "expected an instruction");
	for (base = 0; base < n && mn[base] != '.'; base++)
		;
	od = asm_lookup(mn, base, &op);
	if (!od)
		return asm_err(x, mn, "unknown instruction '%.*s'", (int)base, mn);
	if (!parse_suffixes(x, mn, base, n, od, &type, &src, &rnd, &half))
		return false;
	if (gcls == 'p' && od->guard == LOOM_TPC_G_LANE)
		return asm_err(x, start, "'%s' is lane-guarded: use @vpN", od->name);
	if (gcls == 'q' && od->guard == LOOM_TPC_G_SCALAR)
		return asm_err(x, start, "'%s' is guarded by a scalar predicate: use @pN", od->name);
	fd = loom_tpc_form_desc(od->form);
	p = skip_ws(mn + n);

	for (const char *s = fd->syntax; *s; s += 2) {
		if (s != fd->syntax) {
			if (*p != ',')
				return asm_err(x, p, *p ? "expected ','" : "missing operand");
			p = skip_ws(p + 1);
		}
		if (!*p)
			return asm_err(x, p, "missing operand");
		if (!parse_operand(x, &p, s[0], s[1], fd, type, pc, &o))
			return false;
		p = skip_ws(p);
	}
	if (*p)
		return asm_err(x, p, *p == ',' ? "too many operands" :
			       "unexpected '%c' after the operands", *p);

	w = LOOM_TPC_INSN(op, type, o.bk, o.d, o.a, o.b, gp, gpn);
	if (o.has_imm)
		w |= LOOM_TPC_ENC_IMM(o.imm);
	else if (fd->c == LOOM_TPC_K_P || fd->c == LOOM_TPC_K_VP)
		w |= LOOM_TPC_ENC_CP(o.c, o.cpn);
	else if (fd->c == LOOM_TPC_K_CVT)
		w |= LOOM_TPC_ENC_CVT(src, rnd, half);
	else if (fd->c != LOOM_TPC_K_NONE)
		w |= LOOM_TPC_ENC_C(o.c);
	why = loom_tpc_insn_check(w);
	if (why == LOOM_TPC_BAD_CVT)
		return asm_err(x, mn, "'%.*s': conversion or rounding not supported", (int)n, mn);
	if (why)
		return asm_err(x, start, "%s", bad_reason(why));

	if (o.label) {
		struct asm_fix *nf;

		if (!(x->nfix & (x->nfix - 1))) {
			nf = realloc(x->fix, (x->nfix ? x->nfix * 2 : 8) * sizeof(*nf));
			if (!nf) {
				x->oom = true;
				return false;
			}
			x->fix = nf;
		}
		nf = &x->fix[x->nfix];
		nf->pc = pc;
		nf->label = strndup(o.label, o.label_len);
		nf->line = strndup(x->src_line, x->src_len);
		nf->lineno = x->lineno;
		nf->col = (uint32_t)(o.label - x->line) + 1;
		if (!nf->label || !nf->line) {
			free(nf->label);
			free(nf->line);
			x->oom = true;
			return false;
		}
		x->nfix++;
	}
	return asm_add_word(x, w, start);
}

/* ---- directives and labels ---------------------------------------------------------- */

static bool reserved_name(const char *p, size_t n)
{
	uint32_t v;
	char buf[16];

	if (reg_class(p, n, &v))
		return true;
	for (uint32_t s = 0; s < 64; s++) {
		const char *name = loom_asm_sr_name(s, buf, sizeof(buf));

		if (name && word_is(p, n, name))
			return true;
	}
	return false;
}

/* ".tensor name, type" / ".scalar name, type" */
static bool asm_arg_directive(struct asm_ctx *x, const char *p, uint32_t kind)
{
	size_t n = word_len(p);
	const char *name = p, *tp;
	int t, ret;
	char *nm;

	if (!name_ok(p, n) || p[0] == '.')
		return asm_err(x, p, "expected an argument name");
	if (reserved_name(p, n))
		return asm_err(x, p, "'%.*s' is a register or special register name", (int)n, p);
	if (asm_arg(x, p, n, LOOM_TPC_ARG_TENSOR) || asm_arg(x, p, n, LOOM_TPC_ARG_SCALAR))
		return asm_err(x, p, "argument '%.*s' declared twice", (int)n, p);
	p = skip_ws(p + n);
	if (*p != ',')
		return asm_err(x, p, "expected ',' and a type");
	tp = p = skip_ws(p + 1);
	n = word_len(p);
	t = asm_dtype(p, n);
	if (t < 0 || (kind == LOOM_TPC_ARG_SCALAR && t == LOOM_TPC_DT_BF16))
		return asm_err(x, p, kind == LOOM_TPC_ARG_SCALAR ?
			       "expected a scalar type (f32, i32, u32)" :
			       "expected an element type (f32, bf16, i32, u32)");
	p = skip_ws(p + n);
	if (*p)
		return asm_err(x, p, "unexpected text after the directive");
	nm = strndup(name, word_len(name));
	if (!nm) {
		x->oom = true;
		return false;
	}
	ret = loom_obj_add_arg(x->o, kind, (uint32_t)t, nm);
	free(nm);
	if (ret == -ENOMEM)
		x->oom = true;
	else if (ret)
		return asm_err(x, name, kind == LOOM_TPC_ARG_TENSOR ?
			       "too many tensor arguments (at most %u)" :
			       "too many scalar arguments (at most %u)",
			       kind == LOOM_TPC_ARG_TENSOR ? LOOM_TPC_MAX_TENSORS : LOOM_TPC_NUM_ARGS);
	(void)tp;
	return ret == 0;
}

static bool asm_directive(struct asm_ctx *x, const char *p)
{
	const char *d = p;
	size_t n = word_len(p);
	uint32_t v;

	p = skip_ws(p + n);
	if (word_is(d, n, ".kernel")) {
		size_t m = word_len(p);

		if (x->have_kernel)
			return asm_err(x, d, "kernel name already set");
		if (!name_ok(p, m) || p[0] == '.')
			return asm_err(x, p, "expected a kernel name");
		if (*skip_ws(p + m))
			return asm_err(x, skip_ws(p + m), "unexpected text after the directive");
		free(x->o->name);
		x->o->name = strndup(p, m);
		if (!x->o->name)
			x->oom = true;
		x->have_kernel = true;
		return x->o->name != NULL;
	}
	if (word_is(d, n, ".tensor"))
		return asm_arg_directive(x, p, LOOM_TPC_ARG_TENSOR);
	if (word_is(d, n, ".scalar"))
		return asm_arg_directive(x, p, LOOM_TPC_ARG_SCALAR);
	if (word_is(d, n, ".slm") || word_is(d, n, ".vlm")) {
		bool slm = d[1] == 's';
		uint32_t max = slm ? LOOM_TPC_SLM_SIZE : LOOM_TPC_VLM_SIZE;

		if (!*p)
			return asm_err(x, p, "expected a size in bytes");
		if (*p == '-')
			return asm_err(x, p, "expected a size in bytes");
		if (!parse_imm(x, &p, false, &v))
			return false;
		if (v > max)
			return asm_err(x, d, "%s local memory is at most %u bytes",
				       slm ? "scalar" : "vector", max);
		if (*skip_ws(p))
			return asm_err(x, skip_ws(p), "unexpected text after the directive");
		if (slm)
			x->o->slm_size = v;
		else
			x->o->vlm_size = v;
		return true;
	}
	if (word_is(d, n, ".word")) {
		const char *s = p;
		char *end;
		uint64_t w;

		errno = 0;
		if (!isdigit((unsigned char)*p))
			return asm_err(x, p, "expected a 64-bit value");
		w = strtoull(p, &end, 0);
		if (errno == ERANGE || !imm_end(*end))
			return asm_err(x, s, "invalid 64-bit value");
		if (*skip_ws(end))
			return asm_err(x, skip_ws(end), "unexpected text after the directive");
		return asm_add_word(x, w, d);
	}
	return asm_err(x, d, "unknown directive '%.*s'", (int)n, d);
}

static bool asm_label(struct asm_ctx *x, const char *p, size_t n)
{
	struct asm_label *nl;

	for (uint32_t i = 0; i < x->nlabels; i++)
		if (word_is(p, n, x->labels[i].name))
			return asm_err(x, p, "label '%.*s' defined twice", (int)n, p);
	if (reserved_name(p, n))
		return asm_err(x, p, "'%.*s' is a register or special register name", (int)n, p);
	if (!(x->nlabels & (x->nlabels - 1))) {
		nl = realloc(x->labels, (x->nlabels ? x->nlabels * 2 : 8) * sizeof(*nl));
		if (!nl) {
			x->oom = true;
			return false;
		}
		x->labels = nl;
	}
	nl = &x->labels[x->nlabels];
	nl->name = strndup(p, n);
	nl->pc = x->o->ncode;
	if (!nl->name) {
		x->oom = true;
		return false;
	}
	x->nlabels++;
	/* ".L" labels are local: not in the object's symbol table. */
	if (strncmp(nl->name, ".L", 2) && loom_obj_add_sym(x->o, nl->pc * 8, nl->name)) {
		x->oom = true;
		return false;
	}
	return true;
}

/* One line (x->line, comment removed). */
static void asm_line(struct asm_ctx *x)
{
	const char *p = skip_ws(x->line);
	size_t n;

	/* Labels: "name:", possibly several, then maybe a statement. */
	for (;;) {
		n = word_len(p);
		if (n && p[n] == ':' && name_ok(p, n)) {
			if (!asm_label(x, p, n))
				return;
			p = skip_ws(p + n + 1);
			continue;
		}
		break;
	}
	if (!*p)
		return;
	if (*p == '.' && isalpha((unsigned char)p[1]))
		asm_directive(x, p);
	else if (*p == '@' || isalpha((unsigned char)*p))
		asm_insn(x, p);
	else
		asm_err(x, p, "unexpected '%c'", *p);
}

/* Copy line src[0..len) into x->line without its comment. */
static bool asm_take_line(struct asm_ctx *x, const char *src, size_t len)
{
	size_t i;

	x->src_line = src;
	x->src_len = len;
	if (len > ASM_LINE_MAX) {
		x->line[0] = '\0';
		asm_err(x, x->line, "line longer than %u characters", ASM_LINE_MAX);
		return false;
	}
	for (i = 0; i < len; i++) {
		if (src[i] == ';' || (src[i] == '/' && i + 1 < len && src[i + 1] == '/'))
			break;
		if (src[i] == '\0') {
			x->line[i] = '\0';
			asm_err(x, x->line + i, "NUL character in the source");
			return false;
		}
		x->line[i] = src[i];
	}
	x->line[i] = '\0';
	return true;
}

/* Patch branches to labels; tensor argument flags from the code. */
static void asm_finish(struct asm_ctx *x)
{
	struct loom_obj *o = x->o;

	for (uint32_t f = 0; f < x->nfix; f++) {
		struct asm_fix *fx = &x->fix[f];
		uint32_t i;

		for (i = 0; i < x->nlabels; i++)
			if (!strcmp(x->labels[i].name, fx->label))
				break;
		if (i == x->nlabels) {
			asm_err_line(x, fx->lineno, fx->col, fx->line, "undefined label '%s'",
				     fx->label);
			continue;
		}
		o->code[fx->pc] = (o->code[fx->pc] & 0xffffffffULL) |
				  LOOM_TPC_ENC_IMM(x->labels[i].pc - fx->pc);
	}
	for (uint32_t pc = 0; pc < o->ncode; pc++) {
		uint64_t w = o->code[pc];
		unsigned op = LOOM_TPC_INSN_OP(w), t = LOOM_TPC_INSN_B(w), flag;

		if (loom_tpc_insn_check(w))
			continue;
		if (op == LOOM_TPC_OP_LDT || op == LOOM_TPC_OP_LDTS)
			flag = LOOM_TPC_ARG_F_READ;
		else if (op == LOOM_TPC_OP_STT || op == LOOM_TPC_OP_STTS)
			flag = LOOM_TPC_ARG_F_WRITE;
		else
			continue;
		for (uint32_t i = 0; i < o->nargs; i++)
			if (o->args[i].kind == LOOM_TPC_ARG_TENSOR && o->args[i].slot == t)
				o->args[i].flags |= flag;
	}
}

static void asm_ctx_free(struct asm_ctx *x)
{
	for (uint32_t i = 0; i < x->nlabels; i++)
		free(x->labels[i].name);
	free(x->labels);
	for (uint32_t i = 0; i < x->nfix; i++) {
		free(x->fix[i].label);
		free(x->fix[i].line);
	}
	free(x->fix);
}

int loom_asm(const char *file, const char *src, size_t len, struct loom_obj *out, char **diag)
{
	struct asm_ctx *x;
	size_t pos = 0;
	int ret = 0;

	if (diag)
		*diag = NULL;
	if (!out || (!src && len))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->file = file ? file : "<input>";
	x->o = out;
	out->name = strdup("");
	if (!out->name)
		x->oom = true;

	while (pos < len && !x->oom && x->nerr < LOOM_ASM_MAX_ERRORS) {
		const char *nl = memchr(src + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (src + pos)) : len - pos;

		x->lineno++;
		if (asm_take_line(x, src + pos, n))
			asm_line(x);
		pos += n + 1;
	}
	if (!x->oom && x->nerr < LOOM_ASM_MAX_ERRORS)
		asm_finish(x);
	if (!x->oom && !x->nerr && !out->ncode)
		asm_err_file(x, "no instructions");

	if (x->oom)
		ret = -ENOMEM;
	else if (x->nerr)
		ret = -EINVAL;
	if (ret) {
		loom_obj_clear(out);
		if (diag && ret == -EINVAL) {
			*diag = x->diag;
			x->diag = NULL;
		}
	}
	free(x->diag);
	asm_ctx_free(x);
	free(x);
	return ret;
}
