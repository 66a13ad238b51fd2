/* SPDX-License-Identifier: MIT */
/*
 * libloomgraph's private definitions: the node table of a graph, the
 * internal operation kinds (the public enum loom_gop plus the gradient and
 * optimiser computations backward() and optimizer() add), and the compiled
 * recipe (memory plan, the list of device operations with their streams
 * and dependencies). See include/loom/graph.h and docs/graph.md.
 */
#ifndef LOOM_GRAPH_INTERNAL_H
#define LOOM_GRAPH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <loom/graph.h>

#include "loom_kernels.h"

/* What a node computes. The first LOOM_OP_COUNT are the public ops. */
enum gkind {
	GK_INPUT = LOOM_OP_INPUT, GK_PARAM = LOOM_OP_PARAM, GK_MATMUL = LOOM_OP_MATMUL,
	GK_LINEAR = LOOM_OP_LINEAR, GK_BIAS_ADD = LOOM_OP_BIAS_ADD, GK_RELU = LOOM_OP_RELU,
	GK_GELU = LOOM_OP_GELU, GK_SIGMOID = LOOM_OP_SIGMOID, GK_TANH = LOOM_OP_TANH,
	GK_SOFTMAX = LOOM_OP_SOFTMAX, GK_LOG_SOFTMAX = LOOM_OP_LOG_SOFTMAX,
	GK_XENT = LOOM_OP_XENT, GK_LAYERNORM = LOOM_OP_LAYERNORM, GK_ADD = LOOM_OP_ADD,
	GK_MUL = LOOM_OP_MUL, GK_SCALE = LOOM_OP_SCALE, GK_REDUCE = LOOM_OP_REDUCE,
	GK_RESHAPE = LOOM_OP_RESHAPE, GK_TRANSPOSE = LOOM_OP_TRANSPOSE, GK_CAST = LOOM_OP_CAST,
	/* Gradients (public op LOOM_OP_GRAD). */
	GK_CONST_ONE = 100,	/* the seed d(loss)/d(loss) = 1 */
	GK_RELU_GRAD,		/* in: x (or y), dy */
	GK_GELU_GRAD,		/* in: x, dy */
	GK_SIGMOID_GRAD,	/* in: y, dy */
	GK_TANH_GRAD,		/* in: y, dy */
	GK_SOFTMAX_GRAD,	/* in: y, dy */
	GK_LOG_SOFTMAX_GRAD,	/* in: y, dy */
	GK_XENT_GRAD,		/* in: logits, labels, dloss */
	GK_BIAS_GRAD,		/* in: dy (2-D view); out [cols] */
	GK_BCAST,		/* in: v; attributes axis (0 or 1), alpha; out [rows, cols] */
	GK_LN_GRAD,		/* in: x, dy, gamma, ln node; out dx + dgamma + dbeta */
	GK_VIEW,		/* in: base; bytes at voff of base's buffer */
	/* Optimiser (public op LOOM_OP_UPDATE). */
	GK_ADAM_TICK,		/* state [b1^t, b2^t, lr, h0, h1] */
	GK_SGD_HYPER,		/* state [lr] */
	GK_UPDATE,		/* in: param, grad, hyper node; own buffer: the state */
};

#define GRAPH_MAX_IN	4
#define GRAPH_NAME_LEN	48

struct gnode {
	enum gkind kind;
	enum loom_gdtype dt;
	uint32_t ndims;
	uint32_t dims[LOOM_GRAPH_MAX_DIMS];
	uint64_t nelem;
	int in[GRAPH_MAX_IN];
	int nin;
	char name[GRAPH_NAME_LEN];	/* the user's, or "op#ID" */

	/* Attributes. */
	int trans_a, trans_b, relu, axis;
	enum loom_greduce red;
	float alpha, eps;
	enum loom_ginit init;
	uint32_t fan_in;
	uint64_t voff;		/* GK_VIEW: byte offset in the base's buffer */
	uint64_t aux_bytes;	/* extra bytes after the value (saved statistics) */

	bool output;		/* loom_graph_output() */
	bool persistent;	/* lives across steps (arena 1) */
	int grad;		/* PARAM: its gradient node, else -1 */
	int update;		/* PARAM: its update node, else -1 */
};

struct loom_graph {
	struct gnode *nodes;
	int count, cap;
	bool frozen, has_backward, has_optim;
	int loss;
	int nfwd;		/* nodes before backward() added its own; 0: not yet */
	struct loom_optim_opts optim;
	char err[512];
};

/* The forward graph's nodes are 0 .. graph_fwd_count() - 1. */
static inline int graph_fwd_count(const loom_graph *g)
{
	return g->nfwd ? g->nfwd : g->count;
}

/* graph_error.c */
int graph_errorf(loom_graph *g, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void graph_shape_str(const struct gnode *n, char *buf, size_t len);
const char *graph_dtype_name(enum loom_gdtype dt);

/* graph_build.c */
int graph_node_add(loom_graph *g, enum gkind kind, const char *name, enum loom_gdtype dt,
		   uint32_t ndims, const uint32_t *dims, const int *in, int nin);
uint64_t graph_node_bytes(const struct gnode *n);
int graph_base(const loom_graph *g, int id);
uint64_t graph_dtype_size(enum loom_gdtype dt);

/* ---- Recipes --------------------------------------------------------------- */

enum gengine { GE_DMA = 0, GE_MME, GE_TPC, GE_COUNT };

/* One device operation of a step. */
enum gstep_kind {
	GS_COPY_IN,	/* DMA: pinned input buffer -> device */
	GS_GEMM,	/* MME */
	GS_TPC,		/* a loom_k_* call, by node kind */
};

#define GSTEP_MAX_BUF	6

struct gstep {
	enum gstep_kind kind;
	enum gengine eng;
	int node;		/* the node it belongs to (messages) */
	/* Memory it reads and writes (for dependencies and fault lookups). */
	uint64_t rd[GSTEP_MAX_BUF], rd_len[GSTEP_MAX_BUF];
	int nrd;
	uint64_t wr[2], wr_len[2];
	int nwr;
	struct loom_gemm gemm;	/* GS_GEMM */
	/* Dependencies: wait for event wait_ev[i] before the step. */
	int wait_ev[GE_COUNT];
	int nwait;
	int record_ev;		/* event recorded after the step, or -1 */
};

struct loom_recipe {
	loom_graph *g;		/* a private copy of the graph's nodes */
	struct gnode *nodes;
	int count;
	loom_device *dev;
	loom_kernels *kern;
	uint32_t flags;
	loom_stream *stream[GE_COUNT];
	int nstreams;
	int map_eng[GE_COUNT];	/* engine -> stream index */
	loom_event **ev;
	int nev;

	/* Memory. */
	uint64_t arena_va[2], arena_size[2];
	uint64_t *addr;		/* per node */
	uint64_t *param_va;	/* per node: separate allocation for params, or 0 */
	struct loom_plan_entry *plan;
	int nplan;
	int *order;		/* position of each node in the op order, or -1 */
	/*
	 * Pairs of nodes computed by one op, each naming the other (-1
	 * elsewhere): the xent at the root of the backward pass and its
	 * gradient (one kernel, loom_k_xent_fused); a matmul whose only
	 * consumer is a ReLU's gradient and that gradient (one MME job with
	 * LOOM_GEMM_RELU_MASK, writing the gradient's buffer).
	 */
	int *fused;

	/* Inputs: two pinned buffers each. */
	void **in_host[2];	/* per node, or NULL */
	uint64_t *in_host_va[2];
	loom_event *in_done[2];	/* recorded after the inputs' copies of the step */
	int in_cur;		/* buffer the next run copies from */

	struct gstep *steps;
	int nsteps;

	/*
	 * The step recorded once per input buffer (capture): launching
	 * cap[in_cur] is the whole step as one submission on stream 0.
	 * captured is false with LOOM_COMPILE_NO_CAPTURE or when the device
	 * cannot record it (each op is then queued by itself).
	 */
	loom_cmdbuf *cap[2];
	bool captured;

	uint64_t nrun;
	int failed;
	char err[512];
};

/* graph_plan.c */
int recipe_plan_memory(loom_recipe *r);
int recipe_lower(loom_recipe *r);
/* graph_exec.c */
int recipe_exec_step(loom_recipe *r, const struct gstep *st);
int recipe_capture(loom_recipe *r);
int recipe_errorf(loom_recipe *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* LOOM_GRAPH_INTERNAL_H */
