/* SPDX-License-Identifier: MIT */
/*
 * Saved graphs: loom_graph_save() writes the forward part of a graph (its
 * inputs, parameters, operations and outputs; not what backward() and the
 * optimiser add) as text, one node per line, and loom_graph_load() builds
 * a graph from such text through the public constructors, so a loaded
 * graph is checked exactly as one built in C. Inputs are batched along
 * their first dimension, written "B" and given at load time (a reshape's
 * target may say B too, by hand: saving writes numbers). The format is
 * described in docs/graph.md ("Saved graphs").
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

#define IO_MAGIC	"loom-graph 1"
#define IO_LINE_MAX	512
#define IO_MAX_TOK	8

static const char *const init_name[] = { "zero", "one", "uniform" };
static const char *const red_name[] = { "sum", "mean", "max" };

/* ---- Saving --------------------------------------------------------------- */

static void put_dims(FILE *f, const struct gnode *n, bool batched)
{
	for (uint32_t i = 0; i < n->ndims; i++) {
		if (i == 0 && batched)
			fputs(" B", f);
		else
			fprintf(f, "%s%u", i ? "," : " ", n->dims[i]);
	}
}

int loom_graph_save(const loom_graph *g, FILE *f)
{
	if (!g || !f)
		return -EINVAL;
	int nf = graph_fwd_count(g);

	for (int i = 0; i < nf; i++)
		if (g->nodes[i].name[strcspn(g->nodes[i].name, " \t\r\n#")])
			return graph_errorf((loom_graph *)g, -EINVAL,
					    "save: the name '%s' has a space or '#'",
					    g->nodes[i].name);
	for (int i = 0; i < nf; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(g->nodes[i].name, g->nodes[j].name))
				return graph_errorf((loom_graph *)g, -EINVAL,
						    "save: two nodes are called '%s'",
						    g->nodes[i].name);
	fprintf(f, "%s\n", IO_MAGIC);
	/* Not what backward() and the optimiser added: they add it again. */
	for (int i = 0; i < nf; i++) {
		const struct gnode *n = &g->nodes[i];
		const char *op = loom_gop_name((enum loom_gop)n->kind);

#define IN(k) g->nodes[n->in[k]].name
		fprintf(f, "%s %s", op, n->name);
		switch (n->kind) {
		case GK_INPUT:
			fprintf(f, " %s", graph_dtype_name(n->dt));
			put_dims(f, n, true);
			break;
		case GK_PARAM:
			fprintf(f, " %s", graph_dtype_name(n->dt));
			put_dims(f, n, false);
			fprintf(f, " %s", init_name[n->init]);
			if (n->fan_in != n->dims[0])
				fprintf(f, " fan_in=%u", n->fan_in);
			break;
		case GK_MATMUL:
			fprintf(f, " %s %s%s%s", IN(0), IN(1), n->trans_a ? " ta" : "",
				n->trans_b ? " tb" : "");
			break;
		case GK_LINEAR:
			fprintf(f, " %s %s %s%s", IN(0), IN(1), n->nin > 2 ? IN(2) : "-",
				n->relu ? " relu" : "");
			break;
		case GK_LAYERNORM:
			fprintf(f, " %s %s %s %.9g", IN(0), IN(1), IN(2), (double)n->eps);
			break;
		case GK_SCALE:
			fprintf(f, " %s %.9g", IN(0), (double)n->alpha);
			break;
		case GK_REDUCE:
			fprintf(f, " %s %s %d", IN(0), red_name[n->red], n->axis);
			break;
		case GK_RESHAPE:
			fprintf(f, " %s", IN(0));
			put_dims(f, n, false);
			break;
		case GK_CAST:
			fprintf(f, " %s %s", IN(0), graph_dtype_name(n->dt));
			break;
		default:	/* the inputs are all there is */
			for (int k = 0; k < n->nin; k++)
				fprintf(f, " %s", IN(k));
			break;
		}
#undef IN
		fputc('\n', f);
	}
	for (int i = 0; i < nf; i++)
		if (g->nodes[i].output)
			fprintf(f, "output %s\n", g->nodes[i].name);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

/* ---- Loading -------------------------------------------------------------- */

struct io {
	loom_graph *g;
	const char *file;
	unsigned line;
	uint32_t batch;
	char *err;
	size_t errlen;
};

static int io_err(struct io *io, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int io_err(struct io *io, int err, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (io->err && io->errlen)
		snprintf(io->err, io->errlen, "%s:%u: %s", io->file, io->line, msg);
	return err;
}

static int io_ref(struct io *io, const char *name)
{
	int id = loom_graph_find(io->g, name);

	if (id < 0)
		return io_err(io, -ENOENT, "no node called '%s' above", name);
	return id;
}

static int io_dtype(struct io *io, const char *s, enum loom_gdtype *dt)
{
	for (int d = LOOM_G_F32; d <= LOOM_G_I32; d++)
		if (!strcmp(s, graph_dtype_name((enum loom_gdtype)d))) {
			*dt = (enum loom_gdtype)d;
			return 0;
		}
	return io_err(io, -EINVAL, "unknown dtype '%s' (f32, bf16 or i32)", s);
}

static int io_u32(struct io *io, const char *s, const char *what, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || x == 0 || x > 0x7fffffffUL)
		return io_err(io, -EINVAL, "%s '%s' is not a number from 1 to 2^31-1", what, s);
	*v = (uint32_t)x;
	return 0;
}

static int io_float(struct io *io, const char *s, const char *what, float *v)
{
	char *end;

	errno = 0;
	*v = strtof(s, &end);
	if (end == s || *end || errno)
		return io_err(io, -EINVAL, "%s '%s' is not a number", what, s);
	return 0;
}

/*
 * "B,784" or "512": dims. B is the batch: allowed first with batched (an
 * input), anywhere with anywhere (a reshape's target), else refused.
 */
static int io_dims(struct io *io, char *s, bool batched, bool anywhere, uint32_t *dims,
		   uint32_t *ndims)
{
	char *save = NULL;
	int ret;

	*ndims = 0;
	for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (*ndims == LOOM_GRAPH_MAX_DIMS)
			return io_err(io, -EINVAL, "more than %d dimensions", LOOM_GRAPH_MAX_DIMS);
		if (!strcmp(t, "B") && ((batched && *ndims == 0) || anywhere)) {
			dims[(*ndims)++] = io->batch;
			continue;
		}
		ret = io_u32(io, t, "dimension", &dims[*ndims]);
		if (ret)
			return ret;
		(*ndims)++;
	}
	if (!*ndims)
		return io_err(io, -EINVAL, "no dimensions");
	return 0;
}

/* A constructor's result: its message, at this line. */
static int io_built(struct io *io, int id)
{
	if (id < 0)
		return io_err(io, id, "%s", loom_graph_error(io->g));
	return 0;
}

static int io_want(struct io *io, int ntok, int lo, int hi, const char *usage)
{
	if (ntok < lo || ntok > hi)
		return io_err(io, -EINVAL, "expected '%s'", usage);
	return 0;
}

#define WANT(lo, hi, usage) do { if ((ret = io_want(io, n, lo, hi, usage))) return ret; } while (0)
#define REF(var, tok) do { if ((var = io_ref(io, tok)) < 0) return var; } while (0)

/* One line, split into n tokens t[0..n). */
static int io_line(struct io *io, char **t, int n)
{
	static const char *const unary[] = { "relu", "gelu", "sigmoid", "tanh", "softmax",
					     "log_softmax", "transpose" };
	loom_graph *g = io->g;
	const char *op = t[0], *name = n > 1 ? t[1] : NULL;
	uint32_t dims[LOOM_GRAPH_MAX_DIMS], nd, v;
	enum loom_gdtype dt = LOOM_G_F32;
	int a, b, c, ret;
	float x;

	if (!strcmp(op, "output")) {
		WANT(2, 2, "output NAME");
		REF(a, t[1]);
		return io_built(io, loom_graph_output(g, a) < 0 ? -EINVAL : 0);
	}
	if (name && loom_graph_find(g, name) >= 0)
		return io_err(io, -EINVAL, "a node called '%s' exists already", name);
	if (!strcmp(op, "input")) {
		WANT(4, 4, "input NAME DTYPE B,DIMS");
		if ((ret = io_dtype(io, t[2], &dt)) || (ret = io_dims(io, t[3], true, false, dims, &nd)))
			return ret;
		return io_built(io, loom_g_input(g, name, dt, nd, dims));
	}
	if (!strcmp(op, "param")) {
		int init = -1;

		WANT(5, 6, "param NAME DTYPE DIMS zero|one|uniform [fan_in=N]");
		if ((ret = io_dtype(io, t[2], &dt)) || (ret = io_dims(io, t[3], false, false, dims, &nd)))
			return ret;
		for (int i = 0; i < 3; i++)
			if (!strcmp(t[4], init_name[i]))
				init = i;
		if (init < 0)
			return io_err(io, -EINVAL, "unknown init '%s' (zero, one or uniform)", t[4]);
		a = loom_g_param(g, name, dt, nd, dims, (enum loom_ginit)init);
		if ((ret = io_built(io, a)))
			return ret;
		if (n == 6) {
			if (strncmp(t[5], "fan_in=", 7))
				return io_err(io, -EINVAL, "expected 'fan_in=N', not '%s'", t[5]);
			if ((ret = io_u32(io, t[5] + 7, "fan_in", &v)))
				return ret;
			return io_built(io, loom_g_param_fan_in(g, a, v));
		}
		return 0;
	}
	if (!strcmp(op, "matmul")) {
		bool ta = false, tb = false;

		WANT(4, 6, "matmul NAME A B [ta] [tb]");
		REF(a, t[2]);
		REF(b, t[3]);
		for (int i = 4; i < n; i++) {
			if (!strcmp(t[i], "ta"))
				ta = true;
			else if (!strcmp(t[i], "tb"))
				tb = true;
			else
				return io_err(io, -EINVAL, "expected 'ta' or 'tb', not '%s'", t[i]);
		}
		return io_built(io, loom_g_matmul(g, name, a, b, ta, tb));
	}
	if (!strcmp(op, "linear")) {
		WANT(5, 6, "linear NAME X W BIAS|- [relu]");
		REF(a, t[2]);
		REF(b, t[3]);
		c = -1;
		if (strcmp(t[4], "-"))
			REF(c, t[4]);
		if (n == 6 && strcmp(t[5], "relu"))
			return io_err(io, -EINVAL, "expected 'relu', not '%s'", t[5]);
		return io_built(io, loom_g_linear(g, name, a, b, c, n == 6));
	}
	for (size_t i = 0; i < sizeof(unary) / sizeof(unary[0]); i++) {
		if (strcmp(op, unary[i]))
			continue;
		WANT(3, 3, "OP NAME X");
		REF(a, t[2]);
		switch (i) {
		case 0: return io_built(io, loom_g_relu(g, name, a));
		case 1: return io_built(io, loom_g_gelu(g, name, a));
		case 2: return io_built(io, loom_g_sigmoid(g, name, a));
		case 3: return io_built(io, loom_g_tanh(g, name, a));
		case 4: return io_built(io, loom_g_softmax(g, name, a));
		case 5: return io_built(io, loom_g_log_softmax(g, name, a));
		default: return io_built(io, loom_g_transpose(g, name, a));
		}
	}
	if (!strcmp(op, "bias_add") || !strcmp(op, "add") || !strcmp(op, "mul") ||
	    !strcmp(op, "xent")) {
		WANT(4, 4, "OP NAME A B");
		REF(a, t[2]);
		REF(b, t[3]);
		if (op[0] == 'b')
			return io_built(io, loom_g_bias_add(g, name, a, b));
		if (op[0] == 'a')
			return io_built(io, loom_g_add(g, name, a, b));
		if (op[0] == 'm')
			return io_built(io, loom_g_mul(g, name, a, b));
		return io_built(io, loom_g_xent(g, name, a, b));
	}
	if (!strcmp(op, "layernorm")) {
		WANT(6, 6, "layernorm NAME X GAMMA BETA EPS");
		REF(a, t[2]);
		REF(b, t[3]);
		REF(c, t[4]);
		if ((ret = io_float(io, t[5], "eps", &x)))
			return ret;
		return io_built(io, loom_g_layernorm(g, name, a, b, c, x));
	}
	if (!strcmp(op, "scale")) {
		WANT(4, 4, "scale NAME X ALPHA");
		REF(a, t[2]);
		if ((ret = io_float(io, t[3], "alpha", &x)))
			return ret;
		return io_built(io, loom_g_scale(g, name, a, x));
	}
	if (!strcmp(op, "reduce")) {
		int red = -1;

		WANT(5, 5, "reduce NAME X sum|mean|max AXIS");
		REF(a, t[2]);
		for (int i = 0; i < 3; i++)
			if (!strcmp(t[3], red_name[i]))
				red = i;
		if (red < 0)
			return io_err(io, -EINVAL, "unknown reduction '%s' (sum, mean or max)", t[3]);
		if (strcmp(t[4], "0") && strcmp(t[4], "1"))
			return io_err(io, -EINVAL, "axis '%s' (0 or 1)", t[4]);
		return io_built(io, loom_g_reduce(g, name, a, (enum loom_greduce)red, t[4][0] - '0'));
	}
	if (!strcmp(op, "reshape")) {
		WANT(4, 4, "reshape NAME X DIMS");
		REF(a, t[2]);
		if ((ret = io_dims(io, t[3], false, true, dims, &nd)))
			return ret;
		return io_built(io, loom_g_reshape(g, name, a, nd, dims));
	}
	if (!strcmp(op, "cast")) {
		WANT(4, 4, "cast NAME X DTYPE");
		REF(a, t[2]);
		if ((ret = io_dtype(io, t[3], &dt)))
			return ret;
		return io_built(io, loom_g_cast(g, name, a, dt));
	}
	return io_err(io, -EINVAL, "unknown operation '%s'", op);
}

#undef WANT
#undef REF

loom_graph *loom_graph_load(FILE *f, const char *file, uint32_t batch, char *err, size_t errlen)
{
	struct io io = { .file = file ? file : "graph", .batch = batch, .err = err,
			 .errlen = errlen };
	char buf[IO_LINE_MAX + 2], *line = NULL, *nul;
	size_t cap = 0;
	bool magic = false;
	ssize_t len;
	int ret = 0;

	if (err && errlen)
		err[0] = 0;
	if (!f || !batch || batch > 0x7fffffffU) {
		if (err && errlen)
			snprintf(err, errlen, "load: %s", f ? "batch must be 1 to 2^31-1" : "no file");
		errno = EINVAL;
		return NULL;
	}
	io.g = loom_graph_create();
	if (!io.g)
		return NULL;
	while (!ret && (len = getline(&line, &cap, f)) > 0) {
		char *t[IO_MAX_TOK + 1], *save = NULL, *hash;
		int n = 0;

		io.line++;
		/* The line as read, whatever bytes it holds (fgets() would stop at a NUL). */
		nul = memchr(line, 0, (size_t)len);
		if (nul) {
			ret = io_err(&io, -EINVAL, "a NUL byte at column %zu", (size_t)(nul - line) + 1);
			break;
		}
		if ((size_t)len - (line[len - 1] == '\n') > IO_LINE_MAX) {
			ret = io_err(&io, -EINVAL, "line longer than %d characters", IO_LINE_MAX);
			break;
		}
		memcpy(buf, line, (size_t)len + 1);
		if (!magic) {
			buf[strcspn(buf, "\r\n")] = 0;
			if (strcmp(buf, IO_MAGIC))
				ret = io_err(&io, -EINVAL, "not a saved graph (expected '%s')",
					     IO_MAGIC);
			magic = true;
			continue;
		}
		if ((hash = strchr(buf, '#')))
			*hash = 0;
		for (char *tok = strtok_r(buf, " \t\r\n", &save); tok;
		     tok = strtok_r(NULL, " \t\r\n", &save)) {
			if (n == IO_MAX_TOK) {
				ret = io_err(&io, -EINVAL, "too many words");
				break;
			}
			t[n++] = tok;
		}
		if (!ret && n)
			ret = io_line(&io, t, n);
	}
	free(line);
	if (!ret && ferror(f))
		ret = io_err(&io, -EIO, "read error");
	if (!ret && !magic)
		ret = io_err(&io, -EINVAL, "empty file");
	if (ret) {
		loom_graph_destroy(io.g);
		errno = -ret;
		return NULL;
	}
	return io.g;
}
