/* SPDX-License-Identifier: MIT */
/*
 * The training job's data loader (examples/train/): IDX files written by
 * the test itself, plain and gzip'd, loaded back; malformed ones (bad
 * magic, element types, dimension counts, zero or overflowing sizes,
 * truncated headers and data, trailing bytes, cut or corrupt gzip streams)
 * refused with their errno and a message; data sets whose files disagree
 * refused; the normalisation table; the seeded shuffled batches.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "loom_dataset.h"
#include "loom_idx.h"

static char tdir[64];

static const char *tpath(const char *name)
{
	static char buf[8][256];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, 256, "%s/%s", tdir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(tpath(name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_gz(const char *name, const void *data, size_t len)
{
	gzFile f = gzopen(tpath(name), "wb");

	assert_non_null(f);
	assert_int_equal(gzwrite(f, data, (unsigned)len), (int)len);
	assert_int_equal(gzclose(f), Z_OK);
}

/* An IDX image of type, dims, then count data bytes (value i * 7 + 3). */
static size_t make_idx(uint8_t *buf, uint8_t type, uint8_t ndims, const uint32_t *dims,
		       size_t count)
{
	size_t n = 0, i;

	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = type;
	buf[n++] = ndims;
	for (i = 0; i < ndims; i++) {
		buf[n++] = dims[i] >> 24;
		buf[n++] = dims[i] >> 16;
		buf[n++] = dims[i] >> 8;
		buf[n++] = dims[i];
	}
	for (i = 0; i < count; i++)
		buf[n++] = (uint8_t)(i * 7 + 3);
	return n;
}

static int setup(void **state)
{
	snprintf(tdir, sizeof(tdir), "/tmp/loom-idx-XXXXXX");
	return mkdtemp(tdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void check_loaded(const struct loom_idx *idx, uint32_t ndims, const uint32_t *dims,
			 uint64_t count)
{
	uint64_t i;

	assert_int_equal(idx->type, LOOM_IDX_U8);
	assert_int_equal(idx->ndims, ndims);
	for (i = 0; i < ndims; i++)
		assert_int_equal(idx->dims[i], dims[i]);
	assert_int_equal(idx->count, count);
	assert_non_null(idx->data);
	for (i = 0; i < count; i++)
		assert_int_equal(idx->data[i], (uint8_t)(i * 7 + 3));
}

static void test_load_plain(void **state)
{
	static const uint32_t dims[3] = { 5, 2, 3 };
	uint8_t buf[256];
	struct loom_idx idx;
	char err[256] = "";
	size_t n = make_idx(buf, 0x08, 3, dims, 30);

	write_file("plain.idx", buf, n);
	assert_int_equal(loom_idx_load(tpath("plain.idx"), &idx, err, sizeof(err)), 0);
	check_loaded(&idx, 3, dims, 30);
	loom_idx_free(&idx);
	assert_null(idx.data);
	loom_idx_free(&idx);	/* twice is harmless */

	assert_int_equal(loom_idx_parse(buf, n, "mem", &idx, err, sizeof(err)), 0);
	check_loaded(&idx, 3, dims, 30);
	loom_idx_free(&idx);
}

static void test_load_gzip(void **state)
{
	static const uint32_t dims[1] = { 1000 };
	static uint8_t buf[2048];
	struct loom_idx idx;
	char err[256] = "";
	size_t n = make_idx(buf, 0x08, 1, dims, 1000);

	write_gz("labels.idx.gz", buf, n);
	assert_int_equal(loom_idx_load(tpath("labels.idx.gz"), &idx, err, sizeof(err)), 0);
	check_loaded(&idx, 1, dims, 1000);
	loom_idx_free(&idx);
}

/* Load a file holding buf[0..n) (plain and gzip'd) and parse it in memory: all fail with want. */
static void expect_bad(const uint8_t *buf, size_t n, int want, const char *msg_part)
{
	struct loom_idx idx;
	char err[256];
	int i;

	write_file("bad.idx", buf, n);
	write_gz("bad.idx.gz", buf, n);
	for (i = 0; i < 3; i++) {
		int ret;

		memset(&idx, 0xa5, sizeof(idx));
		err[0] = 0;
		if (i == 2)
			ret = loom_idx_parse(buf, n, "bad.idx", &idx, err, sizeof(err));
		else
			ret = loom_idx_load(tpath(i ? "bad.idx.gz" : "bad.idx"), &idx, err,
					    sizeof(err));
		if (ret != want || !strstr(err, msg_part))
			print_error("case %d: got %d '%s', wanted %d '...%s...'\n", i, ret, err,
				    want, msg_part);
		assert_int_equal(ret, want);
		assert_non_null(strstr(err, msg_part));
		assert_non_null(strstr(err, "bad.idx"));	/* names the file */
		assert_null(idx.data);
		loom_idx_free(&idx);
	}
}

static void test_bad_magic(void **state)
{
	static const uint32_t dims[1] = { 4 };
	uint8_t buf[64];
	size_t n = make_idx(buf, 0x08, 1, dims, 4);

	buf[0] = 0x1f;
	expect_bad(buf, n, -EINVAL, "not an IDX file");
	buf[0] = 0;
	buf[2] = 0x42;
	expect_bad(buf, n, -EINVAL, "unknown IDX element type 0x42");
	expect_bad(buf, 0, -ENODATA, "truncated");
	expect_bad(buf, 3, -ENODATA, "truncated");
}

static void test_bad_type(void **state)
{
	static const uint32_t dims[1] = { 4 };
	uint8_t buf[64];
	size_t n = make_idx(buf, LOOM_IDX_F32, 1, dims, 16);

	expect_bad(buf, n, -ENOTSUP, "float");
	n = make_idx(buf, LOOM_IDX_I32, 1, dims, 16);
	expect_bad(buf, n, -ENOTSUP, "only ubyte");
}

static void test_bad_dims(void **state)
{
	static const uint32_t dims[5] = { 2, 2, 2, 2, 2 }, zero[2] = { 3, 0 },
			      huge[3] = { 65536, 65536, 2 };
	uint8_t buf[128];
	size_t n;

	n = make_idx(buf, 0x08, 0, dims, 0);
	expect_bad(buf, n, -EINVAL, "0 dimensions");
	n = make_idx(buf, 0x08, 5, dims, 32);
	expect_bad(buf, n, -EINVAL, "5 dimensions");
	n = make_idx(buf, 0x08, 2, zero, 0);
	expect_bad(buf, n, -EINVAL, "dimension 1 has size 0");
	/* Refused from the header alone, before any allocation. */
	n = make_idx(buf, 0x08, 3, huge, 0);
	expect_bad(buf, n, -EFBIG, "more than");
}

static void test_truncated(void **state)
{
	static const uint32_t dims[3] = { 4, 3, 3 };
	uint8_t buf[128];
	size_t n = make_idx(buf, 0x08, 3, dims, 36);

	expect_bad(buf, 10, -ENODATA, "truncated header");	/* 2 of 3 sizes */
	expect_bad(buf, n - 1, -ENODATA, "truncated: 35 bytes of data, 36 announced");
	expect_bad(buf, 16, -ENODATA, "truncated: 0 bytes of data");
}

static void test_trailing(void **state)
{
	static const uint32_t dims[2] = { 3, 3 };
	uint8_t buf[128];
	size_t n = make_idx(buf, 0x08, 2, dims, 9);
	struct loom_idx idx;
	char err[256] = "";

	buf[n] = 0x55;
	write_file("trail.idx", buf, n + 1);
	assert_int_equal(loom_idx_load(tpath("trail.idx"), &idx, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "after the 9 bytes"));
	assert_null(idx.data);
	assert_int_equal(loom_idx_parse(buf, n + 1, "trail", &idx, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "1 bytes after"));
}

/* A gzip stream cut short, and one with corrupt compressed bytes. */
static void test_bad_gzip(void **state)
{
	static const uint32_t dims[2] = { 100, 100 };
	static uint8_t buf[16384], gz[16384];
	size_t n = make_idx(buf, 0x08, 2, dims, 10000), gzlen;
	struct loom_idx idx;
	char err[256] = "";
	FILE *f;
	int ret;

	write_gz("whole.gz", buf, n);
	f = fopen(tpath("whole.gz"), "rb");
	assert_non_null(f);
	gzlen = fread(gz, 1, sizeof(gz), f);
	fclose(f);
	assert_true(gzlen > 100);

	write_file("cut.gz", gz, gzlen / 2);
	ret = loom_idx_load(tpath("cut.gz"), &idx, err, sizeof(err));
	assert_int_equal(ret, -ENODATA);
	assert_non_null(strstr(err, "truncated"));
	assert_null(idx.data);

	/* Flip bytes in the middle of the deflate data (the CRC catches what inflate does not). */
	gz[gzlen / 2] ^= 0xff;
	gz[gzlen / 2 + 1] ^= 0x5a;
	write_file("corrupt.gz", gz, gzlen);
	err[0] = 0;
	ret = loom_idx_load(tpath("corrupt.gz"), &idx, err, sizeof(err));
	assert_true(ret == -EBADMSG || ret == -ENODATA);
	assert_true(strlen(err) > 0);
	assert_null(idx.data);
}

static void test_missing(void **state)
{
	struct loom_idx idx;
	char err[256] = "";

	assert_int_equal(loom_idx_load(tpath("none.idx"), &idx, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "none.idx"));
	assert_int_equal(loom_idx_load(NULL, &idx, err, sizeof(err)), -EINVAL);
	assert_int_equal(loom_idx_parse(NULL, 4, "x", &idx, NULL, 0), -EINVAL);
}

/* A small data set: n images of h x w, label of sample i = i % classes. */
static void write_set(const char *prefix, uint32_t n, uint32_t h, uint32_t w, uint32_t nlab,
		      uint32_t classes)
{
	uint32_t xd[3] = { n, h, w }, yd[1] = { nlab }, i;
	uint8_t *buf = malloc(64 + (size_t)n * h * w + nlab);
	size_t len;
	char name[128];

	assert_non_null(buf);
	len = make_idx(buf, 0x08, 3, xd, 0);
	for (i = 0; i < n * h * w; i++)
		buf[len + i] = (uint8_t)(i / (h * w));	/* image i is all i */
	snprintf(name, sizeof(name), "%s-images-idx3-ubyte.gz", prefix);
	write_gz(name, buf, len + (size_t)n * h * w);
	len = make_idx(buf, 0x08, 1, yd, 0);
	for (i = 0; i < nlab; i++)
		buf[len + i] = (uint8_t)(i % classes);
	snprintf(name, sizeof(name), "%s-labels-idx1-ubyte", prefix);
	write_file(name, buf, len + nlab);
	free(buf);
}

static void test_dataset(void **state)
{
	struct loom_dataset ds;
	char err[256] = "";
	float mean, std;

	write_set("train", 20, 4, 3, 20, 10);
	assert_int_equal(loom_dataset_load_dir(&ds, tdir, "train", 0, 10, err, sizeof(err)), 0);
	assert_int_equal(ds.count, 20);
	assert_int_equal(ds.height, 4);
	assert_int_equal(ds.width, 3);
	assert_int_equal(ds.features, 12);
	assert_int_equal(ds.classes, 10);
	assert_int_equal(ds.pixels[5 * 12 + 7], 5);
	assert_int_equal(ds.labels[13], 3);
	loom_dataset_stats(&ds, &mean, &std);
	/* Pixels 0..19 equally often: mean 9.5 / 255. */
	assert_true(fabsf(mean - 9.5f / 255) < 1e-6f);
	assert_true(fabsf(std - sqrtf((400.0f - 1) / 12) / 255) < 1e-5f);
	loom_dataset_free(&ds);

	assert_int_equal(loom_dataset_load_dir(&ds, tdir, "train", 7, 10, err, sizeof(err)), 0);
	assert_int_equal(ds.count, 7);
	assert_int_equal(ds.classes, 10);	/* the data set's, though labels 0..6 are seen */
	loom_dataset_free(&ds);

	/* A label beyond the data set's classes: an error naming file and sample. */
	assert_int_equal(loom_dataset_load_dir(&ds, tdir, "train", 0, 8, err, sizeof(err)), -EDOM);
	assert_non_null(strstr(err, "train-labels-idx1-ubyte: label 8 of sample 8 is not one of the 8 classes"));
	assert_null(ds.pixels);
	assert_int_equal(loom_dataset_load_dir(&ds, tdir, "train", 0, 0, err, sizeof(err)), -EINVAL);

	/* Counts that differ. */
	write_set("short", 20, 4, 3, 19, 10);
	assert_int_equal(loom_dataset_load_dir(&ds, tdir, "short", 0, 10, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "20 images"));
	assert_non_null(strstr(err, "19 labels"));
	assert_null(ds.pixels);

	/* Swapped files: images where labels belong. */
	assert_int_equal(loom_dataset_load(&ds, tpath("train-labels-idx1-ubyte"),
					   tpath("train-images-idx3-ubyte.gz"), 0, 10, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "dimensions"));

	/* Out-of-range labels. */
	write_set("many", 200, 1, 1, 200, 200);
	assert_int_equal(loom_dataset_load_dir(&ds, tdir, "many", 0, 10, err, sizeof(err)), -EDOM);
	assert_non_null(strstr(err, "label 10 of sample 10"));

	assert_int_equal(loom_dataset_load_dir(&ds, tdir, "none", 0, 10, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "none-images-idx3-ubyte"));
}

static void test_norm(void **state)
{
	struct loom_norm n;
	int i;

	loom_norm_init(&n, 0.25f, 0.5f);
	assert_true(fabsf(n.f32[0] - (-0.5f)) < 1e-6f);
	assert_true(fabsf(n.f32[255] - 1.5f) < 1e-6f);
	for (i = 0; i < 256; i++) {
		uint32_t u = (uint32_t)n.bf16[i] << 16;
		float back;

		memcpy(&back, &u, sizeof(back));
		assert_true(fabsf(back - n.f32[i]) <= fabsf(n.f32[i]) / 128);
	}
	loom_norm_init(&n, 0, 0);	/* std 0 taken as 1 */
	assert_true(fabsf(n.f32[255] - 1.0f) < 1e-6f);
}

static void test_batches(void **state)
{
	struct loom_dataset ds;
	struct loom_batcher b, b2;
	struct loom_norm norm;
	char err[256];
	float x[8 * 12];
	uint16_t xb[8 * 12];
	int32_t y[8];
	int seen[20], i, r, differs = 0;

	write_set("batch", 20, 4, 3, 20, 10);
	assert_int_equal(loom_dataset_load_dir(&ds, tdir, "batch", 0, 10, err, sizeof(err)), 0);
	loom_norm_init(&norm, 0, 1);

	assert_int_equal(loom_batcher_init(&b, &ds, 0, true, true, 1), -EINVAL);
	assert_int_equal(loom_batcher_init(&b, &ds, 21, true, true, 1), -EINVAL);

	/* Training: shuffled, last partial batch dropped; each sample once at most. */
	assert_int_equal(loom_batcher_init(&b, &ds, 8, true, true, 42), 0);
	assert_int_equal(b.steps, 2);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 2; i++) {
		assert_int_equal(loom_batcher_fill(&b, i, &norm, false, x, y), 8);
		for (r = 0; r < 8; r++) {
			int s = (int)lroundf(x[r * 12] * 255);

			assert_true(s >= 0 && s < 20);
			assert_int_equal(x[r * 12 + 11], x[r * 12]);
			assert_int_equal(y[r], s % 10);	/* the label goes with its image */
			seen[s]++;
		}
	}
	for (i = 0; i < 20; i++)
		assert_true(seen[i] <= 1);
	assert_int_equal(loom_batcher_fill(&b, 2, &norm, false, x, y), -EINVAL);

	/* The order is a permutation, the same for the same seed and epoch. */
	assert_int_equal(loom_batcher_init(&b2, &ds, 8, true, true, 42), 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(loom_batcher_sample(&b, i), loom_batcher_sample(&b2, i));
	loom_batcher_epoch(&b2, 1);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 20; i++) {
		seen[loom_batcher_sample(&b2, i)]++;
		differs += loom_batcher_sample(&b, i) != loom_batcher_sample(&b2, i);
	}
	for (i = 0; i < 20; i++)
		assert_int_equal(seen[i], 1);
	assert_true(differs > 0);
	loom_batcher_fini(&b2);
	assert_int_equal(loom_batcher_init(&b2, &ds, 8, true, true, 43), 0);
	for (i = 0, differs = 0; i < 20; i++)
		differs += loom_batcher_sample(&b, i) != loom_batcher_sample(&b2, i);
	assert_true(differs > 0);
	loom_batcher_fini(&b2);
	loom_batcher_fini(&b);

	/* Evaluation: file order, last batch padded with label -1; bf16 too. */
	assert_int_equal(loom_batcher_init(&b, &ds, 8, false, false, 0), 0);
	assert_int_equal(b.steps, 3);
	assert_int_equal(loom_batcher_fill(&b, 2, &norm, true, xb, y), 4);
	for (r = 0; r < 8; r++) {
		if (r < 4) {
			uint32_t u = (uint32_t)xb[r * 12] << 16;
			float v;

			memcpy(&v, &u, sizeof(v));
			assert_int_equal(y[r], (16 + r) % 10);
			assert_true(fabsf(v - (16 + r) / 255.0f) < 1e-3f);
		} else {
			assert_int_equal(y[r], -1);
			assert_int_equal(xb[r * 12], 0);
		}
	}
	loom_batcher_fini(&b);
	loom_dataset_free(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_plain),
		cmocka_unit_test(test_load_gzip),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_bad_dims),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_bad_gzip),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_dataset),
		cmocka_unit_test(test_norm),
		cmocka_unit_test(test_batches),
	};

	return cmocka_run_group_tests_name("idx", tests, setup, teardown);
}
