/* SPDX-License-Identifier: MIT */
/*
 * loom-train-demo (make demo): an MLP trained on Fashion-MNIST on the Loom
 * device, with a progress bar, the test accuracy, the device's telemetry,
 * a JSON log and a plot of loss and accuracy per epoch. The job and its
 * command line are examples/train/ (shared with tools/loom-run); --help
 * lists the options.
 */
#include "loom_train_cli.h"

int main(int argc, char **argv)
{
	static const struct loom_train_cli cli = {
		.prog = "loom-train-demo",
		.summary = "Train an MLP on Fashion-MNIST on the Loom device, with telemetry and a plot.",
		.demo = true,
	};

	return loom_train_main(argc, argv, &cli);
}
