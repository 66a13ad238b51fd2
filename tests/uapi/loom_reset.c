// SPDX-License-Identifier: MIT
/*
 * loom_reset: hangs and the driver's recovery, run in the QEMU guest
 * against loom.ko and loomd (vm/run.sh). A hang is a WAIT packet on the
 * queue's own SOB for a value it never reaches, with a device watchdog
 * (the packet's timeout_ms) far longer than the driver's job timeout,
 * which these tests lower through /sys/module/loom/parameters.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_submit.h"

#define PARAM_PATH	"/sys/module/loom/parameters/job_timeout_ms"
#define TEST_TIMEOUT_MS	500

static char saved_timeout[32];

static int write_param(const char *value)
{
	int fd = open(PARAM_PATH, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -EIO;
}

static void restore_timeout(void)
{
	if (saved_timeout[0])
		write_param(saved_timeout);
}

/* Lower the driver's job timeout for this subtest (restored when it exits). */
static void short_job_timeout(void)
{
	char buf[32];
	int fd = open(PARAM_PATH, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		loom_skip("no %s: %s", PARAM_PATH, strerror(errno));
	n = read(fd, saved_timeout, sizeof(saved_timeout) - 1);
	close(fd);
	loom_assert(n > 0);
	saved_timeout[n] = '\0';
	atexit(restore_timeout);
	snprintf(buf, sizeof(buf), "%u", TEST_TIMEOUT_MS);
	loom_assert_eq(write_param(buf), 0);
}

/* A job that waits on its own queue's SOB for ever (device watchdog: 60 s). */
static void cb_hang(struct cb *cb, uint32_t own_sob)
{
	cb_wait(cb, own_sob, 0x40000000, 60000);
}

static void test_hang(void)
{
	int fd;
	uint32_t sob, q;
	struct bo bo;
	volatile uint64_t *v;
	struct cb hang = { .n = 0 }, after = { .n = 0 };
	uint64_t s1, s2;
	int64_t t0, dt;

	short_job_timeout();
	fd = loom_open();
	q = queue_create(fd, &sob);
	bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	v = bo.map;
	cb_hang(&hang, sob);
	cb_write64(&hang, bo.va, 1);
	cb_write64(&after, bo.va + 8, 2);
	t0 = now_ns();
	s1 = submit_cb(fd, q, &hang);
	s2 = submit_cb(fd, q, &after);
	loom_assert_eq(wait_status(fd, q, s1), LOOM_ERR_TIMEOUT);
	dt = now_ns() - t0;
	/* The driver's timeout, not the device's, ended it. */
	loom_assert(dt >= (TEST_TIMEOUT_MS - 50) * 1000000LL);
	loom_assert(dt < 20000 * 1000000LL);
	loom_assert_eq(wait_status(fd, q, s2), LOOM_ERR_ABORTED);
	loom_assert_eq(v[0], 0);
	loom_assert_eq(v[1], 0);
	close(fd);
}

static void test_submit_after_reset(void)
{
	int fd;
	uint32_t sob, q, so;
	struct bo bo;
	volatile uint64_t *v;
	struct cb hang = { .n = 0 }, good = { .n = 0 }, wait_own = { .n = 0 };
	uint64_t s1, s2;

	short_job_timeout();
	fd = loom_open();
	q = queue_create(fd, &sob);
	so = syncobj_create(fd);
	bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	v = bo.map;
	cb_hang(&hang, sob);
	loom_assert_eq(__submit_full(fd, q, hang.dw, hang.n * 4, NULL, 0, so, &s1), 0);
	loom_assert_eq(wait_status(fd, q, s1), LOOM_ERR_TIMEOUT);
	/* The fence of the hung job signalled (with an error) too. */
	loom_assert_eq(__syncobj_wait(fd, so, WAIT_NS), 0);
	/* The same queue runs new work. */
	cb_write64(&good, bo.va, 42);
	s2 = submit_cb(fd, q, &good);
	loom_assert_eq(s2, s1 + 1);
	loom_assert_eq(wait_status(fd, q, s2), 0);
	loom_assert_eq(*v, 42);
	/*
	 * The SOB caught up with the failed job, then counted the new one:
	 * a WAIT for s2 on it passes at once.
	 */
	cb_wait(&wait_own, sob, (uint32_t)s2, 1000);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &wait_own)), 0);
	/* And the hang can happen again, and be recovered again. */
	hang.n = 0;
	cb_hang(&hang, sob);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &hang)), LOOM_ERR_TIMEOUT);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &good)), 0);
	close(fd);
}

static void test_other_context_unaffected(void)
{
	int fd_hang, fd;
	uint32_t sob, qh, q, q2;
	struct bo bo;
	volatile uint64_t *v;
	struct cb hang = { .n = 0 };
	uint64_t sh;
	int64_t end;
	unsigned i = 0;

	short_job_timeout();
	fd_hang = loom_open();
	fd = loom_open();
	qh = queue_create(fd_hang, &sob);
	q = queue_create(fd, NULL);
	q2 = queue_create(fd, NULL);
	bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	v = bo.map;
	cb_hang(&hang, sob);
	sh = submit_cb(fd_hang, qh, &hang);
	/* The other context works all through the hang and its reset. */
	end = now_ns() + 3 * TEST_TIMEOUT_MS * 1000000LL;
	while (now_ns() < end) {
		struct cb cb = { .n = 0 };
		uint64_t s;

		i++;
		cb_write64(&cb, bo.va, i);
		s = submit_cb(fd, i % 2 ? q : q2, &cb);
		loom_assert_eq(wait_status(fd, i % 2 ? q : q2, s), 0);
		loom_assert_eq(*v, i);
	}
	loom_assert_eq(wait_status(fd_hang, qh, sh), LOOM_ERR_TIMEOUT);
	loom_assert(i > 10);
	close(fd);
	close(fd_hang);
}

static void test_device_watchdog(void)
{
	int fd = loom_open();
	uint32_t sob, q = queue_create(fd, &sob);
	struct cb w = { .n = 0 }, nop = { .n = 0 };

	/* The device's own WAIT watchdog (100 ms) fails the job first. */
	cb_wait(&w, sob, 0x40000000, 100);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &w)), LOOM_ERR_TIMEOUT);
	cb_nop(&nop);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &nop)), 0);
	close(fd);
}

static void test_close_while_hung(void)
{
	int status;
	pid_t pid;

	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0) {
		int fd = loom_open();
		uint32_t sob, q = queue_create(fd, &sob);
		struct cb hang = { .n = 0 };

		cb_hang(&hang, sob);
		submit_cb(fd, q, &hang);
		submit_cb(fd, q, &hang);
		usleep(100 * 1000);	/* running on the device now */
		_exit(0);		/* closes the file with the jobs in flight */
	}
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	loom_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	{
		int fd = loom_open();
		uint32_t q = queue_create(fd, NULL);
		struct cb nop = { .n = 0 };

		cb_nop(&nop);
		loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &nop)), 0);
		close(fd);
	}
}

static const struct loom_subtest tests[] = {
	{ "hang", "a job past loom.job_timeout_ms: LOOM_ERR_TIMEOUT, the next one ABORTED", test_hang },
	{ "submit-after-reset", "the reset queue runs new jobs; its SOB caught up", test_submit_after_reset },
	{ "other-context-unaffected", "another file's queues run all through a hang and its reset",
	  test_other_context_unaffected },
	{ "device-watchdog", "the device's WAIT timeout fails the job; the queue goes on", test_device_watchdog },
	{ "close-while-hung", "closing a file whose queue hangs", test_close_while_hung },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
