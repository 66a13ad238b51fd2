/* SPDX-License-Identifier: MIT */
/*
 * libloomgraph — Loom's graph layer: build a computation graph of tensor
 * operations, differentiate it, add an optimiser, and compile it once into
 * a recipe (device memory planned, MME jobs for the matmuls, TPC launches
 * for the rest, DMA for the inputs, spread over streams) that a training
 * step runs. docs/graph.md explains the recipe and the memory plan.
 *
 * Conventions:
 *   - A graph is built on the host, independently of any device. Every
 *     node (tensor) has an id (int >= 0), a dtype and a shape fixed when it
 *     is created (shape inference at construction).
 *   - Node constructors return the new node's id, or a negative errno. An
 *     error leaves a message in the graph (loom_graph_error()) naming the
 *     node (its name, or "op#ID" when it has none, ID the id it would have
 *     had) and the shapes involved, e.g.
 *       "fc1: matmul: inner dimensions differ: [32, 784] x [512, 256]".
 *     A constructor given a negative id as an input returns that value
 *     unchanged and keeps the first message, so a whole graph can be
 *     built and checked once at the end.
 *   - Errors: -EINVAL a bad argument (unknown id, NULL, bad dims, unknown
 *     op or dtype), -EDOM a shape mismatch, -EPROTOTYPE a dtype mismatch,
 *     -ENOMEM, -EBUSY the graph is frozen (already compiled), -ENOTSUP an
 *     operation not available for that dtype.
 *   - Shapes have 1 to 4 dimensions, the last the fastest (row-major):
 *     a [rows, cols] matrix has rows * cols elements. Sizes 1 .. 2^31 - 1.
 *   - The library never prints and never exits. A graph and its recipes
 *     must not be used by two threads at once.
 */
#ifndef LOOM_GRAPH_H
#define LOOM_GRAPH_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include <loom/loom.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct loom_graph loom_graph;
typedef struct loom_recipe loom_recipe;

#define LOOM_GRAPH_MAX_DIMS	4

/** Element types of graph tensors. */
enum loom_gdtype {
	LOOM_G_F32 = 0,		/* every operation */
	LOOM_G_BF16 = 1,	/* parameters/inputs to matmul (MME), cast */
	LOOM_G_I32 = 2,		/* labels of loom_g_xent only */
};

/** Operations (loom_graph_node_info().op). */
enum loom_gop {
	LOOM_OP_INPUT = 0, LOOM_OP_PARAM, LOOM_OP_MATMUL, LOOM_OP_LINEAR, LOOM_OP_BIAS_ADD,
	LOOM_OP_RELU, LOOM_OP_GELU, LOOM_OP_SIGMOID, LOOM_OP_TANH, LOOM_OP_SOFTMAX,
	LOOM_OP_LOG_SOFTMAX, LOOM_OP_XENT, LOOM_OP_LAYERNORM, LOOM_OP_ADD, LOOM_OP_MUL,
	LOOM_OP_SCALE, LOOM_OP_REDUCE, LOOM_OP_RESHAPE, LOOM_OP_TRANSPOSE, LOOM_OP_CAST,
	/* Added by loom_graph_backward() and loom_graph_optimizer(): */
	LOOM_OP_GRAD, LOOM_OP_UPDATE,
	LOOM_OP_COUNT
};

/** Name of an operation ("matmul", "relu", ...), or NULL. */
const char *loom_gop_name(enum loom_gop op);

/* ---- Graphs ---------------------------------------------------------------- */

/** A new empty graph. NULL with errno ENOMEM. */
loom_graph *loom_graph_create(void);
/** Free a graph (recipes compiled from it stay valid). Accepts NULL. */
void loom_graph_destroy(loom_graph *g);
/**
 * The message of the last failed call on g or on a recipe compiled from
 * it before loom_recipe_error() (never NULL; "" when none). Valid until
 * the next call on g.
 */
const char *loom_graph_error(const loom_graph *g);

struct loom_gnode_info {
	enum loom_gop op;
	enum loom_gdtype dtype;
	uint32_t ndims;
	uint32_t dims[LOOM_GRAPH_MAX_DIMS];
	const char *name;	/* the user's name, or "op#ID" */
};
/** Describe node id. -EINVAL unknown id. */
int loom_graph_node_info(const loom_graph *g, int id, struct loom_gnode_info *info);
/** Number of nodes (ids are 0 .. count - 1). */
int loom_graph_node_count(const loom_graph *g);
/**
 * The id of the input, parameter or operation called name (the latest, if
 * several are), -ENOENT if none, -EINVAL for NULL. Gradient and optimiser
 * nodes are not found.
 */
int loom_graph_find(const loom_graph *g, const char *name);

/* ---- Saved graphs (docs/graph.md, "Saved graphs") ------------------------ */

/**
 * Write the forward part of g (inputs, parameters, operations, outputs;
 * not the nodes backward() and the optimiser add) to f as text, one node
 * per line, referring to nodes by name. Inputs are written batched: their
 * first dimension is "B". 0; -EINVAL (NULL, two nodes with one name, a
 * name with a space or '#': message in loom_graph_error()); -EIO write
 * error. Parameter values are not saved (see loom_recipe_read()).
 */
int loom_graph_save(const loom_graph *g, FILE *f);
/**
 * Build a graph from text written by loom_graph_save() (or by hand), the
 * inputs' "B" becoming batch. Each line goes through the constructor of
 * its op, so shapes and dtypes are checked as usual. file names the text
 * in messages (may be NULL). NULL with errno EINVAL (and "FILE:LINE:
 * reason" in err, e.g. "model.lg:7: fc2: linear: input [256, 300] does
 * not fit weight [512, 256]"), ENOENT (a reference to no node above),
 * EIO (read error) or ENOMEM.
 */
loom_graph *loom_graph_load(FILE *f, const char *file, uint32_t batch, char *err,
			    size_t errlen);

/* ---- Leaves -------------------------------------------------------------- */
/*
 * name may be NULL (the node is then called "op#ID"); it is copied.
 * Names should be unique; they are only used in messages and lookups.
 */

/** A tensor the caller provides each step (data, labels). f32, bf16 or i32. */
int loom_g_input(loom_graph *g, const char *name, enum loom_gdtype dt, uint32_t ndims,
		 const uint32_t *dims);

/** How a parameter is initialised when its recipe is compiled. */
enum loom_ginit {
	LOOM_INIT_ZERO = 0,
	LOOM_INIT_ONE,
	/* uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)], fan_in = dims[0] (the
	 * rows of a [in, out] weight; for a 1-D bias, the number given by
	 * loom_g_param_fan_in, else dims[0]) — PyTorch's nn.Linear default */
	LOOM_INIT_UNIFORM_FAN_IN,
};

/**
 * A trainable tensor (f32, or bf16 for an MME-only weight: it gets no
 * optimiser). It lives in device memory across steps; backward() gives
 * it a gradient, the optimiser updates it.
 */
int loom_g_param(loom_graph *g, const char *name, enum loom_gdtype dt, uint32_t ndims,
		 const uint32_t *dims, enum loom_ginit init);
/** Set the fan-in used by LOOM_INIT_UNIFORM_FAN_IN for param id. */
int loom_g_param_fan_in(loom_graph *g, int id, uint32_t fan_in);

/* ---- Operations ------------------------------------------------------------ */

/**
 * C = op(A) x op(B) on the MME (fp32 accumulation): A, B 2-D, op(A) m x k
 * (A is [k, m] when trans_a), op(B) k x n; C [m, n] f32. A and B f32 or
 * bf16 (same dtype).
 */
int loom_g_matmul(loom_graph *g, const char *name, int a, int b, int trans_a, int trans_b);
/**
 * y = x w + b, x [batch, in], w [in, out], b [out] (or -1: no bias),
 * y [batch, out]; with relu non-zero, y = max(x w + b, 0) in the same node
 * (the bias add and the relu fused in one TPC launch).
 */
int loom_g_linear(loom_graph *g, const char *name, int x, int w, int b, int relu);
/** y[r][c] = x[r][c] + b[c]; x [rows, cols] (or higher: cols the last dim), b [cols]. */
int loom_g_bias_add(loom_graph *g, const char *name, int x, int b);
/** Elementwise activations, any shape, f32. */
int loom_g_relu(loom_graph *g, const char *name, int x);
int loom_g_gelu(loom_graph *g, const char *name, int x);	/* tanh approximation */
int loom_g_sigmoid(loom_graph *g, const char *name, int x);
int loom_g_tanh(loom_graph *g, const char *name, int x);
/** Softmax / log-softmax over the last dimension. */
int loom_g_softmax(loom_graph *g, const char *name, int x);
int loom_g_log_softmax(loom_graph *g, const char *name, int x);
/**
 * Mean softmax cross-entropy: logits [rows, classes] f32, labels [rows]
 * i32 (a label outside [0, classes) marks an ignored row: loss 0, still
 * counted). Result: [1] f32, the mean over rows.
 */
int loom_g_xent(loom_graph *g, const char *name, int logits, int labels);
/**
 * Layer normalisation over the last dimension: (x - mean) / sqrt(var +
 * eps) * gamma + beta, gamma and beta [cols] (parameters or any f32 node).
 */
int loom_g_layernorm(loom_graph *g, const char *name, int x, int gamma, int beta, float eps);
/** Elementwise a + b, a * b (same shapes), alpha * x. */
int loom_g_add(loom_graph *g, const char *name, int a, int b);
int loom_g_mul(loom_graph *g, const char *name, int a, int b);
int loom_g_scale(loom_graph *g, const char *name, int x, float alpha);

enum loom_greduce { LOOM_RED_SUM = 0, LOOM_RED_MEAN = 1, LOOM_RED_MAX = 2 };
/**
 * Reduce a 2-D [rows, cols] tensor (or a 1-D [n], seen as [1, n]) along
 * axis: axis 1 (the last) gives [rows], axis 0 gives [cols]. Max is not
 * differentiable (backward() refuses it with -ENOTSUP).
 */
int loom_g_reduce(loom_graph *g, const char *name, int x, enum loom_greduce op, int axis);
/** The same elements with another shape (same element count); a view, no copy. */
int loom_g_reshape(loom_graph *g, const char *name, int x, uint32_t ndims,
		   const uint32_t *dims);
/** [rows, cols] -> [cols, rows] (TPC). */
int loom_g_transpose(loom_graph *g, const char *name, int x);
/**
 * f32 <-> bf16 (round to nearest even). Its gradient passes through
 * unchanged, as f32 (mixed precision: f32 parameters cast to bf16 for the
 * MME get f32 gradients).
 */
int loom_g_cast(loom_graph *g, const char *name, int x, enum loom_gdtype to);

/**
 * Mark node id as an output: its buffer is not reused within a step, so
 * loom_recipe_read() can fetch it after the step (parameters, their
 * gradients, optimiser state and inputs are always readable).
 */
int loom_graph_output(loom_graph *g, int id);

/* ---- Automatic differentiation --------------------------------------------- */

/**
 * Add the gradient computation of loss (a [1] f32 node, e.g. from
 * loom_g_xent or a reduction) with respect to every f32 parameter it
 * depends on. Call once, after the forward graph. -EINVAL loss not [1]
 * f32 or backward() already called; -ENOTSUP a non-differentiable node
 * (a max reduction) lies between a parameter and the loss.
 */
int loom_graph_backward(loom_graph *g, int loss);
/** The node holding d(loss)/d(param), or -ENOENT (no gradient). */
int loom_graph_grad(const loom_graph *g, int param);

/* ---- Optimisers (run on the device at the end of each step) --------------- */

enum loom_optim { LOOM_OPTIM_SGD = 0, LOOM_OPTIM_ADAM = 1 };

struct loom_optim_opts {
	size_t sz;		/* sizeof(struct loom_optim_opts) */
	enum loom_optim kind;
	float lr;
	float momentum;		/* SGD: buf = momentum buf + grad; w -= lr buf */
	float beta1, beta2, eps;	/* Adam (0: 0.9, 0.999, 1e-8), PyTorch's update */
	float weight_decay;	/* L2: grad += weight_decay w (0: none) */
};

/**
 * Update every parameter that has a gradient with its gradient at the end
 * of each step. Call after loom_graph_backward(), at most once.
 */
int loom_graph_optimizer(loom_graph *g, const struct loom_optim_opts *o);

/* ---- Compiling and running ------------------------------------------------ */

#define LOOM_COMPILE_ONE_STREAM	(1u << 0)	/* everything on one stream */
#define LOOM_COMPILE_NO_REUSE	(1u << 1)	/* no buffer shares memory */
#define LOOM_COMPILE_NO_CAPTURE	(1u << 2)	/* per-op submission even if capture exists */

struct loom_compile_opts {
	size_t sz;		/* sizeof(struct loom_compile_opts) */
	uint32_t flags;		/* LOOM_COMPILE_* */
	uint64_t seed;		/* parameter initialisation (0: a fixed seed) */
};

/**
 * Compile g for dev: plan device memory (once; buffers whose lifetimes do
 * not overlap share memory), allocate it, initialise the parameters and
 * optimiser state, and prepare the step (MME jobs, TPC launches, DMA of
 * the inputs, stream dependencies). The graph is frozen afterwards (new
 * nodes: -EBUSY). opts may be NULL. NULL with errno (message in
 * loom_graph_error(g)): EINVAL, ENOMEM (host or device), the device's.
 */
loom_recipe *loom_graph_compile(loom_graph *g, loom_device *dev,
				const struct loom_compile_opts *opts);
/** Wait for queued steps (bounded: 60 s), free the recipe's memory and streams. */
void loom_recipe_destroy(loom_recipe *r);
/** The message of the recipe's last error ("" when none). */
const char *loom_recipe_error(const loom_recipe *r);

/**
 * Pinned host buffer (input's size in bytes) that the next
 * loom_recipe_run() copies into input id. The recipe alternates two
 * buffers, so the caller may fill the next step's data while the current
 * step runs; this call waits until the returned buffer is no longer read
 * by an earlier step. NULL with errno EINVAL (not an input).
 */
void *loom_recipe_input(loom_recipe *r, int id);
/** Copy bytes (exactly the input's size) into loom_recipe_input(r, id). */
int loom_recipe_set_input(loom_recipe *r, int id, const void *data, size_t bytes);

/**
 * Queue one step: inputs copied in (DMA), forward, backward, optimiser.
 * Asynchronous; no allocation. Returns 0, or the error of an earlier step
 * found without waiting, or a queueing error.
 */
int loom_recipe_run(loom_recipe *r);
/**
 * Wait for every queued step. 0, or the device's error (-EFAULT,
 * -EIO, -ETIME, ...) with a message naming the op that failed, e.g.
 * "step 3: op 'fc2' (matmul, MME): device page fault at 0x... (-EFAULT)".
 * A recipe that failed stays failed (every later call returns the error);
 * destroy it. The process keeps control in any case.
 */
int loom_recipe_sync(loom_recipe *r);
/** loom_recipe_run() then loom_recipe_sync(). */
int loom_recipe_step(loom_recipe *r);

/**
 * Copy node id's value (after loom_recipe_sync(); this call syncs) into
 * dst (bytes exactly its size). -ENOENT the node's buffer is reused within
 * a step (mark it with loom_graph_output()); -EINVAL bad id or size.
 */
int loom_recipe_read(loom_recipe *r, int id, void *dst, size_t bytes);
/** Overwrite a parameter's (or optimiser state's) value; syncs first. */
int loom_recipe_write(loom_recipe *r, int id, const void *src, size_t bytes);
/** Set the optimiser's learning rate for the following steps (syncs). */
int loom_recipe_set_lr(loom_recipe *r, float lr);
/** Steps run so far. */
uint64_t loom_recipe_steps(const loom_recipe *r);
/**
 * 1 if a step is one recorded command buffer launched as one submission
 * (the default), 0 if each op is queued by itself (LOOM_COMPILE_NO_CAPTURE,
 * or a step too large for one command buffer of the backend), -EINVAL for
 * NULL.
 */
int loom_recipe_captured(const loom_recipe *r);
/** Device address of node id's buffer (0 if it has none): for tools and tests. */
uint64_t loom_recipe_addr(const loom_recipe *r, int id);

/* ---- The memory plan ------------------------------------------------------ */

/**
 * One buffer of the plan: node id's bytes at offset in arena (0: the
 * activation arena, reused by lifetime; 1: persistent memory), live from
 * the start of op number first to the end of op number last (positions in
 * the recipe's order).
 */
struct loom_plan_entry {
	int node;
	uint32_t arena;
	uint64_t offset, size;
	uint32_t first, last;
};
/** Copy up to max entries of r's plan into e; returns the count. */
int loom_recipe_plan(const loom_recipe *r, struct loom_plan_entry *e, int max);
/**
 * Check a plan: no two buffers of the same arena whose lifetimes overlap
 * share a byte. 0, or -EFAULT with the first conflict described in msg
 * (len bytes), e.g. "buffers of nodes 3 and 7 overlap in arena 0 at
 * [4096, 8192) while both live in ops 2..5".
 */
int loom_plan_check(const struct loom_plan_entry *e, int n, char *msg, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_GRAPH_H */
