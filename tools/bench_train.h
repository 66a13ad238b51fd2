/* SPDX-License-Identifier: MIT */
/*
 * loom-bench's training rows (train_mlp_bN): the training job's step
 * (examples/train/, MLP 784-512-256-10, Adam, fp32) on the device beside
 * PyTorch training the same network on the CPU with the same batch and
 * thread count (tools/bench_torch_mlp.py, run as a co-process so that the
 * two alternate), and the device's step time by engine.
 */
#ifndef LOOM_BENCH_TRAIN_H
#define LOOM_BENCH_TRAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <loom/loom.h>

struct bench_train_result {
	double loom_sps, loom_best_sps;	/* samples/s: median, best repetition */
	double ref_sps, ref_best_sps;	/* NAN: reference unavailable (ref_note says why) */
	double step_ms;			/* Loom's median step */
	double eng_ms[LOOM_ENG_COUNT];	/* busy per instance per step (enum loom_engine) */
	uint32_t eng_count[LOOM_ENG_COUNT];
	int threads;			/* cores given to each side */
	int ref_threads;		/* PyTorch's intra-op threads (its faster of 1, threads) */
	char err[160];			/* why Loom's figure is missing */
	char ref_note[160];
	char torch_version[32];
};

/**
 * Measure reps repetitions of steps training steps of batch samples each,
 * alternating Loom on dev and PyTorch on nthreads cores (its intra-op
 * threads: the faster of 1 and nthreads, timed at its start). 0, or a
 * negative errno with r->err set (Loom failed). A missing reference is
 * not a failure: r->ref_sps is NAN and r->ref_note says why.
 */
int bench_train_mlp(loom_device *dev, uint32_t batch, int nthreads, int reps, uint32_t steps,
		    bool verbose, struct bench_train_result *r);

/*
 * The in-process device's MME runs on the process's OpenBLAS, whose idle
 * workers spin for ~2^28 cycles after each GEMM unless
 * OPENBLAS_THREAD_TIMEOUT says otherwise (read once, when OpenBLAS
 * loads). The training job runs with 4 (loom-run re-executes itself so);
 * loom-bench measures its train row the same way in a child, this binary
 * run again with that setting and --train-child, which leaves the other
 * rows' OpenBLAS (the GEMM references' too) as it was.
 */
/** Measure as bench_train_mlp() on a fresh in-process device of the child (its cores: all). */
int bench_train_mlp_child(bool quick, bool verbose, struct bench_train_result *r);
/** The child's side (loom-bench --train-child): measure, print r on stdout. */
int bench_train_child_main(int nthreads, bool quick, bool verbose);

/** The step-time breakdown, a few lines for the table's notes. */
void bench_train_print_breakdown(FILE *f, const char *name, const struct bench_train_result *r);

#endif /* LOOM_BENCH_TRAIN_H */
