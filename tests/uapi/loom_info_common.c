// SPDX-License-Identifier: MIT
/*
 * loom_info_common: the helpers loom_info, loom_events and loom_hwmon
 * share (see loom_info_common.h).
 */
#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "loom_info_common.h"

#define DEBUGFS		"/sys/kernel/debug"

void info(int fd, uint32_t query, void *data, uint32_t size)
{
	int r;

	memset(data, 0xa5, size);
	r = __loom_info(fd, query, data, size);
	if (r)
		loom_igt_fail(__FILE__, __LINE__, "INFO query %u: %s", query, strerror(-r));
}

uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

long long read_ll(const char *path)
{
	char buf[64], *end;
	long long v;
	int r = loom_read_file(path, buf, sizeof(buf));

	if (r)
		loom_igt_fail(__FILE__, __LINE__, "read %s: %s", path, strerror(-r));
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		loom_igt_fail(__FILE__, __LINE__, "%s: not a number: '%s'", path, buf);
	return v;
}

void hwmon_dir(char *dir, size_t size)
{
	glob_t g;
	char name[64];

	if (glob("/sys/class/hwmon/hwmon*/name", 0, NULL, &g))
		loom_skip("no hwmon devices");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (loom_read_file(g.gl_pathv[i], name, sizeof(name)) || strcmp(name, "loom\n"))
			continue;
		snprintf(dir, size, "%.*s", (int)(strlen(g.gl_pathv[i]) - 5), g.gl_pathv[i]);
		globfree(&g);
		return;
	}
	globfree(&g);
	loom_igt_fail(__FILE__, __LINE__, "no hwmon device named loom");
}

void sysfs_dev_dir(int fd, char *dir, size_t size)
{
	struct stat st;

	loom_assert_eq(fstat(fd, &st), 0);
	snprintf(dir, size, "/sys/dev/char/%u:%u/device", major(st.st_rdev), minor(st.st_rdev));
}

void debugfs_dir(int fd, char *dir, size_t size)
{
	char addr[64];

	if (access(DEBUGFS "/accel", F_OK)) {
		mkdir(DEBUGFS, 0755);
		if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY)
			loom_skip("cannot mount debugfs: %s", strerror(errno));
	}
	loom_pci_address(fd, addr, sizeof(addr));
	snprintf(dir, size, DEBUGFS "/accel/%s", addr);
	if (access(dir, F_OK))
		loom_skip("no debugfs directory %s", dir);
}

int eventfd_args(int fd, struct drm_loom_eventfd *a)
{
	return __loom_ioctl(fd, DRM_IOCTL_LOOM_EVENTFD, a);
}

int __eventfd_register(int fd, int efd)
{
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd };

	return eventfd_args(fd, &a);
}

int __eventfd_unregister(int fd)
{
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_UNREGISTER };

	return eventfd_args(fd, &a);
}

unsigned events_read(int fd, struct drm_loom_event *ev, unsigned n, uint32_t *lost)
{
	struct drm_loom_eventfd a = {
		.op = DRM_LOOM_EVENTFD_OP_READ,
		.count = n,
		.events_ptr = (uintptr_t)ev,
	};

	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert(a.count <= n);
	if (lost)
		*lost = a.lost;
	return a.count;
}

void events_drain(int fd)
{
	struct drm_loom_event ev[DRM_LOOM_EVENT_QUEUE_DEPTH];

	while (events_read(fd, ev, DRM_LOOM_EVENT_QUEUE_DEPTH, NULL))
		;
}

uint64_t eventfd_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) != 1)
		return 0;
	loom_assert_eq(read(efd, &v, sizeof(v)), sizeof(v));
	return v;
}

bool events_find(int fd, uint32_t type, uint64_t addr, struct drm_loom_event *out)
{
	struct drm_loom_event ev[DRM_LOOM_EVENT_QUEUE_DEPTH];
	bool found = false;
	unsigned n;

	while ((n = events_read(fd, ev, DRM_LOOM_EVENT_QUEUE_DEPTH, NULL))) {
		for (unsigned i = 0; i < n; i++) {
			if (found || ev[i].type != type || (addr != ~0ULL && ev[i].addr != addr))
				continue;
			*out = ev[i];
			found = true;
		}
	}
	return found;
}
