/* SPDX-License-Identifier: MIT */
/*
 * Running a recipe: a step queues its device operations in order, each on
 * its engine's stream after the event waits the plan computed (DMA copies
 * of the inputs from pinned buffers, loom_gemm on the MME, loom_k_* TPC
 * launches), with no allocation and no host wait. A device error is
 * traced back to the operation that failed (by the faulting address, or
 * by the last event its stream reached) and reported with its node's name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "graph_internal.h"

#define SYNC_NS		(60LL * 1000000000LL)

static const char *const eng_name[GE_COUNT] = { "DMA", "MME", "TPC" };

static uint32_t rows_of(const struct gnode *n)
{
	return (uint32_t)(n->nelem / n->dims[n->ndims - 1]);
}

static uint32_t cols_of(const struct gnode *n)
{
	return n->dims[n->ndims - 1];
}

static int exec_tpc(loom_recipe *r, loom_stream *s, const struct gstep *st)
{
	const struct gnode *n = &r->nodes[st->node];
	loom_kernels *k = r->kern;
	const uint64_t *A = r->addr;
	uint64_t out = A[st->node];
	uint32_t ne = (uint32_t)n->nelem;
	int ret;

#define IN(i) A[n->in[i]]
#define NIN(i) (&r->nodes[n->in[i]])
	switch (n->kind) {
	case GK_BIAS_ADD:
		return loom_k_bias_add(s, k, IN(0), IN(1), out, rows_of(n), cols_of(n));
	case GK_RELU: return loom_k_relu(s, k, IN(0), out, ne);
	case GK_GELU: return loom_k_gelu(s, k, IN(0), out, ne);
	case GK_SIGMOID: return loom_k_sigmoid(s, k, IN(0), out, ne);
	case GK_TANH: return loom_k_tanh(s, k, IN(0), out, ne);
	case GK_SOFTMAX: return loom_k_softmax(s, k, IN(0), out, rows_of(n), cols_of(n));
	case GK_LOG_SOFTMAX: return loom_k_log_softmax(s, k, IN(0), out, rows_of(n), cols_of(n));
	case GK_XENT:	/* the mean at out, the per-row losses after it */
		if (r->fused[st->node] >= 0)	/* and the gradient (the loss is the root) */
			return loom_k_xent_fused(s, k, IN(0), IN(1), out + 4, out,
						 A[r->fused[st->node]], NIN(0)->dims[0],
						 NIN(0)->dims[1]);
		return loom_k_xent(s, k, IN(0), IN(1), out + 4, out, NIN(0)->dims[0],
				   NIN(0)->dims[1]);
	case GK_LAYERNORM: {
		uint32_t rows = rows_of(n);
		uint64_t mean = out + n->nelem * 4;

		return loom_k_layernorm(s, k, IN(0), IN(1), IN(2), out, mean, mean + rows * 4,
					rows, cols_of(n), n->eps);
	}
	case GK_ADD: return loom_k_add(s, k, IN(0), IN(1), out, ne);
	case GK_MUL: return loom_k_mul(s, k, IN(0), IN(1), out, ne);
	case GK_SCALE: return loom_k_scale(s, k, n->alpha, IN(0), out, ne);
	case GK_REDUCE: {
		const struct gnode *x = NIN(0);
		uint32_t rows = x->ndims == 2 ? x->dims[0] : 1, cols = cols_of(x);
		enum loom_k_reduce op = n->red == LOOM_RED_SUM ? LOOM_K_SUM :
					n->red == LOOM_RED_MEAN ? LOOM_K_MEAN : LOOM_K_MAX;

		return n->axis == 1 ? loom_k_reduce_rows(s, k, op, IN(0), out, rows, cols) :
				      loom_k_reduce_cols(s, k, op, IN(0), out, rows, cols);
	}
	case GK_TRANSPOSE: return loom_k_transpose(s, k, IN(0), out, n->dims[1], n->dims[0]);
	case GK_CAST:
		return n->dt == LOOM_G_BF16 ? loom_k_cast_f32_bf16(s, k, IN(0), out, ne) :
					      loom_k_cast_bf16_f32(s, k, IN(0), out, ne);
	case GK_RELU_GRAD: return loom_k_relu_grad(s, k, IN(0), IN(1), out, ne);
	case GK_GELU_GRAD: return loom_k_gelu_grad(s, k, IN(0), IN(1), out, ne);
	case GK_SIGMOID_GRAD: return loom_k_sigmoid_grad(s, k, IN(0), IN(1), out, ne);
	case GK_TANH_GRAD: return loom_k_tanh_grad(s, k, IN(0), IN(1), out, ne);
	case GK_SOFTMAX_GRAD:
		return loom_k_softmax_grad(s, k, IN(0), IN(1), out, rows_of(n), cols_of(n));
	case GK_LOG_SOFTMAX_GRAD:
		return loom_k_log_softmax_grad(s, k, IN(0), IN(1), out, rows_of(n), cols_of(n));
	case GK_XENT_GRAD:
		ret = loom_k_xent_grad(s, k, IN(0), IN(1), out, n->dims[0], n->dims[1]);
		if (ret || !n->aux_bytes)
			return ret;
		/* Times the upstream gradient (not the seed): broadcast it, multiply. */
		ret = loom_k_bcast_scale(s, k, 1.0f, IN(2), 1, out + n->nelem * 4, 1, ne);
		return ret ? ret : loom_k_mul(s, k, out, out + n->nelem * 4, out, ne);
	case GK_BIAS_GRAD: {
		const struct gnode *dy = NIN(0);

		return loom_k_bias_grad(s, k, IN(0), out, rows_of(dy), cols_of(dy));
	}
	case GK_BCAST: {
		uint32_t rows = n->ndims == 2 ? n->dims[0] : 1;

		return loom_k_bcast_scale(s, k, n->alpha, IN(0), n->axis, out, rows, cols_of(n));
	}
	case GK_LN_GRAD: {
		const struct gnode *ln = NIN(3);
		uint32_t rows = rows_of(ln), cols = cols_of(ln);
		uint64_t mean = IN(3) + ln->nelem * 4, dg = out + n->nelem * 4;

		return loom_k_layernorm_grad(s, k, IN(0), IN(1), IN(2), mean, mean + rows * 4, out,
					     dg, dg + cols * 4, rows, cols);
	}
	case GK_ADAM_TICK:
		return loom_k_adam_tick(s, k, out, r->g->optim.beta1, r->g->optim.beta2);
	case GK_UPDATE: {
		const struct loom_optim_opts *o = &r->g->optim;
		uint32_t np = (uint32_t)NIN(0)->nelem;

		if (o->kind == LOOM_OPTIM_ADAM)
			return loom_k_adam(s, k, IN(0), IN(1), out, out + np * 4, IN(2) + 12, o->beta1,
					   o->beta2, o->eps, o->weight_decay, np);
		return loom_k_sgd_momentum(s, k, IN(0), IN(1), out, IN(2), o->momentum,
					   o->weight_decay, np);
	}
	default:
		return -EINVAL;
	}
#undef IN
#undef NIN
}

int recipe_exec_step(loom_recipe *r, const struct gstep *st)
{
	loom_stream *s = r->stream[r->map_eng[st->eng]];
	int ret = 0;

	for (int i = 0; i < st->nwait && !ret; i++)
		ret = loom_stream_wait_event(s, r->ev[st->wait_ev[i]]);
	if (ret)
		return ret;
	switch (st->kind) {
	case GS_COPY_IN:
		ret = loom_memcpy(s, r->addr[st->node], r->in_host_va[r->in_cur][st->node],
				  graph_node_bytes(&r->nodes[st->node]));
		break;
	case GS_GEMM:
		ret = loom_gemm(s, &st->gemm);
		break;
	case GS_TPC:
		ret = exec_tpc(r, s, st);
		break;
	}
	if (!ret && st->record_ev >= 0)
		ret = loom_event_record(r->ev[st->record_ev], s);
	return ret;
}

/*
 * Record the step once per input buffer on stream 0: the input copies from
 * that buffer, every op in order, then in_done[b]. A recording the device
 * cannot take (-E2BIG: more ops than one command buffer holds) leaves the
 * recipe queueing op by op; any other error fails the compile.
 */
int recipe_capture(loom_recipe *r)
{
	loom_stream *s = r->stream[0];
	int ret = 0;

	if ((r->flags & LOOM_COMPILE_NO_CAPTURE) || r->nstreams != 1)
		return 0;
	for (int b = 0; b < 2 && !ret; b++) {
		loom_cmdbuf *cb = NULL;
		int end;

		ret = loom_capture_begin(s);
		if (ret)
			break;
		r->in_cur = b;
		for (int i = 0; i < r->nsteps && !ret; i++)
			ret = recipe_exec_step(r, &r->steps[i]);
		if (!ret)
			ret = loom_event_record(r->in_done[b], s);
		end = loom_capture_end(s, &cb);
		if (!ret)
			ret = end;
		if (ret)
			loom_cmdbuf_destroy(cb);
		else
			r->cap[b] = cb;
	}
	r->in_cur = 0;
	if (ret == -E2BIG) {
		for (int b = 0; b < 2; b++) {
			loom_cmdbuf_destroy(r->cap[b]);
			r->cap[b] = NULL;
		}
		return 0;
	}
	if (ret)
		return recipe_errorf(r, ret, "compile: recording the step: %s", loom_strerror(ret));
	r->captured = true;
	return 0;
}

static const char *op_label(const struct gnode *n)
{
	if ((int)n->kind < (int)LOOM_OP_GRAD)
		return loom_gop_name((enum loom_gop)n->kind);
	if (n->kind == GK_UPDATE || n->kind == GK_ADAM_TICK)
		return "update";
	return "grad";
}

/* Name the operation behind a device error found on stream si. */
static int fail_named(loom_recipe *r, int si, int err)
{
	struct loom_device_event ev[32];
	uint64_t fault = 0;
	int nev = loom_device_events(r->dev, ev, 32);
	const struct gstep *who = NULL;

	for (int i = 0; i < nev; i++)
		if (ev[i].type == LOOM_EV_PAGE_FAULT)
			fault = ev[i].addr;
	for (int i = 0; i < r->nsteps && fault && !who; i++) {
		const struct gstep *st = &r->steps[i];

		if (r->map_eng[st->eng] != si)
			continue;
		for (int k = 0; k < st->nrd && !who; k++)
			if (fault >= (st->rd[k] & ~4095ULL) && fault < st->rd[k] + st->rd_len[k])
				who = st;
		for (int k = 0; k < st->nwr && !who; k++)
			if (fault >= (st->wr[k] & ~4095ULL) && fault < st->wr[k] + st->wr_len[k])
				who = st;
	}
	/*
	 * Else: the first operation after the last event its stream reached
	 * (streams per engine). One stream has no events between its ops.
	 */
	for (int i = 0; i < r->nsteps && !who && r->nstreams > 1; i++) {
		const struct gstep *st = &r->steps[i];

		if (r->map_eng[st->eng] != si)
			continue;
		if (st->record_ev < 0 || loom_event_query(r->ev[st->record_ev]) != 0)
			who = st;
	}
	r->failed = err;
	if (!who)
		return recipe_errorf(r, err, "step %" PRIu64 ": %s (%d) in an op of %s (compile with "
				     "LOOM_COMPILE_NO_CAPTURE to name it)", r->nrun,
				     loom_strerror(err), err,
				     r->nstreams > 1 ? "its stream" : "the step's one queue");
	const struct gnode *n = &r->nodes[who->node];

	if (fault)
		return recipe_errorf(r, err, "step %" PRIu64 ": op '%s' (%s, %s): %s at 0x%" PRIx64
				     " (%d)", r->nrun, n->name, op_label(n), eng_name[who->eng],
				     loom_strerror(err), fault, err);
	return recipe_errorf(r, err, "step %" PRIu64 ": op '%s' (%s, %s): %s (%d)", r->nrun,
			     n->name, op_label(n), eng_name[who->eng], loom_strerror(err), err);
}

static int check_failed(loom_recipe *r)
{
	if (r->failed)
		return recipe_errorf(r, r->failed, "%s", r->err[0] ? r->err : "failed");
	return 0;
}

int loom_recipe_run(loom_recipe *r)
{
	int ret;

	if (!r)
		return -EINVAL;
	if ((ret = check_failed(r)))
		return ret;
	for (int s = 0; s < r->nstreams; s++) {
		ret = loom_stream_query(r->stream[s]);
		if (ret && ret != -EBUSY)
			return fail_named(r, s, ret);
	}
	r->nrun++;
	if (r->captured) {
		ret = loom_cmdbuf_launch(r->stream[0], r->cap[r->in_cur]);
		if (ret) {
			r->failed = ret;
			return recipe_errorf(r, ret, "step %" PRIu64 ": launching the step: %s (%d)",
					     r->nrun, loom_strerror(ret), ret);
		}
		r->in_cur ^= 1;
		return 0;
	}
	for (int i = 0; i < r->nsteps; i++) {
		ret = recipe_exec_step(r, &r->steps[i]);
		if (ret) {
			const struct gnode *n = &r->nodes[r->steps[i].node];

			r->failed = ret;
			return recipe_errorf(r, ret, "step %" PRIu64 ": op '%s' (%s, %s): queueing: %s (%d)",
					     r->nrun, n->name, op_label(n),
					     eng_name[r->steps[i].eng], loom_strerror(ret), ret);
		}
	}
	ret = loom_event_record(r->in_done[r->in_cur], r->stream[r->map_eng[GE_DMA]]);
	if (ret) {
		r->failed = ret;
		return recipe_errorf(r, ret, "step %" PRIu64 ": %s", r->nrun, loom_strerror(ret));
	}
	r->in_cur ^= 1;
	return 0;
}

int loom_recipe_sync(loom_recipe *r)
{
	int ret;

	if (!r)
		return -EINVAL;
	if ((ret = check_failed(r)))
		return ret;
	for (int s = 0; s < r->nstreams; s++) {
		ret = loom_stream_sync(r->stream[s], SYNC_NS);
		if (ret == -ETIMEDOUT)
			return recipe_errorf(r, ret, "step %" PRIu64 ": still running after 60 s",
					     r->nrun);
		if (ret)
			return fail_named(r, s, ret);
	}
	return 0;
}

int loom_recipe_step(loom_recipe *r)
{
	int ret = loom_recipe_run(r);

	return ret ? ret : loom_recipe_sync(r);
}

uint64_t loom_recipe_steps(const loom_recipe *r)
{
	return r ? r->nrun : 0;
}

int loom_recipe_captured(const loom_recipe *r)
{
	return r ? r->captured : -EINVAL;
}

uint64_t loom_recipe_addr(const loom_recipe *r, int id)
{
	if (!r || id < 0 || id >= r->count)
		return 0;
	return r->addr[id];
}

void *loom_recipe_input(loom_recipe *r, int id)
{
	if (!r || id < 0 || id >= r->count || r->nodes[id].kind != GK_INPUT) {
		if (r)
			recipe_errorf(r, -EINVAL, "input: node %d is not an input", id);
		errno = EINVAL;
		return NULL;
	}
	/* The buffer was last read by the step before the previous one. */
	loom_event_wait(r->in_done[r->in_cur], SYNC_NS);
	return r->in_host[r->in_cur][id];
}

int loom_recipe_set_input(loom_recipe *r, int id, const void *data, size_t bytes)
{
	void *p;

	if (!r || !data)
		return -EINVAL;
	p = loom_recipe_input(r, id);
	if (!p)
		return -EINVAL;
	if (bytes != graph_node_bytes(&r->nodes[id]))
		return recipe_errorf(r, -EINVAL, "input '%s': %zu bytes, expected %llu",
				     r->nodes[id].name, bytes,
				     (unsigned long long)graph_node_bytes(&r->nodes[id]));
	memcpy(p, data, bytes);
	return 0;
}

/* Whether id's buffer holds its value after a step. */
static bool readable(const loom_recipe *r, int id)
{
	const struct gnode *n = &r->nodes[id];
	int b = id;

	while (r->nodes[b].kind == GK_RESHAPE || r->nodes[b].kind == GK_VIEW)
		b = r->nodes[b].in[0];
	return n->output || r->nodes[b].output || r->nodes[b].persistent ||
	       (r->flags & LOOM_COMPILE_NO_REUSE);
}

static int rw_check(loom_recipe *r, int id, const void *p, size_t bytes, const char *what)
{
	int ret;

	if (!r)
		return -EINVAL;
	if (id < 0 || id >= r->count || !p)
		return recipe_errorf(r, -EINVAL, "%s: node %d is not a node", what, id);
	if (bytes != graph_node_bytes(&r->nodes[id]))
		return recipe_errorf(r, -EINVAL, "%s '%s': %zu bytes, expected %llu", what,
				     r->nodes[id].name, bytes,
				     (unsigned long long)graph_node_bytes(&r->nodes[id]));
	if (!readable(r, id))
		return recipe_errorf(r, -ENOENT,
				     "%s '%s': its buffer is reused within a step (mark it with loom_graph_output())",
				     what, r->nodes[id].name);
	if ((ret = loom_recipe_sync(r)))
		return ret;
	return 0;
}

int loom_recipe_read(loom_recipe *r, int id, void *dst, size_t bytes)
{
	int ret = rw_check(r, id, dst, bytes, "read");

	if (ret)
		return ret;
	ret = loom_memcpy_d2h(r->stream[0], dst, r->addr[id], bytes);
	if (!ret)
		ret = loom_stream_sync(r->stream[0], SYNC_NS);
	if (ret)
		return fail_named(r, 0, ret);
	return 0;
}

int loom_recipe_write(loom_recipe *r, int id, const void *src, size_t bytes)
{
	int ret = rw_check(r, id, src, bytes, "write");

	if (ret)
		return ret;
	ret = loom_memcpy_h2d(r->stream[0], r->addr[id], src, bytes);
	if (!ret)
		ret = loom_stream_sync(r->stream[0], SYNC_NS);
	if (ret)
		return fail_named(r, 0, ret);
	return 0;
}

int loom_recipe_set_lr(loom_recipe *r, float lr)
{
	int ret;

	if (!r)
		return -EINVAL;
	if (!r->g->has_optim || !(lr > 0))
		return recipe_errorf(r, -EINVAL, "set_lr: %s",
				     r->g->has_optim ? "lr must be > 0" : "no optimiser");
	if ((ret = loom_recipe_sync(r)))
		return ret;
	for (int i = 0; i < r->count; i++) {
		const struct gnode *n = &r->nodes[i];

		if (n->kind != GK_ADAM_TICK && n->kind != GK_SGD_HYPER)
			continue;
		ret = loom_memcpy_h2d(r->stream[0], r->addr[i] + (n->kind == GK_ADAM_TICK ? 8 : 0),
				      &lr, 4);
		if (!ret)
			ret = loom_stream_sync(r->stream[0], SYNC_NS);
		if (ret)
			return fail_named(r, 0, ret);
	}
	return 0;
}
