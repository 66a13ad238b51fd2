/* SPDX-License-Identifier: MIT */
/*
 * Data sets for the training job (loom_dataset.h): an images file and a
 * labels file checked against each other, the normalisation table, and
 * the batcher's seeded Fisher-Yates shuffle (splitmix64, rejection
 * sampling so every permutation is equally likely).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_dataset.h"
#include "loom_idx.h"


static int ds_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int loom_dataset_load(struct loom_dataset *ds, const char *images, const char *labels,
		      uint32_t limit, uint32_t classes, char *err, size_t errlen)
{
	struct loom_idx xi = { 0 }, yi = { 0 };
	uint32_t i, n;
	int ret;

	if (!ds || !images || !labels)
		return ds_err(err, errlen, -EINVAL, "loom_dataset_load: NULL argument");
	memset(ds, 0, sizeof(*ds));
	if (!classes || classes > 256)
		return ds_err(err, errlen, -EINVAL, "loom_dataset_load: %u classes (1 to 256)",
			      classes);
	ret = loom_idx_load(images, &xi, err, errlen);
	if (ret)
		return ret;
	ret = loom_idx_load(labels, &yi, err, errlen);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (xi.ndims != 3) {
		ds_err(err, errlen, ret, "%s: %u dimensions; images need 3 (count, height, width)",
		       images, xi.ndims);
		goto out;
	}
	if (yi.ndims != 1) {
		ds_err(err, errlen, ret, "%s: %u dimensions; labels need 1 (count)", labels,
		       yi.ndims);
		goto out;
	}
	if (xi.dims[0] != yi.dims[0]) {
		ds_err(err, errlen, ret, "%s has %u images but %s has %u labels", images,
		       xi.dims[0], labels, yi.dims[0]);
		goto out;
	}
	n = xi.dims[0];
	if (limit && limit < n)
		n = limit;
	for (i = 0; i < n; i++) {
		if (yi.data[i] >= classes) {
			ds_err(err, errlen, -EDOM,
			       "%s: label %u of sample %u is not one of the %u classes (0 to %u)",
			       labels, yi.data[i], i, classes, classes - 1);
			ret = -EDOM;
			goto out;
		}
	}
	ds->count = n;
	ds->height = xi.dims[1];
	ds->width = xi.dims[2];
	ds->features = xi.dims[1] * xi.dims[2];
	ds->classes = classes;
	/* Keep the loaded buffers (a limit only shortens what is used). */
	ds->pixels = xi.data;
	ds->labels = yi.data;
	xi.data = yi.data = NULL;
	ret = 0;
out:
	loom_idx_free(&xi);
	loom_idx_free(&yi);
	return ret;
}

/* dir/base, or dir/base.gz if only that exists. */
static void ds_path(char *buf, size_t len, const char *dir, const char *base)
{
	snprintf(buf, len, "%s/%s", dir, base);
	if (access(buf, F_OK))
		snprintf(buf, len, "%s/%s.gz", dir, base);
}

int loom_dataset_load_dir(struct loom_dataset *ds, const char *dir, const char *split,
			  uint32_t limit, uint32_t classes, char *err, size_t errlen)
{
	char x[4096], y[4096], base[128];

	if (!ds || !dir || !split)
		return ds_err(err, errlen, -EINVAL, "loom_dataset_load_dir: NULL argument");
	snprintf(base, sizeof(base), "%s-images-idx3-ubyte", split);
	ds_path(x, sizeof(x), dir, base);
	snprintf(base, sizeof(base), "%s-labels-idx1-ubyte", split);
	ds_path(y, sizeof(y), dir, base);
	return loom_dataset_load(ds, x, y, limit, classes, err, errlen);
}

void loom_dataset_free(struct loom_dataset *ds)
{
	if (!ds)
		return;
	free(ds->pixels);
	free(ds->labels);
	memset(ds, 0, sizeof(*ds));
}

void loom_dataset_stats(const struct loom_dataset *ds, float *mean, float *std)
{
	uint64_t hist[256] = { 0 }, n = (uint64_t)ds->count * ds->features, i;
	double s = 0, s2 = 0, m, v;

	for (i = 0; i < n; i++)
		hist[ds->pixels[i]]++;
	for (i = 0; i < 256; i++) {
		s += hist[i] * (i / 255.0);
		s2 += hist[i] * (i / 255.0) * (i / 255.0);
	}
	m = n ? s / n : 0;
	v = n ? s2 / n - m * m : 0;
	*mean = (float)m;
	*std = (float)sqrt(v > 0 ? v : 0);
}

/* fp32 -> bf16, round to nearest even (the values here are never NaN). */
static uint16_t ds_bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	u += 0x7fff + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

void loom_norm_init(struct loom_norm *n, float mean, float std)
{
	int i;

	if (!(std > 0))
		std = 1;
	for (i = 0; i < 256; i++) {
		n->f32[i] = (i / 255.0f - mean) / std;
		n->bf16[i] = ds_bf16(n->f32[i]);
	}
}

static uint64_t ds_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound), bound > 0. */
static uint32_t ds_below(uint64_t *s, uint32_t bound)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound, r;

	do
		r = ds_splitmix64(s);
	while (r >= limit);
	return (uint32_t)(r % bound);
}

int loom_batcher_init(struct loom_batcher *b, const struct loom_dataset *ds, uint32_t batch,
		      bool shuffle, bool drop_last, uint64_t seed)
{
	if (!b || !ds || !batch || !ds->count || (drop_last && batch > ds->count))
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->order = malloc(sizeof(*b->order) * ds->count);
	if (!b->order)
		return -ENOMEM;
	b->ds = ds;
	b->batch = batch;
	b->shuffle = shuffle;
	b->drop_last = drop_last;
	b->seed = seed;
	b->steps = drop_last ? ds->count / batch : (ds->count + batch - 1) / batch;
	loom_batcher_epoch(b, 0);
	return 0;
}

void loom_batcher_epoch(struct loom_batcher *b, uint32_t epoch)
{
	uint64_t s = b->seed * 0x100000001b3ull + epoch;
	uint32_t i, n = b->ds->count;

	for (i = 0; i < n; i++)
		b->order[i] = i;
	if (!b->shuffle)
		return;
	for (i = n - 1; i > 0; i--) {
		uint32_t j = ds_below(&s, i + 1), t = b->order[i];

		b->order[i] = b->order[j];
		b->order[j] = t;
	}
}

uint32_t loom_batcher_sample(const struct loom_batcher *b, uint32_t pos)
{
	return b->order[pos];
}

int loom_batcher_fill(const struct loom_batcher *b, uint32_t step, const struct loom_norm *n,
		      bool bf16, void *x, int32_t *y)
{
	const struct loom_dataset *ds = b->ds;
	uint32_t f = ds->features, r, rows, j;
	uint64_t first;

	if (step >= b->steps)
		return -EINVAL;
	first = (uint64_t)step * b->batch;
	rows = ds->count - first < b->batch ? (uint32_t)(ds->count - first) : b->batch;
	for (r = 0; r < b->batch; r++) {
		const uint8_t *px = r < rows ? ds->pixels + (uint64_t)b->order[first + r] * f : NULL;

		if (bf16) {
			uint16_t *dst = (uint16_t *)x + (uint64_t)r * f;

			if (!px)
				memset(dst, 0, sizeof(*dst) * f);
			else
				for (j = 0; j < f; j++)
					dst[j] = n->bf16[px[j]];
		} else {
			float *dst = (float *)x + (uint64_t)r * f;

			if (!px)
				memset(dst, 0, sizeof(*dst) * f);
			else
				for (j = 0; j < f; j++)
					dst[j] = n->f32[px[j]];
		}
		if (y)
			y[r] = r < rows ? ds->labels[b->order[first + r]] : -1;
	}
	return (int)rows;
}

void loom_batcher_fini(struct loom_batcher *b)
{
	if (!b)
		return;
	free(b->order);
	b->order = NULL;
}
