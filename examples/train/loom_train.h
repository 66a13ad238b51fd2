/* SPDX-License-Identifier: MIT */
/*
 * The training job: an MLP (784-512-256-10 by default, ReLU, softmax
 * cross-entropy, Adam) trained on Fashion-MNIST on a Loom device through
 * the graph layer (include/loom/graph.h), evaluated on the test set after
 * every epoch, with the device's telemetry gathered while it runs.
 *
 * loom_train_run() is the job; it reports progress through a callback and
 * fills a struct loom_train_result. It never prints. The front ends
 * (loom-train-demo for make demo, tools/loom-run) share the command line,
 * the terminal display, the JSON log and the plot (loom_train_cli.h).
 */
#ifndef LOOM_TRAIN_H
#define LOOM_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <loom/loom.h>

#define LOOM_TRAIN_MAX_HIDDEN	4
#define LOOM_TRAIN_MAX_EPOCHS	1000

/* Defaults (make demo): about a minute on two cores. */
#define LOOM_TRAIN_DEF_EPOCHS	20
#define LOOM_TRAIN_DEF_BATCH	256
#define LOOM_TRAIN_DEF_LR	1e-3f
#define LOOM_TRAIN_DEF_EVAL_BATCH	1000

enum loom_train_dtype { LOOM_TRAIN_F32 = 0, LOOM_TRAIN_BF16 = 1 };

struct loom_train_opts {
	uint32_t epochs;
	uint32_t batch;
	enum loom_train_dtype dtype;	/* bf16: inputs, weights and activations into the MME */
	float lr;
	uint32_t nhidden;
	uint32_t hidden[LOOM_TRAIN_MAX_HIDDEN];
	const char *device;	/* URI for loom_device_open(); NULL: the default */
	const char *data_dir;	/* NULL: $LOOM_DATA_DIR, else Debian's fashion-mnist */
	uint32_t train_limit;	/* use the first N training samples (0: all) */
	uint32_t test_limit;	/* and the first N test samples (0: all) */
	uint32_t eval_batch;
	uint64_t seed;		/* parameter initialisation and shuffling */
	uint32_t loss_every;	/* read the loss every N steps (0: every step) */
	/*
	 * A saved graph (loom_graph_load(), docs/graph.md) to train instead of
	 * the MLP of hidden/dtype: it has the inputs "x" [B, 784] (f32 or
	 * bf16) and "labels" i32 [B], a node "logits" [B, 10], and either a
	 * [1] node "loss" or none (the job adds xent(logits, labels)). NULL:
	 * the MLP.
	 */
	const char *graph_path;
};

/** Fill o with the defaults above (Adam, 512,256 hidden, seed 1). */
void loom_train_opts_default(struct loom_train_opts *o);
/** Parse "512,256" into o->hidden. -EINVAL (message in err) if malformed. */
int loom_train_parse_hidden(struct loom_train_opts *o, const char *s, char *err, size_t errlen);
/** The data directory the job reads (o->data_dir, $LOOM_DATA_DIR, or Debian's). */
const char *loom_train_data_dir(const struct loom_train_opts *o);
/**
 * Write the forward graph the job would train for o (the MLP, or the
 * saved graph o->graph_path) to path as a saved graph; with path NULL only
 * build it (checks a saved graph before any data is read). 0, or a
 * negative errno with the reason in err.
 */
int loom_train_save_graph(const struct loom_train_opts *o, const char *path, char *err,
			  size_t errlen);

enum loom_train_phase {
	LOOM_TRAIN_LOADING = 0,	/* reading the data set */
	LOOM_TRAIN_COMPILING,	/* building and compiling the graphs */
	LOOM_TRAIN_STEP,	/* a training step was queued */
	LOOM_TRAIN_EVAL,	/* evaluating the test set */
	LOOM_TRAIN_EPOCH_DONE,	/* an epoch's figures are final */
};

/** What the progress callback sees. */
struct loom_train_progress {
	enum loom_train_phase phase;
	uint32_t epoch, epochs;		/* epoch counts from 1 */
	uint32_t step, steps;		/* steps done in this epoch, per epoch */
	float loss;			/* latest loss read (NAN before the first) */
	double samples_per_s;		/* this epoch so far */
	double power_w;			/* latest telemetry (NAN: none) */
	double elapsed_s;		/* since training started */
	const struct loom_train_epoch *done;	/* LOOM_TRAIN_EPOCH_DONE: the epoch */
};

typedef void (*loom_train_progress_fn)(const struct loom_train_progress *p, void *arg);

struct loom_train_epoch {
	uint32_t epoch;
	double train_loss;	/* mean of the losses read in the epoch */
	double test_loss, test_acc;	/* acc in [0, 1] */
	double train_s;		/* wall time of the epoch's steps */
	double samples_per_s;
	double energy_j;	/* device energy over the epoch (training and evaluation) */
	double avg_power_w;
};

/* Per engine class (enum loom_engine order: DMA, MME, TPC, CP). */
struct loom_train_engines {
	double busy_ms_per_step[LOOM_ENG_COUNT];	/* busy time / instances / steps */
	double util_pct[LOOM_ENG_COUNT];		/* busy time / (instances * time) */
	uint32_t count[LOOM_ENG_COUNT];			/* instances */
};

struct loom_train_result {
	bool data_error;		/* the run failed reading the data set */
	char device_uri[128], backend[16];
	uint32_t train_samples, test_samples, features, classes;
	float norm_mean, norm_std;
	uint32_t nepochs;		/* epochs completed */
	struct loom_train_epoch epochs[LOOM_TRAIN_MAX_EPOCHS];
	uint64_t steps;
	double test_acc, test_loss, final_loss;
	double train_s;			/* wall time of all the training steps */
	double samples_per_s;		/* training throughput over all epochs */
	double step_ms;			/* train_s / steps */
	double total_s;			/* the whole job, loading included */
	/* Telemetry over the training and evaluation. */
	double device_s;		/* device time covered */
	double energy_j, avg_power_w, peak_power_w, peak_temp_c;
	uint32_t throttle_seen;		/* LOOM_THROTTLE_REASON_* seen */
	double gflop;			/* MME work the firmware counted */
	struct loom_train_engines eng;	/* training steps only */
	int telemetry_samples;
};

/**
 * Run the job. progress may be NULL. Returns 0, or a negative errno with
 * the reason in err: -ENOENT (and the other loader errors) when the data
 * set cannot be read; the device's, the graph layer's, or -ERANGE when
 * the loss stops being finite.
 */
int loom_train_run(const struct loom_train_opts *o, struct loom_train_result *res,
		   loom_train_progress_fn progress, void *arg, char *err, size_t errlen);

/*
 * Benchmarking the training step alone (loom-bench's train_mlp rows): the
 * job's training graph for o compiled on dev, fed with synthetic batches
 * (random pixels through the same normalisation, random labels), timed
 * a number of steps at a time so a caller can interleave a reference.
 */
typedef struct loom_train_bencher loom_train_bencher;

/** Compile the step. NULL with errno (and the reason in err). */
loom_train_bencher *loom_train_bench_create(loom_device *dev, const struct loom_train_opts *o,
					    char *err, size_t errlen);
/**
 * Run steps training steps (filling each batch, reading the loss as the
 * job does) and wait for them. *seconds: host wall time; busy_ns (may be
 * NULL): each engine class's busy time over them, summed over instances.
 */
int loom_train_bench_steps(loom_train_bencher *b, uint32_t steps, double *seconds,
			   uint64_t busy_ns[LOOM_ENG_COUNT]);
void loom_train_bench_destroy(loom_train_bencher *b);

#endif /* LOOM_TRAIN_H */
