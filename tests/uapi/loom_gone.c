// SPDX-License-Identifier: MIT
/*
 * loom_gone: the device going away under running work — loomd killed
 * while a job runs. Run in the QEMU guest after every other test
 * (vm/guest-init.sh runs the *_gone binaries last): the subtest prints
 * "LOOM-VM: kill-loomd", on which the host harness (vm/run.sh) kills
 * loomd; the driver must notice (the firmware heartbeat stops), fail the
 * job, answer ENODEV from then on, and let the files close without an
 * oops. Without a harness that serves the marker, the subtest skips.
 */
#include <stdio.h>
#include <unistd.h>

#include "loom_submit.h"

static void test_loomd_killed_mid_job(void)
{
	int fd = loom_open();
	uint32_t sob, q = queue_create(fd, &sob), so = syncobj_create(fd), st = 0, id;
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb hang = { .n = 0 }, after = { .n = 0 };
	uint64_t s1, s2;
	int64_t t0;
	int r;

	/* A job that runs until something stops it, and one queued behind it. */
	cb_wait(&hang, sob, 0x40000000, 60000);
	cb_write64(&after, bo.va, 1);
	loom_assert_eq(__submit_full(fd, q, hang.dw, hang.n * 4, NULL, 0, so, &s1), 0);
	s2 = submit_cb(fd, q, &after);
	usleep(100 * 1000);
	loom_assert_err(__wait(fd, q, s1, 0, &st), ETIME);

	printf("LOOM-VM: kill-loomd\n");
	fflush(stdout);
	t0 = now_ns();
	r = __wait(fd, q, s1, 30ULL * 1000 * 1000 * 1000, &st);
	if (r == 0 || r == -ETIME)
		loom_skip("loomd was not killed (no harness serving LOOM-VM: kill-loomd): %d, status %u",
			  r, st);
	loom_assert_err(r, ENODEV);
	/* The heartbeat's 3 s, the mailbox's 5 s, and the watchdog's period. */
	loom_assert(now_ns() - t0 < 15 * 1000000000LL);
	/* The job's fence signalled (with an error): nobody waits for ever. */
	loom_assert_eq(__syncobj_wait(fd, so, 1000 * 1000 * 1000), 0);
	loom_assert_err(__wait(fd, q, s2, WAIT_NS, &st), ENODEV);
	loom_assert_err(__submit(fd, q, after.dw, after.n * 4), ENODEV);
	loom_assert_err(__queue_create(fd, &id, NULL), ENODEV);
	loom_assert_eq(*v, 0);
	loom_assert_eq(__queue_destroy(fd, q), 0);
	close(fd);
}

static void test_after_gone(void)
{
	int fd = __loom_open();
	uint32_t id;

	if (fd < 0)
		loom_skip("no device node: %s", strerror(-fd));
	/* A file opened afterwards gets ENODEV too, and closes cleanly. */
	loom_assert_err(__queue_create(fd, &id, NULL), ENODEV);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "loomd-killed-mid-job", "loomd killed while a job runs: the job fails, ENODEV, clean close",
	  test_loomd_killed_mid_job, 60 },
	{ "after-gone", "a file opened after the device went: ENODEV", test_after_gone },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
