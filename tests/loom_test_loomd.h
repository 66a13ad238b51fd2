/* SPDX-License-Identifier: MIT */
/*
 * Test helpers shared by the runtime suites: run a private loomd on a
 * socket in a fresh temporary directory, and reap child processes with a
 * deadline. Header-only (static functions) so that each suite stays one
 * source file.
 *
 * The daemon is started with PR_SET_PDEATHSIG so that it dies with the
 * test even if the test crashes; loomd_stop() ends it with SIGTERM (then
 * SIGKILL after a deadline) and returns its wait status.
 */
#ifndef LOOM_TEST_LOOMD_H
#define LOOM_TEST_LOOMD_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef LOOMD_PATH
#define LOOMD_PATH "loomd"
#endif

struct loom_test_loomd {
	pid_t pid;
	char dir[64];
	char sock[96];
	char uri[104];
};

static inline uint64_t loom_test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline void loom_test_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Wait up to timeout_ms for pid to exit. Returns its wait status, or -1
 * after killing it with SIGKILL (and reaping it) when the deadline passed.
 */
static inline int loom_test_reap(pid_t pid, unsigned timeout_ms)
{
	uint64_t deadline = loom_test_now_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (loom_test_now_ms() >= deadline)
			break;
		loom_test_sleep_ms(5);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/* Does something accept connections on path? */
static inline bool loom_test_sock_ready(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/*
 * Start loomd with dram (e.g. "512M") on DIR/loom0.sock, DIR a new
 * temporary directory, and wait (10 s at most) until it accepts. extra:
 * one more argument for loomd, or NULL. Returns 0 or -1.
 */
static inline int loom_test_loomd_start(struct loom_test_loomd *d, const char *dram,
					const char *extra)
{
	const char *bin = getenv("LOOMD");
	const char *tmp = getenv("TMPDIR");
	pid_t parent = getpid();
	uint64_t deadline;

	memset(d, 0, sizeof(*d));
	d->pid = -1;
	if (!bin || !*bin)
		bin = LOOMD_PATH;
	/* Not under LOOM_SOCKET_DIR: other suites must not discover it. */
	if (!tmp || !*tmp || strlen(tmp) > 32)
		tmp = "/tmp";
	snprintf(d->dir, sizeof(d->dir), "%s/loom-test-XXXXXX", tmp);
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->sock, sizeof(d->sock), "%s/loom0.sock", d->dir);
	snprintf(d->uri, sizeof(d->uri), "unix:%s", d->sock);

	d->pid = fork();
	if (d->pid < 0) {
		rmdir(d->dir);
		return -1;
	}
	if (!d->pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		execl(bin, "loomd", "-s", d->sock, "-d", dram, "-q", extra, (char *)NULL);
		_exit(127);
	}
	deadline = loom_test_now_ms() + 10000;
	while (loom_test_now_ms() < deadline) {
		int status;

		if (loom_test_sock_ready(d->sock))
			return 0;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = -1;
			break;
		}
		loom_test_sleep_ms(10);
	}
	if (d->pid > 0)
		loom_test_reap(d->pid, 0);
	d->pid = -1;
	unlink(d->sock);
	rmdir(d->dir);
	return -1;
}

/* SIGTERM, 10 s to exit, then SIGKILL. Returns loomd's wait status or -1. */
static inline int loom_test_loomd_stop(struct loom_test_loomd *d)
{
	int status = -1;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		status = loom_test_reap(d->pid, 10000);
		d->pid = -1;
	}
	unlink(d->sock);
	if (d->dir[0])
		rmdir(d->dir);
	d->dir[0] = 0;
	return status;
}

#endif /* LOOM_TEST_LOOMD_H */
