/* SPDX-License-Identifier: MIT */
/*
 * TPC kernels through libloom's public API: objects made by the assembler
 * library, loaded with loom_kernel_load() and launched on streams, on the
 * in-process device and on a loomd, and in the QEMU guest through loom.ko
 * (libloom's kernel backend). Usage: test_kernel [inproc|loomd|kernel].
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

#include <loom/loom.h>

#include "../compiler/loom_asm.h"
#include "../kernels/axpy_asm.h"
#include "loom_test_loomd.h"

#define SEC 1000000000LL

static char g_uri[128];
static struct loom_test_loomd g_loomd;


/* Assemble src into a kernel object image (malloc'ed). */
static void *assemble(const char *src, size_t *size)
{
	struct loom_obj o = { 0 };
	char *diag = NULL;
	void *buf = NULL;

	if (loom_asm("test.s", src, strlen(src), &o, &diag)) {
		fprintf(stderr, "%s", diag ? diag : "assembly failed\n");
		free(diag);
		return NULL;
	}
	if (loom_obj_write(&o, &buf, size))
		buf = NULL;
	loom_obj_clear(&o);
	return buf;
}

struct ctx {
	loom_device *dev;
	loom_stream *s;
	loom_kernel *axpy;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	size_t size;
	void *obj = assemble(loom_axpy_asm, &size);

	if (!c || !obj)
		return -1;
	c->dev = loom_device_open(g_uri, NULL);
	c->s = c->dev ? loom_stream_create(c->dev) : NULL;
	c->axpy = c->s ? loom_kernel_load(c->dev, obj, size) : NULL;
	free(obj);
	*state = c;
	return c->axpy ? 0 : -1;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	loom_kernel_free(c->axpy);
	loom_stream_destroy(c->s);
	loom_device_close(c->dev);
	free(c);
	return 0;
}

static struct loom_tensor vec(uint64_t addr, uint32_t n)
{
	return (struct loom_tensor){ .addr = addr, .dtype = LOOM_T_F32, .ndims = 1,
				     .size = { n } };
}

/* kernel-axpy: y = alpha x + y at sizes that are and are not multiples of 64. */
static void kernel_axpy(void **state)
{
	struct ctx *c = *state;
	static const uint32_t sizes[] = { 1, 64, 1000, 65536 + 7 };

	assert_string_equal(loom_kernel_name(c->axpy), "axpy");
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		uint32_t n = sizes[t];
		float *x = malloc(n * 4), *y = malloc(n * 4), *out = malloc(n * 4);
		uint64_t X, Y;

		for (uint32_t i = 0; i < n; i++) {
			x[i] = (float)(i % 13) - 6.0f;
			y[i] = (float)(i % 7) * 0.5f;
		}
		assert_int_equal(loom_mem_alloc(c->dev, n * 4, 0, &X), 0);
		assert_int_equal(loom_mem_alloc(c->dev, n * 4, 0, &Y), 0);
		assert_int_equal(loom_memcpy_h2d(c->s, X, x, n * 4), 0);
		assert_int_equal(loom_memcpy_h2d(c->s, Y, y, n * 4), 0);
		struct loom_tensor ts[2] = { vec(X, n), vec(Y, n) };
		uint32_t alpha = loom_f32_bits(2.5f);
		struct loom_launch l = {
			.sz = sizeof(l), .tensors = ts, .num_tensors = 2, .scalars = &alpha,
			.num_scalars = 1, .index = { (n + 63) / 64 },
		};
		assert_int_equal(loom_launch(c->s, c->axpy, &l), 0);
		assert_int_equal(loom_memcpy_d2h(c->s, out, Y, n * 4), 0);
		for (uint32_t i = 0; i < n; i++)
			assert_true(out[i] == fmaf(2.5f, x[i], y[i]));
		loom_mem_free(c->dev, X);
		loom_mem_free(c->dev, Y);
		free(x);
		free(y);
		free(out);
	}
}

/* kernel-bad-launch: argument mismatches are refused before anything is queued. */
static void kernel_bad_launch(void **state)
{
	struct ctx *c = *state;
	uint64_t X;
	uint32_t alpha = 0;

	assert_int_equal(loom_mem_alloc(c->dev, 4096, 0, &X), 0);
	struct loom_tensor ts[2] = { vec(X, 1024), vec(X, 1024) };
	struct loom_launch l = { .sz = sizeof(l), .tensors = ts, .num_tensors = 2,
				 .scalars = &alpha, .num_scalars = 1, .index = { 16 } };

	l.num_tensors = 1;
	assert_int_equal(loom_launch(c->s, c->axpy, &l), -EINVAL);
	l.num_tensors = 2;
	l.num_scalars = 0;
	assert_int_equal(loom_launch(c->s, c->axpy, &l), -EINVAL);
	l.num_scalars = 1;
	ts[1].dtype = LOOM_T_BF16;
	assert_int_equal(loom_launch(c->s, c->axpy, &l), -EINVAL);
	ts[1].dtype = LOOM_T_F32;
	ts[0].ndims = 6;
	assert_int_equal(loom_launch(c->s, c->axpy, &l), -EINVAL);
	ts[0].ndims = 1;
	ts[0].addr = X + 2;	/* misaligned */
	assert_int_equal(loom_launch(c->s, c->axpy, &l), -EINVAL);
	ts[0].addr = X;
	l.part_dim = 5;
	assert_int_equal(loom_launch(c->s, c->axpy, &l), -EINVAL);
	l.part_dim = 0;
	assert_int_equal(loom_launch(NULL, c->axpy, &l), -EINVAL);
	assert_int_equal(loom_launch(c->s, NULL, &l), -EINVAL);
	/* Nothing was queued: the stream is healthy and the launch works. */
	assert_int_equal(loom_launch(c->s, c->axpy, &l), 0);
	assert_int_equal(loom_stream_sync(c->s, 10 * SEC), 0);
	loom_mem_free(c->dev, X);
}

/* kernel-bad-object: images that are not kernel objects are refused. */
static void kernel_bad_object(void **state)
{
	struct ctx *c = *state;
	size_t size;
	uint8_t *obj = assemble(loom_axpy_asm, &size);
	uint8_t junk[256] = { 0 };

	assert_non_null(obj);
	errno = 0;
	assert_null(loom_kernel_load(c->dev, junk, sizeof(junk)));
	assert_int_equal(errno, EINVAL);
	assert_null(loom_kernel_load(c->dev, obj, 16));
	assert_int_equal(errno, EINVAL);
	assert_null(loom_kernel_load(c->dev, obj, size - 8));	/* truncated */
	assert_null(loom_kernel_load(NULL, obj, size));
	assert_null(loom_kernel_load_file(c->dev, "/nonexistent/kernel.o"));
	assert_int_equal(errno, ENOENT);
	/* Fuzz the header: never a crash, only refusals or valid kernels. */
	for (unsigned i = 0; i < 64 && i < size; i++) {
		uint8_t save = obj[i];
		loom_kernel *k;

		obj[i] ^= 0x5a;
		k = loom_kernel_load(c->dev, obj, size);
		loom_kernel_free(k);
		obj[i] = save;
	}
	free(obj);
}

/* kernel-device-errors: faults on the device fail only the stream, with an event. */
static void kernel_device_errors(void **state)
{
	struct ctx *c = *state;
	struct loom_device_event ev[64];
	uint64_t X;
	uint32_t alpha = 0;
	size_t size;
	void *obj = assemble(".kernel bad\n.word 0xffffffffffffffff\nhalt\n", &size);
	loom_kernel *bad;
	loom_stream *s2 = loom_stream_create(c->dev);
	int n, found = 0;

	assert_non_null(obj);
	bad = loom_kernel_load(c->dev, obj, size);
	free(obj);
	assert_non_null(bad);
	while (loom_device_events(c->dev, ev, 64) > 0)
		;
	struct loom_launch lb = { .sz = sizeof(lb), .index = { 1 } };
	assert_int_equal(loom_launch(s2, bad, &lb), 0);
	assert_int_equal(loom_stream_sync(s2, 10 * SEC), -EIO);
	/* The queue halts first, then the firmware posts the event: poll. */
	for (int tries = 0; tries < 200 && !found; tries++) {
		n = loom_device_events(c->dev, ev, 64);
		for (int i = 0; i < n; i++)
			if (ev[i].type == LOOM_EV_QUEUE_ERROR)
				found = 1;
		if (!found)
			usleep(10000);
	}
	assert_true(found);
	loom_stream_destroy(s2);
	loom_kernel_free(bad);

	/* A strict tensor read past its end. */
	s2 = loom_stream_create(c->dev);
	assert_int_equal(loom_mem_alloc(c->dev, 4096, 0, &X), 0);
	struct loom_tensor ts[2] = { vec(X, 100), vec(X, 1024) };
	ts[0].flags = LOOM_TENSOR_STRICT;
	struct loom_launch l = { .sz = sizeof(l), .tensors = ts, .num_tensors = 2,
				 .scalars = &alpha, .num_scalars = 1, .index = { 16 } };
	assert_int_equal(loom_launch(s2, c->axpy, &l), 0);
	assert_int_equal(loom_stream_sync(s2, 10 * SEC), -EIO);
	loom_stream_destroy(s2);
	/* An unmapped tensor. */
	s2 = loom_stream_create(c->dev);
	ts[0] = vec(X + (1ULL << 40), 1024);
	assert_int_equal(loom_launch(s2, c->axpy, &l), 0);
	assert_int_equal(loom_stream_sync(s2, 10 * SEC), -EFAULT);
	loom_stream_destroy(s2);
	/* The first stream still works. */
	ts[0] = vec(X, 1024);
	assert_int_equal(loom_launch(c->s, c->axpy, &l), 0);
	assert_int_equal(loom_stream_sync(c->s, 10 * SEC), 0);
	loom_mem_free(c->dev, X);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(kernel_axpy), T(kernel_bad_launch), T(kernel_bad_object), T(kernel_device_errors),
	};
	const char *which = argc > 1 ? argv[1] : "inproc";
	int ret;

	if (!strcmp(which, "loomd")) {
		if (loom_test_loomd_start(&g_loomd, "512M", NULL))
			return 1;
		snprintf(g_uri, sizeof(g_uri), "%s", g_loomd.uri);
	} else if (!strcmp(which, "kernel")) {
		snprintf(g_uri, sizeof(g_uri), "kernel");
	} else {
		snprintf(g_uri, sizeof(g_uri), "inproc");
	}
	ret = cmocka_run_group_tests_name(which, tests, NULL, NULL);
	if (g_loomd.pid)
		loom_test_loomd_stop(&g_loomd);
	return ret;
}
