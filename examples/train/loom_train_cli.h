/* SPDX-License-Identifier: MIT */
/*
 * The command line of the training job, shared by loom-train-demo (make
 * demo) and tools/loom-run: option parsing, the progress bar, the summary
 * (test accuracy, throughput, the device's telemetry, the step time by
 * engine), the JSON log and the gnuplot plot. The two programs differ only
 * in their defaults (struct loom_train_cli).
 *
 * Exit status of loom_train_main(): 0 trained; 1 the run failed (device,
 * graph or diverging loss); 2 usage error; 3 the data set is missing or
 * unreadable.
 */
#ifndef LOOM_TRAIN_CLI_H
#define LOOM_TRAIN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "loom_train.h"

#define LOOM_TRAIN_EXIT_OK	0
#define LOOM_TRAIN_EXIT_FAILED	1
#define LOOM_TRAIN_EXIT_USAGE	2
#define LOOM_TRAIN_EXIT_NODATA	3

struct loom_train_cli {
	const char *prog;	/* name in messages and --help */
	const char *summary;	/* one line for --help */
	bool demo;		/* progress bar and full report by default; writes the
				 * log and plot into --out (default ".") */
};

/** Parse argv, run the job, report. Returns the exit status. */
int loom_train_main(int argc, char **argv, const struct loom_train_cli *cli);

/** Write the job's JSON (options, per-epoch figures, result, telemetry). */
void loom_train_write_json(FILE *f, const struct loom_train_opts *o,
			   const struct loom_train_result *res);

/**
 * Plot loss and accuracy per epoch into a PNG with gnuplot. 0, -ENOENT
 * gnuplot is not installed, or another negative errno (why in err).
 */
int loom_train_plot(const char *png, const struct loom_train_result *res, char *err,
		    size_t errlen);

#endif /* LOOM_TRAIN_CLI_H */
