/* SPDX-License-Identifier: MIT */
/*
 * loom-run: the training job of make demo (an MLP on Fashion-MNIST on a
 * Loom device) for scripts: the same options, a quiet default, --json for
 * the final metrics, and an exit status that says what happened (0
 * trained, 1 failed, 2 usage, 3 no data set). docs/man/loom-run.1.
 */
#include "loom_train_cli.h"

int main(int argc, char **argv)
{
	static const struct loom_train_cli cli = {
		.prog = "loom-run",
		.summary = "Run the Loom training job from the command line.",
		.demo = false,
	};

	return loom_train_main(argc, argv, &cli);
}
