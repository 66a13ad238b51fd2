/* SPDX-License-Identifier: MIT */
/*
 * loomcc_ctx.c: the compilation context and the pipeline.
 *
 * A context owns an arena: everything a compilation allocates comes from
 * it and goes back in lcc_ctx_destroy, so an error can unwind from any
 * depth with longjmp without leaking. The arena is capped
 * (LCC_MAX_MEMORY): an input that needs more is an error, not a machine
 * brought to its knees. lcc_compile_file/_buffer run the phases in order
 * and verify the IR after lowering and again after optimisation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loomcc.h"
#include "loomcc_ir.h"

#define LCC_CHUNK_SIZE	(64u << 10)
#define LCC_ERROR_RESERVE	(1u << 20)

struct lcc_chunk {
	struct lcc_chunk *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

struct lcc_ctx {
	struct lcc_options opts;
	struct lcc_chunk *chunks;
	size_t total;		/* bytes taken from malloc */
	jmp_buf jmp;
	bool jmp_armed;
	bool in_error;		/* formatting a diagnostic: use the reserve */
	bool used;		/* a context compiles once */
	int err;		/* what lcc_compile_* returns after longjmp */
	const char *diag;
};

_Noreturn void lcc_ctx_fail(struct lcc_ctx *ctx, int err, const char *text)
{
	ctx->err = err;
	ctx->diag = text;
	ctx->in_error = false;
	if (!ctx->jmp_armed)
		abort();	/* a phase called outside lcc_compile_*: a bug */
	longjmp(ctx->jmp, 1);
}

void lcc_ctx_begin_error(struct lcc_ctx *ctx)
{
	ctx->in_error = true;
}

struct lcc_ctx *lcc_ctx_create(const struct lcc_options *opts)
{
	struct lcc_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx) {
		errno = ENOMEM;
		return NULL;
	}
	if (opts)
		ctx->opts = *opts;
	return ctx;
}

void lcc_ctx_destroy(struct lcc_ctx *ctx)
{
	struct lcc_chunk *c, *next;

	if (!ctx)
		return;
	for (c = ctx->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(ctx);
}

const char *lcc_ctx_diag(const struct lcc_ctx *ctx)
{
	return ctx ? ctx->diag : NULL;
}

const struct lcc_options *lcc_ctx_options(const struct lcc_ctx *ctx)
{
	return &ctx->opts;
}

void *lcc_alloc_try(struct lcc_ctx *ctx, size_t size)
{
	struct lcc_chunk *c;

	if (size > LCC_MAX_MEMORY || ctx->total + size + 64 > LCC_MAX_MEMORY)
		return NULL;
	c = malloc(sizeof(*c) + size + 16);
	if (!c)
		return NULL;
	c->size = size + 16;
	c->used = c->size;
	ctx->total += c->size;
	if (ctx->chunks) {
		c->next = ctx->chunks->next;
		ctx->chunks->next = c;
	} else {
		c->next = NULL;
		ctx->chunks = c;
	}
	memset(c->data, 0, size + 1);
	return c->data;
}

void *lcc_alloc(struct lcc_ctx *ctx, size_t size)
{
	struct lcc_chunk *c = ctx->chunks;
	size_t limit = LCC_MAX_MEMORY + (ctx->in_error ? LCC_ERROR_RESERVE : 0);
	size_t csize;
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (size == 0)
		size = 16;
	if (!c || c->size - c->used < size) {
		csize = size > LCC_CHUNK_SIZE / 4 ? size : LCC_CHUNK_SIZE;
		if (size > limit || ctx->total + csize > limit)
			goto nomem;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			goto nomem;
		c->size = csize;
		c->used = 0;
		ctx->total += csize;
		if (csize == size && ctx->chunks) {
			/* a big block: keep the current chunk on top */
			c->next = ctx->chunks->next;
			ctx->chunks->next = c;
		} else {
			c->next = ctx->chunks;
			ctx->chunks = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
nomem:
	lcc_ctx_fail(ctx, -ENOMEM, ctx->in_error ? NULL :
		     "loomcc: error: out of memory (a compilation may use at most 256 MiB)\n");
}

char *lcc_strndup(struct lcc_ctx *ctx, const char *s, size_t n)
{
	char *p = lcc_alloc(ctx, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lcc_format(struct lcc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	p = lcc_alloc(ctx, (size_t)n + 1);
	if ((size_t)n < sizeof(small)) {
		memcpy(p, small, (size_t)n + 1);
		return p;
	}
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *lcc_grow(struct lcc_ctx *ctx, void *arr, int *cap, int need, size_t elem)
{
	int ncap = *cap ? *cap : 8;
	void *p;

	if (need <= *cap)
		return arr;
	while (ncap < need) {
		if (ncap > (1 << 28))
			lcc_ctx_fail(ctx, -ENOMEM, "loomcc: error: out of memory (table too large)\n");
		ncap *= 2;
	}
	p = lcc_alloc(ctx, (size_t)ncap * elem);
	if (arr && *cap)
		memcpy(p, arr, (size_t)*cap * elem);
	*cap = ncap;
	return p;
}

/* ---- string-keyed hash map ---- */

static uint32_t lcc_hash(const char *s, int len)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static char lcc_tombstone;

static struct lcc_map_entry *lcc_map_find(const struct lcc_map *map, const char *key,
					  int keylen)
{
	uint32_t h;

	if (!map->buckets)
		return NULL;
	h = lcc_hash(key, keylen);
	for (int i = 0; i < map->cap; i++) {
		struct lcc_map_entry *e = &map->buckets[(h + i) & (map->cap - 1)];

		if (!e->key)
			return NULL;
		if (e->key != &lcc_tombstone && e->keylen == keylen &&
		    !memcmp(e->key, key, keylen))
			return e;
	}
	return NULL;
}

void *lcc_map_get(const struct lcc_map *map, const char *key, int keylen)
{
	struct lcc_map_entry *e = lcc_map_find(map, key, keylen);

	return e ? e->val : NULL;
}

static void lcc_map_rehash(struct lcc_ctx *ctx, struct lcc_map *map)
{
	struct lcc_map_entry *old = map->buckets;
	int ocap = map->cap;
	int ncap = ocap ? ocap * 2 : 64;

	map->buckets = lcc_alloc(ctx, sizeof(*map->buckets) * ncap);
	map->cap = ncap;
	map->used = 0;
	for (int i = 0; i < ocap; i++)
		if (old[i].key && old[i].key != &lcc_tombstone)
			lcc_map_put(ctx, map, old[i].key, old[i].keylen, old[i].val);
}

void lcc_map_put(struct lcc_ctx *ctx, struct lcc_map *map, const char *key,
		 int keylen, void *val)
{
	struct lcc_map_entry *e = lcc_map_find(map, key, keylen);
	uint32_t h;

	if (e) {
		e->val = val;
		return;
	}
	if ((map->used + 1) * 10 >= map->cap * 7)
		lcc_map_rehash(ctx, map);
	h = lcc_hash(key, keylen);
	for (int i = 0;; i++) {
		e = &map->buckets[(h + i) & (map->cap - 1)];
		if (!e->key || e->key == &lcc_tombstone)
			break;
	}
	if (!e->key)
		map->used++;
	e->key = key;
	e->keylen = keylen;
	e->val = val;
}

void lcc_map_del(struct lcc_map *map, const char *key, int keylen)
{
	struct lcc_map_entry *e = lcc_map_find(map, key, keylen);

	if (e) {
		e->key = &lcc_tombstone;
		e->val = NULL;
	}
}

/* ---- the pipeline ---- */

static int lcc_read_default(struct lcc_ctx *ctx, void *arg, const char *path,
			    char **data, size_t *len)
{
	struct stat st;
	FILE *f;
	char *buf;
	size_t n;
	int err;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		fclose(f);
		return err;
	}
	if ((uint64_t)st.st_size > LCC_MAX_FILE_SIZE) {
		fclose(f);
		return -EFBIG;
	}
	/* Never unwinds: f must be closed on every path. */
	buf = lcc_alloc_try(ctx, (size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, (size_t)st.st_size + 1, f);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err)
		return err;
	if (n > (size_t)st.st_size)
		return -EAGAIN;		/* the file grew while being read */
	*data = buf;
	*len = n;
	return 0;
}

int lcc_read_file(struct lcc_ctx *ctx, const char *path, char **data, size_t *len)
{
	if (ctx->opts.read_file)
		return ctx->opts.read_file(ctx, ctx->opts.read_arg, path, data, len);
	return lcc_read_default(ctx, NULL, path, data, len);
}

static int lcc_run(struct lcc_ctx *ctx, struct lcc_file *file, struct lcc_ir_func **out)
{
	struct lcc_token *tok;
	struct lcc_program *prog;
	struct lcc_ir_func *fn;

	tok = lcc_lex_file(ctx, file);
	tok = lcc_preprocess(ctx, tok);
	prog = lcc_parse(ctx, tok);
	lcc_sema(ctx, prog);
	fn = lcc_lower(ctx, prog);
	lcc_ir_verify(ctx, fn);
	/* Code generation never sees unreachable blocks, even at -O0. */
	lcc_ir_remove_unreachable(ctx, fn);
	lcc_ir_verify(ctx, fn);
	if (!ctx->opts.no_opt) {
		lcc_opt(ctx, fn);
		lcc_ir_verify(ctx, fn);
	}
	ctx->jmp_armed = false;
	*out = fn;
	return 0;
}

int lcc_compile_file(struct lcc_ctx *ctx, const char *path, struct lcc_ir_func **out)
{
	char *data;
	size_t len;
	int ret;

	if (!ctx || !path || !out)
		return -EINVAL;
	if (ctx->used)
		return -EBUSY;
	ctx->used = true;
	if (setjmp(ctx->jmp)) {
		ctx->jmp_armed = false;
		return ctx->err;
	}
	ctx->jmp_armed = true;
	ret = lcc_read_file(ctx, path, &data, &len);
	if (ret < 0) {
		ctx->jmp_armed = false;
		return ret;
	}
	return lcc_run(ctx, lcc_file_new(ctx, path, data, len, 0), out);
}

int lcc_compile_buffer(struct lcc_ctx *ctx, const char *name, const char *buf,
		       size_t len, struct lcc_ir_func **out)
{
	if (!ctx || !name || (!buf && len) || !out)
		return -EINVAL;
	if (ctx->used)
		return -EBUSY;
	ctx->used = true;
	if (setjmp(ctx->jmp)) {
		ctx->jmp_armed = false;
		return ctx->err;
	}
	ctx->jmp_armed = true;
	if (len > LCC_MAX_FILE_SIZE)
		lcc_ctx_fail(ctx, -EFBIG, "loomcc: error: input larger than 4 MiB\n");
	return lcc_run(ctx, lcc_file_new(ctx, name, buf ? buf : "", len, 0), out);
}
