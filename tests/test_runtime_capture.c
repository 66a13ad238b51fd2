/* SPDX-License-Identifier: MIT */
/*
 * Tests of command-buffer capture through libloom's public API
 * (loom_capture_begin/end, loom_cmdbuf_launch): a recorded
 * copy/GEMM/TPC chain against the same chain queued directly and a CPU
 * reference, replayed many times; two streams' recordings depending on
 * each other through events, replayed without host synchronisation (wrong
 * data if a relocated wait were skipped or aimed at an older launch); the
 * calls refused while recording; a device fault inside a launch. Like
 * test_runtime (and over the same fixture, tests/loom_test_runtime.h),
 * every test runs against an in-process device and a loomd, and in the
 * QEMU guest through the kernel backend ("kernel").
 */
#include "loom_test_runtime.h"

#include "../compiler/loom_asm.h"
#include "../hw/loom_packets.h"
#include "../kernels/axpy_asm.h"

/* The axpy kernel (y = alpha x + y) assembled and loaded, or NULL. */
static loom_kernel *cap_axpy_load(loom_device *dev)
{
	struct loom_obj o = { 0 };
	char *diag = NULL;
	void *buf = NULL;
	size_t size = 0;
	loom_kernel *k = NULL;

	if (loom_asm("axpy.s", loom_axpy_asm, strlen(loom_axpy_asm), &o, &diag)) {
		free(diag);
		return NULL;
	}
	if (!loom_obj_write(&o, &buf, &size))
		k = loom_kernel_load(dev, buf, size);
	loom_obj_clear(&o);
	free(buf);
	return k;
}

/* Small integers: every sum of the chain below is exact in fp32. */
static void cap_fill(float *p, unsigned n, unsigned seed)
{
	for (unsigned i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (float)((int)(seed >> 16) % 7 - 3);
	}
}

#define CAP_N	64		/* the chain's matrices are CAP_N x CAP_N */
#define CAP_EL	(CAP_N * CAP_N)

struct cap_chain {
	loom_kernel *axpy;
	uint64_t a, b, d, y;	/* DRAM */
	float *h;		/* pinned: A, B, out, out of the eager run */
	uint64_t hva;
	loom_event *start, *end;
};

/*
 * The chain on s, writing into out (a pinned slot): A and B in from
 * pinned memory, Y := 1.0, D = A B (MME), Y = 0.5 D + Y (TPC), Y out.
 * Events start and end around the device work.
 */
static int cap_chain_queue(struct cap_chain *ch, loom_stream *s, int slot)
{
	struct loom_gemm g = { .sz = sizeof(g), .m = CAP_N, .n = CAP_N, .k = CAP_N,
			       .a = ch->a, .b = ch->b, .d = ch->d, .alpha = 1.0f };
	struct loom_tensor ts[2] = {
		{ .addr = ch->d, .dtype = LOOM_T_F32, .ndims = 1, .size = { CAP_EL } },
		{ .addr = ch->y, .dtype = LOOM_T_F32, .ndims = 1, .size = { CAP_EL } },
	};
	uint32_t half = loom_f32_bits(0.5f);
	struct loom_launch l = { .sz = sizeof(l), .tensors = ts, .num_tensors = 2,
				 .scalars = &half, .num_scalars = 1,
				 .index = { CAP_EL / 64 } };
	int ret = loom_event_record(ch->start, s);

	ret = ret ? ret : loom_memcpy(s, ch->a, ch->hva, CAP_EL * 4);
	ret = ret ? ret : loom_memcpy(s, ch->b, ch->hva + CAP_EL * 4, CAP_EL * 4);
	ret = ret ? ret : loom_memset32(s, ch->y, 0x3f800000u, CAP_EL * 4);
	ret = ret ? ret : loom_gemm(s, &g);
	ret = ret ? ret : loom_launch(s, ch->axpy, &l);
	ret = ret ? ret : loom_memcpy(s, ch->hva + (uint64_t)slot * CAP_EL * 4, ch->y,
				      CAP_EL * 4);
	ret = ret ? ret : loom_event_record(ch->end, s);
	return ret;
}

/* Does slot hold 0.5 A B + 1 for the A and B in ch->h? */
static bool cap_chain_ok(const struct cap_chain *ch, int slot)
{
	const float *a = ch->h, *b = ch->h + CAP_EL, *out = ch->h + slot * CAP_EL;

	for (int i = 0; i < CAP_N; i++)
		for (int j = 0; j < CAP_N; j++) {
			float acc = 0.0f;

			for (int k = 0; k < CAP_N; k++)
				acc += a[i * CAP_N + k] * b[k * CAP_N + j];
			if (out[i * CAP_N + j] != 0.5f * acc + 1.0f)
				return false;
		}
	return true;
}

/*
 * capture-chain-replay: a recorded copy/GEMM/TPC chain runs nothing while
 * recorded, gives what the same chain queued directly gives, and replays
 * (20 launches, new input each time, waited for through its own event),
 * its events' timestamps renewed by every launch.
 */
static void capture_chain_replay(void **state)
{
	struct ctx *c = *state;
	struct cap_chain ch = { 0 };
	loom_event *mark = loom_event_create(c->dev);
	loom_cmdbuf *cb = NULL;
	uint64_t ns;

	ch.axpy = cap_axpy_load(c->dev);
	assert_non_null(ch.axpy);
	ch.start = loom_event_create(c->dev);
	ch.end = loom_event_create(c->dev);
	assert_non_null(ch.start);
	assert_non_null(ch.end);
	assert_non_null(mark);
	ch.h = loom_host_alloc(c->dev, 4 * CAP_EL * 4, &ch.hva);
	assert_non_null(ch.h);
	assert_int_equal(loom_mem_alloc(c->dev, CAP_EL * 4, 0, &ch.a), 0);
	assert_int_equal(loom_mem_alloc(c->dev, CAP_EL * 4, 0, &ch.b), 0);
	assert_int_equal(loom_mem_alloc(c->dev, CAP_EL * 4, 0, &ch.d), 0);
	assert_int_equal(loom_mem_alloc(c->dev, CAP_EL * 4, 0, &ch.y), 0);
	cap_fill(ch.h, CAP_EL, 1);
	cap_fill(ch.h + CAP_EL, CAP_EL, 2);

	/* Eager, into slot 3. */
	memset(ch.h + 3 * CAP_EL, 0xff, CAP_EL * 4);
	assert_int_equal(cap_chain_queue(&ch, c->s, 3), 0);
	assert_int_equal(loom_stream_sync(c->s, 60 * SEC), 0);
	assert_true(cap_chain_ok(&ch, 3));

	/* Recorded, into slot 2: nothing runs until it is launched. */
	memset(ch.h + 2 * CAP_EL, 0xff, CAP_EL * 4);
	assert_int_equal(loom_capture_begin(c->s), 0);
	assert_int_equal(cap_chain_queue(&ch, c->s, 2), 0);
	assert_int_equal(loom_capture_end(c->s, &cb), 0);
	assert_non_null(cb);
	assert_true(loom_cmdbuf_size(cb) > 0);
	assert_int_equal(loom_stream_query(c->s), 0);
	usleep(20000);
	for (int i = 0; i < CAP_EL; i++)
		assert_true(isnan(ch.h[2 * CAP_EL + i]));
	assert_int_equal(loom_cmdbuf_launch(c->s, cb), 0);
	assert_int_equal(loom_stream_sync(c->s, 60 * SEC), 0);
	assert_memory_equal(ch.h + 2 * CAP_EL, ch.h + 3 * CAP_EL, CAP_EL * 4);
	assert_int_equal(loom_event_elapsed_ns(ch.start, ch.end, &ns), 0);
	assert_true(ns > 0);

	/* Replays with new inputs, waited for through the recorded event. */
	for (unsigned r = 0; r < 20; r++) {
		cap_fill(ch.h, CAP_EL, 10 + r);
		memset(ch.h + 2 * CAP_EL, 0xff, CAP_EL * 4);
		assert_int_equal(loom_event_record(mark, c->s), 0);
		assert_int_equal(loom_cmdbuf_launch(c->s, cb), 0);
		assert_int_equal(loom_event_wait(ch.end, 60 * SEC), 0);
		assert_int_equal(loom_event_query(ch.end), 0);
		assert_true(cap_chain_ok(&ch, 2));
		/* Both timestamps come from this launch, after the mark. */
		assert_int_equal(loom_event_elapsed_ns(mark, ch.start, &ns), 0);
		assert_true(ns > 0);
		assert_int_equal(loom_event_elapsed_ns(ch.start, ch.end, &ns), 0);
		assert_true(ns > 0);
	}
	/* The same recording on another stream. */
	loom_stream *s2 = loom_stream_create(c->dev);

	assert_non_null(s2);
	cap_fill(ch.h + CAP_EL, CAP_EL, 77);
	memset(ch.h + 2 * CAP_EL, 0xff, CAP_EL * 4);
	assert_int_equal(loom_cmdbuf_launch(s2, cb), 0);
	assert_int_equal(loom_event_wait(ch.end, 60 * SEC), 0);
	assert_true(cap_chain_ok(&ch, 2));
	loom_cmdbuf_destroy(cb);
	loom_stream_destroy(s2);
	loom_event_destroy(mark);
	loom_event_destroy(ch.start);
	loom_event_destroy(ch.end);
	loom_kernel_free(ch.axpy);
	loom_mem_free(c->dev, ch.a);
	loom_mem_free(c->dev, ch.b);
	loom_mem_free(c->dev, ch.d);
	loom_mem_free(c->dev, ch.y);
	loom_host_free(c->dev, ch.h);
}

#define XS_N	256		/* the producer's GEMM: P += ones(N x N) ones(N x N) */
#define XS_SLOTS	4
#define XS_STEPS	40

/*
 * capture-cross-stream: a producer recording on stream A (wait for the
 * consumer's event, P += N, record its event) and XS_SLOTS consumer
 * recordings on stream B (wait for the producer's event, copy P to their
 * own pinned slot, record theirs), launched alternately XS_STEPS times
 * without any host wait. Every slot must hold P as the producer left it in
 * that slot's last step: a wait skipped or aimed at an older launch lets
 * the copy run before the GEMM (stale value) or the next GEMM before the
 * copy (a larger one). Then an eager producer step on A feeds a consumer
 * recording (a captured wait on an event of work queued directly).
 */
static void capture_cross_stream(void **state)
{
	struct ctx *c = *state;
	loom_stream *sb = loom_stream_create(c->dev);
	loom_event *ea = loom_event_create(c->dev), *eb = loom_event_create(c->dev);
	struct loom_gemm g = { .sz = sizeof(g), .m = XS_N, .n = XS_N, .k = XS_N,
			       .alpha = 1.0f, .beta = 1.0f };
	loom_cmdbuf *prod = NULL, *cons[XS_SLOTS] = { NULL };
	const uint64_t bytes = (uint64_t)XS_N * XS_N * 4;
	uint64_t ones, p, hva;
	float *h;
	int last[XS_SLOTS];

	assert_non_null(sb);
	assert_non_null(ea);
	assert_non_null(eb);
	h = loom_host_alloc(c->dev, XS_SLOTS * bytes, &hva);
	assert_non_null(h);
	memset(h, 0, XS_SLOTS * bytes);
	assert_int_equal(loom_mem_alloc(c->dev, bytes, 0, &ones), 0);
	assert_int_equal(loom_mem_alloc(c->dev, bytes, 0, &p), 0);
	assert_int_equal(loom_memset32(c->s, ones, 0x3f800000u, bytes), 0);
	assert_int_equal(loom_memset32(c->s, p, 0, bytes), 0);
	assert_int_equal(loom_stream_sync(c->s, 60 * SEC), 0);
	g.a = g.b = ones;
	g.c = g.d = p;

	assert_int_equal(loom_capture_begin(c->s), 0);
	assert_int_equal(loom_stream_wait_event(c->s, eb), 0);
	assert_int_equal(loom_gemm(c->s, &g), 0);
	assert_int_equal(loom_event_record(ea, c->s), 0);
	assert_int_equal(loom_capture_end(c->s, &prod), 0);
	for (int j = 0; j < XS_SLOTS; j++) {
		assert_int_equal(loom_capture_begin(sb), 0);
		assert_int_equal(loom_stream_wait_event(sb, ea), 0);
		assert_int_equal(loom_memcpy(sb, hva + j * bytes, p, bytes), 0);
		assert_int_equal(loom_event_record(eb, sb), 0);
		assert_int_equal(loom_capture_end(sb, &cons[j]), 0);
		last[j] = -1;
	}
	for (int i = 0; i < XS_STEPS; i++) {
		assert_int_equal(loom_cmdbuf_launch(c->s, prod), 0);
		assert_int_equal(loom_cmdbuf_launch(sb, cons[i % XS_SLOTS]), 0);
		last[i % XS_SLOTS] = i;
	}
	assert_int_equal(loom_stream_sync(sb, 120 * SEC), 0);
	assert_int_equal(loom_stream_sync(c->s, 120 * SEC), 0);
	for (int j = 0; j < XS_SLOTS; j++) {
		float want = (float)XS_N * (float)(last[j] + 1);

		for (uint64_t i = 0; i < (uint64_t)XS_N * XS_N; i++)
			if (h[j * XS_N * XS_N + i] != want)
				fail_msg("slot %d [%llu]: %g, want %g (step %d)", j,
					 (unsigned long long)i, h[j * XS_N * XS_N + i], want, last[j]);
	}
	/* A producer step queued directly, consumed by a recording. */
	assert_int_equal(loom_gemm(c->s, &g), 0);
	assert_int_equal(loom_event_record(ea, c->s), 0);
	assert_int_equal(loom_cmdbuf_launch(sb, cons[0]), 0);
	assert_int_equal(loom_stream_sync(sb, 60 * SEC), 0);
	for (uint64_t i = 0; i < (uint64_t)XS_N * XS_N; i++)
		assert_true(h[i] == (float)XS_N * (float)(XS_STEPS + 1));

	loom_cmdbuf_destroy(prod);
	for (int j = 0; j < XS_SLOTS; j++)
		loom_cmdbuf_destroy(cons[j]);
	loom_event_destroy(ea);
	loom_event_destroy(eb);
	loom_stream_destroy(sb);
	loom_mem_free(c->dev, ones);
	loom_mem_free(c->dev, p);
	loom_host_free(c->dev, h);
}

/*
 * capture-errors: what cannot be recorded is refused with -EINVAL and
 * records nothing; recording twice (-EBUSY), ending without beginning,
 * launching an empty or destroyed recording (-EINVAL); a recording larger
 * than one command buffer (-E2BIG, the part recorded so far still works);
 * a stream destroyed while recording.
 */
static void capture_errors(void **state)
{
	struct ctx *c = *state;
	loom_cmdbuf *cb = NULL, *empty = NULL;
	loom_stream *s2;
	uint32_t host[64], *pinned, v = 0;
	uint64_t va, pva;
	int ret = 0, n;

	pinned = loom_host_alloc(c->dev, 4096, &pva);
	assert_non_null(pinned);
	assert_int_equal(loom_mem_alloc(c->dev, 4096, 0, &va), 0);
	assert_int_equal(loom_memset32(c->s, va, 5, 4096), 0);
	assert_int_equal(loom_stream_sync(c->s, 10 * SEC), 0);

	assert_int_equal(loom_capture_begin(NULL), -EINVAL);
	assert_int_equal(loom_capture_end(c->s, &cb), -EINVAL);
	assert_int_equal(loom_cmdbuf_launch(c->s, NULL), -EINVAL);
	assert_int_equal(loom_capture_begin(c->s), 0);
	assert_int_equal(loom_capture_begin(c->s), -EBUSY);
	assert_int_equal(loom_capture_end(c->s, NULL), -EINVAL);
	assert_int_equal(loom_capture_end(c->s, &empty), 0);
	assert_int_equal(loom_cmdbuf_size(empty), 0);
	assert_int_equal(loom_cmdbuf_launch(c->s, empty), -EINVAL);

	memset(host, 0, sizeof(host));
	assert_int_equal(loom_capture_begin(c->s), 0);
	assert_int_equal(loom_memcpy_h2d(c->s, va, host, sizeof(host)), -EINVAL);
	assert_int_equal(loom_memcpy_d2h(c->s, host, va, sizeof(host)), -EINVAL);
	assert_int_equal(loom_stream_sync(c->s, SEC), -EINVAL);
	assert_int_equal(loom_cmdbuf_launch(c->s, empty), -EINVAL);
	assert_int_equal(loom_memset32(c->s, va, 7, 6), -EINVAL);	/* the usual checks */
	assert_int_equal(loom_memset32(c->s, va, 7, 4096), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, pinned, va, 4096), 0);	/* pinned: fine */
	assert_int_equal(loom_capture_end(c->s, &cb), 0);
	assert_int_equal(loom_cmdbuf_size(cb), 2 * sizeof(struct loom_pkt_lin_dma));
	/* Only the allowed calls were recorded, and nothing ran. */
	assert_int_equal(loom_memcpy_d2h(c->s, &v, va, 4), 0);
	assert_int_equal(v, 5);
	pinned[0] = 0;
	assert_int_equal(loom_cmdbuf_launch(c->s, cb), 0);
	assert_int_equal(loom_stream_sync(c->s, 10 * SEC), 0);
	assert_int_equal(pinned[0], 7);
	assert_int_equal(pinned[1023], 7);
	loom_cmdbuf_destroy(cb);
	assert_int_equal(loom_cmdbuf_launch(c->s, cb), -EINVAL);	/* destroyed */
	loom_cmdbuf_destroy(empty);

	/* Larger than one command buffer: -E2BIG, and what fit still runs. */
	assert_int_equal(loom_capture_begin(c->s), 0);
	for (n = 0; n < 200000; n++) {
		ret = loom_memset32(c->s, va + 4 * (n % 1024), (uint32_t)n, 4);
		if (ret)
			break;
	}
	assert_int_equal(ret, -E2BIG);
	assert_true(n > 1000);
	assert_int_equal(loom_capture_end(c->s, &cb), 0);
	assert_int_equal(loom_cmdbuf_launch(c->s, cb), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, &v, va + 4 * ((n - 1) % 1024), 4), 0);
	assert_int_equal(v, (uint32_t)(n - 1));
	loom_cmdbuf_destroy(cb);

	/* A stream destroyed while recording takes its recording with it. */
	assert_int_equal(loom_memset32(c->s, va, 7, 4096), 0);
	s2 = loom_stream_create(c->dev);
	assert_non_null(s2);
	assert_int_equal(loom_capture_begin(s2), 0);
	assert_int_equal(loom_memset32(s2, va, 9, 4096), 0);
	loom_stream_destroy(s2);
	assert_int_equal(loom_memcpy_d2h(c->s, &v, va, 4), 0);
	assert_int_equal(v, 7);
	loom_mem_free(c->dev, va);
	loom_host_free(c->dev, pinned);
}

/*
 * capture-fault: a device fault inside a launch fails the stream as work
 * queued directly does (sticky, the event recorded inside reports it);
 * a launch waiting on an event of the failed stream returns its error;
 * other streams go on.
 */
static void capture_fault(void **state)
{
	struct ctx *c = *state;
	loom_stream *bad = loom_stream_create(c->dev);
	loom_event *e = loom_event_create(c->dev);
	uint64_t va, unmapped = 0x100000000000ULL + (600ULL << 30);
	loom_cmdbuf *cb = NULL, *waiter = NULL;
	uint32_t v = 0;

	assert_non_null(bad);
	assert_non_null(e);
	assert_int_equal(loom_mem_alloc(c->dev, 4096, 0, &va), 0);
	assert_int_equal(loom_capture_begin(bad), 0);
	assert_int_equal(loom_memset32(bad, va, 1, 4096), 0);
	assert_int_equal(loom_event_record(e, bad), 0);
	assert_int_equal(loom_memcpy(bad, va, unmapped, 4096), 0);
	assert_int_equal(loom_capture_end(bad, &cb), 0);
	/* On a healthy stream, once: it runs fine up to the fault. */
	assert_int_equal(loom_cmdbuf_launch(bad, cb), 0);
	assert_int_equal(loom_stream_sync(bad, 10 * SEC), -EFAULT);
	assert_int_equal(loom_stream_query(bad), -EFAULT);
	assert_int_equal(loom_event_query(e), -EFAULT);	/* its launch failed */
	assert_int_equal(loom_cmdbuf_launch(bad, cb), -EFAULT);
	assert_int_equal(loom_memset32(bad, va, 2, 4096), -EFAULT);

	/* A recording waiting on the event of the failed launch. */
	assert_int_equal(loom_capture_begin(c->s), 0);
	assert_int_equal(loom_stream_wait_event(c->s, e), 0);
	assert_int_equal(loom_memset32(c->s, va, 3, 4096), 0);
	assert_int_equal(loom_capture_end(c->s, &waiter), 0);
	assert_int_equal(loom_cmdbuf_launch(c->s, waiter), -EFAULT);
	/* The other stream is unaffected. */
	assert_int_equal(loom_memset32(c->s, va, 9, 4096), 0);
	assert_int_equal(loom_memcpy_d2h(c->s, &v, va, 4), 0);
	assert_int_equal(v, 9);
	loom_cmdbuf_destroy(waiter);
	loom_cmdbuf_destroy(cb);
	loom_event_destroy(e);
	loom_stream_destroy(bad);
	loom_mem_free(c->dev, va);
}

/* Usage: test_runtime_capture [inproc|loomd|kernel] (default: inproc and loomd). */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(capture_chain_replay), T(capture_cross_stream), T(capture_errors),
		T(capture_fault),
	};

	return runtime_main(argc, argv, "runtime-capture", tests,
			    sizeof(tests) / sizeof(tests[0]));
}
