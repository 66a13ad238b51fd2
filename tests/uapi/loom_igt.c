// SPDX-License-Identifier: MIT
/*
 * The guest tests' harness (see loom_igt.h): subtests in child processes
 * under a time limit, TAP output, and the device helpers every test uses.
 * A child reports why it failed or skipped through a shared page, since
 * its own output may be cut short by the crash that ends it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_igt.h"

#define LOOM_IGT_EXIT_SKIP	77

static char *loom_igt_reason;	/* shared page: the child's last words */
#define LOOM_IGT_REASON_SIZE	4096

static void loom_igt_vreason(const char *prefix, const char *fmt, va_list ap)
{
	int n = snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE, "%s", prefix);

	vsnprintf(loom_igt_reason + n, LOOM_IGT_REASON_SIZE - n, fmt, ap);
}

void loom_igt_fail(const char *file, int line, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
	va_start(ap, fmt);
	loom_igt_vreason(prefix, fmt, ap);
	va_end(ap);
	exit(1);
}

void loom_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	loom_igt_vreason("", fmt, ap);
	va_end(ap);
	exit(LOOM_IGT_EXIT_SKIP);
}

/* Run one subtest in a child; returns 0 pass, 1 fail, 2 skip. */
static int loom_igt_run_one(const struct loom_subtest *t)
{
	unsigned timeout = t->timeout_s ? t->timeout_s : LOOM_IGT_TIMEOUT_S;
	int status;
	pid_t pid;

	loom_igt_reason[0] = '\0';
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE, "fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(timeout);
		t->fn();
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE, "waitpid: %s",
				 strerror(errno));
			return 1;
		}
	}
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 0)
			return 0;
		if (WEXITSTATUS(status) == LOOM_IGT_EXIT_SKIP)
			return 2;
		if (!loom_igt_reason[0])
			snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE, "exit status %d",
				 WEXITSTATUS(status));
		return 1;
	}
	if (WTERMSIG(status) == SIGALRM)
		snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE, "timed out after %u s", timeout);
	else
		snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	return 1;
}

int __loom_objects_read(struct loom_objects *o)
{
	static char buf[4096];
	const char *l;
	glob_t g;
	int r, len;

	if (access("/sys/kernel/debug/accel", F_OK)) {
		mkdir("/sys/kernel/debug", 0755);
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) && errno != EBUSY)
			return -ENOENT;
	}
	if (glob("/sys/kernel/debug/accel/*/objects", 0, NULL, &g))
		return -ENOENT;
	r = loom_read_file(g.gl_pathv[0], buf, sizeof(buf));
	globfree(&g);
	if (r)
		return r;
	o->n = 0;
	for (l = buf; *l && o->n < LOOM_OBJECTS_MAX; l = strchrnul(l, '\n'), l += !!*l) {
		if (sscanf(l, "%31s %lld%n", o->name[o->n], &o->value[o->n], &len) == 2)
			o->n++;
	}
	return o->n ? 0 : -EINVAL;
}

long long loom_objects_get(const struct loom_objects *o, const char *name)
{
	for (unsigned i = 0; i < o->n; i++)
		if (!strcmp(o->name[i], name))
			return o->value[i];
	return -1;
}

/*
 * The objects-released check: the counters as they were at the start,
 * waiting a little for late frees. Returns 0 pass, 1 fail, 2 skip, with
 * the reason in loom_igt_reason.
 */
static int loom_igt_objects_released(const struct loom_objects *start, int start_err)
{
	struct loom_objects now;
	int waited = 0, r;

	if (start_err) {
		snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE,
			 "no debugfs objects file before the subtests (%s)", strerror(-start_err));
		return 2;
	}
	for (;;) {
		bool same;

		r = __loom_objects_read(&now);
		if (r) {
			snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE,
				 "no debugfs objects file after the subtests (%s)", strerror(-r));
			return 2;
		}
		same = now.n == start->n;
		for (unsigned i = 0; same && i < now.n; i++)
			same = !strcmp(now.name[i], start->name[i]) &&
			       now.value[i] == start->value[i];
		if (same)
			return 0;
		if (waited >= LOOM_IGT_OBJECTS_WAIT_MS)
			break;
		usleep(20000);
		waited += 20;
	}
	r = snprintf(loom_igt_reason, LOOM_IGT_REASON_SIZE, "still live after %d ms:",
		     LOOM_IGT_OBJECTS_WAIT_MS);
	for (unsigned i = 0; i < now.n && r < LOOM_IGT_REASON_SIZE; i++) {
		long long was = i < start->n && !strcmp(now.name[i], start->name[i]) ?
				start->value[i] : -1;

		if (now.value[i] != was)
			r += snprintf(loom_igt_reason + r, LOOM_IGT_REASON_SIZE - r,
				      " %s %lld (was %lld)", now.name[i], now.value[i], was);
	}
	return 1;
}

static bool loom_igt_selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int loom_igt_main(int argc, char **argv, const struct loom_subtest *tests, unsigned n)
{
	unsigned i, planned = 0, num = 0, failed = 0;
	struct loom_objects start;
	int start_err, r;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < n; i++)
			printf("%-28s %s\n", tests[i].name, tests[i].desc);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		for (i = 0; i < n && strcmp(argv[a], tests[i].name); i++)
			;
		if (i == n) {
			fprintf(stderr, "%s: no subtest '%s' (--list shows them)\n", argv[0], argv[a]);
			return 2;
		}
	}
	loom_igt_reason = mmap(NULL, LOOM_IGT_REASON_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (loom_igt_reason == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < n; i++)
		planned += loom_igt_selected(tests[i].name, argc, argv);
	printf("1..%u\n", planned + 1);
	start_err = __loom_objects_read(&start);
	for (i = 0; i < n; i++) {
		if (!loom_igt_selected(tests[i].name, argc, argv))
			continue;
		r = loom_igt_run_one(&tests[i]);
		num++;
		if (r == 0) {
			printf("ok %u - %s\n", num, tests[i].name);
		} else if (r == 2) {
			printf("ok %u - %s # SKIP %s\n", num, tests[i].name, loom_igt_reason);
		} else {
			printf("not ok %u - %s\n# %s\n", num, tests[i].name, loom_igt_reason);
			failed++;
		}
		fflush(stdout);
	}
	loom_igt_reason[0] = '\0';
	r = loom_igt_objects_released(&start, start_err);
	if (r == 0) {
		printf("ok %u - objects-released\n", num + 1);
	} else if (r == 2) {
		printf("ok %u - objects-released # SKIP %s\n", num + 1, loom_igt_reason);
	} else {
		printf("not ok %u - objects-released\n# %s\n", num + 1, loom_igt_reason);
		failed++;
	}
	fflush(stdout);
	return failed ? 1 : 0;
}

/* ---- device helpers ------------------------------------------------------ */

int __loom_ioctl(int fd, unsigned long request, void *arg)
{
	int r;

	do {
		r = ioctl(fd, request, arg);
	} while (r == -1 && (errno == EINTR || errno == EAGAIN));
	return r == -1 ? -errno : r;
}

int __loom_info(int fd, uint32_t query, void *data, uint32_t size)
{
	struct drm_loom_info args = {
		.query = query,
		.data_ptr = (uintptr_t)data,
		.data_size = size,
	};

	return __loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &args);
}

static bool loom_is_ours(int fd)
{
	char name[32] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	return __loom_ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 && !strcmp(name, "loom");
}

int __loom_open(void)
{
	DIR *d = opendir("/dev/accel");
	struct dirent *e;
	int fd = -ENODEV;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char path[300];

		if (strncmp(e->d_name, "accel", 5))
			continue;
		snprintf(path, sizeof(path), "/dev/accel/%s", e->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && loom_is_ours(fd))
			break;
		if (fd >= 0)
			close(fd);
		fd = -ENODEV;
	}
	closedir(d);
	return fd;
}

int loom_open(void)
{
	int fd = __loom_open();

	if (fd == -ENODEV || fd == -ENOENT)
		loom_skip("no Loom accel device (is loom.ko loaded?)");
	if (fd < 0)
		loom_igt_fail(__FILE__, __LINE__, "cannot open the device: %s", strerror(-fd));
	return fd;
}

bool loom_test_param(const char *name, unsigned long long *value)
{
	char buf[4096], key[128];
	size_t klen;
	ssize_t n;
	char *p;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	klen = (size_t)snprintf(key, sizeof(key), "loom_test.%s=", name);
	for (p = buf; (p = strstr(p, key)); p += klen) {
		if (p == buf || p[-1] == ' ') {
			*value = strtoull(p + klen, NULL, 0);
			return true;
		}
	}
	return false;
}

/* ---- system helpers -------------------------------------------------------- */

int loom_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -errno;
}

int loom_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	return 0;
}

int loom_module_unload(void)
{
	return syscall(SYS_delete_module, "loom", O_NONBLOCK) ? -errno : 0;
}

int loom_module_load(void)
{
	int fd = open(LOOM_KO_PATH, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return r;
}

bool loom_wait_node(bool present)
{
	for (int i = 0; i < 1000; i++) {
		int fd = __loom_open();

		if (fd >= 0)
			close(fd);
		if ((fd >= 0) == present)
			return true;
		usleep(10000);
	}
	return false;
}

void loom_pci_address(int fd, char *addr, size_t size)
{
	char link[128], target[512];
	struct stat st;
	ssize_t n;

	loom_assert_eq(fstat(fd, &st), 0);
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	loom_assert(n > 0);
	target[n] = '\0';
	loom_assert(strrchr(target, '/'));
	snprintf(addr, size, "%s", strrchr(target, '/') + 1);
}

void loom_debugfs_path(int fd, const char *name, char *path, size_t size)
{
	char addr[64];

	if (access("/sys/kernel/debug/accel", F_OK)) {
		mkdir("/sys/kernel/debug", 0755);
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) && errno != EBUSY)
			loom_skip("cannot mount debugfs: %s", strerror(errno));
	}
	loom_pci_address(fd, addr, sizeof(addr));
	snprintf(path, size, "/sys/kernel/debug/accel/%s/%s", addr, name);
	if (access(path, F_OK))
		loom_skip("no %s", path);
}
