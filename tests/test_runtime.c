/* SPDX-License-Identifier: MIT */
/*
 * End-to-end runtime tests through libloom's public API. Every test runs
 * twice: against an in-process device and against a loomd process started
 * by the group setup (loomd is found through $LOOMD or LOOMD_PATH); and,
 * in the QEMU guest (vm/guest-init.sh), a third time through the kernel
 * backend on loom.ko ("kernel"). What the kernel backend cannot do yet is
 * skipped with the reason. The fixture (device kinds, a device and a
 * stream per test) is tests/loom_test_runtime.h; test_runtime_capture has
 * the command-buffer capture tests over the same fixture.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "loom_test_runtime.h"

static void fill(float *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (float)((int)(seed >> 16) % 17 - 8) / 4.0f;
	}
}

/* ---- tests -------------------------------------------------------------------- */

/* device-info: identification and limits are reported. */
static void device_info(void **state)
{
	struct ctx *c = *state;
	struct loom_device_info info;

	assert_int_equal(loom_device_info(c->dev, &info), 0);
	assert_int_equal(info.vendor_id, 0x1e7a);
	assert_true(info.dram_size >= 64ULL << 20);
	assert_int_equal(info.num_queues, 32);
	assert_int_equal(info.num_mme, 1);
	assert_true(info.caps & LOOM_DEVCAP_BF16);
	assert_true(info.fw_version >= 0x10000);
	if (!is_kernel())
		assert_true(info.asid > 0);	/* loom.ko does not report its ASIDs */
	assert_string_equal(info.backend, g_backend);
	assert_true(info.power_default_mw > info.power_idle_mw);
}

/* copy-roundtrip: pageable and pinned copies of odd sizes come back intact. */
static void copy_roundtrip(void **state)
{
	struct ctx *c = *state;
	/* The last sizes span several 8 MiB staging chunks. */
	static const uint64_t sizes[] = { 1, 3, 4095, 4096, 65537, (1 << 20) + 13, 5 << 20,
					  (21 << 20) + 3 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = sizes[i], va, va2;
		uint8_t *src = malloc(n), *dst = malloc(n);

		for (uint64_t j = 0; j < n; j++)
			src[j] = (uint8_t)(j * 31 + i);
		assert_int_equal(loom_mem_alloc(c->dev, n, 0, &va), 0);
		assert_int_equal(loom_mem_alloc(c->dev, n, 0, &va2), 0);
		assert_int_equal(loom_memcpy_h2d(c->s, va, src, n), 0);
		assert_int_equal(loom_memcpy(c->s, va2, va, n), 0);
		memset(dst, 0, n);
		assert_int_equal(loom_memcpy_d2h(c->s, dst, va2, n), 0);
		assert_memory_equal(src, dst, n);
		assert_int_equal(loom_mem_free(c->dev, va), 0);
		assert_int_equal(loom_mem_free(c->dev, va2), 0);
		free(src);
		free(dst);
	}
}

/* pinned-async: copies from/to pinned memory are asynchronous and correct. */
static void pinned_async(void **state)
{
	struct ctx *c = *state;
	uint64_t n = 3 << 20, hva, va;
	uint8_t *h = loom_host_alloc(c->dev, n, &hva);
	uint8_t *back = loom_host_alloc(c->dev, n, NULL);

	assert_non_null(h);
	assert_non_null(back);
	assert_int_equal(loom_host_va(c->dev, h), hva);
	assert_int_equal(loom_host_va(c->dev, h + 100), hva + 100);
	for (uint64_t j = 0; j < n; j++)
		h[j] = (uint8_t)(j ^ (j >> 8));
	assert_int_equal(loom_mem_alloc(c->dev, n, 0, &va), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, va, h, n), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, back, va, n), 0);
	assert_int_equal(loom_stream_sync(c->s, 10 * SEC), 0);
	assert_memory_equal(h, back, n);
	/* The device can also address pinned memory directly. */
	memset(back, 0, n);
	assert_int_equal(loom_memcpy(c->s, loom_host_va(c->dev, back), hva, n), 0);
	assert_int_equal(loom_stream_sync(c->s, 10 * SEC), 0);
	assert_memory_equal(h, back, n);
	assert_int_equal(loom_mem_free(c->dev, va), 0);
	assert_int_equal(loom_host_free(c->dev, h), 0);
	assert_int_equal(loom_host_free(c->dev, back), 0);
}

/* memset-hostptr: fills land in DRAM, visible through the CPU mapping. */
static void memset_hostptr(void **state)
{
	struct ctx *c = *state;
	uint64_t va, n = 1 << 16;
	uint32_t *p;

	assert_int_equal(loom_mem_alloc(c->dev, n, 0, &va), 0);
	p = loom_mem_host_ptr(c->dev, va, n);
	assert_non_null(p);
	assert_int_equal(loom_memset32(c->s, va + 64, 0xdeadbeef, n - 128), 0);
	assert_int_equal(loom_stream_sync(c->s, 10 * SEC), 0);
	assert_int_equal(p[15], 0);
	assert_int_equal(p[16], 0xdeadbeef);
	assert_int_equal(p[n / 4 - 17], 0xdeadbeef);
	assert_int_equal(p[n / 4 - 16], 0);
	/* CPU writes are seen by the device. */
	p[0] = 42;
	uint32_t v = 0;
	assert_int_equal(loom_memcpy_d2h(c->s, &v, va, 4), 0);
	assert_int_equal(v, 42);
	assert_null(loom_mem_host_ptr(c->dev, va, n + 1));
	assert_int_equal(loom_mem_free(c->dev, va), 0);
}

static void ref_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
		     const float *b, int ldb, float beta, const float *cm, int ldc, double *out)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double acc = 0;

			for (int p = 0; p < k; p++)
				acc += (double)(ta ? a[p * lda + i] : a[i * lda + p]) *
				       (tb ? b[j * ldb + p] : b[p * ldb + j]);
			out[i * n + j] = alpha * acc + (beta != 0 ? beta * cm[i * ldc + j] : 0);
		}
}

static void run_gemm_case(struct ctx *c, int ta, int tb, int m, int n, int k, float alpha,
			  float beta)
{
	int ra = ta ? k : m, ca = ta ? m : k, rb = tb ? n : k, cb = tb ? k : n;
	size_t na = (size_t)ra * ca, nb = (size_t)rb * cb, nc = (size_t)m * n;
	float *a = malloc(na * 4), *b = malloc(nb * 4), *cm = malloc(nc * 4), *d = malloc(nc * 4);
	double *ref = malloc(nc * sizeof(double));
	uint64_t A, B, C;

	fill(a, na, m + 1);
	fill(b, nb, n + 2);
	fill(cm, nc, k + 3);
	ref_gemm(ta, tb, m, n, k, alpha, a, ca, b, cb, beta, cm, n, ref);
	assert_int_equal(loom_mem_alloc(c->dev, na * 4, 0, &A), 0);
	assert_int_equal(loom_mem_alloc(c->dev, nb * 4, 0, &B), 0);
	assert_int_equal(loom_mem_alloc(c->dev, nc * 4, 0, &C), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, A, a, na * 4), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, B, b, nb * 4), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, C, cm, nc * 4), 0);
	struct loom_gemm g = {
		.sz = sizeof(g), .trans_a = ta, .trans_b = tb, .m = m, .n = n, .k = k,
		.a = A, .b = B, .c = C, .d = C, .alpha = alpha, .beta = beta,
	};
	assert_int_equal(loom_gemm(c->s, &g), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, d, C, nc * 4), 0);
	for (size_t i = 0; i < nc; i++)
		assert_true(fabs(d[i] - ref[i]) <= 1e-4 * (1 + fabs(ref[i])));
	loom_mem_free(c->dev, A);
	loom_mem_free(c->dev, B);
	loom_mem_free(c->dev, C);
	free(a);
	free(b);
	free(cm);
	free(d);
	free(ref);
}

/* gemm-fp32: odd sizes, transposes, alpha/beta, C == D. */
static void gemm_fp32(void **state)
{
	struct ctx *c = *state;

	run_gemm_case(c, 0, 0, 1, 1, 1, 1.0f, 0.0f);
	run_gemm_case(c, 0, 0, 17, 33, 9, 1.0f, 0.0f);
	run_gemm_case(c, 1, 0, 31, 7, 65, 0.5f, 2.0f);
	run_gemm_case(c, 0, 1, 64, 130, 3, -1.0f, 1.0f);
	run_gemm_case(c, 1, 1, 100, 100, 100, 2.0f, -0.5f);
	run_gemm_case(c, 0, 0, 257, 129, 300, 1.0f, 0.0f);
}

/*
 * gemm-bias-relu: the MME's output stage through the API: a bias row added
 * to every row (times beta), then ReLU; unknown flags refused; a struct
 * that ends before flags gets none.
 */
static void gemm_bias_relu(void **state)
{
	struct ctx *c = *state;
	const int m = 33, n = 70, k = 19;
	float *a = malloc((size_t)m * k * 4), *b = malloc((size_t)k * n * 4);
	float *bias = malloc(n * 4), *d = malloc((size_t)m * n * 4);
	double *ref = malloc((size_t)m * n * sizeof(double));
	uint64_t A, B, BI, D;
	int neg = 0, pos = 0;

	fill(a, (size_t)m * k, 3);
	fill(b, (size_t)k * n, 5);
	fill(bias, n, 11);
	ref_gemm(0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, NULL, n, ref);
	assert_int_equal(loom_mem_alloc(c->dev, (size_t)m * k * 4, 0, &A), 0);
	assert_int_equal(loom_mem_alloc(c->dev, (size_t)k * n * 4, 0, &B), 0);
	assert_int_equal(loom_mem_alloc(c->dev, n * 4, 0, &BI), 0);
	assert_int_equal(loom_mem_alloc(c->dev, (size_t)m * n * 4, 0, &D), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, A, a, (size_t)m * k * 4), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, B, b, (size_t)k * n * 4), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, BI, bias, n * 4), 0);
	struct loom_gemm g = {
		.sz = sizeof(g), .m = m, .n = n, .k = k, .a = A, .b = B, .c = BI, .d = D,
		.alpha = 1.0f, .beta = -1.5f, .flags = LOOM_GEMM_BIAS_ROW | LOOM_GEMM_RELU,
	};
	assert_int_equal(loom_gemm(c->s, &g), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, d, D, (size_t)m * n * 4), 0);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double r = ref[i * n + j] - 1.5 * bias[j];

			r = r > 0 ? r : 0;
			neg += r == 0;
			pos += r > 0;
			if (!(fabs(d[i * n + j] - r) <= 1e-4 * (1 + fabs(r))))
				fail_msg("D[%d][%d] = %g, expected %g", i, j, d[i * n + j], r);
		}
	assert_true(neg > 0 && pos > 0);	/* ReLU had something to do */
	/* The mask: the product again, kept where that ReLU's output (in D) is > 0. */
	float *prev = malloc((size_t)m * n * 4);

	memcpy(prev, d, (size_t)m * n * 4);
	g.flags = LOOM_GEMM_RELU_MASK;
	g.beta = 0.0f;
	g.c = D;
	assert_int_equal(loom_gemm(c->s, &g), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, d, D, (size_t)m * n * 4), 0);
	for (int i = 0; i < m * n; i++) {
		double r = prev[i] > 0 ? ref[i] : 0;

		if (!(fabs(d[i] - r) <= 1e-4 * (1 + fabs(r))))
			fail_msg("masked D[%d] = %g, expected %g", i, d[i], r);
	}
	free(prev);
	g.beta = 1.0f;
	assert_int_equal(loom_gemm(c->s, &g), -EINVAL);	/* the mask is not added */
	g.beta = 0.0f;
	g.flags = LOOM_GEMM_RELU_MASK | LOOM_GEMM_BIAS_ROW;
	assert_int_equal(loom_gemm(c->s, &g), -EINVAL);
	g.flags = LOOM_GEMM_RELU_MASK;
	g.c = 0;
	assert_int_equal(loom_gemm(c->s, &g), -EINVAL);
	g.c = BI;
	g.beta = -1.5f;
	g.flags = 1u << 3;
	assert_int_equal(loom_gemm(c->s, &g), -EINVAL);
	/* A caller built before flags existed: no output stage. */
	g.flags = LOOM_GEMM_RELU;
	g.sz = offsetof(struct loom_gemm, flags);
	g.beta = 0.0f;
	g.c = 0;
	assert_int_equal(loom_gemm(c->s, &g), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, d, D, (size_t)m * n * 4), 0);
	for (int i = 0; i < m * n; i++)
		assert_true(fabs(d[i] - ref[i]) <= 1e-4 * (1 + fabs(ref[i])));
	loom_mem_free(c->dev, A);
	loom_mem_free(c->dev, B);
	loom_mem_free(c->dev, BI);
	loom_mem_free(c->dev, D);
	free(a);
	free(b);
	free(bias);
	free(d);
	free(ref);
}

/* gemm-batched-bf16: batched bf16 GEMM against a reference of the rounded inputs. */
static void gemm_batched_bf16(void **state)
{
	struct ctx *c = *state;
	const int m = 19, n = 23, k = 37, batch = 3;
	size_t na = (size_t)m * k * batch, nb = (size_t)k * n * batch, nd = (size_t)m * n * batch;
	float *a = malloc(na * 4), *b = malloc(nb * 4), *d = malloc(nd * 4);
	uint16_t *ah = malloc(na * 2), *bh = malloc(nb * 2);
	double *ref = malloc((size_t)m * n * sizeof(double));
	uint64_t A, B, D;

	fill(a, na, 7);
	fill(b, nb, 9);
	for (size_t i = 0; i < na; i++) {
		ah[i] = loom_f32_to_bf16(a[i] * 1.37f);
		a[i] = loom_bf16_to_f32(ah[i]);
	}
	for (size_t i = 0; i < nb; i++) {
		bh[i] = loom_f32_to_bf16(b[i] * 0.71f);
		b[i] = loom_bf16_to_f32(bh[i]);
	}
	assert_int_equal(loom_mem_alloc(c->dev, na * 2, 0, &A), 0);
	assert_int_equal(loom_mem_alloc(c->dev, nb * 2, 0, &B), 0);
	assert_int_equal(loom_mem_alloc(c->dev, nd * 4, 0, &D), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, A, ah, na * 2), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, B, bh, nb * 2), 0);
	struct loom_gemm g = {
		.sz = sizeof(g), .in_dtype = LOOM_BF16, .out_dtype = LOOM_F32,
		.m = m, .n = n, .k = k, .batch = batch, .a = A, .b = B, .d = D, .alpha = 1.0f,
	};
	assert_int_equal(loom_gemm(c->s, &g), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, d, D, nd * 4), 0);
	for (int bi = 0; bi < batch; bi++) {
		ref_gemm(0, 0, m, n, k, 1.0f, a + (size_t)bi * m * k, k, b + (size_t)bi * k * n, n,
			 0.0f, NULL, n, ref);
		for (int i = 0; i < m * n; i++)
			assert_true(fabs(d[(size_t)bi * m * n + i] - ref[i]) <= 1e-3 * (1 + fabs(ref[i])));
	}
	loom_mem_free(c->dev, A);
	loom_mem_free(c->dev, B);
	loom_mem_free(c->dev, D);
	free(a);
	free(b);
	free(d);
	free(ah);
	free(bh);
	free(ref);
}

/* events-cross-stream: a stream waits on the device for another's event. */
static void events_cross_stream(void **state)
{
	struct ctx *c = *state;
	loom_stream *s2 = loom_stream_create(c->dev);
	loom_event *e = loom_event_create(c->dev), *e0 = loom_event_create(c->dev);
	const int n = 512;
	float *a = malloc(n * n * 4), *out = malloc(n * n * 4);
	uint64_t A, X, Y;
	uint64_t ns = 0;

	assert_non_null(s2);
	assert_non_null(e);
	assert_int_equal(loom_event_wait(e, 0), 0);	/* not recorded: at once */
	for (int i = 0; i < n * n; i++)
		a[i] = (i % n == i / n) ? 2.0f : 0.0f;	/* 2 * identity */
	assert_int_equal(loom_mem_alloc(c->dev, n * n * 4, 0, &A), 0);
	assert_int_equal(loom_mem_alloc(c->dev, n * n * 4, 0, &X), 0);
	assert_int_equal(loom_mem_alloc(c->dev, n * n * 4, 0, &Y), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, A, a, n * n * 4), 0);
	assert_int_equal(loom_memset32(c->s, X, 0x3f800000, n * n * 4), 0);	/* 1.0f */
	assert_int_equal(loom_event_record(e0, c->s), 0);
	/* X = A * X four times on stream 1: X ends as 16.0 everywhere. */
	struct loom_gemm g = { .sz = sizeof(g), .m = n, .n = n, .k = n, .a = A, .b = X, .d = Y,
			       .alpha = 1.0f };
	for (int i = 0; i < 4; i++) {
		g.b = i % 2 ? Y : X;
		g.d = i % 2 ? X : Y;
		assert_int_equal(loom_gemm(c->s, &g), 0);
	}
	assert_int_equal(loom_event_record(e, c->s), 0);
	/* Stream 2 copies X only after the event. */
	assert_int_equal(loom_stream_wait_event(s2, e), 0);
	assert_int_equal(loom_memcpy_d2h(s2, out, X, n * n * 4), 0);
	for (int i = 0; i < n * n; i++)
		assert_true(out[i] == 16.0f);
	assert_int_equal(loom_event_query(e), 0);
	assert_int_equal(loom_event_wait(e, SEC), 0);
	assert_int_equal(loom_event_elapsed_ns(e0, e, &ns), 0);
	assert_true(ns > 0);
	loom_event_destroy(e);
	loom_event_destroy(e0);
	loom_stream_destroy(s2);
	loom_mem_free(c->dev, A);
	loom_mem_free(c->dev, X);
	loom_mem_free(c->dev, Y);
	free(a);
	free(out);
}

/* many-submissions: more submissions than the ring holds, in order. */
static void many_submissions(void **state)
{
	struct ctx *c = *state;
	uint64_t va;
	uint32_t v = 0;

	assert_int_equal(loom_mem_alloc(c->dev, 4096, 0, &va), 0);
	for (uint32_t i = 1; i <= 2000; i++)
		assert_int_equal(loom_memset32(c->s, va, i, 4096), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, &v, va + 4092, 4), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(loom_stream_query(c->s), 0);
	loom_mem_free(c->dev, va);
}

/* page-fault-sticky: a fault fails the stream (sticky), with an event; others go on. */
static void page_fault_sticky(void **state)
{
	struct ctx *c = *state;
	loom_stream *bad = loom_stream_create(c->dev);
	loom_event *before = loom_event_create(c->dev);
	struct loom_device_event ev[64];
	uint64_t va, unmapped = 0x100000000000ULL + (600ULL << 30);
	int n, found = 0;
	uint32_t v = 7;

	assert_non_null(bad);
	while (loom_device_events(c->dev, ev, 64) > 0)
		;
	assert_int_equal(loom_mem_alloc(c->dev, 4096, 0, &va), 0);
	assert_int_equal(loom_memset32(bad, va, 1, 4096), 0);
	assert_int_equal(loom_event_record(before, bad), 0);
	assert_int_equal(loom_memcpy(bad, va, unmapped, 4096), 0);
	assert_int_equal(loom_stream_sync(bad, 10 * SEC), -EFAULT);
	assert_int_equal(loom_stream_query(bad), -EFAULT);
	assert_int_equal(loom_memset32(bad, va, 2, 4096), -EFAULT);
	assert_int_equal(loom_event_wait(before, SEC), 0);
	n = loom_device_events(c->dev, ev, 64);
	for (int i = 0; i < n; i++)
		if (ev[i].type == LOOM_EV_PAGE_FAULT && ev[i].addr == unmapped)
			found = 1;
	assert_true(found);
	/* The other stream is unaffected. */
	assert_int_equal(loom_memset32(c->s, va, 9, 4096), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, &v, va, 4), 0);
	assert_int_equal(v, 9);
	loom_event_destroy(before);
	loom_stream_destroy(bad);
	loom_mem_free(c->dev, va);
}

/* readonly-memory: the device may read but not write LOOM_MEM_READONLY memory. */
static void readonly_memory(void **state)
{
	struct ctx *c = *state;
	loom_stream *s = loom_stream_create(c->dev);
	uint64_t ro, rw;
	uint32_t v = 0;

	assert_int_equal(loom_mem_alloc(c->dev, 4096, LOOM_MEM_READONLY, &ro), 0);
	assert_int_equal(loom_mem_alloc(c->dev, 4096, 0, &rw), 0);
	*(uint32_t *)loom_mem_host_ptr(c->dev, ro, 4) = 5;
	assert_int_equal(loom_memcpy(s, rw, ro, 4096), 0);
	assert_int_equal(loom_memcpy_d2h(s, &v, rw, 4), 0);
	assert_int_equal(v, 5);
	assert_int_equal(loom_memset32(s, ro, 1, 4096), 0);
	assert_int_equal(loom_stream_sync(s, 10 * SEC), -EACCES);
	loom_stream_destroy(s);
	loom_mem_free(c->dev, ro);
	loom_mem_free(c->dev, rw);
}

/* telemetry-counts-work: the firmware sees the FLOPs and bytes the engines did. */
static void telemetry_counts_work(void **state)
{
	struct ctx *c = *state;
	struct loom_telemetry t0, t1;
	const int n = 256;
	uint64_t A, used_before;

	assert_int_equal(loom_device_telemetry(c->dev, &t0), 0);
	used_before = t0.dram_used;
	assert_true(t0.dram_total >= 64ULL << 20);
	assert_true(t0.power_mw > 0);
	assert_true(t0.temp_mc[LOOM_TEMP_DIE] > 0);
	assert_int_equal(loom_mem_alloc(c->dev, 3 * n * n * 4, 0, &A), 0);
	assert_int_equal(loom_memset32(c->s, A, 0, 3 * n * n * 4), 0);
	struct loom_gemm g = { .sz = sizeof(g), .m = n, .n = n, .k = n, .a = A,
			       .b = A + n * n * 4, .d = A + 2 * n * n * 4, .alpha = 1.0f };
	for (int i = 0; i < 5; i++)
		assert_int_equal(loom_gemm(c->s, &g), 0);
	assert_int_equal(loom_stream_sync(c->s, 30 * SEC), 0);
	assert_int_equal(loom_device_telemetry(c->dev, &t1), 0);
	if (!is_kernel()) {	/* loom.ko does not report flops and DMA bytes */
		assert_true(t1.flops - t0.flops >= 5ULL * 2 * n * n * n);
		assert_true(t1.dma_bytes - t0.dma_bytes >= 3ULL * n * n * 4);
	}
	assert_true(t1.busy_ns[LOOM_ENG_MME] > t0.busy_ns[LOOM_ENG_MME]);
	assert_true(t1.energy_mj >= t0.energy_mj);
	assert_true(t1.timestamp_ns >= t0.timestamp_ns);	/* sampled at firmware ticks */
	assert_true(t1.dram_used >= used_before + 3ULL * n * n * 4);
	loom_mem_free(c->dev, A);
}

/* The process entry of c's context in list (this process, holding at least dram bytes). */
static const struct loom_process *find_self(const struct loom_process *list, int n, uint64_t dram)
{
	for (int i = 0; i < n; i++)
		if (list[i].pid == (uint32_t)getpid() && list[i].dram_bytes >= dram)
			return &list[i];
	return NULL;
}

/*
 * processes: the device lists this process's context with the DRAM it
 * holds and its engines' busy time (DMA after a copy, MME after a GEMM); a
 * second handle sees it too (loomd, kernel: the same device), and a handle
 * closed is gone from the list.
 */
static void processes(void **state)
{
	struct ctx *c = *state;
	struct loom_process p0[16], p1[16];
	const struct loom_process *a, *b;
	const uint64_t size = 3 << 20;
	loom_device *other;
	uint64_t A;
	int n0, n1;

	assert_int_equal(loom_device_processes(c->dev, NULL, 1), -EINVAL);
	assert_int_equal(loom_mem_alloc(c->dev, size, 0, &A), 0);
	n0 = loom_device_processes(c->dev, p0, 16);
	assert_true(n0 >= 1 && n0 <= 16);
	a = find_self(p0, n0, size);
	assert_non_null(a);
	assert_true(a->host_bytes > 0 || is_kernel());
	assert_int_equal(loom_memcpy(c->s, A + size / 2, A, size / 2), 0);
	assert_int_equal(loom_stream_sync(c->s, 30 * SEC), 0);
	n1 = loom_device_processes(c->dev, p1, 16);
	b = find_self(p1, n1, size);
	assert_non_null(b);
	assert_true(b->busy_ns[LOOM_ENG_DMA] > a->busy_ns[LOOM_ENG_DMA]);
	assert_int_equal(b->busy_ns[LOOM_ENG_TPC], a->busy_ns[LOOM_ENG_TPC]);
	if (!strcmp(g_uri, "inproc")) {	/* a private device: nobody else sees it */
		loom_mem_free(c->dev, A);
		return;
	}
	other = loom_device_open(g_uri, NULL);
	assert_non_null(other);
	n1 = loom_device_processes(other, p1, 16);
	assert_int_equal(n1, n0 + 1);
	assert_non_null(find_self(p1, n1, size));
	loom_mem_free(c->dev, A);
	n1 = loom_device_processes(other, p1, 16);
	assert_null(find_self(p1, n1, size));
	loom_device_close(other);
	n1 = loom_device_processes(c->dev, p1, 16);
	assert_int_equal(n1, n0);
}

/*
 * processes-two: another process's context appears with its own pid and
 * the DRAM it holds, and is gone once that process has exited (loomd,
 * kernel: a device two processes share).
 */
static void processes_two(void **state)
{
	struct ctx *c = *state;
	struct loom_process p[16];
	const uint64_t size = 5 << 20;
	int go[2], done[2], n, i, st;
	bool seen = false;
	char b = 0;
	pid_t pid;

	(void)c;
	if (!strcmp(g_uri, "inproc"))
		skip();		/* a private device per process */
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		loom_device *d = loom_device_open(g_uri, NULL);
		uint64_t va;

		if (!d || loom_mem_alloc(d, size, 0, &va) || write(go[1], &b, 1) != 1)
			_exit(1);
		/* Until the parent has looked. */
		if (read(done[0], &b, 1) != 1)
			_exit(1);
		_exit(0);	/* without closing: exiting is enough */
	}
	assert_int_equal(read(go[0], &b, 1), 1);
	n = loom_device_processes(c->dev, p, 16);
	for (i = 0; i < n && i < 16; i++)
		seen |= p[i].pid == (uint32_t)pid && p[i].dram_bytes >= size;
	assert_true(seen);
	assert_int_equal(write(done[1], &b, 1), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Its context goes once the device has noticed (a bounded wait). */
	for (int tries = 0; tries < 200; tries++) {
		seen = false;
		n = loom_device_processes(c->dev, p, 16);
		for (i = 0; i < n && i < 16; i++)
			seen |= p[i].pid == (uint32_t)pid;
		if (!seen)
			break;
		usleep(10 * 1000);
	}
	assert_false(seen);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

/* export-import: an exported range imports into a second handle on one device. */
static void export_import(void **state)
{
	struct ctx *c = *state;
	loom_device *d2;
	loom_stream *s2;
	uint64_t va, va2, size = 0;
	uint32_t v = 0;
	int fd;

	if (!strcmp(g_uri, "inproc"))
		skip();	/* a second "inproc" open is another device; test_errors covers -EXDEV */
	d2 = loom_device_open(g_uri, NULL);
	assert_non_null(d2);
	s2 = loom_stream_create(d2);
	assert_non_null(s2);
	assert_int_equal(loom_mem_alloc(c->dev, 1 << 20, 0, &va), 0);
	assert_int_equal(loom_memset32(c->s, va, 0x1234, 1 << 20), 0);
	assert_int_equal(loom_stream_sync(c->s, 10 * SEC), 0);
	fd = loom_mem_export(c->dev, va + 8192, 65536);
	assert_true(fd >= 0);
	assert_int_equal(loom_mem_import(d2, fd, &va2, &size), 0);
	assert_int_equal(size, 65536);
	close(fd);
	assert_int_equal(loom_mem_free(c->dev, va), 0);	/* the import keeps it alive */
	assert_int_equal(loom_memcpy_d2h(s2, &v, va2 + 4, 4), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(loom_mem_free(d2, va2), 0);
	loom_stream_destroy(s2);
	loom_device_close(d2);
}


/* ---- threads sharing one device ------------------------------------------------- */

struct thread_arg {
	loom_device *dev;
	unsigned id;
	int failures;
};

/* Each thread: its own stream; allocations, copies, a GEMM, events, frees. */
static void *thread_work(void *p)
{
	struct thread_arg *t = p;
	loom_stream *s = loom_stream_create(t->dev);
	loom_event *e = loom_event_create(t->dev);
	const int n = 96;
	float *a = malloc(n * n * 4), *out = malloc(n * n * 4);

	if (!s || !e || !a || !out) {
		t->failures++;
		goto out;
	}
	for (int i = 0; i < n * n; i++)
		a[i] = (i % n == i / n) ? (float)(t->id + 1) : 0.0f;	/* (id+1) * I */
	for (int round = 0; round < 20; round++) {
		uint64_t A, X;

		if (loom_mem_alloc(t->dev, n * n * 4, 0, &A) ||
		    loom_mem_alloc(t->dev, n * n * 4, 0, &X)) {
			t->failures++;
			break;
		}
		struct loom_gemm g = { .sz = sizeof(g), .m = n, .n = n, .k = n, .a = A, .b = A,
				       .d = X, .alpha = 1.0f };
		if (loom_memcpy_h2d(s, A, a, n * n * 4) || loom_gemm(s, &g) ||
		    loom_event_record(e, s) || loom_event_wait(e, 30 * SEC) ||
		    loom_memcpy_d2h(s, out, X, n * n * 4))
			t->failures++;
		for (int i = 0; i < n * n; i++)
			if (out[i] != ((i % n == i / n) ? (float)((t->id + 1) * (t->id + 1)) : 0.0f)) {
				t->failures++;
				break;
			}
		if (loom_mem_free(t->dev, A) || loom_mem_free(t->dev, X))
			t->failures++;
	}
out:
	loom_event_destroy(e);
	loom_stream_destroy(s);
	free(a);
	free(out);
	return NULL;
}

/*
 * threads-share-device: eight threads drive one handle at once (seven
 * through loom.ko, which gives a file DRM_LOOM_QUEUES_PER_FILE = 8 queues,
 * one of them the fixture's).
 */
static void threads_share_device(void **state)
{
	struct ctx *c = *state;
	struct thread_arg args[8];
	pthread_t th[8];
	struct loom_telemetry t0, t1;
	unsigned nth = is_kernel() ? 7 : 8;

	assert_int_equal(loom_device_telemetry(c->dev, &t0), 0);
	for (unsigned i = 0; i < nth; i++) {
		args[i] = (struct thread_arg){ .dev = c->dev, .id = i };
		assert_int_equal(pthread_create(&th[i], NULL, thread_work, &args[i]), 0);
	}
	for (unsigned i = 0; i < nth; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].failures, 0);
	}
	/* Every allocation came back. */
	assert_int_equal(loom_device_telemetry(c->dev, &t1), 0);
	assert_int_equal(t1.dram_used, t0.dram_used);
}

/* Usage: test_runtime [inproc|loomd|kernel] (default: inproc and loomd, one after the other). */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(device_info), T(copy_roundtrip), T(pinned_async), T(memset_hostptr),
		T(gemm_fp32), T(gemm_bias_relu), T(gemm_batched_bf16), T(events_cross_stream), T(many_submissions),
		T(page_fault_sticky), T(readonly_memory), T(telemetry_counts_work), T(processes),
		T(processes_two),
		T(export_import), T(threads_share_device),
	};

	return runtime_main(argc, argv, "runtime", tests, sizeof(tests) / sizeof(tests[0]));
}
