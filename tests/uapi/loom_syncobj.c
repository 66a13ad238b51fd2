// SPDX-License-Identifier: MIT
/*
 * loom_syncobj: SUBMIT with timeline syncobjs (DRM_LOOM_SUBMIT_TIMELINE,
 * DRIVER_SYNCOBJ_TIMELINE): in-fences at points, the job's fence added at
 * a point of the out-syncobj, the DRM core's timeline ioctls on the node,
 * and SUBMIT's errors for points.
 */
#include <errno.h>
#include <unistd.h>

#include "loom_submit.h"

static int __submit_tl(int fd, uint32_t q, const struct cb *cb, const uint32_t *in,
		       const uint64_t *in_points, uint32_t nin, uint32_t out, uint64_t out_point,
		       uint64_t *seq)
{
	struct drm_loom_submit s = {
		.queue_id = q, .flags = DRM_LOOM_SUBMIT_TIMELINE,
		.cb_ptr = (uintptr_t)cb->dw, .cb_size = cb->n * 4,
		.in_syncobjs = (uintptr_t)in, .in_syncobj_count = nin,
		.in_points = (uintptr_t)in_points, .out_syncobj = out, .out_point = out_point,
	};
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s);

	if (!r && seq)
		*seq = s.seq;
	return r;
}

/* DRM_IOCTL_SYNCOBJ_QUERY: the timeline's last signalled point. */
static uint64_t timeline_value(int fd, uint32_t h)
{
	uint64_t point = 0;
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point, .count_handles = 1,
	};

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &a), 0);
	return point;
}

/* DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT for one point; 0 or -errno (-ETIME). */
static int __timeline_wait(int fd, uint32_t h, uint64_t point, int64_t timeout_ns)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.timeout_nsec = now_ns() + timeout_ns, .count_handles = 1,
	};

	return __loom_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

/*
 * A (gated) signals point 1, C point 2 of one timeline; B on another
 * queue waits for point 1 only; the timeline's value follows.
 */
static void test_timeline_in_out(void)
{
	int fd = loom_open();
	struct gate g;
	uint32_t qa = queue_create(fd, NULL), qb = queue_create(fd, NULL);
	uint32_t tl = syncobj_create(fd), st;
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb a = { .n = 0 }, b = { .n = 0 }, c = { .n = 0 };
	uint64_t sa, sb, sc, one = 1;

	g.q = queue_create(fd, &g.sob);
	cb_wait(&a, g.sob, 1, 0);
	cb_write64(&a, bo.va, 1);
	loom_assert_eq(__submit_tl(fd, qa, &a, NULL, NULL, 0, tl, 1, &sa), 0);
	cb_write64(&b, bo.va + 8, 2);
	loom_assert_eq(__submit_tl(fd, qb, &b, &tl, &one, 1, 0, 0, &sb), 0);
	cb_write64(&c, bo.va + 16, 3);
	loom_assert_eq(__submit_tl(fd, qa, &c, NULL, NULL, 0, tl, 2, &sc), 0);
	usleep(50 * 1000);
	loom_assert_err(__wait(fd, qb, sb, 0, &st), ETIME);
	loom_assert_eq(timeline_value(fd, tl), 0);
	loom_assert_err(__timeline_wait(fd, tl, 1, 10 * 1000 * 1000), ETIME);
	gate_open(fd, &g);
	loom_assert_eq(__timeline_wait(fd, tl, 2, WAIT_NS), 0);
	loom_assert_eq(wait_status(fd, qb, sb), 0);
	loom_assert_eq(wait_status(fd, qa, sa), 0);
	loom_assert_eq(wait_status(fd, qa, sc), 0);
	loom_assert_eq(timeline_value(fd, tl), 2);
	loom_assert_eq(v[0], 1);
	loom_assert_eq(v[1], 2);
	loom_assert_eq(v[2], 3);
	/* Point 0: the timeline's newest fence, as a binary syncobj's. */
	{
		uint64_t zero = 0;

		loom_assert_eq(__submit_tl(fd, qb, &b, &tl, &zero, 1, 0, 0, &sb), 0);
		loom_assert_eq(wait_status(fd, qb, sb), 0);
	}
	close(fd);
}

/*
 * A job that fails signals its point too, with the error: a job waiting
 * on it (submitted while it ran) does not run. (Once a point has
 * signalled, the timeline keeps no error for it: dma_fence_chain lets go
 * of signalled links.)
 */
static void test_timeline_error(void)
{
	int fd = loom_open();
	struct gate g;
	uint32_t qa = queue_create(fd, NULL), qb = queue_create(fd, NULL);
	uint32_t tl = syncobj_create(fd);
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb bad = { .n = 0 }, b = { .n = 0 };
	uint64_t sa, sb, five = 5;

	g.q = queue_create(fd, &g.sob);
	cb_wait(&bad, g.sob, 1, 0);
	cb_memset(&bad, 0x7f0000000000ULL, 0, 4096);
	loom_assert_eq(__submit_tl(fd, qa, &bad, NULL, NULL, 0, tl, 5, &sa), 0);
	cb_write64(&b, bo.va, 1);
	loom_assert_eq(__submit_tl(fd, qb, &b, &tl, &five, 1, 0, 0, &sb), 0);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, qa, sa), LOOM_ERR_PAGE_FAULT);
	loom_assert_eq(wait_status(fd, qb, sb), LOOM_ERR_ABORTED);
	loom_assert_eq(v[0], 0);
	close(fd);
}

static void test_bad_timeline(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL), tl = syncobj_create(fd), none = 0;
	struct cb nop = { .n = 0 };
	uint64_t seq, nine = 9;
	struct drm_loom_submit s = { 0 };

	cb_nop(&nop);
	/* Points without the flag. */
	s = (struct drm_loom_submit){ .queue_id = q, .cb_ptr = (uintptr_t)nop.dw, .cb_size = 8,
		.out_syncobj = tl, .out_point = 1 };
	loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), EINVAL);
	s.out_point = 0;
	s.in_points = (uintptr_t)&nine;
	loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), EINVAL);
	/* A point with no fence yet: EINVAL; an unknown syncobj: ENOENT. */
	loom_assert_err(__submit_tl(fd, q, &nop, &tl, &nine, 1, 0, 0, &seq), EINVAL);
	loom_assert_err(__submit_tl(fd, q, &nop, &none, &nine, 1, 0, 0, &seq), ENOENT);
	loom_assert_err(__submit_tl(fd, q, &nop, NULL, NULL, 0, tl + 100, 1, &seq), ENOENT);
	/* Points that cannot be read: EFAULT. */
	loom_assert_err(__submit_tl(fd, q, &nop, &tl, (uint64_t *)8, 1, 0, 0, &seq), EFAULT);
	/* None of these took a sequence number. */
	loom_assert_eq(__submit_tl(fd, q, &nop, NULL, NULL, 0, tl, 1, &seq), 0);
	loom_assert_eq(seq, 1);
	loom_assert_eq(__timeline_wait(fd, tl, 1, WAIT_NS), 0);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "timeline-in-out", "SUBMIT waits on a timeline point and signals points; SYNCOBJ_QUERY and TIMELINE_WAIT follow",
	  test_timeline_in_out },
	{ "timeline-error", "a failed job's point carries its error: a job waiting on it does not run",
	  test_timeline_error },
	{ "bad-timeline", "points without the flag, a point with no fence: EINVAL; unknown syncobj ENOENT; unreadable points EFAULT",
	  test_bad_timeline },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
