// SPDX-License-Identifier: MIT
/*
 * Bad input to libloom's streams (the rest of the public API is
 * test_errors'): immediate argument errors of the stream, copy and GEMM
 * calls, errors the device finds while running a stream (page faults,
 * read-only memory, arguments only it checks), the sticky stream error
 * and its events, running out of queues, waits that time out, and events
 * used wrongly. Most cases run on a small in-process device; a few
 * through a loomd.
 *
 * Each subtest also checks that what failed left everything else working,
 * and closes what it opened: the suite runs under LeakSanitizer. The
 * fixture is tests/loom_test_errors.h, test_errors' too.
 *
 * "test_errors_stream kernel" (the QEMU guest, vm/guest-init.sh) runs the
 * suite through libloom's kernel backend on loom.ko: the fixture's device
 * is "kernel", and the subtests that need a loomd are skipped with the
 * reason.
 */
#include "loom_test_errors.h"

/* ---- streams: immediate argument errors ---------------------------------------------- */

static void test_stream_null_args(void **state)
{
	struct fixture *f = *state;
	struct loom_gemm g = LOOM_OPTS_INIT(struct loom_gemm);
	loom_event *e = loom_event_create(f->dev);
	uint64_t va, ns;
	char buf[16];

	assert_non_null(e);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0, &va), 0);
	errno = 0;
	assert_null(loom_stream_create(NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_event_create(NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(loom_memcpy(NULL, va, va, 4), -EINVAL);
	assert_int_equal(loom_memcpy_h2d(NULL, va, buf, 4), -EINVAL);
	assert_int_equal(loom_memcpy_d2h(NULL, buf, va, 4), -EINVAL);
	assert_int_equal(loom_memset32(NULL, va, 0, 4), -EINVAL);
	assert_int_equal(loom_gemm(NULL, &g), -EINVAL);
	assert_int_equal(loom_gemm(f->s, NULL), -EINVAL);
	assert_int_equal(loom_memcpy_h2d(f->s, va, NULL, 4), -EINVAL);
	assert_int_equal(loom_memcpy_d2h(f->s, NULL, va, 4), -EINVAL);
	assert_int_equal(loom_stream_sync(NULL, 0), -EINVAL);
	assert_int_equal(loom_stream_query(NULL), -EINVAL);
	assert_int_equal(loom_stream_queue(NULL), -EINVAL);
	assert_int_equal(loom_event_record(NULL, f->s), -EINVAL);
	assert_int_equal(loom_event_record(e, NULL), -EINVAL);
	assert_int_equal(loom_event_wait(NULL, 0), -EINVAL);
	assert_int_equal(loom_event_query(NULL), -EINVAL);
	assert_int_equal(loom_stream_wait_event(NULL, e), -EINVAL);
	assert_int_equal(loom_stream_wait_event(f->s, NULL), -EINVAL);
	assert_int_equal(loom_event_elapsed_ns(NULL, e, &ns), -EINVAL);
	assert_int_equal(loom_event_elapsed_ns(e, NULL, &ns), -EINVAL);
	loom_stream_destroy(NULL);
	loom_event_destroy(NULL);

	/* Size 0 is nothing to do; the stream stays good throughout. */
	assert_int_equal(loom_memcpy(f->s, va, va, 0), 0);
	assert_int_equal(loom_memcpy_h2d(f->s, va, NULL, 0), 0);
	assert_int_equal(loom_memcpy_d2h(f->s, NULL, va, 0), 0);
	assert_int_equal(loom_memset32(f->s, va, 0, 0), 0);
	assert_int_equal(loom_stream_query(f->s), 0);
	assert_true(loom_stream_queue(f->s) >= 0);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
	assert_stream_works(f, f->s);
	loom_event_destroy(e);
}

static void test_memset_bad_size(void **state)
{
	struct fixture *f = *state;
	uint64_t va;

	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0, &va), 0);
	assert_int_equal(loom_memset32(f->s, va, 1, 6), -EINVAL);
	assert_int_equal(loom_memset32(f->s, va, 1, 1), -EINVAL);
	assert_int_equal(loom_memset32(f->s, va, 1, 4095), -EINVAL);
	assert_int_equal(loom_memset32(f->s, va, 0xabcd1234u, 4096), 0);
	assert_int_equal(loom_memcpy(f->s, f->hva, va, 4096), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	for (int i = 0; i < 1024; i++)
		assert_int_equal(((uint32_t *)f->h)[i], 0xabcd1234u);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
}

/* GEMMs that cannot describe a matrix: -EINVAL at once, stream unharmed. */
static void test_gemm_bad_args(void **state)
{
	struct fixture *f = *state;
	const uint32_t n = 16;
	uint64_t va[3];
	struct {
		struct loom_gemm g;
		uint32_t tail[4];
	} big;
	struct loom_gemm g;
	float *a = (float *)f->h, *b = a + n * n, *d = b + n * n;

	for (int i = 0; i < 3; i++)
		assert_int_equal(loom_mem_alloc(f->dev, n * n * 4, 0, &va[i]), 0);

#define BAD(field, value)						\
	do {								\
		gemm_init(&g, n, va);					\
		g.field = value;					\
		assert_int_equal(loom_gemm(f->s, &g), -EINVAL);		\
	} while (0)
	BAD(m, 0);
	BAD(n, 0);
	BAD(k, 0);
	BAD(in_dtype, (enum loom_dtype)7);
	BAD(out_dtype, (enum loom_dtype)-1);
	BAD(a, 0);
	BAD(b, 0);
	BAD(d, 0);
	BAD(beta, 1.0f);	/* with c == 0 */
	BAD(alpha, NAN);
	BAD(sz, offsetof(struct loom_gemm, beta));	/* too small: no beta */
	BAD(flags, 1u << 5);				/* unknown output-stage flag */
	BAD(sz, 0);
	/* Batches that cannot describe memory: the byte strides would wrap. */
	gemm_init(&g, n, va);
	g.batch = 2;
	g.stride_d = 1ULL << 62;	/* 2^64 bytes: 0 after the wrap */
	assert_int_equal(loom_gemm(f->s, &g), -EINVAL);
	g.stride_d = 0;
	g.stride_a = UINT64_MAX / 2;
	assert_int_equal(loom_gemm(f->s, &g), -EINVAL);
	g.stride_a = 0;
	g.batch = 1u << 20;		/* 2^20 items 2^32 bytes apart: beyond 2^48 */
	g.stride_d = 1ULL << 30;
	assert_int_equal(loom_gemm(f->s, &g), -EINVAL);
	g.batch = 1;
	g.stride_d = 0;
	g.d = (1ULL << 48) - 512;	/* the matrix runs past the VA space */
	assert_int_equal(loom_gemm(f->s, &g), -EINVAL);
#undef BAD
	memset(&big, 0, sizeof(big));
	gemm_init(&big.g, n, va);
	big.g.sz = sizeof(big);
	big.tail[2] = 1;	/* unknown field, non-zero */
	assert_int_equal(loom_gemm(f->s, &big.g), -EINVAL);
	assert_int_equal(loom_stream_query(f->s), 0);

	/* The same with zeros beyond what we know runs, and is right. */
	big.tail[2] = 0;
	for (uint32_t i = 0; i < n * n; i++) {
		a[i] = (float)(i % 5) - 2.0f;
		b[i] = (float)(i % 3) - 1.0f;
	}
	assert_int_equal(loom_memcpy(f->s, va[0], f->hva, n * n * 4), 0);
	assert_int_equal(loom_memcpy(f->s, va[1], f->hva + n * n * 4, n * n * 4), 0);
	assert_int_equal(loom_gemm(f->s, &big.g), 0);
	assert_int_equal(loom_memcpy(f->s, f->hva + 2 * n * n * 4, va[2], n * n * 4), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < n; j++) {
			float acc = 0;

			for (uint32_t k = 0; k < n; k++)
				acc += a[i * n + k] * b[k * n + j];
			assert_true(fabsf(acc - d[i * n + j]) < 1e-4f);
		}
	for (int i = 0; i < 3; i++)
		assert_int_equal(loom_mem_free(f->dev, va[i]), 0);
}

/* Run g on a fresh stream: the device must refuse it with want at sync. */
static void assert_gemm_fails(struct fixture *f, const struct loom_gemm *g, int want)
{
	loom_stream *s = loom_stream_create(f->dev);

	assert_non_null(s);
	assert_int_equal(loom_gemm(s, g), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), want);
	assert_int_equal(loom_stream_query(s), want);
	loom_stream_destroy(s);
}

/* What only the device can check fails the stream with -EINVAL. */
static void test_gemm_bad_on_device(void **state)
{
	struct fixture *f = *state;
	const uint32_t n = 32;
	struct loom_gemm g;
	uint64_t va[3];

	for (int i = 0; i < 3; i++)
		assert_int_equal(loom_mem_alloc(f->dev, n * n * 4 + 4096, 0, &va[i]), 0);
	gemm_init(&g, n, va);
	g.a += 2;		/* misaligned for fp32 */
	assert_gemm_fails(f, &g, -EINVAL);
	gemm_init(&g, n, va);
	g.d += 1;
	assert_gemm_fails(f, &g, -EINVAL);
	gemm_init(&g, n, va);
	g.in_dtype = LOOM_BF16;
	g.b += 1;		/* misaligned for bf16 */
	assert_gemm_fails(f, &g, -EINVAL);
	gemm_init(&g, n, va);
	g.lda = n - 1;		/* rows overlap */
	assert_gemm_fails(f, &g, -EINVAL);
	gemm_init(&g, n, va);
	g.ldb = 1;
	assert_gemm_fails(f, &g, -EINVAL);
	gemm_init(&g, n, va);
	g.ldd = n / 2;
	assert_gemm_fails(f, &g, -EINVAL);
	gemm_init(&g, n, va);
	g.c = va[2];
	g.beta = 1.0f;
	g.ldc = 3;
	assert_gemm_fails(f, &g, -EINVAL);
	gemm_init(&g, n, va);
	g.trans_a = 1;
	g.m = n / 2;
	g.lda = n / 4;		/* A is k x m when transposed: lda >= m */
	assert_gemm_fails(f, &g, -EINVAL);
	gemm_init(&g, n, va);
	g.m = UINT32_MAX;	/* more rows than the engine takes */
	assert_gemm_fails(f, &g, -EINVAL);
	/* Operands that do not fit their mapping fault. */
	gemm_init(&g, n, va);
	g.a = UNMAPPED_VA;
	assert_gemm_fails(f, &g, -EFAULT);
	gemm_init(&g, 64, va);	/* 16 KiB matrices in 8 KiB mappings */
	assert_gemm_fails(f, &g, -EFAULT);

	assert_stream_works(f, f->s);
	for (int i = 0; i < 3; i++)
		assert_int_equal(loom_mem_free(f->dev, va[i]), 0);
}

/* ---- errors found on the device ------------------------------------------------------- */

/* Run a copy on a fresh stream, expect want at sync. */
static void assert_copy_fails(struct fixture *f, uint64_t dst, uint64_t src, uint64_t size,
			      int want)
{
	loom_stream *s = loom_stream_create(f->dev);

	assert_non_null(s);
	assert_int_equal(loom_memcpy(s, dst, src, size), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), want);
	loom_stream_destroy(s);
}

static void test_copy_fault(void **state)
{
	struct fixture *f = *state;
	struct loom_device_event ev[64];
	const uint64_t size = 64 * 1024;
	uint64_t va;
	bool seen = false;
	int n;

	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &va), 0);
	while (loom_device_events(f->dev, ev, 64) > 0)
		;
	assert_copy_fails(f, UNMAPPED_VA, va, 4096, -EFAULT);	/* to unmapped */
	assert_copy_fails(f, va, UNMAPPED_VA, 4096, -EFAULT);	/* from unmapped */
	assert_copy_fails(f, f->hva, 0, 4096, -EFAULT);		/* from VA 0 */
	assert_copy_fails(f, va, f->hva, size + 4096, -EFAULT);	/* overruns the allocation */
	assert_copy_fails(f, f->hva, UINT64_MAX - 4095, 4096, -EFAULT);	/* not canonical */

	/* The device reported the faults, the first at the address we gave. */
	for (uint64_t end = loom_test_now_ms() + 2000; !seen && loom_test_now_ms() < end;) {
		n = loom_device_events(f->dev, ev, 64);
		assert_true(n >= 0);
		for (int i = 0; i < n; i++)
			if (ev[i].type == LOOM_EV_PAGE_FAULT && ev[i].addr >= UNMAPPED_VA &&
			    ev[i].addr < UNMAPPED_VA + 4096)
				seen = true;
		if (!seen)
			loom_test_sleep_ms(10);
	}
	assert_true(seen);
	assert_stream_works(f, f->s);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
	/* Freed memory is unmapped for the device too. */
	assert_copy_fails(f, f->hva, va, 4096, -EFAULT);
}

static void test_copy_overlap(void **state)
{
	struct fixture *f = *state;
	uint64_t va;

	assert_int_equal(loom_mem_alloc(f->dev, 64 * 1024, 0, &va), 0);
	assert_copy_fails(f, va + 4096, va, 8192, -EINVAL);
	assert_copy_fails(f, va, va, 4096, -EINVAL);
	assert_roundtrip(f, f->s, va, 4096, 5);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
}

/* LOOM_MEM_READONLY: the device reads it, and may not write it (-EACCES). */
static void test_readonly(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 64 * 1024;
	uint64_t ro, rw, va[3];
	struct loom_gemm g;
	loom_stream *s;
	uint8_t *p;

	assert_int_equal(loom_mem_alloc(f->dev, size, LOOM_MEM_READONLY, &ro), 0);
	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &rw), 0);
	p = loom_mem_host_ptr(f->dev, ro, size);	/* the CPU may fill it */
	assert_non_null(p);
	loom_test_pat_fill(p, size, 31);

	s = loom_stream_create(f->dev);
	assert_non_null(s);
	assert_int_equal(loom_memset32(s, ro, 0, 4096), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), -EACCES);
	loom_stream_destroy(s);
	assert_copy_fails(f, ro, rw, 4096, -EACCES);
	assert_copy_fails(f, ro + 4096, f->hva, 4096, -EACCES);
	s = loom_stream_create(f->dev);
	assert_non_null(s);
	loom_test_pat_fill(f->h, 4096, 0);
	assert_int_equal(loom_memcpy_h2d(s, ro, "pageable source", 16), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), -EACCES);
	loom_stream_destroy(s);
	va[0] = va[1] = rw;
	va[2] = ro;
	gemm_init(&g, 16, va);
	assert_gemm_fails(f, &g, -EACCES);

	/* None of it landed, and reading is fine. */
	assert_true(loom_test_pat_ok(p, size, 31));
	memset(f->h, 0, size);
	assert_int_equal(loom_memcpy(f->s, rw, ro, size), 0);
	assert_int_equal(loom_memcpy(f->s, f->hva, rw, size), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	assert_true(loom_test_pat_ok(f->h, size, 31));
	assert_int_equal(loom_mem_free(f->dev, ro), 0);
	assert_int_equal(loom_mem_free(f->dev, rw), 0);
}

/*
 * Once a stream failed, it stays failed with the same error; events
 * recorded before the failure still complete, one recorded after it
 * reports the error; other streams are unaffected.
 */
static void test_sticky_error(void **state)
{
	struct fixture *f = *state;
	loom_stream *gate = loom_stream_create(f->dev), *s = loom_stream_create(f->dev);
	loom_event *eg = loom_event_create(f->dev), *e1 = loom_event_create(f->dev);
	loom_event *e2 = loom_event_create(f->dev), *e3 = loom_event_create(f->dev);
	struct loom_gemm g = LOOM_OPTS_INIT(struct loom_gemm);
	struct busy busy;
	uint64_t va, ns;
	char buf[64];

	assert_true(gate && s && eg && e1 && e2 && e3);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0, &va), 0);
	/* Hold s back behind the gate so that the failure comes later. */
	busy_queue(&busy, f->dev, gate, 1024, 4);
	assert_int_equal(loom_event_record(eg, gate), 0);
	assert_int_equal(loom_stream_wait_event(s, eg), 0);
	assert_int_equal(loom_memset32(s, va, 0x600d600du, 4096), 0);
	assert_int_equal(loom_event_record(e1, s), 0);
	assert_int_equal(loom_memcpy(s, UNMAPPED_VA, va, 4096), 0);	/* faults */
	assert_int_equal(loom_event_record(e2, s), 0);
	assert_int_equal(loom_memset32(s, va, 0xbad0bad0u, 4096), 0);	/* never runs */

	assert_int_equal(loom_event_wait(e1, SYNC_TIMEOUT), 0);
	assert_int_equal(loom_event_wait(e2, SYNC_TIMEOUT), -EFAULT);
	assert_int_equal(loom_event_query(e2), -EFAULT);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), -EFAULT);
	assert_int_equal(loom_event_query(e1), 0);
	assert_int_equal(loom_event_wait(e1, 0), 0);
	assert_int_equal(loom_event_elapsed_ns(e1, e2, &ns), -EFAULT);

	/* Sticky: every later call on s says so. */
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), -EFAULT);
	assert_int_equal(loom_stream_query(s), -EFAULT);
	assert_int_equal(loom_memcpy(s, va, va + 0, 0), -EFAULT);
	assert_int_equal(loom_memcpy(s, f->hva, va, 4096), -EFAULT);
	assert_int_equal(loom_memset32(s, va, 0, 4096), -EFAULT);
	assert_int_equal(loom_memcpy_h2d(s, va, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(loom_memcpy_d2h(s, buf, va, sizeof(buf)), -EFAULT);
	g.m = g.n = g.k = 1;
	g.a = g.b = g.d = va;
	g.alpha = 1.0f;
	assert_int_equal(loom_gemm(s, &g), -EFAULT);
	assert_int_equal(loom_event_record(e3, s), -EFAULT);
	assert_int_equal(loom_stream_wait_event(s, eg), -EFAULT);
	assert_int_equal(loom_event_wait(e2, 0), -EFAULT);
	assert_true(loom_stream_queue(s) >= 0);

	/* A stream that waits for an event of the failed one. */
	{
		loom_stream *s2 = loom_stream_create(f->dev);
		int r;

		assert_non_null(s2);
		r = loom_stream_wait_event(s2, e2);
		assert_int_equal(r, -EFAULT);	/* it will never be reached */
		assert_int_equal(loom_stream_query(s2), 0);	/* s2 itself is fine */
		loom_stream_destroy(s2);
	}

	/* Nothing after the fault ran: the memset before it is what is there. */
	memset(f->h, 0, 4096);
	assert_int_equal(loom_memcpy(f->s, f->hva, va, 4096), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	for (int i = 0; i < 1024; i++)
		assert_int_equal(((uint32_t *)f->h)[i], 0x600d600du);
	assert_int_equal(loom_stream_sync(gate, SYNC_TIMEOUT), 0);
	assert_new_stream_works(f);

	loom_event_destroy(e3);
	loom_event_destroy(e2);
	loom_event_destroy(e1);
	loom_event_destroy(eg);
	loom_stream_destroy(s);
	loom_stream_destroy(gate);
	busy_free(&busy);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
}

/* ---- queues, waits and events ------------------------------------------------------------- */

static void test_streams_exhaust(void **state)
{
	struct fixture *f = *state;
	struct loom_device_info info;
	int err;

	/* loom.ko gives a file 8 queues (DRM_LOOM_QUEUES_PER_FILE) of the 32. */
	int n = g_kernel ? 8 : 32;

	assert_int_equal(loom_device_info(f->dev, &info), 0);
	assert_int_equal(info.num_queues, 32);
	/* The fixture holds one stream already. */
	assert_int_equal(loom_test_streams_until_busy(f->dev, &err), n - 1);
	assert_int_equal(err, EBUSY);
	assert_int_equal(loom_test_streams_until_busy(f->dev, &err), n - 1);	/* all came back */
	assert_int_equal(err, EBUSY);
	assert_new_stream_works(f);
}

/* Through loomd, the queues are shared by every process on the device. */
static void test_streams_exhaust_shared(void **state)
{
	struct fixture *f = *state;
	loom_device *a = loom_device_open(loomd.uri, NULL), *b = loom_device_open(loomd.uri, NULL);
	loom_stream *held[5];
	int err;

	assert_non_null(a);
	assert_non_null(b);
	for (int i = 0; i < 5; i++) {
		held[i] = loom_stream_create(b);
		assert_non_null(held[i]);
	}
	assert_int_equal(loom_test_streams_until_busy(a, &err), 32 - 5);
	assert_int_equal(err, EBUSY);
	loom_stream_destroy(held[0]);
	assert_int_equal(loom_test_streams_until_busy(a, &err), 32 - 4);
	loom_device_close(b);	/* its streams go with it */
	assert_int_equal(loom_test_streams_until_busy(a, &err), 32);
	assert_int_equal(err, EBUSY);
	loom_device_close(a);
	(void)f;
}

/* A stream stuck behind a cross-stream wait: short waits time out, then it runs. */
static void test_wait_timeout(void **state)
{
	struct fixture *f = *state;
	loom_stream *gate = loom_stream_create(f->dev), *s = loom_stream_create(f->dev);
	loom_event *eg = loom_event_create(f->dev), *es = loom_event_create(f->dev);
	struct busy busy;
	uint64_t va, t0;

	assert_true(gate && s && eg && es);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0, &va), 0);
	busy_queue(&busy, f->dev, gate, 1024, 8);
	assert_int_equal(loom_event_record(eg, gate), 0);
	assert_int_equal(loom_stream_wait_event(s, eg), 0);
	assert_int_equal(loom_memset32(s, va, 0x77777777u, 4096), 0);
	assert_int_equal(loom_event_record(es, s), 0);

	t0 = loom_test_now_ms();
	assert_int_equal(loom_stream_sync(s, 1000000), -ETIMEDOUT);	/* 1 ms */
	assert_int_equal(loom_stream_sync(s, 0), -ETIMEDOUT);
	assert_int_equal(loom_event_wait(es, 1000), -ETIMEDOUT);
	assert_int_equal(loom_event_wait(eg, 1000), -ETIMEDOUT);
	assert_true(loom_test_now_ms() - t0 < 1000);	/* and they did return promptly */
	assert_int_equal(loom_stream_query(s), -EBUSY);
	assert_int_equal(loom_event_query(es), -EBUSY);
	{
		uint64_t ns;

		assert_int_equal(loom_event_elapsed_ns(eg, es, &ns), -EBUSY);
	}
	/* A timeout is not an error of the stream: it finishes. */
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), 0);
	assert_int_equal(loom_event_query(eg), 0);
	assert_int_equal(loom_event_wait(es, 0), 0);
	assert_int_equal(loom_memcpy(s, f->hva, va, 4096), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), 0);
	for (int i = 0; i < 1024; i++)
		assert_int_equal(((uint32_t *)f->h)[i], 0x77777777u);

	loom_event_destroy(es);
	loom_event_destroy(eg);
	loom_stream_destroy(s);
	loom_stream_destroy(gate);
	busy_free(&busy);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
}

/*
 * A device-side wait that is never satisfied (the stream it waits for
 * failed first) ends with -ETIME when the device's watchdog fires, and the
 * device reports a hang. Through a loomd of our own with a short watchdog.
 */
static struct loom_test_loomd wd_loomd;

static int wait_device_timeout_teardown(void **state)
{
	if (wd_loomd.pid > 0 || wd_loomd.dir[0])
		loom_test_loomd_stop(&wd_loomd);
	return 0;
}

static void test_wait_device_timeout(void **state)
{
	struct loom_test_loomd *d = &wd_loomd;
	struct loom_device_event ev[64];
	loom_device *dev;
	loom_stream *s0, *s1, *s2;
	loom_event *e0, *e1;
	uint64_t va[3], small, t0;
	bool hang = false;
	int n;

	assert_int_equal(loom_test_loomd_start(d, "64M", "--queue-timeout=500"), 0);
	dev = loom_device_open(d->uri, NULL);
	assert_non_null(dev);
	s0 = loom_stream_create(dev);
	s1 = loom_stream_create(dev);
	s2 = loom_stream_create(dev);
	e0 = loom_event_create(dev);
	e1 = loom_event_create(dev);
	assert_true(s0 && s1 && s2 && e0 && e1);
	assert_int_equal(loom_mem_alloc(dev, 4096, 0, &small), 0);
	/* s1 fails behind a short gate, after e1 was recorded on it. */
	assert_int_equal(loom_test_gemm_busy(dev, s0, 1024, 3, va), 0);
	assert_int_equal(loom_event_record(e0, s0), 0);
	assert_int_equal(loom_stream_wait_event(s1, e0), 0);
	assert_int_equal(loom_memcpy(s1, UNMAPPED_VA, small, 4096), 0);
	assert_int_equal(loom_event_record(e1, s1), 0);
	assert_int_equal(loom_stream_wait_event(s2, e1), 0);
	assert_int_equal(loom_memset32(s2, small, 5, 4096), 0);

	t0 = loom_test_now_ms();
	assert_int_equal(loom_stream_sync(s1, SYNC_TIMEOUT), -EFAULT);
	assert_int_equal(loom_stream_sync(s2, SYNC_TIMEOUT), -ETIME);
	assert_true(loom_test_now_ms() - t0 < 10000);
	assert_int_equal(loom_stream_query(s2), -ETIME);
	assert_int_equal(loom_memset32(s2, small, 5, 4096), -ETIME);
	for (uint64_t end = loom_test_now_ms() + 2000; !hang && loom_test_now_ms() < end;) {
		n = loom_device_events(dev, ev, 64);
		assert_true(n >= 0);
		for (int i = 0; i < n; i++)
			if (ev[i].type == LOOM_EV_HANG &&
			    ev[i].queue == (uint32_t)loom_stream_queue(s2))
				hang = true;
		if (!hang)
			loom_test_sleep_ms(10);
	}
	assert_true(hang);
	assert_int_equal(loom_stream_sync(s0, SYNC_TIMEOUT), 0);

	loom_event_destroy(e1);
	loom_event_destroy(e0);
	loom_stream_destroy(s2);
	loom_stream_destroy(s1);
	loom_stream_destroy(s0);
	assert_int_equal(loom_test_gemm_busy_free(dev, va), 0);
	assert_int_equal(loom_mem_free(dev, small), 0);
	loom_device_close(dev);
	n = loom_test_loomd_stop(d);
	assert_true(n >= 0 && WIFEXITED(n) && WEXITSTATUS(n) == 0);
}

static void test_event_bad(void **state)
{
	struct fixture *f = *state;
	loom_event *a = loom_event_create(f->dev), *b = loom_event_create(f->dev);
	loom_device *other = open_small();
	loom_stream *os;
	loom_event *oe;
	uint64_t ns = 0;

	assert_true(a && b && other);
	os = loom_stream_create(other);
	oe = loom_event_create(other);
	assert_true(os && oe);

	/* Not recorded: waiting returns at once, elapsed time is undefined. */
	assert_int_equal(loom_event_wait(a, SYNC_TIMEOUT), 0);
	assert_int_equal(loom_event_query(a), 0);
	assert_int_equal(loom_event_elapsed_ns(a, b, &ns), -EINVAL);
	assert_int_equal(loom_stream_wait_event(f->s, a), 0);
	assert_int_equal(loom_event_record(a, f->s), 0);
	assert_int_equal(loom_event_elapsed_ns(a, b, &ns), -EINVAL);	/* b not recorded */
	assert_int_equal(loom_event_elapsed_ns(b, a, &ns), -EINVAL);
	assert_int_equal(loom_event_elapsed_ns(a, a, NULL), -EINVAL);

	/* Events and streams of different devices do not mix. */
	assert_int_equal(loom_event_record(oe, f->s), -EINVAL);
	assert_int_equal(loom_event_record(a, os), -EINVAL);
	assert_int_equal(loom_stream_wait_event(os, a), -EINVAL);
	assert_int_equal(loom_stream_wait_event(f->s, oe), -EINVAL);

	/* A real measurement. */
	{
		struct busy busy;

		busy_queue(&busy, f->dev, f->s, 256, 2);
		assert_int_equal(loom_event_record(b, f->s), 0);
		assert_int_equal(loom_event_wait(b, SYNC_TIMEOUT), 0);
		assert_int_equal(loom_event_elapsed_ns(a, b, &ns), 0);
		assert_true(ns > 0);
		busy_free(&busy);
	}
	loom_event_destroy(oe);
	loom_stream_destroy(os);
	loom_device_close(other);
	loom_event_destroy(b);
	loom_event_destroy(a);
}

/* An event recorded on a stream that is then destroyed stays usable. */
static void test_event_outlives_stream(void **state)
{
	struct fixture *f = *state;
	loom_stream *s = loom_stream_create(f->dev);
	loom_event *e = loom_event_create(f->dev);
	uint64_t va;

	assert_true(s && e);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0, &va), 0);
	assert_int_equal(loom_memset32(s, va, 1, 4096), 0);
	assert_int_equal(loom_event_record(e, s), 0);
	loom_stream_destroy(s);	/* waits for its work */
	assert_int_equal(loom_event_query(e), 0);
	assert_int_equal(loom_event_wait(e, 0), 0);
	assert_int_equal(loom_stream_wait_event(f->s, e), 0);
	assert_int_equal(loom_event_record(e, f->s), 0);	/* re-recorded elsewhere */
	assert_int_equal(loom_event_wait(e, SYNC_TIMEOUT), 0);
	loom_event_destroy(e);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
}

/* What the kernel backend cannot run, and why. */
static const struct kernel_skip kernel_skips[] = {
	{ "streams-exhaust-shared", "loomd's queues shared between processes" },
	{ "wait-device-timeout", "needs a loomd with a short watchdog (loom.ko: tests/uapi)" },
};

/* Usage: test_errors_stream [kernel] */
int main(int argc, char **argv)
{
	struct CMUnitTest tests[] = {
		T("stream-null-args", test_stream_null_args),
		T("memset-bad-size", test_memset_bad_size),
		T("gemm-bad-args", test_gemm_bad_args),
		T("gemm-bad-on-device", test_gemm_bad_on_device),
		T("copy-fault", test_copy_fault),
		T("copy-overlap", test_copy_overlap),
		T("readonly-write", test_readonly),
		T("sticky-error", test_sticky_error),
		T("streams-exhaust", test_streams_exhaust),
		T("streams-exhaust-shared", test_streams_exhaust_shared),
		T("wait-timeout", test_wait_timeout),
		{ "wait-device-timeout", test_wait_device_timeout, NULL, wait_device_timeout_teardown,
		  NULL },
		T("event-bad", test_event_bad),
		T("event-outlives-stream", test_event_outlives_stream),
	};

	return errors_main(argc, argv, "test_errors_stream", tests,
			   sizeof(tests) / sizeof(tests[0]),
			   kernel_skips, sizeof(kernel_skips) / sizeof(kernel_skips[0]));
}
