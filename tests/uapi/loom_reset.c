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
#include <linux/sync_file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_submit.h"

#define PARAM_PATH	"/sys/module/loom/parameters/job_timeout_ms"
#define QRESET_PATH	"/sys/module/loom/parameters/queue_reset_timeout_ms"
#define TEST_TIMEOUT_MS	500

/* The parameters' values when the binary started, restored when it ends. */
static char saved_timeout[32], saved_qreset[32];

static int write_file_to(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -EIO;
}

static void read_param(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

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

static void save_timeout(void)
{
	read_param(PARAM_PATH, saved_timeout, sizeof(saved_timeout));
	read_param(QRESET_PATH, saved_qreset, sizeof(saved_qreset));
}

/*
 * Lower the driver's job timeout for this subtest; main() puts the old
 * value back once every subtest (each a child process) has ended.
 */
static void short_job_timeout(void)
{
	char buf[32];

	if (!saved_timeout[0])
		loom_skip("no %s", PARAM_PATH);
	snprintf(buf, sizeof(buf), "%u", TEST_TIMEOUT_MS);
	loom_assert_eq(write_param(buf), 0);
}

/* A job that waits on its own queue's SOB for ever (device watchdog: 60 s). */
static void cb_hang(struct cb *cb, uint32_t own_sob)
{
	cb_wait(cb, own_sob, 0x40000000, 60000);
}

/*
 * A hung job on a queue that keeps getting new jobs (each of which
 * restarts drm_sched's timer when it reaches the ring) still times out:
 * within a few job timeouts, not never.
 */
static void test_hang_busy(void)
{
	int fd;
	uint32_t sob, q, st;
	struct cb hang = { .n = 0 }, nop = { .n = 0 };
	uint64_t s1;
	int i, r = -ETIME;

	short_job_timeout();
	fd = loom_open();
	q = queue_create(fd, &sob);
	cb_hang(&hang, sob);
	cb_nop(&nop);
	s1 = submit_cb(fd, q, &hang);
	/* A job every 100 ms, for at most 20 job timeouts. */
	for (i = 0; i < 20 * TEST_TIMEOUT_MS / 100; i++) {
		r = __wait(fd, q, s1, 0, &st);
		if (r != -ETIME)
			break;
		submit_cb(fd, q, &nop);
		usleep(100 * 1000);
	}
	loom_assert_eq(r, 0);
	loom_assert_eq(st, LOOM_ERR_TIMEOUT);
	close(fd);
}

static void test_hang(void)
{
	int fd;
	uint32_t sob, q;
	struct bo bo;
	volatile uint64_t *v;
	struct cb hang = { .n = 0 }, after = { .n = 0 };
	uint32_t so1, so2;
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
	so1 = syncobj_create(fd);
	so2 = syncobj_create(fd);
	t0 = now_ns();
	loom_assert_eq(__submit_full(fd, q, hang.dw, hang.n * 4, NULL, 0, so1, &s1), 0);
	loom_assert_eq(__submit_full(fd, q, after.dw, after.n * 4, NULL, 0, so2, &s2), 0);
	loom_assert_eq(wait_status(fd, q, s1), LOOM_ERR_TIMEOUT);
	dt = now_ns() - t0;
	/* The driver's timeout, not the device's, ended it. */
	loom_assert(dt >= (TEST_TIMEOUT_MS - 50) * 1000000LL);
	loom_assert(dt < 20000 * 1000000LL);
	loom_assert_eq(wait_status(fd, q, s2), LOOM_ERR_ABORTED);
	/* Both fences signalled with -EIO (docs/uapi.md). */
	loom_assert_eq(syncobj_fence_status(fd, so1), -EIO);
	loom_assert_eq(syncobj_fence_status(fd, so2), -EIO);
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

/* debugfs reset_device of the device behind fd: mounts debugfs, or skips. */
static void reset_device(int fd)
{
	char addr[64], path[192];

	if (access("/sys/kernel/debug/accel", F_OK)) {
		mkdir("/sys/kernel/debug", 0755);
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) && errno != EBUSY)
			loom_skip("cannot mount debugfs: %s", strerror(errno));
	}
	loom_pci_address(fd, addr, sizeof(addr));
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/reset_device", addr);
	if (access(path, F_OK))
		loom_skip("no %s", path);
	loom_assert_eq(loom_write_file(path, "1"), 0);
}

static void test_device_reset(void)
{
	int fd = loom_open(), fd2 = loom_open();
	uint32_t sob, sob2, q = queue_create(fd, &sob), q2 = queue_create(fd2, &sob2);
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST), bo2 = bo_new(fd2, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map, *v2 = bo2.map;
	struct cb hang = { .n = 0 }, hang2 = { .n = 0 }, w = { .n = 0 }, w2 = { .n = 0 };
	uint64_t s1, s2, s3, s4;

	/* Both files have a job on the device when it resets. */
	cb_hang(&hang, sob);
	cb_hang(&hang2, sob2);
	s1 = submit_cb(fd, q, &hang);
	s2 = submit_cb(fd2, q2, &hang2);
	usleep(50 * 1000);
	reset_device(fd);
	loom_assert_eq(wait_status(fd, q, s1), LOOM_ERR_ABORTED);
	loom_assert_eq(wait_status(fd2, q2, s2), LOOM_ERR_ABORTED);
	/*
	 * Both work again, in their own address spaces (the contexts were
	 * restored), and the SOBs were given back their values.
	 */
	cb_write64(&w, bo.va, 11);
	cb_write64(&w2, bo2.va, 22);
	s3 = submit_cb(fd, q, &w);
	s4 = submit_cb(fd2, q2, &w2);
	loom_assert_eq(wait_status(fd, q, s3), 0);
	loom_assert_eq(wait_status(fd2, q2, s4), 0);
	loom_assert_eq(*v, 11);
	loom_assert_eq(*v2, 22);
	w.n = 0;
	cb_wait(&w, sob, (uint32_t)s3, 1000);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &w)), 0);
	/* New queues too. */
	{
		uint32_t q3 = queue_create(fd, NULL);
		struct cb nop = { .n = 0 };

		cb_nop(&nop);
		loom_assert_eq(wait_status(fd, q3, submit_cb(fd, q3, &nop)), 0);
	}
	close(fd2);
	close(fd);
}

static void restore_qreset(void)
{
	if (saved_qreset[0])
		write_file_to(QRESET_PATH, saved_qreset);
}

static void test_escalate_device_reset(void)
{
	int fd, fd2;
	uint32_t sob, sob2, gsob, q, q2, gq;
	struct cb hang = { .n = 0 }, after = { .n = 0 }, gated = { .n = 0 }, nop = { .n = 0 };
	uint64_t s1, s2, s3;

	if (!saved_timeout[0] || !saved_qreset[0])
		loom_skip("no %s or %s", PARAM_PATH, QRESET_PATH);
	/* 2 s: the other file's job, 1 s younger than the hung one, is not hung yet. */
	loom_assert_eq(write_param("2000"), 0);
	atexit(restore_qreset);		/* a failed assertion exits through exit() */
	fd = loom_open();
	fd2 = loom_open();
	q = queue_create(fd, &sob);
	q2 = queue_create(fd2, &sob2);
	gq = queue_create(fd2, &gsob);
	cb_hang(&hang, sob);
	cb_nop(&after);
	cb_wait(&gated, gsob, 1, 0);
	cb_nop(&nop);
	/* A queue reset that does not finish at once resets the whole device. */
	loom_assert_eq(write_file_to(QRESET_PATH, "0"), 0);
	s1 = submit_cb(fd, q, &hang);
	s2 = submit_cb(fd, q, &after);
	usleep(1000 * 1000);
	s3 = submit_cb(fd2, q2, &gated);
	loom_assert_eq(wait_status(fd, q, s1), LOOM_ERR_TIMEOUT);
	loom_assert_eq(wait_status(fd, q, s2), LOOM_ERR_ABORTED);
	/* The device reset took the other file's job too. */
	loom_assert_eq(wait_status(fd2, q2, s3), LOOM_ERR_ABORTED);
	restore_qreset();
	/* Everything works again. */
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &nop)), 0);
	loom_assert_eq(wait_status(fd2, q2, submit_cb(fd2, q2, &nop)), 0);
	loom_assert_eq(wait_status(fd2, gq, submit_cb(fd2, gq, &nop)), 0);
	close(fd2);
	close(fd);
}

static void test_unbind_with_jobs(void)
{
	int fd = loom_open();
	uint32_t sob, q = queue_create(fd, &sob), so = syncobj_create(fd), st;
	struct cb hang = { .n = 0 }, nop = { .n = 0 };
	char addr[64];
	uint64_t s1;

	loom_pci_address(fd, addr, sizeof(addr));
	cb_hang(&hang, sob);
	cb_nop(&nop);
	loom_assert_eq(__submit_full(fd, q, hang.dw, hang.n * 4, NULL, 0, so, &s1), 0);
	submit_cb(fd, q, &nop);
	usleep(50 * 1000);
	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/unbind", addr), 0);
	/* The file outlives the device: everything answers ENODEV, nothing hangs. */
	loom_assert_err(__wait(fd, q, s1, WAIT_NS, &st), ENODEV);
	loom_assert_err(__submit(fd, q, nop.dw, nop.n * 4), ENODEV);
	loom_assert_err(__queue_create(fd, &q, NULL), ENODEV);
	close(fd);		/* frees the queue without the device */
	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/bind", addr), 0);
	for (int i = 0; i < 1000; i++) {
		fd = __loom_open();
		if (fd >= 0)
			break;
		usleep(10000);
	}
	loom_assert(fd >= 0);
	q = queue_create(fd, NULL);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &nop)), 0);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "hang", "a job past loom.job_timeout_ms: LOOM_ERR_TIMEOUT, the next one ABORTED, fences -EIO", test_hang },
	{ "hang-busy", "a hung job times out although new jobs keep coming behind it", test_hang_busy },
	{ "submit-after-reset", "the reset queue runs new jobs; its SOB caught up", test_submit_after_reset },
	{ "other-context-unaffected", "another file's queues run all through a hang and its reset",
	  test_other_context_unaffected },
	{ "device-watchdog", "the device's WAIT timeout fails the job; the queue goes on", test_device_watchdog },
	{ "close-while-hung", "closing a file whose queue hangs", test_close_while_hung },
	{ "device-reset", "a device reset (debugfs): jobs ABORTED, contexts and queues work again",
	  test_device_reset },
	{ "escalate-device-reset", "a queue that does not reset in time: device reset, every queue recovers",
	  test_escalate_device_reset },
	{ "unbind-with-jobs", "unbinding with jobs on the device: ENODEV, then close; binds again",
	  test_unbind_with_jobs },
};

int main(int argc, char **argv)
{
	int ret;

	save_timeout();
	ret = loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
	if (saved_timeout[0])
		write_param(saved_timeout);
	if (saved_qreset[0])
		write_file_to(QRESET_PATH, saved_qreset);
	return ret;
}
