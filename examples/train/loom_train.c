/* SPDX-License-Identifier: MIT */
/*
 * The training job (loom_train.h). Two graphs are compiled for the device:
 * the training step (forward, loss, backward, Adam) over batches of the
 * training set, and the forward pass alone over batches of the test set.
 * After each epoch the trained parameters are copied into the evaluation
 * recipe and the test set's logits are read back to count the right
 * answers.
 *
 * The input pipeline: the recipe alternates two pinned host buffers per
 * input and copies them in by DMA at the start of a step, so the next
 * batch is written (loom_batcher_fill straight into the pinned buffer)
 * while the device computes the current step. The loss is read (which
 * waits for the step) only every loss_every steps.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <loom/graph.h>

#include "loom_dataset.h"
#include "loom_train.h"

#define TRAIN_TELEMETRY_NS	(200 * 1000 * 1000ull)	/* sampling period */

/* One compiled network: its inputs, parameters and outputs by node id. */
struct train_net {
	loom_graph *g;
	loom_recipe *r;
	uint32_t batch;
	int x, y, loss, logits;
	bool x16;		/* x is bf16 */
};

struct train_ctx {
	const struct loom_train_opts *o;
	struct loom_train_result *res;
	loom_train_progress_fn progress;
	void *arg;
	char *err;
	size_t errlen;

	loom_device *dev;
	struct loom_dataset train, test;
	struct loom_norm norm;
	struct loom_batcher tb, eb;
	struct train_net tn, en;
	float *param_buf;	/* the largest parameter, for copies */
	float *logits;		/* eval_batch x classes */

	/* Telemetry. */
	struct loom_telemetry t_first, t_last;
	uint64_t last_sample_ns;
	double power_w;
	uint64_t train_busy_ns[LOOM_ENG_COUNT];
	uint64_t train_dev_ns;
	double t_start;
};

static int train_errf(struct train_ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static double train_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void loom_train_opts_default(struct loom_train_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->epochs = LOOM_TRAIN_DEF_EPOCHS;
	o->batch = LOOM_TRAIN_DEF_BATCH;
	o->dtype = LOOM_TRAIN_F32;
	o->lr = LOOM_TRAIN_DEF_LR;
	o->nhidden = 2;
	o->hidden[0] = 512;
	o->hidden[1] = 256;
	o->eval_batch = LOOM_TRAIN_DEF_EVAL_BATCH;
	o->seed = 1;
	o->loss_every = 1;
}

int loom_train_parse_hidden(struct loom_train_opts *o, const char *s, char *err, size_t errlen)
{
	uint32_t n = 0, h[LOOM_TRAIN_MAX_HIDDEN];
	const char *p = s;
	char *end;

	if (!s || !*s) {
		snprintf(err, errlen, "--hidden: empty (e.g. 512,256)");
		return -EINVAL;
	}
	for (;;) {
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno || v < 1 || v > 16384 || *p == '-' || *p == '+') {
			snprintf(err, errlen, "--hidden: '%s': sizes 1..16384 separated by commas", s);
			return -EINVAL;
		}
		if (n == LOOM_TRAIN_MAX_HIDDEN) {
			snprintf(err, errlen, "--hidden: at most %d hidden layers", LOOM_TRAIN_MAX_HIDDEN);
			return -EINVAL;
		}
		h[n++] = (uint32_t)v;
		if (!*end)
			break;
		if (*end != ',') {
			snprintf(err, errlen, "--hidden: '%s': sizes 1..16384 separated by commas", s);
			return -EINVAL;
		}
		p = end + 1;
	}
	o->nhidden = n;
	memcpy(o->hidden, h, sizeof(h[0]) * n);
	return 0;
}

const char *loom_train_data_dir(const struct loom_train_opts *o)
{
	const char *env = getenv("LOOM_DATA_DIR");

	if (o->data_dir && *o->data_dir)
		return o->data_dir;
	return env && *env ? env : LOOM_FASHION_MNIST_DIR;
}

/* ---- Graphs -------------------------------------------------------------- */

/*
 * The MLP over a batch: for each layer, y = x w + b (ReLU but on the last).
 * bf16: x and each weight are cast to bf16 for the MME, which accumulates
 * in fp32; the parameters stay fp32 (Adam updates them).
 */
static int train_mlp_build(struct train_ctx *c, struct train_net *n, uint32_t batch)
{
	const struct loom_train_opts *o = c->o;
	bool bf16 = o->dtype == LOOM_TRAIN_BF16;
	uint32_t dims[2], in = c->train.features, out, i, nlayers = o->nhidden + 1;
	int h, w, b;
	char name[32];

	dims[0] = batch;
	dims[1] = in;
	h = n->x = loom_g_input(n->g, "x", bf16 ? LOOM_G_BF16 : LOOM_G_F32, 2, dims);
	n->y = loom_g_input(n->g, "labels", LOOM_G_I32, 1, dims);
	for (i = 0; i < nlayers; i++) {
		int xin = h;

		out = i < o->nhidden ? o->hidden[i] : c->train.classes;
		dims[0] = in;
		dims[1] = out;
		snprintf(name, sizeof(name), "fc%u.w", i + 1);
		w = loom_g_param(n->g, name, LOOM_G_F32, 2, dims, LOOM_INIT_UNIFORM_FAN_IN);
		snprintf(name, sizeof(name), "fc%u.b", i + 1);
		b = loom_g_param(n->g, name, LOOM_G_F32, 1, &out, LOOM_INIT_UNIFORM_FAN_IN);
		if (b >= 0)
			loom_g_param_fan_in(n->g, b, in);
		if (bf16) {
			snprintf(name, sizeof(name), "fc%u.w16", i + 1);
			w = loom_g_cast(n->g, name, w, LOOM_G_BF16);
			if (i) {
				snprintf(name, sizeof(name), "fc%u.x16", i + 1);
				xin = loom_g_cast(n->g, name, h, LOOM_G_BF16);
			}
		}
		snprintf(name, sizeof(name), i + 1 < nlayers ? "fc%u" : "logits", i + 1);
		h = loom_g_linear(n->g, name, xin, w, b, i < o->nhidden);
		in = out;
	}
	n->logits = h;
	if (h < 0)
		return train_errf(c, h, "building the MLP: %s", loom_graph_error(n->g));
	return 0;
}

/* The saved graph o->graph_path at this batch, its x, labels and logits checked. */
static int train_file_build(struct train_ctx *c, struct train_net *n, uint32_t batch)
{
	const char *path = c->o->graph_path;
	struct loom_gnode_info xi, yi, li;
	char msg[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return train_errf(c, -errno, "cannot read the graph %s: %s", path, strerror(errno));
	loom_graph_destroy(n->g);
	n->g = loom_graph_load(f, path, batch, msg, sizeof(msg));
	fclose(f);
	if (!n->g)
		return train_errf(c, -errno, "%s", msg);
	n->x = loom_graph_find(n->g, "x");
	n->y = loom_graph_find(n->g, "labels");
	n->logits = loom_graph_find(n->g, "logits");
	if (n->x < 0 || n->y < 0 || n->logits < 0)
		return train_errf(c, -EINVAL, "%s: the graph has no node called '%s'", path,
				  n->x < 0 ? "x" : n->y < 0 ? "labels" : "logits");
	loom_graph_node_info(n->g, n->x, &xi);
	loom_graph_node_info(n->g, n->y, &yi);
	loom_graph_node_info(n->g, n->logits, &li);
	if (xi.op != LOOM_OP_INPUT || xi.ndims != 2 || xi.dims[1] != c->train.features ||
	    xi.dtype == LOOM_G_I32)
		return train_errf(c, -EINVAL, "%s: 'x' must be an f32 or bf16 input [B, %u]", path,
				  c->train.features);
	if (yi.op != LOOM_OP_INPUT || yi.ndims != 1 || yi.dtype != LOOM_G_I32)
		return train_errf(c, -EINVAL, "%s: 'labels' must be an i32 input [B]", path);
	if (li.ndims != 2 || li.dims[0] != batch || li.dims[1] != c->train.classes ||
	    li.dtype != LOOM_G_F32)
		return train_errf(c, -EINVAL, "%s: 'logits' must be f32 [B, %u]", path,
				  c->train.classes);
	n->x16 = xi.dtype == LOOM_G_BF16;
	return 0;
}

/*
 * The network over a batch (the MLP, or the saved graph) and, for training,
 * its loss (the graph's "loss" node, else xent(logits, labels)), backward
 * pass and Adam.
 */
static int train_net_build(struct train_ctx *c, struct train_net *n, uint32_t batch, bool train)
{
	const struct loom_train_opts *o = c->o;
	int ret;

	n->g = loom_graph_create();
	if (!n->g)
		return train_errf(c, -ENOMEM, "loom_graph_create: out of memory");
	n->batch = batch;
	n->x16 = o->dtype == LOOM_TRAIN_BF16;
	ret = o->graph_path ? train_file_build(c, n, batch) : train_mlp_build(c, n, batch);
	if (ret)
		return ret;
	if (train) {
		n->loss = o->graph_path ? loom_graph_find(n->g, "loss") : -1;
		if (n->loss < 0)
			n->loss = loom_g_xent(n->g, "loss", n->logits, n->y);
		ret = loom_graph_output(n->g, n->loss);
	} else {
		n->loss = -1;
		ret = loom_graph_output(n->g, n->logits);
	}
	if (ret < 0)
		return train_errf(c, ret, "building the %s graph: %s", train ? "training" : "test",
				  loom_graph_error(n->g));
	if (train) {
		struct loom_optim_opts opt = { .sz = sizeof(opt) };

		ret = loom_graph_backward(n->g, n->loss);
		if (ret < 0)
			return train_errf(c, ret, "backward: %s", loom_graph_error(n->g));
		opt.kind = LOOM_OPTIM_ADAM;
		opt.lr = o->lr;
		ret = loom_graph_optimizer(n->g, &opt);
		if (ret < 0)
			return train_errf(c, ret, "optimizer: %s", loom_graph_error(n->g));
	}
	return 0;
}

int loom_train_save_graph(const struct loom_train_opts *o, const char *path, char *err,
			  size_t errlen)
{
	struct train_ctx c = { .o = o, .err = err, .errlen = errlen };
	struct train_net n = { 0 };
	FILE *f;
	int ret;

	c.train.features = LOOM_FASHION_MNIST_FEATURES;
	c.train.classes = LOOM_FASHION_MNIST_CLASSES;
	ret = train_net_build(&c, &n, o->batch, false);
	if (!ret && path) {
		f = fopen(path, "w");
		if (!f) {
			ret = train_errf(&c, -errno, "cannot write %s: %s", path, strerror(errno));
		} else {
			ret = loom_graph_save(n.g, f);
			if (ret)
				train_errf(&c, ret, "saving the graph: %s", loom_graph_error(n.g));
			if (fclose(f) && !ret)
				ret = train_errf(&c, -EIO, "writing %s: %s", path, strerror(errno));
		}
	}
	loom_graph_destroy(n.g);
	return ret;
}

static int train_net_compile(struct train_ctx *c, struct train_net *n, const char *what)
{
	struct loom_compile_opts co = { .sz = sizeof(co), .seed = c->o->seed };

	n->r = loom_graph_compile(n->g, c->dev, &co);
	if (!n->r)
		return train_errf(c, -errno, "compiling the %s graph: %s", what,
				  loom_graph_error(n->g));
	return 0;
}

static void train_net_fini(struct train_net *n)
{
	loom_recipe_destroy(n->r);
	loom_graph_destroy(n->g);
	n->r = NULL;
	n->g = NULL;
}

/* ---- Telemetry ----------------------------------------------------------- */

static void train_sample(struct train_ctx *c, struct loom_telemetry *out)
{
	struct loom_train_result *res = c->res;
	struct loom_telemetry t;
	int i;

	if (loom_device_telemetry(c->dev, &t))
		return;
	if (!res->telemetry_samples++)
		c->t_first = t;
	c->t_last = t;
	c->power_w = t.power_mw / 1000.0;
	if (c->power_w > res->peak_power_w)
		res->peak_power_w = c->power_w;
	for (i = 0; i < 4; i++)
		if (t.temp_mc[i] / 1000.0 > res->peak_temp_c)
			res->peak_temp_c = t.temp_mc[i] / 1000.0;
	res->throttle_seen |= t.throttle_reasons;
	c->last_sample_ns = (uint64_t)(train_now() * 1e9);
	if (out)
		*out = t;
}

static void train_report(struct train_ctx *c, enum loom_train_phase phase, uint32_t epoch,
			 uint32_t step, float loss, double sps, const struct loom_train_epoch *done)
{
	struct loom_train_progress p = {
		.phase = phase, .epoch = epoch, .epochs = c->o->epochs, .step = step,
		.steps = c->tb.steps, .loss = loss, .samples_per_s = sps,
		.power_w = c->res->telemetry_samples ? c->power_w : NAN,
		.elapsed_s = c->t_start ? train_now() - c->t_start : 0, .done = done,
	};

	if (c->progress)
		c->progress(&p, c->arg);
}

/* ---- Evaluation ---------------------------------------------------------- */

/* Bytes of node id of g. */
static size_t train_node_bytes(const loom_graph *g, int id, const char **name)
{
	struct loom_gnode_info ni;
	size_t bytes;

	if (loom_graph_node_info(g, id, &ni))
		return 0;
	bytes = ni.dtype == LOOM_G_BF16 ? 2 : 4;
	for (uint32_t d = 0; d < ni.ndims; d++)
		bytes *= ni.dims[d];
	if (name)
		*name = ni.name;
	return bytes;
}

/* Copy the trained parameters into the evaluation recipe (matched by name). */
static int train_copy_params(struct train_ctx *c)
{
	int i, ret, n = loom_graph_node_count(c->tn.g);

	for (i = 0; i < n; i++) {
		struct loom_gnode_info ni;
		const char *name = "";
		size_t bytes;
		int e;

		if (loom_graph_node_info(c->tn.g, i, &ni) || ni.op != LOOM_OP_PARAM)
			continue;
		e = loom_graph_find(c->en.g, ni.name);
		bytes = train_node_bytes(c->tn.g, i, &name);
		if (e < 0 || train_node_bytes(c->en.g, e, NULL) != bytes)
			return train_errf(c, -EINVAL, "parameter %s: not in the test graph", ni.name);
		ret = loom_recipe_read(c->tn.r, i, c->param_buf, bytes);
		if (ret)
			return train_errf(c, ret, "reading %s: %s", name,
					  loom_recipe_error(c->tn.r));
		ret = loom_recipe_write(c->en.r, e, c->param_buf, bytes);
		if (ret)
			return train_errf(c, ret, "writing %s: %s", name,
					  loom_recipe_error(c->en.r));
	}
	return 0;
}

/* Test-set loss and accuracy with the current parameters. */
static int train_evaluate(struct train_ctx *c, uint32_t epoch, double *loss, double *acc)
{
	uint32_t k = c->train.classes, step, right = 0, total = 0;
	bool bf16 = c->en.x16;
	double lsum = 0;
	int ret;

	ret = train_copy_params(c);
	if (ret)
		return ret;
	for (step = 0; step < c->eb.steps; step++) {
		void *x = loom_recipe_input(c->en.r, c->en.x);
		int rows, r;

		if (!x)
			return train_errf(c, -errno, "test input: %s", loom_recipe_error(c->en.r));
		rows = loom_batcher_fill(&c->eb, step, &c->norm, bf16, x, NULL);
		ret = loom_recipe_run(c->en.r);
		if (!ret)
			ret = loom_recipe_read(c->en.r, c->en.logits, c->logits,
					       sizeof(float) * c->en.batch * k);
		if (ret)
			return train_errf(c, ret, "test step %u: %s", step, loom_recipe_error(c->en.r));
		for (r = 0; r < rows; r++) {
			const float *l = c->logits + (size_t)r * k;
			uint32_t label = c->test.labels[loom_batcher_sample(&c->eb,
						step * c->eb.batch + r)], j, best = 0;
			double mx = l[0], s = 0;

			for (j = 1; j < k; j++) {
				if (l[j] > l[best])
					best = j;
				if (l[j] > mx)
					mx = l[j];
			}
			for (j = 0; j < k; j++)
				s += exp(l[j] - mx);
			lsum += mx + log(s) - l[label];
			right += best == label;
			total++;
		}
		train_report(c, LOOM_TRAIN_EVAL, epoch, step + 1, NAN, 0, NULL);
	}
	*loss = total ? lsum / total : NAN;
	*acc = total ? (double)right / total : 0;
	return 0;
}

/* ---- Training ------------------------------------------------------------ */

/*
 * Write batch `step` of the training set into the pinned buffers the next
 * loom_recipe_run() copies from. Called while the previous step still
 * runs on the device, so the host's work overlaps the device's.
 */
static int train_fill(struct train_ctx *c, uint32_t step)
{
	void *x = loom_recipe_input(c->tn.r, c->tn.x);
	void *y = loom_recipe_input(c->tn.r, c->tn.y);

	if (!x || !y)
		return train_errf(c, -errno, "training input: %s", loom_recipe_error(c->tn.r));
	loom_batcher_fill(&c->tb, step, &c->norm, c->tn.x16, x, y);
	return 0;
}

static int train_epoch(struct train_ctx *c, uint32_t epoch, struct loom_train_epoch *ep)
{
	const struct loom_train_opts *o = c->o;
	struct loom_telemetry t0, t1;
	uint64_t e0;
	uint32_t step, nloss = 0;
	double t_begin, lsum = 0;
	float loss = NAN;
	int ret, i;

	loom_batcher_epoch(&c->tb, epoch - 1);
	train_sample(c, &t0);
	e0 = t0.energy_mj;
	t_begin = train_now();
	ret = c->tb.steps ? train_fill(c, 0) : 0;
	if (ret)
		return ret;
	for (step = 0; step < c->tb.steps; step++) {
		bool last = step + 1 == c->tb.steps;

		ret = loom_recipe_run(c->tn.r);
		if (ret)
			return train_errf(c, ret, "epoch %u step %u: %s", epoch, step + 1,
					  loom_recipe_error(c->tn.r));
		/* The next batch, while this step runs. */
		if (!last && (ret = train_fill(c, step + 1)))
			return ret;
		if (last || !o->loss_every || (step + 1) % o->loss_every == 0) {
			ret = loom_recipe_read(c->tn.r, c->tn.loss, &loss, sizeof(loss));
			if (ret)
				return train_errf(c, ret, "epoch %u step %u: %s", epoch, step + 1,
						  loom_recipe_error(c->tn.r));
			if (!isfinite(loss))
				return train_errf(c, -ERANGE,
						  "epoch %u step %u: the loss is %g (try a lower --lr)",
						  epoch, step + 1, loss);
			lsum += loss;
			nloss++;
		}
		if ((uint64_t)(train_now() * 1e9) - c->last_sample_ns >= TRAIN_TELEMETRY_NS)
			train_sample(c, NULL);
		train_report(c, LOOM_TRAIN_STEP, epoch, step + 1, loss,
			     (step + 1) * (double)c->tb.batch / (train_now() - t_begin), NULL);
	}
	ret = loom_recipe_sync(c->tn.r);
	if (ret)
		return train_errf(c, ret, "epoch %u: %s", epoch, loom_recipe_error(c->tn.r));
	ep->epoch = epoch;
	ep->train_s = train_now() - t_begin;
	ep->samples_per_s = c->tb.steps * (double)c->tb.batch / ep->train_s;
	ep->train_loss = nloss ? lsum / nloss : NAN;
	train_sample(c, &t1);
	for (i = 0; i < LOOM_ENG_COUNT; i++)
		c->train_busy_ns[i] += t1.busy_ns[i] - t0.busy_ns[i];
	c->train_dev_ns += t1.timestamp_ns - t0.timestamp_ns;

	ret = train_evaluate(c, epoch, &ep->test_loss, &ep->test_acc);
	if (ret)
		return ret;
	train_sample(c, &t1);
	ep->energy_j = (t1.energy_mj - e0) / 1000.0;
	ep->avg_power_w = t1.timestamp_ns > t0.timestamp_ns ?
			  ep->energy_j / ((t1.timestamp_ns - t0.timestamp_ns) / 1e9) : NAN;
	return 0;
}

static void train_summarise(struct train_ctx *c)
{
	struct loom_train_result *res = c->res;
	struct loom_device_info info;
	uint32_t i;
	double dev_s;

	res->steps = (uint64_t)res->nepochs * c->tb.steps;
	for (i = 0; i < res->nepochs; i++)
		res->train_s += res->epochs[i].train_s;
	if (res->nepochs) {
		const struct loom_train_epoch *last = &res->epochs[res->nepochs - 1];

		res->test_acc = last->test_acc;
		res->test_loss = last->test_loss;
		res->final_loss = last->train_loss;
	}
	res->samples_per_s = res->train_s > 0 ? res->steps * (double)c->tb.batch / res->train_s : 0;
	res->step_ms = res->steps ? 1000.0 * res->train_s / res->steps : 0;
	if (res->telemetry_samples) {
		res->device_s = (c->t_last.timestamp_ns - c->t_first.timestamp_ns) / 1e9;
		res->energy_j = (c->t_last.energy_mj - c->t_first.energy_mj) / 1000.0;
		res->avg_power_w = res->device_s > 0 ? res->energy_j / res->device_s : 0;
		res->gflop = (c->t_last.flops - c->t_first.flops) / 1e9;
	}
	if (loom_device_info(c->dev, &info))
		memset(&info, 0, sizeof(info));
	res->eng.count[LOOM_ENG_DMA] = info.num_dma ? info.num_dma : 1;
	res->eng.count[LOOM_ENG_MME] = info.num_mme ? info.num_mme : 1;
	res->eng.count[LOOM_ENG_TPC] = info.num_tpc ? info.num_tpc : 1;
	res->eng.count[LOOM_ENG_CP] = info.num_queues ? info.num_queues : 1;
	dev_s = c->train_dev_ns / 1e9;
	for (i = 0; i < LOOM_ENG_COUNT; i++) {
		double busy_ms = c->train_busy_ns[i] / 1e6 / res->eng.count[i];

		res->eng.busy_ms_per_step[i] = res->steps ? busy_ms / res->steps : 0;
		res->eng.util_pct[i] = dev_s > 0 ? 100.0 * busy_ms / 1000.0 / dev_s : 0;
	}
}

static int train_setup(struct train_ctx *c)
{
	const struct loom_train_opts *o = c->o;
	struct loom_train_result *res = c->res;
	struct loom_device_info info;
	const char *dir = loom_train_data_dir(o);
	uint32_t i;
	size_t maxp;
	int ret;

	train_report(c, LOOM_TRAIN_LOADING, 0, 0, NAN, 0, NULL);
	/* Fashion-MNIST fixes its classes and image size: anything else is an error. */
	ret = loom_dataset_load_dir(&c->train, dir, "train", o->train_limit,
				    LOOM_FASHION_MNIST_CLASSES, c->err, c->errlen);
	if (!ret && (c->train.height != LOOM_FASHION_MNIST_SIDE ||
		     c->train.width != LOOM_FASHION_MNIST_SIDE))
		ret = train_errf(c, -EINVAL, "%s: training images are %ux%u; Fashion-MNIST's are %dx%d",
				 dir, c->train.height, c->train.width, LOOM_FASHION_MNIST_SIDE,
				 LOOM_FASHION_MNIST_SIDE);
	if (!ret)
		ret = loom_dataset_load_dir(&c->test, dir, "t10k", o->test_limit,
					    LOOM_FASHION_MNIST_CLASSES, c->err, c->errlen);
	if (!ret && (c->test.height != c->train.height || c->test.width != c->train.width))
		ret = train_errf(c, -EINVAL, "test images are %ux%u, training images %ux%u",
				 c->test.height, c->test.width, c->train.height, c->train.width);
	if (ret) {
		res->data_error = true;
		return ret;
	}
	if (o->batch > c->train.count)
		return train_errf(c, -EINVAL, "batch %u is larger than the %u training samples",
				  o->batch, c->train.count);
	loom_dataset_stats(&c->train, &res->norm_mean, &res->norm_std);
	loom_norm_init(&c->norm, res->norm_mean, res->norm_std);
	res->train_samples = c->train.count;
	res->test_samples = c->test.count;
	res->features = c->train.features;
	res->classes = c->train.classes;
	ret = loom_batcher_init(&c->tb, &c->train, o->batch, true, true, o->seed);
	if (!ret)
		ret = loom_batcher_init(&c->eb, &c->test,
					o->eval_batch < c->test.count ? o->eval_batch : c->test.count,
					false, false, 0);
	if (ret)
		return train_errf(c, ret, "batches: %s", strerror(-ret));

	c->dev = loom_device_open(o->device, NULL);
	if (!c->dev)
		return train_errf(c, -errno, "cannot open device %s: %s",
				  o->device ? o->device : "(default)", strerror(errno));
	if (!loom_device_info(c->dev, &info)) {
		snprintf(res->device_uri, sizeof(res->device_uri), "%s", info.uri);
		snprintf(res->backend, sizeof(res->backend), "%s", info.backend);
	}

	train_report(c, LOOM_TRAIN_COMPILING, 0, 0, NAN, 0, NULL);
	ret = train_net_build(c, &c->tn, o->batch, true);
	if (!ret)
		ret = train_net_compile(c, &c->tn, "training");
	if (!ret)
		ret = train_net_build(c, &c->en, c->eb.batch, false);
	if (!ret)
		ret = train_net_compile(c, &c->en, "test");
	if (ret)
		return ret;
	for (i = 0, maxp = 0; (int)i < loom_graph_node_count(c->tn.g); i++) {
		struct loom_gnode_info ni;
		size_t bytes = train_node_bytes(c->tn.g, (int)i, NULL);

		if (!loom_graph_node_info(c->tn.g, (int)i, &ni) && ni.op == LOOM_OP_PARAM &&
		    bytes > maxp)
			maxp = bytes;
	}
	c->param_buf = malloc(maxp ? maxp : 4);	/* the largest parameter */
	c->logits = malloc(sizeof(float) * c->eb.batch * c->train.classes);
	if (!c->param_buf || !c->logits)
		return train_errf(c, -ENOMEM, "out of host memory");
	return 0;
}

int loom_train_run(const struct loom_train_opts *o, struct loom_train_result *res,
		   loom_train_progress_fn progress, void *arg, char *err, size_t errlen)
{
	struct train_ctx c = { .o = o, .res = res, .progress = progress, .arg = arg,
			       .err = err, .errlen = errlen };
	double t0 = train_now();
	uint32_t e;
	int ret;

	if (!o || !res)
		return train_errf(&c, -EINVAL, "loom_train_run: NULL argument");
	memset(res, 0, sizeof(*res));
	if (!o->epochs || o->epochs > LOOM_TRAIN_MAX_EPOCHS || !o->batch || !o->eval_batch ||
	    !(o->lr > 0) || !o->nhidden || o->nhidden > LOOM_TRAIN_MAX_HIDDEN)
		return train_errf(&c, -EINVAL, "bad options (epochs 1..%d, batch, lr > 0, 1..%d hidden layers)",
				  LOOM_TRAIN_MAX_EPOCHS, LOOM_TRAIN_MAX_HIDDEN);
	ret = train_setup(&c);
	if (ret)
		goto out;
	train_sample(&c, NULL);
	c.t_start = train_now();
	for (e = 1; e <= o->epochs; e++) {
		ret = train_epoch(&c, e, &res->epochs[e - 1]);
		if (ret)
			break;
		res->nepochs = e;
		train_report(&c, LOOM_TRAIN_EPOCH_DONE, e, c.tb.steps, res->epochs[e - 1].train_loss,
			     res->epochs[e - 1].samples_per_s, &res->epochs[e - 1]);
	}
	if (c.dev)
		train_summarise(&c);
out:
	res->total_s = train_now() - t0;
	train_net_fini(&c.en);
	train_net_fini(&c.tn);
	free(c.param_buf);
	free(c.logits);
	loom_batcher_fini(&c.tb);
	loom_batcher_fini(&c.eb);
	loom_device_close(c.dev);
	loom_dataset_free(&c.train);
	loom_dataset_free(&c.test);
	return ret;
}

/* ---- Benchmark ------------------------------------------------------------ */

#define BENCH_BATCHES	16	/* distinct synthetic batches */

struct loom_train_bencher {
	struct train_ctx c;
	struct loom_train_opts o;
	struct loom_train_result res;	/* unused by the benchmark but for telemetry */
	uint32_t step;
};

loom_train_bencher *loom_train_bench_create(loom_device *dev, const struct loom_train_opts *o,
					    char *err, size_t errlen)
{
	struct loom_train_bencher *b;
	struct loom_dataset *ds;
	uint64_t s, i, n;
	int ret;

	if (!dev || !o || !o->batch || !o->nhidden || o->nhidden > LOOM_TRAIN_MAX_HIDDEN) {
		snprintf(err, errlen, "loom_train_bench_create: bad arguments");
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	b->o = *o;
	b->c.o = &b->o;
	b->c.res = &b->res;
	b->c.err = err;
	b->c.errlen = errlen;
	b->c.dev = dev;
	ds = &b->c.train;
	ds->count = BENCH_BATCHES * o->batch;
	ds->height = ds->width = 28;
	ds->features = 784;
	ds->classes = 10;
	n = (uint64_t)ds->count * ds->features;
	ds->pixels = malloc(n);
	ds->labels = malloc(ds->count);
	if (!ds->pixels || !ds->labels) {
		ret = train_errf(&b->c, -ENOMEM, "out of memory for %llu samples",
				 (unsigned long long)ds->count);
		goto fail;
	}
	for (i = 0, s = o->seed; i < n; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		ds->pixels[i] = (uint8_t)(s >> 56);
	}
	for (i = 0; i < ds->count; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		ds->labels[i] = (uint8_t)((s >> 33) % ds->classes);
	}
	loom_norm_init(&b->c.norm, 0.5f, 0.29f);
	ret = loom_batcher_init(&b->c.tb, ds, o->batch, true, true, o->seed);
	if (ret) {
		train_errf(&b->c, ret, "batches: %s", strerror(-ret));
		goto fail;
	}
	ret = train_net_build(&b->c, &b->c.tn, o->batch, true);
	if (!ret)
		ret = train_net_compile(&b->c, &b->c.tn, "training");
	if (ret)
		goto fail;
	return b;
fail:
	loom_train_bench_destroy(b);
	errno = -ret;
	return NULL;
}

int loom_train_bench_steps(loom_train_bencher *b, uint32_t steps, double *seconds,
			   uint64_t busy_ns[LOOM_ENG_COUNT])
{
	struct train_ctx *c = &b->c;
	struct loom_telemetry t0, t1;
	double start;
	float loss;
	uint32_t i;
	int ret, e;

	if (busy_ns && (ret = loom_device_telemetry(c->dev, &t0)))
		return train_errf(c, ret, "telemetry: %s", loom_strerror(ret));
	start = train_now();
	ret = steps ? train_fill(c, b->step % c->tb.steps) : 0;
	if (ret)
		return ret;
	for (i = 0; i < steps; i++, b->step++) {
		ret = loom_recipe_run(c->tn.r);
		/* The next batch, while this step runs (as the job does). */
		if (!ret && i + 1 < steps)
			ret = train_fill(c, (b->step + 1) % c->tb.steps);
		if (!ret && (i + 1 == steps || !b->o.loss_every || (i + 1) % b->o.loss_every == 0))
			ret = loom_recipe_read(c->tn.r, c->tn.loss, &loss, sizeof(loss));
		if (ret)
			return train_errf(c, ret, "step %u: %s", b->step + 1,
					  loom_recipe_error(c->tn.r));
	}
	ret = loom_recipe_sync(c->tn.r);
	if (ret)
		return train_errf(c, ret, "%s", loom_recipe_error(c->tn.r));
	*seconds = train_now() - start;
	if (busy_ns) {
		ret = loom_device_telemetry(c->dev, &t1);
		if (ret)
			return train_errf(c, ret, "telemetry: %s", loom_strerror(ret));
		for (e = 0; e < LOOM_ENG_COUNT; e++)
			busy_ns[e] = t1.busy_ns[e] - t0.busy_ns[e];
	}
	return 0;
}

void loom_train_bench_destroy(loom_train_bencher *b)
{
	if (!b)
		return;
	train_net_fini(&b->c.tn);
	loom_batcher_fini(&b->c.tb);
	loom_dataset_free(&b->c.train);
	free(b);
}
