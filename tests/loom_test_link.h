/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the device link programs (test_link, test_link_loomd):
 * the DRAM and window sizes, time helpers, memfd windows, and requests
 * through a link (a plain request, HELLO with a window and interrupt
 * eventfds). Header-only; fixture code, no tests.
 */
#ifndef LOOM_TEST_LINK_H
#define LOOM_TEST_LINK_H

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "device/loom_link.h"

#define MiB		(1ULL << 20)
#define TEST_DRAM	(64 * MiB)
#define WINDOW_SIZE	(1 * MiB)

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static inline int make_window(uint64_t size)
{
	int fd = memfd_create("test-window", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return fd;
}

static inline void close_fds(const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

static inline bool fd_is_eventfd(int fd)
{
	char path[64], buf[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return !strcmp(buf, "anon_inode:[eventfd]");
}

/* ---- Requests through a link ------------------------------------------------ */

static inline int link_req(struct loom_link *l, uint32_t type, uint64_t a0, uint64_t a1,
			   struct loom_link_msg *out)
{
	struct loom_link_msg m = { .type = type, .arg = { a0, a1 } };
	int fds[LOOM_LINK_MAX_FDS];
	unsigned n = 0;
	int ret = loom_link_call(l, &m, NULL, 0, fds, &n);

	close_fds(fds, n);
	if (out)
		*out = m;
	return ret;
}

/* HELLO with a window and nirq interrupt eventfds; returns the status. */
static inline int hello_link(struct loom_link *l, unsigned nirq, struct loom_link_msg *out)
{
	struct loom_link_msg m = { .type = LOOM_LINK_HELLO, .arg = { LOOM_LINK_VERSION, WINDOW_SIZE } };
	int in[5], fds[LOOM_LINK_MAX_FDS];
	unsigned n = 0;
	int ret;

	in[0] = make_window(WINDOW_SIZE);
	for (unsigned i = 1; i <= nirq; i++)
		in[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ret = loom_link_call(l, &m, in, 1 + nirq, fds, &n);
	close_fds(in, 1 + nirq);
	if (!ret)
		assert_int_equal(n, 2);
	close_fds(fds, n);
	if (out)
		*out = m;
	return ret;
}

#endif /* LOOM_TEST_LINK_H */
