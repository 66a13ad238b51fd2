/* SPDX-License-Identifier: MIT */
/*
 * libloomgraph's error messages: each failed call leaves one message in
 * its graph (or recipe) naming the node and the shapes involved; the
 * library never prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "graph_internal.h"

int graph_errorf(loom_graph *g, int err, const char *fmt, ...)
{
	va_list ap;

	if (!g)
		return err;
	va_start(ap, fmt);
	vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
	return err;
}

int recipe_errorf(loom_recipe *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return err;
}

/* "[32, 784]" */
void graph_shape_str(const struct gnode *n, char *buf, size_t len)
{
	size_t o = 0;

	o += snprintf(buf + o, len - o, "[");
	for (uint32_t i = 0; i < n->ndims && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%u", i ? ", " : "", n->dims[i]);
	if (o < len)
		snprintf(buf + o, len - o, "]");
}

const char *graph_dtype_name(enum loom_gdtype dt)
{
	switch (dt) {
	case LOOM_G_F32: return "f32";
	case LOOM_G_BF16: return "bf16";
	case LOOM_G_I32: return "i32";
	}
	return "?";
}

const char *loom_graph_error(const loom_graph *g)
{
	return g ? g->err : "";
}

const char *loom_recipe_error(const loom_recipe *r)
{
	return r ? r->err : "";
}

static const char *const op_names[LOOM_OP_COUNT] = {
	[LOOM_OP_INPUT] = "input", [LOOM_OP_PARAM] = "param", [LOOM_OP_MATMUL] = "matmul",
	[LOOM_OP_LINEAR] = "linear", [LOOM_OP_BIAS_ADD] = "bias_add", [LOOM_OP_RELU] = "relu",
	[LOOM_OP_GELU] = "gelu", [LOOM_OP_SIGMOID] = "sigmoid", [LOOM_OP_TANH] = "tanh",
	[LOOM_OP_SOFTMAX] = "softmax", [LOOM_OP_LOG_SOFTMAX] = "log_softmax",
	[LOOM_OP_XENT] = "xent", [LOOM_OP_LAYERNORM] = "layernorm", [LOOM_OP_ADD] = "add",
	[LOOM_OP_MUL] = "mul", [LOOM_OP_SCALE] = "scale", [LOOM_OP_REDUCE] = "reduce",
	[LOOM_OP_RESHAPE] = "reshape", [LOOM_OP_TRANSPOSE] = "transpose",
	[LOOM_OP_CAST] = "cast", [LOOM_OP_GRAD] = "grad", [LOOM_OP_UPDATE] = "update",
};

const char *loom_gop_name(enum loom_gop op)
{
	return (unsigned)op < LOOM_OP_COUNT ? op_names[op] : NULL;
}
