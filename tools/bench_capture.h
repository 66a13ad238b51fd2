/* SPDX-License-Identifier: MIT */
/*
 * loom-bench's capture benchmark: a chain of small operations queued one
 * submission per operation, against the same chain recorded once
 * (loom_capture_begin/end) and launched as one command buffer. Both are
 * timed from the first call to the end of a stream sync, per operation.
 */
#ifndef BENCH_CAPTURE_H
#define BENCH_CAPTURE_H

#include <loom/loom.h>

#define BENCH_CHAIN_OPS	64

struct bench_chain_result {
	double launch_s, launch_best_s;	/* per operation: one captured launch */
	double eager_s, eager_best_s;	/* per operation: one submission each */
	uint32_t cb_bytes;		/* the recording's size */
	char err[128];			/* set when the benchmark failed */
};

/* BENCH_CHAIN_OPS small copies, fills and GEMMs on s, warmup + reps times each way. */
int bench_capture_chain(loom_device *dev, loom_stream *s, int warmup, int reps,
			struct bench_chain_result *r);

#endif /* BENCH_CAPTURE_H */
