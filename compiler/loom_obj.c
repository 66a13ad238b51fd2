// SPDX-License-Identifier: MIT
/*
 * TPC kernel objects: building one in memory, writing it in the format of
 * hw/loom_tpc.h and reading one back with every offset, count and string
 * checked, so that a truncated or hostile file is an error, not a crash.
 *
 * The writer's layout is fixed (header, code, arguments, symbols, string
 * table; strings in the order kernel name, argument names, symbol names,
 * each stored once), so the same object always gives the same bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom_obj.h"

#define OBJ_MAX_SYMS	(1U << 20)
#define OBJ_MAX_ARGS	(LOOM_TPC_MAX_TENSORS + LOOM_TPC_NUM_ARGS)

const char *loom_obj_dtype_name(uint32_t dt)
{
	static const char *const names[LOOM_TPC_NUM_DT] = {
		[LOOM_TPC_DT_F32] = "f32", [LOOM_TPC_DT_BF16] = "bf16",
		[LOOM_TPC_DT_I32] = "i32", [LOOM_TPC_DT_U32] = "u32",
	};

	return dt < LOOM_TPC_NUM_DT ? names[dt] : NULL;
}

void loom_obj_clear(struct loom_obj *o)
{
	if (!o)
		return;
	free(o->name);
	free(o->code);
	for (uint32_t i = 0; i < o->nargs; i++)
		free(o->args[i].name);
	free(o->args);
	for (uint32_t i = 0; i < o->nsyms; i++)
		free(o->syms[i].name);
	free(o->syms);
	memset(o, 0, sizeof(*o));
}

/* Grow an array of n elements of size sz by one when n is a power of two. */
static int obj_grow(void **p, uint32_t n, size_t sz)
{
	void *np;

	if (n & (n - 1))
		return 0;
	np = realloc(*p, (n ? (size_t)n * 2 : 8) * sz);
	if (!np)
		return -ENOMEM;
	*p = np;
	return 0;
}

int loom_obj_add_arg(struct loom_obj *o, uint32_t kind, uint32_t dtype, const char *name)
{
	struct loom_obj_arg *a;
	uint32_t slot = 0;
	char *n;

	for (uint32_t i = 0; i < o->nargs; i++)
		slot += o->args[i].kind == kind;
	if (kind == LOOM_TPC_ARG_TENSOR ? slot >= LOOM_TPC_MAX_TENSORS :
	    slot >= LOOM_TPC_NUM_ARGS)
		return -EINVAL;
	n = strdup(name ? name : "");
	if (!n || obj_grow((void **)&o->args, o->nargs, sizeof(*o->args))) {
		free(n);
		return -ENOMEM;
	}
	a = &o->args[o->nargs++];
	a->kind = kind;
	a->slot = slot;
	a->dtype = dtype;
	a->flags = 0;
	a->name = n;
	return 0;
}

int loom_obj_add_sym(struct loom_obj *o, uint32_t value, const char *name)
{
	char *n;

	if (o->nsyms >= OBJ_MAX_SYMS)
		return -EINVAL;
	n = strdup(name);
	if (!n || obj_grow((void **)&o->syms, o->nsyms, sizeof(*o->syms))) {
		free(n);
		return -ENOMEM;
	}
	o->syms[o->nsyms].kind = LOOM_TPC_SYM_LABEL;
	o->syms[o->nsyms].value = value;
	o->syms[o->nsyms].name = n;
	o->nsyms++;
	return 0;
}

int loom_obj_add_code(struct loom_obj *o, uint64_t word)
{
	if (o->ncode >= LOOM_TPC_CODE_MAX / LOOM_TPC_INSN_SIZE)
		return -EINVAL;
	if (obj_grow((void **)&o->code, o->ncode, sizeof(*o->code)))
		return -ENOMEM;
	o->code[o->ncode++] = word;
	return 0;
}

/* ---- writing ------------------------------------------------------------------ */

struct strtab {
	char *buf;
	size_t len, cap;
};

/* Offset of s in the table, adding it if absent. */
static int strtab_add(struct strtab *t, const char *s, uint32_t *off)
{
	size_t n = strlen(s) + 1;

	if (!*s) {
		*off = 0;
		return 0;
	}
	for (size_t i = 1; i + n <= t->len; i++)
		if (!memcmp(t->buf + i, s, n) && t->buf[i - 1] == '\0') {
			*off = (uint32_t)i;
			return 0;
		}
	if (t->len + n > UINT32_MAX)
		return -EINVAL;
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		char *nb;

		while (cap < t->len + n)
			cap *= 2;
		nb = realloc(t->buf, cap);
		if (!nb)
			return -ENOMEM;
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	*off = (uint32_t)t->len;
	t->len += n;
	return 0;
}

int loom_obj_write(const struct loom_obj *o, void **bufp, size_t *sizep)
{
	struct loom_tpc_obj_hdr h = { 0 };
	struct strtab st = { 0 };
	struct loom_tpc_obj_arg *args = NULL;
	struct loom_tpc_obj_sym *syms = NULL;
	uint32_t name = 0;
	size_t size;
	uint8_t *buf;
	int ret;

	*bufp = NULL;
	*sizep = 0;
	if (!o->ncode || o->nargs > OBJ_MAX_ARGS || o->nsyms > OBJ_MAX_SYMS)
		return -EINVAL;
	args = calloc(o->nargs ? o->nargs : 1, sizeof(*args));
	syms = calloc(o->nsyms ? o->nsyms : 1, sizeof(*syms));
	st.cap = 256;
	st.buf = malloc(st.cap);
	ret = args && syms && st.buf ? 0 : -ENOMEM;
	if (!ret) {
		st.buf[0] = '\0';	/* the table starts with a NUL */
		st.len = 1;
		ret = strtab_add(&st, o->name ? o->name : "", &name);
	}
	for (uint32_t i = 0; !ret && i < o->nargs; i++) {
		args[i].kind = o->args[i].kind;
		args[i].slot = o->args[i].slot;
		args[i].dtype = o->args[i].dtype;
		args[i].flags = o->args[i].flags;
		ret = strtab_add(&st, o->args[i].name, &args[i].name);
	}
	for (uint32_t i = 0; !ret && i < o->nsyms; i++) {
		syms[i].kind = o->syms[i].kind;
		syms[i].value = o->syms[i].value;
		ret = strtab_add(&st, o->syms[i].name, &syms[i].name);
	}
	if (ret)
		goto out;

	h.magic = LOOM_TPC_OBJ_MAGIC;
	h.version = LOOM_TPC_OBJ_VERSION;
	h.hdr_size = sizeof(h);
	h.name = name;
	h.code_off = sizeof(h);
	h.code_size = o->ncode * 8;
	h.args_off = h.code_off + h.code_size;
	h.num_args = o->nargs;
	h.syms_off = h.args_off + o->nargs * (uint32_t)sizeof(*args);
	h.num_syms = o->nsyms;
	h.strtab_off = h.syms_off + o->nsyms * (uint32_t)sizeof(*syms);
	h.strtab_size = (uint32_t)st.len;
	h.slm_size = o->slm_size;
	h.vlm_size = o->vlm_size;
	size = (size_t)h.strtab_off + st.len;
	buf = calloc(1, size);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + h.code_off, o->code, h.code_size);
	memcpy(buf + h.args_off, args, o->nargs * sizeof(*args));
	memcpy(buf + h.syms_off, syms, o->nsyms * sizeof(*syms));
	memcpy(buf + h.strtab_off, st.buf, st.len);
	*bufp = buf;
	*sizep = size;
out:
	free(st.buf);
	free(args);
	free(syms);
	return ret;
}

/* ---- reading ------------------------------------------------------------------ */

static int obj_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Is [off, off + n * sz) inside size? */
static int obj_range_ok(size_t size, uint32_t off, uint32_t n, size_t sz)
{
	uint64_t end = (uint64_t)off + (uint64_t)n * sz;

	return end <= size;
}

/* A copy of the string at off of the table, checked. */
static char *obj_str(const char *tab, uint32_t tabsize, uint32_t off)
{
	if (off >= tabsize || !memchr(tab + off, '\0', tabsize - off))
		return NULL;
	return strdup(tab + off);
}

int loom_obj_read(const void *image, size_t size, struct loom_obj *o, char *err, size_t errlen)
{
	const uint8_t *buf = image;
	struct loom_tpc_obj_hdr h;
	const char *tab;
	uint32_t nt = 0, ns = 0;

	memset(o, 0, sizeof(*o));
	if (err && errlen)
		err[0] = '\0';
	if (size < sizeof(h))
		return obj_bad(err, errlen, "file too short for an object header");
	memcpy(&h, buf, sizeof(h));
	if (h.magic != LOOM_TPC_OBJ_MAGIC)
		return obj_bad(err, errlen, "not a TPC object (bad magic)");
	if (h.version != LOOM_TPC_OBJ_VERSION)
		return obj_bad(err, errlen, "object version %u not supported", h.version);
	if (h.hdr_size != sizeof(h) || h.flags || h.num_relocs || h.relocs_off ||
	    h.reserved[0] || h.reserved[1] || h.reserved[2] || h.reserved[3])
		return obj_bad(err, errlen, "bad header fields");
	if (!h.code_size || h.code_size % 8 || h.code_off % 8 ||
	    h.code_size > LOOM_TPC_CODE_MAX || !obj_range_ok(size, h.code_off, h.code_size, 1))
		return obj_bad(err, errlen, "bad code section");
	if (h.num_args > OBJ_MAX_ARGS || h.args_off % 4 ||
	    !obj_range_ok(size, h.args_off, h.num_args, sizeof(struct loom_tpc_obj_arg)))
		return obj_bad(err, errlen, "bad argument table");
	if (h.num_syms > OBJ_MAX_SYMS || h.syms_off % 4 ||
	    !obj_range_ok(size, h.syms_off, h.num_syms, sizeof(struct loom_tpc_obj_sym)))
		return obj_bad(err, errlen, "bad symbol table");
	if (!h.strtab_size || !obj_range_ok(size, h.strtab_off, h.strtab_size, 1))
		return obj_bad(err, errlen, "bad string table");
	tab = (const char *)buf + h.strtab_off;
	if (tab[0] || tab[h.strtab_size - 1])
		return obj_bad(err, errlen, "string table must start and end with NUL");
	if (h.slm_size > LOOM_TPC_SLM_SIZE || h.vlm_size > LOOM_TPC_VLM_SIZE)
		return obj_bad(err, errlen, "local memory sizes beyond the core's");

	o->name = obj_str(tab, h.strtab_size, h.name);
	o->code = malloc(h.code_size);
	o->args = calloc(h.num_args ? h.num_args : 1, sizeof(*o->args));
	o->syms = calloc(h.num_syms ? h.num_syms : 1, sizeof(*o->syms));
	if (!o->name || !o->code || !o->args || !o->syms) {
		bool bad_name = o->code && o->args && o->syms && !o->name;

		loom_obj_clear(o);
		return bad_name ? obj_bad(err, errlen, "bad kernel name") : -ENOMEM;
	}
	memcpy(o->code, buf + h.code_off, h.code_size);
	o->ncode = h.code_size / 8;
	o->slm_size = h.slm_size;
	o->vlm_size = h.vlm_size;
	for (uint32_t i = 0; i < h.num_args; i++) {
		struct loom_tpc_obj_arg a;

		memcpy(&a, buf + h.args_off + i * sizeof(a), sizeof(a));
		if ((a.kind != LOOM_TPC_ARG_TENSOR && a.kind != LOOM_TPC_ARG_SCALAR) ||
		    a.dtype >= LOOM_TPC_NUM_DT || a.reserved ||
		    (a.kind == LOOM_TPC_ARG_SCALAR && (a.dtype == LOOM_TPC_DT_BF16 || a.flags)) ||
		    (a.flags & ~(LOOM_TPC_ARG_F_READ | LOOM_TPC_ARG_F_WRITE)) ||
		    a.slot != (a.kind == LOOM_TPC_ARG_TENSOR ? nt : ns)) {
			loom_obj_clear(o);
			return obj_bad(err, errlen, "bad argument %u", i);
		}
		if (a.kind == LOOM_TPC_ARG_TENSOR)
			nt++;
		else
			ns++;
		o->args[i].kind = a.kind;
		o->args[i].slot = a.slot;
		o->args[i].dtype = a.dtype;
		o->args[i].flags = a.flags;
		o->args[i].name = obj_str(tab, h.strtab_size, a.name);
		o->nargs = i + 1;
		if (!o->args[i].name) {
			loom_obj_clear(o);
			return obj_bad(err, errlen, "bad name of argument %u", i);
		}
	}
	if (nt > LOOM_TPC_MAX_TENSORS || ns > LOOM_TPC_NUM_ARGS) {
		loom_obj_clear(o);
		return obj_bad(err, errlen, "too many arguments");
	}
	for (uint32_t i = 0; i < h.num_syms; i++) {
		struct loom_tpc_obj_sym s;

		memcpy(&s, buf + h.syms_off + i * sizeof(s), sizeof(s));
		if (s.kind != LOOM_TPC_SYM_LABEL || s.reserved || s.value % 8 ||
		    s.value > h.code_size) {
			loom_obj_clear(o);
			return obj_bad(err, errlen, "bad symbol %u", i);
		}
		o->syms[i].kind = s.kind;
		o->syms[i].value = s.value;
		o->syms[i].name = obj_str(tab, h.strtab_size, s.name);
		o->nsyms = i + 1;
		if (!o->syms[i].name || !o->syms[i].name[0]) {
			loom_obj_clear(o);
			return obj_bad(err, errlen, "bad name of symbol %u", i);
		}
	}
	return 0;
}
