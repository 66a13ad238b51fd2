/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the runtime suites over libloom's public API: data patterns,
 * device-wide counters polled with a deadline, queue counting, a GEMM load
 * that keeps the matrix engine busy, and workloads that check their own
 * results (copies and fills, GEMMs against cblas, a cross-stream GEMM).
 * They return errors instead of asserting, so that child processes (which
 * report by exit status) can use them too. Header-only.
 */
#ifndef LOOM_TEST_RT_H
#define LOOM_TEST_RT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <loom/loom.h>

#include "loom_test_loomd.h"

#define LOOM_TEST_SYNC_TIMEOUT	(60 * 1000000000LL)

/* ---- patterns ---------------------------------------------------------------- */

static inline uint32_t loom_test_pat_word(uint32_t seed, uint64_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u ^ seed * 0x85ebca6bu;

	x ^= x >> 15;
	return x * 0x2c1b3c6du ^ 0xa5000000u;
}

/* Fill bytes (a multiple of 4) with the pattern of seed; period: the index
 * modulo period words (0: none). A period of 1024 repeats in every page, so
 * any page-aligned view of the data matches it. */
static inline void loom_test_pat_fill_period(void *buf, uint64_t bytes, uint32_t seed,
					     uint64_t period)
{
	uint32_t *p = buf;

	for (uint64_t i = 0; i < bytes / 4; i++)
		p[i] = loom_test_pat_word(seed, period ? i % period : i);
}

/* How many words of buf hold the pattern. */
static inline uint64_t loom_test_pat_count_period(const void *buf, uint64_t bytes,
						  uint32_t seed, uint64_t period)
{
	const uint32_t *p = buf;
	uint64_t n = 0;

	for (uint64_t i = 0; i < bytes / 4; i++)
		n += p[i] == loom_test_pat_word(seed, period ? i % period : i);
	return n;
}

static inline void loom_test_pat_fill(void *buf, uint64_t bytes, uint32_t seed)
{
	loom_test_pat_fill_period(buf, bytes, seed, 0);
}

static inline uint64_t loom_test_pat_count(const void *buf, uint64_t bytes, uint32_t seed)
{
	return loom_test_pat_count_period(buf, bytes, seed, 0);
}

static inline bool loom_test_pat_ok(const void *buf, uint64_t bytes, uint32_t seed)
{
	return loom_test_pat_count(buf, bytes, seed) == bytes / 4;
}

/* ---- device-wide state -------------------------------------------------------------- */

/* DRAM in use on the whole device, or UINT64_MAX. */
static inline uint64_t loom_test_dram_used(loom_device *dev)
{
	struct loom_telemetry t;

	return loom_device_telemetry(dev, &t) ? UINT64_MAX : t.dram_used;
}

/* Drivers attached to the device, or UINT32_MAX. */
static inline uint32_t loom_test_drivers(loom_device *dev)
{
	struct loom_telemetry t;

	return loom_device_telemetry(dev, &t) ? UINT32_MAX : t.drivers;
}

/* Poll (timeout_ms) until dram_used == want; returns the last value seen. */
static inline uint64_t loom_test_dram_used_wait(loom_device *dev, uint64_t want,
						unsigned timeout_ms)
{
	uint64_t deadline = loom_test_now_ms() + timeout_ms, v;

	for (;;) {
		v = loom_test_dram_used(dev);
		if (v == want || loom_test_now_ms() >= deadline)
			return v;
		loom_test_sleep_ms(10);
	}
}

/* Poll (timeout_ms) until want drivers are attached; returns the last count.
 * loomd notices a closed connection on its own time. */
static inline uint32_t loom_test_drivers_wait(loom_device *dev, uint32_t want,
					      unsigned timeout_ms)
{
	uint64_t deadline = loom_test_now_ms() + timeout_ms;
	uint32_t v;

	for (;;) {
		v = loom_test_drivers(dev);
		if (v == want || loom_test_now_ms() >= deadline)
			return v;
		loom_test_sleep_ms(10);
	}
}

/* Open uri, retrying for timeout_ms while it fails (a channel being freed). */
static inline loom_device *loom_test_open_retry(const char *uri, unsigned timeout_ms)
{
	uint64_t deadline = loom_test_now_ms() + timeout_ms;
	loom_device *dev;

	while (!(dev = loom_device_open(uri, NULL)) && loom_test_now_ms() < deadline)
		loom_test_sleep_ms(10);
	return dev;
}

/*
 * Create streams until the device has no queue left, then destroy them.
 * Returns how many were created; *err is the errno of the failed creation
 * (EBUSY when the queues ran out).
 */
static inline int loom_test_streams_until_busy(loom_device *dev, int *err)
{
	loom_stream *s[64];
	int n = 0;

	*err = 0;
	while (n < 64) {
		s[n] = loom_stream_create(dev);
		if (!s[n]) {
			*err = errno;
			break;
		}
		n++;
	}
	for (int i = n - 1; i >= 0; i--)
		loom_stream_destroy(s[i]);
	return n;
}

/* ---- workloads ---------------------------------------------------------------------- */

/*
 * Keep the matrix engine busy: allocate three n x n fp32 matrices (va[],
 * the caller frees them), fill A and B, and queue count GEMMs on s.
 */
static inline int loom_test_gemm_busy(loom_device *dev, loom_stream *s, uint32_t n, int count,
				      uint64_t va[3])
{
	uint64_t bytes = (uint64_t)n * n * 4;
	struct loom_gemm g = LOOM_OPTS_INIT(struct loom_gemm);
	int ret = 0;

	va[0] = va[1] = va[2] = 0;
	for (int i = 0; i < 3 && !ret; i++)
		ret = loom_mem_alloc(dev, bytes, 0, &va[i]);
	ret = ret ? ret : loom_memset32(s, va[0], 0x3f800000u, bytes);	/* 1.0f */
	ret = ret ? ret : loom_memset32(s, va[1], 0x3f000000u, bytes);	/* 0.5f */
	g.m = g.n = g.k = n;
	g.a = va[0];
	g.b = va[1];
	g.d = va[2];
	g.alpha = 1.0f;
	for (int i = 0; i < count && !ret; i++)
		ret = loom_gemm(s, &g);
	return ret;
}

/* Free what loom_test_gemm_busy() allocated (zeros are skipped). */
static inline int loom_test_gemm_busy_free(loom_device *dev, const uint64_t va[3])
{
	int ret = 0;

	for (int i = 0; i < 3; i++)
		if (va[i] && loom_mem_free(dev, va[i]))
			ret = -EINVAL;
	return ret;
}

/* ---- self-checking workloads (0, a negative errno, or -EDOM on wrong data) ---- */

/* Small integers: every product sum of a GEMM up to 2048 is exact in fp32. */
static inline void loom_test_fill_ints(float *p, uint64_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 12345;

	for (uint64_t i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		p[i] = (float)((int)(x >> 29) - 4);
	}
}

/*
 * Copy a pattern host -> DRAM -> DRAM -> host and fill with memset32;
 * verify both. Returns 0, a negative errno, or -EDOM on wrong data.
 */
static inline int loom_test_copy_verify(loom_device *dev, loom_stream *s, uint64_t bytes,
					uint32_t seed)
{
	uint64_t x = 0, y = 0, hva = 0;
	uint8_t *h = loom_host_alloc(dev, 2 * bytes, &hva);
	int ret = -ENOMEM;

	if (!h)
		return -ENOMEM;
	ret = loom_mem_alloc(dev, bytes, 0, &x);
	if (!ret)
		ret = loom_mem_alloc(dev, bytes, 0, &y);
	if (ret)
		goto out;
	loom_test_pat_fill(h, bytes, seed);
	memset(h + bytes, 0, bytes);
	ret = loom_memcpy(s, x, hva, bytes);
	ret = ret ? ret : loom_memcpy(s, y, x, bytes);
	ret = ret ? ret : loom_memcpy(s, hva + bytes, y, bytes);
	ret = ret ? ret : loom_stream_sync(s, LOOM_TEST_SYNC_TIMEOUT);
	if (ret)
		goto out;
	if (!loom_test_pat_ok(h + bytes, bytes, seed)) {
		ret = -EDOM;
		goto out;
	}
	ret = loom_memset32(s, y, seed ^ 0x5a5a5a5au, bytes);
	ret = ret ? ret : loom_memcpy(s, hva, y, bytes);
	ret = ret ? ret : loom_stream_sync(s, LOOM_TEST_SYNC_TIMEOUT);
	if (ret)
		goto out;
	for (uint64_t i = 0; i < bytes / 4; i++)
		if (((uint32_t *)h)[i] != (seed ^ 0x5a5a5a5au)) {
			ret = -EDOM;
			break;
		}
out:
	if (y)
		loom_mem_free(dev, y);
	if (x)
		loom_mem_free(dev, x);
	loom_host_free(dev, h);
	return ret;
}

/* An n x n x n fp32 GEMM checked against cblas. 0, -errno, or -EDOM. */
static inline int loom_test_gemm_verify(loom_device *dev, loom_stream *s, unsigned n,
					uint32_t seed)
{
	uint64_t elems = (uint64_t)n * n, bytes = elems * 4, va[3] = { 0 }, hva = 0;
	float *h = loom_host_alloc(dev, 3 * bytes, &hva), *ref = malloc(bytes);
	struct loom_gemm g = LOOM_OPTS_INIT(struct loom_gemm);
	int ret = -ENOMEM;

	if (!h || !ref)
		goto out;
	for (int i = 0; i < 3; i++) {
		ret = loom_mem_alloc(dev, bytes, 0, &va[i]);
		if (ret)
			goto out;
	}
	loom_test_fill_ints(h, elems, seed);
	loom_test_fill_ints(h + elems, elems, seed + 1);
	memset(h + 2 * elems, 0xff, bytes);
	g.m = g.n = g.k = n;
	g.a = va[0];
	g.b = va[1];
	g.d = va[2];
	g.alpha = 1.0f;
	ret = loom_memcpy(s, va[0], hva, bytes);
	ret = ret ? ret : loom_memcpy(s, va[1], hva + bytes, bytes);
	ret = ret ? ret : loom_gemm(s, &g);
	ret = ret ? ret : loom_memcpy(s, hva + 2 * bytes, va[2], bytes);
	ret = ret ? ret : loom_stream_sync(s, LOOM_TEST_SYNC_TIMEOUT);
	if (ret)
		goto out;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0f,
		    h, (int)n, h + elems, (int)n, 0.0f, ref, (int)n);
	for (uint64_t i = 0; i < elems; i++)
		if (fabsf(ref[i] - h[2 * elems + i]) > 1e-3f) {
			ret = -EDOM;
			break;
		}
out:
	for (int i = 2; i >= 0; i--)
		if (va[i])
			loom_mem_free(dev, va[i]);
	if (h)
		loom_host_free(dev, h);
	free(ref);
	return ret;
}

/*
 * s1 computes a GEMM and records an event; s2 waits for it on the device
 * and copies the product out. 0, -errno, or -EDOM on wrong data.
 */
static inline int loom_test_cross_stream_verify(loom_device *dev, loom_stream *s1,
						loom_stream *s2, uint32_t seed)
{
	const unsigned n = 192;
	uint64_t elems = n * n, bytes = elems * 4, va[4] = { 0 }, hva = 0;
	float *h = loom_host_alloc(dev, 3 * bytes, &hva), *ref = malloc(bytes);
	struct loom_gemm g = LOOM_OPTS_INIT(struct loom_gemm);
	loom_event *e = loom_event_create(dev);
	int ret = -ENOMEM;

	if (!h || !ref || !e)
		goto out;
	for (int i = 0; i < 4; i++) {
		ret = loom_mem_alloc(dev, bytes, 0, &va[i]);
		if (ret)
			goto out;
	}
	loom_test_fill_ints(h, elems, seed);
	loom_test_fill_ints(h + elems, elems, seed + 7);
	memset(h + 2 * elems, 0, bytes);
	g.m = g.n = g.k = n;
	g.a = va[0];
	g.b = va[1];
	g.d = va[2];
	g.alpha = 2.0f;
	ret = loom_memcpy(s1, va[0], hva, bytes);
	ret = ret ? ret : loom_memcpy(s1, va[1], hva + bytes, bytes);
	ret = ret ? ret : loom_gemm(s1, &g);
	ret = ret ? ret : loom_event_record(e, s1);
	ret = ret ? ret : loom_stream_wait_event(s2, e);
	ret = ret ? ret : loom_memcpy(s2, va[3], va[2], bytes);
	ret = ret ? ret : loom_memcpy(s2, hva + 2 * bytes, va[3], bytes);
	ret = ret ? ret : loom_stream_sync(s2, LOOM_TEST_SYNC_TIMEOUT);
	if (ret)
		goto out;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 2.0f,
		    h, (int)n, h + elems, (int)n, 0.0f, ref, (int)n);
	for (uint64_t i = 0; i < elems; i++)
		if (fabsf(ref[i] - h[2 * elems + i]) > 1e-3f) {
			ret = -EDOM;
			break;
		}
out:
	loom_event_destroy(e);
	for (int i = 3; i >= 0; i--)
		if (va[i])
			loom_mem_free(dev, va[i]);
	if (h)
		loom_host_free(dev, h);
	free(ref);
	return ret;
}

#endif /* LOOM_TEST_RT_H */
