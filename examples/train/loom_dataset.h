/* SPDX-License-Identifier: MIT */
/*
 * Image classification data sets in IDX files (Fashion-MNIST, MNIST):
 * loading an images file with its labels file, normalisation, and batches
 * in a seeded shuffled order, written straight into the buffers a training
 * step copies to the device.
 *
 * Pixels stay bytes in memory; a batch is written through a 256-entry
 * table holding (pixel / 255 - mean) / std in fp32 and bf16, so filling a
 * batch costs one lookup per pixel. No function prints or exits.
 */
#ifndef LOOM_DATASET_H
#define LOOM_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where Debian's dataset-fashion-mnist installs the files. */
#define LOOM_FASHION_MNIST_DIR	"/usr/share/datasets/fashion-mnist"
#define LOOM_FASHION_MNIST_SIDE		28	/* images are 28 x 28 pixels */
#define LOOM_FASHION_MNIST_FEATURES	784
#define LOOM_FASHION_MNIST_CLASSES	10

struct loom_dataset {
	uint32_t count;		/* samples */
	uint32_t height, width;	/* of each image */
	uint32_t features;	/* height * width */
	uint32_t classes;	/* 1 + the largest label */
	uint8_t *pixels;	/* count * features bytes, sample after sample */
	uint8_t *labels;	/* count bytes */
};

/**
 * Load an images file ([count, height, width] ubyte IDX) and its labels
 * file ([count] ubyte IDX) of a data set with classes classes (1 to 256:
 * the data set's, not what its labels happen to hold; ds->classes).
 * limit > 0 keeps only the first limit samples.
 * Errors (message in err): those of loom_idx_load(); -EINVAL wrong shapes,
 * counts that differ or classes out of range; -EDOM a label that is not
 * one of the classes (the message names the file and the sample).
 */
int loom_dataset_load(struct loom_dataset *ds, const char *images, const char *labels,
		      uint32_t limit, uint32_t classes, char *err, size_t errlen);

/**
 * Load one split ("train" or "t10k") of an MNIST-layout directory:
 * SPLIT-images-idx3-ubyte and SPLIT-labels-idx1-ubyte, each plain or .gz.
 */
int loom_dataset_load_dir(struct loom_dataset *ds, const char *dir, const char *split,
			  uint32_t limit, uint32_t classes, char *err, size_t errlen);

void loom_dataset_free(struct loom_dataset *ds);

/** Mean and standard deviation of pixel / 255 over the whole set. */
void loom_dataset_stats(const struct loom_dataset *ds, float *mean, float *std);

/** Normalised value of each pixel byte, in both element types. */
struct loom_norm {
	float f32[256];
	uint16_t bf16[256];
};

/** value = (pixel / 255 - mean) / std (std <= 0 is taken as 1). */
void loom_norm_init(struct loom_norm *n, float mean, float std);

/**
 * Batches of a data set. Every epoch visits each sample once: in a
 * shuffled order (a permutation drawn from seed and the epoch number, so
 * a run is reproducible), or in file order. With drop_last, a last partial
 * batch is skipped (training); otherwise it is padded (evaluation).
 */
struct loom_batcher {
	const struct loom_dataset *ds;
	uint32_t batch;
	uint32_t steps;		/* batches per epoch */
	bool shuffle, drop_last;
	uint64_t seed;
	uint32_t *order;	/* this epoch's sample order */
};

/** -EINVAL batch 0 or larger than the set with drop_last; -ENOMEM. */
int loom_batcher_init(struct loom_batcher *b, const struct loom_dataset *ds, uint32_t batch,
		      bool shuffle, bool drop_last, uint64_t seed);
/** Draw the order of epoch (0, 1, ...). */
void loom_batcher_epoch(struct loom_batcher *b, uint32_t epoch);
/**
 * Write batch number step of the current epoch: batch * features values
 * into x (fp32, or bf16 when bf16 is true) and batch labels into y (int32;
 * y may be NULL). Padding rows get zeros and the label -1. Returns the
 * number of real rows, or -EINVAL for a step beyond the epoch.
 */
int loom_batcher_fill(const struct loom_batcher *b, uint32_t step, const struct loom_norm *n,
		      bool bf16, void *x, int32_t *y);
/** The sample at position pos of the current order (tests, evaluation). */
uint32_t loom_batcher_sample(const struct loom_batcher *b, uint32_t pos);
void loom_batcher_fini(struct loom_batcher *b);

#endif /* LOOM_DATASET_H */
