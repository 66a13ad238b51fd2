// SPDX-License-Identifier: MIT
/*
 * loom_sched: what the queues' drm_sched schedulers promise, run in the
 * QEMU guest against loom.ko and loomd (vm/run.sh): a job that fails
 * without running still takes its turn on the device (its SOB value is
 * reached), a destroyed queue's jobs that still wait for in-fences fail
 * only once those signal (and the destroy does not wait for them), and
 * jobs larger than what the CB area holds at once all run, in order
 * (the scheduler's credits), and a job's fence outlives its queue and its
 * file (what it names stays readable: KASAN watches on the debug kernel).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "loom_submit.h"

/*
 * A job that fails in SUBMIT (debugfs fail_add_fence: after it got its
 * number) sets its queue's SOB to its sequence number all the same, so a
 * WAIT packet for it on another queue goes on.
 */
static void test_abort_sets_sob(void)
{
	int fd = loom_open();
	uint32_t sob_a, qa = queue_create(fd, &sob_a), qb = queue_create(fd, NULL);
	struct cb nop = { .n = 0 }, b = { .n = 0 };
	char path[192];
	uint64_t sb;

	loom_debugfs_path(fd, "fail_add_fence", path, sizeof(path));
	cb_nop(&nop);
	loom_assert_eq(loom_write_file(path, "1"), 0);
	loom_assert_err(__submit(fd, qa, nop.dw, nop.n * 4), ENOMEM);
	loom_assert_eq(loom_write_file(path, "0"), 0);
	loom_assert_eq(wait_status(fd, qa, 1), LOOM_ERR_ABORTED);
	/* The device's own watchdog fails B if the SOB never gets there. */
	cb_wait(&b, sob_a, 1, 5000);
	sb = submit_cb(fd, qb, &b);
	loom_assert_eq(wait_status(fd, qb, sb), 0);
	close(fd);
}

/*
 * Destroying a queue whose job waits for an in-fence returns at once; the
 * job never runs, and its fence signals (drm_sched's -ESRCH) only after
 * the in-fence has.
 */
static void test_destroy_blocked(void)
{
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t qa = queue_create(fd, NULL), qc = queue_create(fd, NULL);
	uint32_t so_a = syncobj_create(fd), so_c = syncobj_create(fd);
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb a = { .n = 0 }, c = { .n = 0 };
	uint64_t sa, sc;
	int64_t t0;

	cb_wait(&a, g.sob, 1, 0);
	loom_assert_eq(__submit_full(fd, qa, a.dw, a.n * 4, NULL, 0, so_a, &sa), 0);
	cb_write64(&c, bo.va, 1);
	loom_assert_eq(__submit_full(fd, qc, c.dw, c.n * 4, &so_a, 1, so_c, &sc), 0);
	t0 = now_ns();
	loom_assert_eq(__queue_destroy(fd, qc), 0);
	/* Not held up by A, which waits at the gate for as long as it is shut. */
	loom_assert(now_ns() - t0 < 2000 * 1000000LL);
	usleep(50 * 1000);
	loom_assert_eq(syncobj_fence_status(fd, so_c), 0);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, qa, sa), 0);
	loom_assert_eq(__syncobj_wait(fd, so_c, WAIT_NS), 0);
	loom_assert_eq(syncobj_fence_status(fd, so_c), -ESRCH);
	loom_assert_eq(v[0], 0);
	close(fd);
}

/*
 * Jobs of the largest size, more than the queue's CB area holds at once,
 * all queued behind a gate: each runs in its turn, once the ones before
 * it have left room, and each writes its own value.
 */
static void test_cb_area_full(void)
{
	enum { NJOBS = 8 };
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t q = queue_create(fd, NULL);
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	uint32_t *big = malloc(DRM_LOOM_CB_MAX_SIZE);
	uint64_t seq[NJOBS];
	unsigned int i, j;

	loom_assert(big != NULL);
	for (i = 0; i < NJOBS; i++) {
		struct cb head = { .n = 0 }, tail = { .n = 0 };
		uint32_t nop_dw = sizeof(struct loom_pkt_nop) / 4, fill;

		if (i == 0)
			cb_wait(&head, g.sob, 1, 0);
		cb_write64(&tail, bo.va + 8 * i, 100 + i);
		memset(big, 0, DRM_LOOM_CB_MAX_SIZE);	/* NOPs' reserved words */
		memcpy(big, head.dw, head.n * 4);
		fill = DRM_LOOM_CB_MAX_SIZE / 4 - head.n - tail.n;
		loom_assert_eq(fill % nop_dw, 0);
		for (j = 0; j < fill; j += nop_dw)
			big[head.n + j] = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, nop_dw);
		memcpy(big + head.n + fill, tail.dw, tail.n * 4);
		loom_assert_eq(__submit_full(fd, q, big, DRM_LOOM_CB_MAX_SIZE, NULL, 0, 0, &seq[i]),
			       0);
	}
	usleep(50 * 1000);
	loom_assert_eq(v[0], 0);
	gate_open(fd, &g);
	for (i = 0; i < NJOBS; i++) {
		loom_assert_eq(wait_status(fd, q, seq[i]), 0);
		loom_assert_eq(v[i], 100 + i);
	}
	free(big);
	close(fd);
}

/*
 * A job's fence, as a sync_file, outlives its queue and the file: its
 * driver and timeline names (which point into the scheduler) still read.
 */
static void test_fence_outlives_queue(void)
{
	int fd = loom_open(), sf;
	uint32_t q = queue_create(fd, NULL), so = syncobj_create(fd);
	struct drm_syncobj_handle h = {
		.handle = so, .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, .fd = -1,
	};
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = {
		.num_fences = 1, .sync_fence_info = (uintptr_t)&fi,
	};
	struct cb nop = { .n = 0 };
	uint64_t seq;

	cb_nop(&nop);
	loom_assert_eq(__submit_full(fd, q, nop.dw, nop.n * 4, NULL, 0, so, &seq), 0);
	loom_assert_eq(wait_status(fd, q, seq), 0);
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), 0);
	sf = h.fd;
	loom_assert_eq(__queue_destroy(fd, q), 0);
	close(fd);
	loom_assert_eq(ioctl(sf, SYNC_IOC_FILE_INFO, &info), 0);
	loom_assert_eq(info.status, 1);
	loom_assert_eq(fi.status, 1);
	loom_assert(fi.driver_name[0] && fi.obj_name[0]);
	close(sf);
}

static const struct loom_subtest tests[] = {
	{ "abort-sets-sob", "a job failing in SUBMIT takes its turn: its SOB value is reached",
	  test_abort_sets_sob },
	{ "destroy-blocked", "destroying a queue whose job waits for an in-fence: at once; -ESRCH after it",
	  test_destroy_blocked },
	{ "cb-area-full", "more of the largest jobs than the CB area holds: all run, in order",
	  test_cb_area_full },
	{ "fence-outlives-queue", "a job's sync_file outlives its queue and file: its names still read",
	  test_fence_outlives_queue },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
