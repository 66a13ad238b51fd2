// SPDX-License-Identifier: MIT
/*
 * loom_info: the INFO queries after HW_IP, the hwmon and sysfs files,
 * DRM_IOCTL_LOOM_EVENTFD and the debugfs files, run in the QEMU guest
 * against loom.ko and a loomd serving the device (vm/run.sh).
 *
 * What the device reports is checked against what is known independently:
 * the power model's constants (docs/power-model.md: idle 60 W, limits
 * 150..450 W, default 350 W, ambient 30 °C, limit 95 °C, clocks 1800 /
 * 1600 / 1000 MHz), the hardware constants of hw/, and the physics the
 * model promises (energy is the integral of power and never decreases;
 * an idle device draws its idle power). Device events are provoked
 * through the debugfs file inject_event (an ECC event, the firmware's
 * INJECT_EVENT) and, where the submission ioctls exist, by a DMA to an
 * unmapped address (a real page fault).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hw/loom_fw.h"
#include "hw/loom_packets.h"
#include "hw/loom_regs.h"

#include "loom_igt.h"

/* The power model's figures (docs/power-model.md). */
#define IDLE_MW		60000
#define MIN_LIMIT_MW	150000
#define MAX_LIMIT_MW	450000
#define DEFAULT_MW	350000
#define AMBIENT_MC	30000
#define TEMP_LIMIT_MC	95000

#define DEBUGFS		"/sys/kernel/debug"

/* ---- helpers --------------------------------------------------------------- */

static void info(int fd, uint32_t query, void *data, uint32_t size)
{
	int r;

	memset(data, 0xa5, size);
	r = __loom_info(fd, query, data, size);
	if (r)
		loom_igt_fail(__FILE__, __LINE__, "INFO query %u: %s", query, strerror(-r));
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long long read_ll(const char *path)
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

/* The hwmon directory of the Loom device, or skip. */
static void hwmon_dir(char *dir, size_t size)
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

static long long hwmon_ll(const char *dir, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return read_ll(path);
}

/* /sys/class/accel/accelN/device of the device fd is open on. */
static void sysfs_dev_dir(int fd, char *dir, size_t size)
{
	struct stat st;

	loom_assert_eq(fstat(fd, &st), 0);
	snprintf(dir, size, "/sys/dev/char/%u:%u/device", major(st.st_rdev), minor(st.st_rdev));
}

/* The device's debugfs directory (mounting debugfs if needed), or skip. */
static void debugfs_dir(int fd, char *dir, size_t size)
{
	char link[512], target[512];
	ssize_t n;
	const char *addr;

	if (access(DEBUGFS "/accel", F_OK)) {
		mkdir(DEBUGFS, 0755);
		if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY)
			loom_skip("cannot mount debugfs: %s", strerror(errno));
	}
	sysfs_dev_dir(fd, link, sizeof(link));
	n = readlink(link, target, sizeof(target) - 1);
	loom_assert(n > 0);
	target[n] = '\0';
	addr = strrchr(target, '/');
	loom_assert(addr);
	snprintf(dir, size, DEBUGFS "/accel/%s", addr + 1);
	if (access(dir, F_OK))
		loom_skip("no debugfs directory %s", dir);
}

static int eventfd_args(int fd, struct drm_loom_eventfd *a)
{
	return __loom_ioctl(fd, DRM_IOCTL_LOOM_EVENTFD, a);
}

static int __eventfd_register(int fd, int efd)
{
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd };

	return eventfd_args(fd, &a);
}

static int __eventfd_unregister(int fd)
{
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_UNREGISTER };

	return eventfd_args(fd, &a);
}

/* Take up to n records; returns the count. */
static unsigned events_read(int fd, struct drm_loom_event *ev, unsigned n, uint32_t *lost)
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

static void events_drain(int fd)
{
	struct drm_loom_event ev[DRM_LOOM_EVENT_QUEUE_DEPTH];

	while (events_read(fd, ev, DRM_LOOM_EVENT_QUEUE_DEPTH, NULL))
		;
}

/* Wait up to ms for the eventfd to be signalled; returns its counter (0: timeout). */
static uint64_t eventfd_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) != 1)
		return 0;
	loom_assert_eq(read(efd, &v, sizeof(v)), sizeof(v));
	return v;
}

/* Find a record of type with addr (any addr if ~0) among the file's pending ones. */
static bool events_find(int fd, uint32_t type, uint64_t addr, struct drm_loom_event *out)
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

/* Post an ECC event through debugfs (device-wide with asid 0). */
static void inject_ecc(int fd, uint32_t type, uint32_t asid)
{
	char dir[256], path[600], cmd[32];
	int r;

	debugfs_dir(fd, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/inject_event", dir);
	snprintf(cmd, sizeof(cmd), "%u %u\n", type, asid);
	r = loom_write_file(path, cmd);
	if (r)
		loom_igt_fail(__FILE__, __LINE__, "write '%u %u' to %s: %s", type, asid, path,
			      strerror(-r));
}

/* ---- queries ---------------------------------------------------------------- */

static void test_info_dram_usage(void)
{
	struct drm_loom_info_dram_usage du, du2;
	struct drm_loom_info_hw_ip ip;
	struct drm_loom_gem_create c = { .size = 1 << 20, .flags = DRM_LOOM_BO_DRAM };
	int fd = loom_open();
	int r = __loom_info(fd, DRM_LOOM_INFO_DRAM_USAGE, &du, sizeof(du));

	if (r == -EOPNOTSUPP)
		loom_skip("DRAM usage is not reported by this driver yet");
	loom_assert_eq(r, 0);
	info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip));
	loom_assert_eq(du.dram_size, ip.dram_size);
	loom_assert(du.dram_used <= du.dram_size);
	loom_assert_eq(du.dram_free, du.dram_size - du.dram_used);
	for (unsigned i = 0; i < 4; i++)
		loom_assert_eq(du.reserved[i], 0);

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_CREATE, &c), 0);
	info(fd, DRM_LOOM_INFO_DRAM_USAGE, &du2, sizeof(du2));
	loom_assert(du2.dram_used >= du.dram_used + (1 << 20));
	loom_assert_eq(du2.dram_free, du2.dram_size - du2.dram_used);
	close(fd);
}

static void test_info_device_status(void)
{
	struct drm_loom_info_device_status ds, ds2;
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_DEVICE_STATUS, &ds, sizeof(ds));
	loom_assert_eq(ds.status, DRM_LOOM_DEVICE_STATUS_OPERATIONAL);
	loom_assert_eq(ds.status_flags & ~DRM_LOOM_DEVICE_FLAG_THROTTLED, 0);
	/* Nothing runs in this test: every queue is idle, none exists beyond 32. */
	loom_assert_eq(ds.idle_mask, 0xffffffffULL);
	loom_assert_eq(ds.halted_mask >> LOOM_NUM_QUEUES, 0);
	loom_assert_eq(ds.enabled_mask >> LOOM_NUM_QUEUES, 0);
	loom_assert_eq(ds.pad, 0);
	for (unsigned i = 0; i < 4; i++)
		loom_assert_eq(ds.reserved[i], 0);
	/* The firmware ticks every 50 ms: heartbeat and clock move. */
	sleep_ms(300);
	info(fd, DRM_LOOM_INFO_DEVICE_STATUS, &ds2, sizeof(ds2));
	loom_assert(ds2.heartbeat - ds.heartbeat >= 2);
	loom_assert(ds2.timestamp_ns > ds.timestamp_ns);
	close(fd);
}

static void test_info_utilization(void)
{
	struct drm_loom_info_utilization u, u2;
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_UTILIZATION, &u, sizeof(u));
	loom_assert_eq(u.num_engines, 4);
	for (unsigned i = 0; i < DRM_LOOM_MAX_ENGINES; i++) {
		loom_assert(u.util_pct[i] <= 100);
		if (i >= u.num_engines) {
			loom_assert_eq(u.util_pct[i], 0);
			loom_assert_eq(u.busy_ns[i], 0);
		}
	}
	sleep_ms(200);
	info(fd, DRM_LOOM_INFO_UTILIZATION, &u2, sizeof(u2));
	loom_assert(u2.timestamp_ns > u.timestamp_ns);
	for (unsigned i = 0; i < u.num_engines; i++) {
		loom_assert(u2.busy_ns[i] >= u.busy_ns[i]);
		/* Busy time cannot outgrow wall time times the instances (8 TPC cores). */
		loom_assert(u2.busy_ns[i] - u.busy_ns[i] <=
			    8 * (u2.timestamp_ns - u.timestamp_ns) + 2000000000ULL);
	}
	close(fd);
}

/*
 * Fill a 64 MiB DRAM object with DMA memsets through a queue; -errno if
 * the submission ioctls are missing (the caller skips).
 */
static int dma_work(int fd, unsigned jobs)
{
	const uint64_t size = 64ULL << 20;
	struct drm_loom_gem_create c = { .size = size, .flags = DRM_LOOM_BO_DRAM };
	struct drm_loom_vm_bind b = { .op = DRM_LOOM_VM_BIND_OP_MAP };
	struct drm_loom_queue_create qc = {};
	struct loom_pkt_lin_dma pkt = {
		.header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, sizeof(struct loom_pkt_lin_dma) / 4),
		.flags = LOOM_DMA_F_MEMSET,
		.size = size,
	};
	uint64_t seq = 0;
	int r;

	r = __loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &qc);
	if (r)
		return r;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_CREATE, &c), 0);
	b.handle = c.handle;
	b.size = size;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b), 0);
	pkt.dst = b.va;
	for (unsigned i = 0; i < jobs; i++) {
		struct drm_loom_submit s = {
			.queue_id = qc.queue_id, .cb_ptr = (uintptr_t)&pkt, .cb_size = sizeof(pkt),
		};

		pkt.src = i;
		loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), 0);
		seq = s.seq;
	}
	{
		struct drm_loom_wait w = {
			.queue_id = qc.queue_id, .seq = seq, .timeout_ns = 20000000000ULL,
		};

		loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), 0);
		loom_assert_eq(w.status, 0);
	}
	return 0;
}

static void test_info_utilization_work(void)
{
	struct drm_loom_info_utilization u, u2;
	struct drm_loom_info_energy e, e2;
	struct drm_loom_info_power p;
	uint64_t mw;
	int fd = loom_open(), r;

	info(fd, DRM_LOOM_INFO_UTILIZATION, &u, sizeof(u));
	info(fd, DRM_LOOM_INFO_ENERGY, &e, sizeof(e));
	r = dma_work(fd, 16);
	if (r)
		loom_skip("no submission in this driver (QUEUE_CREATE: %s)", strerror(-r));
	/* Let a firmware tick account the work. */
	sleep_ms(150);
	info(fd, DRM_LOOM_INFO_UTILIZATION, &u2, sizeof(u2));
	info(fd, DRM_LOOM_INFO_ENERGY, &e2, sizeof(e2));
	info(fd, DRM_LOOM_INFO_POWER, &p, sizeof(p));
	/* 1 GiB of fills: the DMA engines and the command processor were busy. */
	loom_assert(u2.busy_ns[DRM_LOOM_ENGINE_DMA] > u.busy_ns[DRM_LOOM_ENGINE_DMA]);
	loom_assert(u2.busy_ns[DRM_LOOM_ENGINE_CP] > u.busy_ns[DRM_LOOM_ENGINE_CP]);
	loom_assert_eq(u2.busy_ns[DRM_LOOM_ENGINE_MME], u.busy_ns[DRM_LOOM_ENGINE_MME]);
	for (unsigned i = 0; i < u2.num_engines; i++)
		loom_assert(u2.util_pct[i] <= 100);
	/* Energy grew, at a mean power at least the idle power. */
	loom_assert(e2.energy_mj > e.energy_mj);
	mw = (e2.energy_mj - e.energy_mj) * 1000000000ULL / (e2.timestamp_ns - e.timestamp_ns);
	loom_assert(mw >= IDLE_MW - 2000 && mw <= p.peak_mw + 2000);
	close(fd);
}

/* A queue with 2048 x 2048 fp32 matrices A, B, D bound in DRAM, for MME work. */
struct mme_work {
	uint32_t queue_id;
	struct loom_pkt_mme pkt;
};

static int mme_setup(int fd, struct mme_work *w)
{
	const uint32_t n = 2048;
	const uint64_t size = (uint64_t)n * n * 4;
	struct drm_loom_queue_create qc = {};
	uint64_t va[3];
	int r;

	r = __loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &qc);
	if (r)
		return r;
	for (unsigned i = 0; i < 3; i++) {
		struct drm_loom_gem_create c = { .size = size, .flags = DRM_LOOM_BO_DRAM };
		struct drm_loom_vm_bind b = { .op = DRM_LOOM_VM_BIND_OP_MAP, .size = size };

		loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_CREATE, &c), 0);
		b.handle = c.handle;
		loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b), 0);
		va[i] = b.va;
	}
	w->queue_id = qc.queue_id;
	w->pkt = (struct loom_pkt_mme){
		.header = LOOM_PKT_HDR(LOOM_PKT_MME, 0, sizeof(struct loom_pkt_mme) / 4),
		.ctrl = LOOM_MME_CTRL(0, LOOM_DTYPE_F32, LOOM_DTYPE_F32),
		.a = va[0], .b = va[1], .d = va[2],
		.m = n, .n = n, .k = n, .batch = 1,
		.lda = n, .ldb = n, .ldd = n,
		.alpha = 0x3f800000,	/* 1.0f */
	};
	return 0;
}

/* Submit jobs GEMMs (17 GFLOP each) and wait for the last. */
static void mme_run(int fd, struct mme_work *w, unsigned jobs)
{
	struct drm_loom_wait wt = { .queue_id = w->queue_id, .timeout_ns = 60000000000ULL };

	for (unsigned i = 0; i < jobs; i++) {
		struct drm_loom_submit s = {
			.queue_id = w->queue_id, .cb_ptr = (uintptr_t)&w->pkt,
			.cb_size = sizeof(w->pkt),
		};

		loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), 0);
		wt.seq = s.seq;
	}
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &wt), 0);
	loom_assert_eq(wt.status, 0);
}

/*
 * With the power limit at its minimum (150 W), a saturated MME (280 W)
 * must be throttled: the throttle query, the clocks, the device status
 * and a device-wide THROTTLE event say so; once the work stops and the
 * limit is back, throttling ends and says so too. Runs in a child so
 * that the limit is restored whatever happens.
 */
static void throttle_power_body(const char *cap)
{
	struct drm_loom_info_throttle t0, t;
	struct drm_loom_info_clocks c;
	struct drm_loom_info_device_status ds;
	struct drm_loom_info_utilization u;
	struct drm_loom_event e;
	struct mme_work w;
	bool seen = false, core_low = false, flag = false;
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC), r;

	loom_assert(efd >= 0);
	r = mme_setup(fd, &w);
	if (r)
		loom_skip("no submission in this driver (QUEUE_CREATE: %s)", strerror(-r));
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	info(fd, DRM_LOOM_INFO_THROTTLE, &t0, sizeof(t0));
	loom_assert_eq(t0.reasons & DRM_LOOM_THROTTLE_POWER, 0);
	loom_assert_eq(loom_write_file(cap, "150000000"), 0);
	/* Keep the MME busy until the power governor steps in (at most ~30 GEMMs). */
	for (unsigned round = 0; round < 10 && !(seen && core_low && flag); round++) {
		mme_run(fd, &w, 3);
		info(fd, DRM_LOOM_INFO_UTILIZATION, &u, sizeof(u));
		info(fd, DRM_LOOM_INFO_THROTTLE, &t, sizeof(t));
		info(fd, DRM_LOOM_INFO_CLOCKS, &c, sizeof(c));
		info(fd, DRM_LOOM_INFO_DEVICE_STATUS, &ds, sizeof(ds));
		if (t.reasons & DRM_LOOM_THROTTLE_POWER) {
			seen = true;
			loom_assert(t.start_ns[0] > t0.timestamp_ns);
			loom_assert(t.start_ns[0] <= t.timestamp_ns);
			loom_assert_eq(t.end_ns[0], 0);
		}
		core_low |= c.cur_mhz[DRM_LOOM_CLOCK_CORE] < c.max_mhz[DRM_LOOM_CLOCK_CORE];
		flag |= !!(ds.status_flags & DRM_LOOM_DEVICE_FLAG_THROTTLED);
	}
	loom_assert(seen);
	loom_assert(core_low);
	loom_assert(flag);
	/* The throttle start reached the eventfd as a device-wide event. */
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_THROTTLE, ~0ULL, &e));
	loom_assert(e.info & DRM_LOOM_THROTTLE_POWER);
	loom_assert_eq(e.flags, DRM_LOOM_EVENT_F_DEVICE);

	/* Idle and back at the default limit: throttling ends, with an event. */
	loom_assert_eq(loom_write_file(cap, "350000000"), 0);
	for (int i = 0; i < 100; i++) {
		info(fd, DRM_LOOM_INFO_THROTTLE, &t, sizeof(t));
		if (!(t.reasons & DRM_LOOM_THROTTLE_POWER))
			break;
		sleep_ms(100);
	}
	loom_assert_eq(t.reasons & DRM_LOOM_THROTTLE_POWER, 0);
	loom_assert(t.end_ns[0] >= t.start_ns[0] && t.start_ns[0] != 0);
	loom_assert(t.total_ns[0] > t0.total_ns[0]);
	for (int i = 0; i < 50 && !events_find(fd, DRM_LOOM_EVENT_THROTTLE, ~0ULL, &e); i++)
		sleep_ms(100);
	loom_assert_eq(e.info & DRM_LOOM_THROTTLE_POWER, 0);
	close(efd);
	close(fd);
	exit(0);
}

static void test_throttle_power(void)
{
	char dir[256], cap[320];
	int status, r;
	pid_t pid;

	hwmon_dir(dir, sizeof(dir));
	snprintf(cap, sizeof(cap), "%s/power1_cap", dir);
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0)
		throttle_power_body(cap);
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	r = loom_write_file(cap, "350000000");
	loom_assert_eq(r, 0);
	loom_assert(WIFEXITED(status));
	if (WEXITSTATUS(status))
		exit(WEXITSTATUS(status));	/* the child's verdict (failure or skip) */
}

static void test_info_clocks(void)
{
	static const uint32_t max[3] = { 1800, 1600, 1000 };
	struct drm_loom_info_clocks c;
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_CLOCKS, &c, sizeof(c));
	loom_assert_eq(c.num_clocks, 3);
	for (unsigned i = 0; i < 3; i++) {
		loom_assert_eq(c.max_mhz[i], max[i]);
		loom_assert(c.cur_mhz[i] <= c.max_mhz[i]);
	}
	/* The core clock throttles down to 30 %; DMA and HBM never do. */
	loom_assert(c.cur_mhz[DRM_LOOM_CLOCK_CORE] >= 540);
	loom_assert_eq(c.cur_mhz[DRM_LOOM_CLOCK_DMA], 1600);
	loom_assert_eq(c.cur_mhz[DRM_LOOM_CLOCK_HBM], 1000);
	for (unsigned i = 3; i < DRM_LOOM_MAX_CLOCKS; i++) {
		loom_assert_eq(c.cur_mhz[i], 0);
		loom_assert_eq(c.max_mhz[i], 0);
	}
	close(fd);
}

static void check_power(const struct drm_loom_info_power *p)
{
	loom_assert_eq(p->idle_mw, IDLE_MW);
	loom_assert_eq(p->min_limit_mw, MIN_LIMIT_MW);
	loom_assert_eq(p->max_limit_mw, MAX_LIMIT_MW);
	loom_assert_eq(p->default_limit_mw, DEFAULT_MW);
	loom_assert(p->limit_mw >= MIN_LIMIT_MW && p->limit_mw <= MAX_LIMIT_MW);
	/* Never below idle; never above every engine flat out plus HBM (478 W). */
	loom_assert(p->power_mw >= IDLE_MW && p->power_mw <= 480000);
	loom_assert(p->peak_mw >= p->power_mw);
	loom_assert(p->average_mw >= IDLE_MW - 1000 && p->average_mw <= p->peak_mw + 1000);
}

static void test_info_power(void)
{
	struct drm_loom_info_power p;
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_POWER, &p, sizeof(p));
	check_power(&p);
	/* A second sample more than the 1 s window later gives a real average. */
	sleep_ms(1200);
	info(fd, DRM_LOOM_INFO_POWER, &p, sizeof(p));
	check_power(&p);
	loom_assert_eq(p.reserved[0], 0);
	loom_assert_eq(p.reserved[1], 0);
	close(fd);
}

static void test_info_energy(void)
{
	struct drm_loom_info_energy e1, e2;
	struct drm_loom_info_power p;
	uint64_t mw;
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_ENERGY, &e1, sizeof(e1));
	sleep_ms(500);
	info(fd, DRM_LOOM_INFO_ENERGY, &e2, sizeof(e2));
	info(fd, DRM_LOOM_INFO_POWER, &p, sizeof(p));
	loom_assert(e2.timestamp_ns > e1.timestamp_ns);
	loom_assert(e2.energy_mj > e1.energy_mj);
	/* Energy is the integral of power: the mean lies between idle and the peak. */
	mw = (e2.energy_mj - e1.energy_mj) * 1000000000ULL / (e2.timestamp_ns - e1.timestamp_ns);
	loom_assert(mw >= IDLE_MW - 2000);
	loom_assert(mw <= p.peak_mw + 2000);
	loom_assert_eq(e2.reserved[0], 0);
	close(fd);
}

static void test_info_temperature(void)
{
	struct drm_loom_info_temperature t;
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_TEMPERATURE, &t, sizeof(t));
	loom_assert_eq(t.num_sensors, 4);
	loom_assert_eq(t.ambient_mc, AMBIENT_MC);
	loom_assert_eq(t.limit_mc, TEMP_LIMIT_MC);
	/* Each sensor sits between ambient and the throttling limit (+ overshoot). */
	for (unsigned i = 0; i < t.num_sensors; i++)
		loom_assert(t.temp_mc[i] >= AMBIENT_MC && t.temp_mc[i] <= TEMP_LIMIT_MC + 5000);
	for (unsigned i = t.num_sensors; i < DRM_LOOM_MAX_SENSORS; i++)
		loom_assert_eq(t.temp_mc[i], 0);
	loom_assert(t.peak_mc >= t.temp_mc[DRM_LOOM_SENSOR_DIE]);
	loom_assert_eq(t.pad, 0);
	loom_assert_eq(t.pad2, 0);
	close(fd);
}

static void test_info_throttle(void)
{
	struct drm_loom_info_throttle t;
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_THROTTLE, &t, sizeof(t));
	loom_assert_eq(t.num_reasons, 2);
	loom_assert_eq(t.reasons & ~(DRM_LOOM_THROTTLE_POWER | DRM_LOOM_THROTTLE_THERMAL), 0);
	for (unsigned i = 0; i < DRM_LOOM_MAX_THROTTLE; i++) {
		if (i >= t.num_reasons) {
			loom_assert_eq(t.start_ns[i] | t.end_ns[i] | t.total_ns[i], 0);
			continue;
		}
		loom_assert(t.start_ns[i] <= t.timestamp_ns);
		if (t.reasons & (1U << i)) {
			/* Active: it began, and has not ended since. */
			loom_assert(t.start_ns[i] != 0);
			loom_assert_eq(t.end_ns[i], 0);
		} else if (t.end_ns[i]) {
			loom_assert(t.end_ns[i] >= t.start_ns[i]);
			loom_assert(t.total_ns[i] >= t.end_ns[i] - t.start_ns[i]);
		}
		if (!t.start_ns[i])
			loom_assert_eq(t.total_ns[i], 0);
	}
	close(fd);
}

static void test_info_reset_count(void)
{
	struct drm_loom_info_reset_count rc;
	char dir[256], path[600];
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc, sizeof(rc));
	/* The driver resets the device when it binds it. */
	loom_assert(rc.hw_resets >= 1);
	loom_assert(rc.device_resets <= rc.hw_resets);
	loom_assert_eq(rc.pad, 0);
	sysfs_dev_dir(fd, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/reset_count", dir);
	loom_assert_eq(read_ll(path), rc.device_resets);
	close(fd);
}

static void test_info_hw_events(void)
{
	struct drm_loom_info_hw_events h, h2;
	uint64_t sum = 0;
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));
	for (unsigned i = 0; i < DRM_LOOM_MAX_EVENT_TYPES; i++)
		sum += h.counts[i];
	loom_assert_eq(sum, h.total);
	loom_assert_eq(h.pf_count, 0);
	loom_assert_eq(h.pf_va, 0);
	loom_assert_eq(h.pf_queue, DRM_LOOM_EVENT_QUEUE_NONE);
	/* The firmware posts a heartbeat event every second: the queue works. */
	sleep_ms(2200);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h2, sizeof(h2));
	loom_assert(h2.counts[DRM_LOOM_EVENT_HEARTBEAT] >= h.counts[DRM_LOOM_EVENT_HEARTBEAT] + 1);
	loom_assert(h2.total >= h.total + 1);
	/* Nothing was lost meanwhile (eq-overflow loses some on purpose, later). */
	loom_assert_eq(h2.lost, h.lost);
	close(fd);
}

static void test_info_open_stats(void)
{
	struct drm_loom_info_open_stats o, o2, o3;
	uint64_t before, after;
	int fd = loom_open(), fd2;

	info(fd, DRM_LOOM_INFO_OPEN_STATS, &o, sizeof(o));
	loom_assert(o.open_files >= 1);
	loom_assert(o.total_opens >= o.open_files);
	before = now_ns(CLOCK_REALTIME);
	fd2 = loom_open();
	after = now_ns(CLOCK_REALTIME);
	info(fd, DRM_LOOM_INFO_OPEN_STATS, &o2, sizeof(o2));
	loom_assert_eq(o2.open_files, o.open_files + 1);
	loom_assert_eq(o2.total_opens, o.total_opens + 1);
	loom_assert(o2.last_open_ns >= before && o2.last_open_ns <= after);
	before = now_ns(CLOCK_REALTIME);
	close(fd2);
	after = now_ns(CLOCK_REALTIME);
	info(fd, DRM_LOOM_INFO_OPEN_STATS, &o3, sizeof(o3));
	loom_assert_eq(o3.open_files, o.open_files);
	loom_assert_eq(o3.total_opens, o2.total_opens);
	loom_assert(o3.last_close_ns >= before && o3.last_close_ns <= after);
	loom_assert_eq(o3.pad, 0);
	close(fd);
}

/* Every query's answer fits a buffer of its size and leaves the rest alone. */
static void test_info_sizes(void)
{
	static const uint32_t sizes[][2] = {
		{ DRM_LOOM_INFO_DEVICE_STATUS, sizeof(struct drm_loom_info_device_status) },
		{ DRM_LOOM_INFO_UTILIZATION, sizeof(struct drm_loom_info_utilization) },
		{ DRM_LOOM_INFO_CLOCKS, sizeof(struct drm_loom_info_clocks) },
		{ DRM_LOOM_INFO_POWER, sizeof(struct drm_loom_info_power) },
		{ DRM_LOOM_INFO_ENERGY, sizeof(struct drm_loom_info_energy) },
		{ DRM_LOOM_INFO_TEMPERATURE, sizeof(struct drm_loom_info_temperature) },
		{ DRM_LOOM_INFO_THROTTLE, sizeof(struct drm_loom_info_throttle) },
		{ DRM_LOOM_INFO_RESET_COUNT, sizeof(struct drm_loom_info_reset_count) },
		{ DRM_LOOM_INFO_HW_EVENTS, sizeof(struct drm_loom_info_hw_events) },
		{ DRM_LOOM_INFO_OPEN_STATS, sizeof(struct drm_loom_info_open_stats) },
	};
	uint8_t buf[512];
	int fd = loom_open();

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct drm_loom_info a = {
			.query = sizes[i][0],
			.data_ptr = (uintptr_t)buf,
			.data_size = sizeof(buf),
		};

		memset(buf, 0x5a, sizeof(buf));
		loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &a), 0);
		loom_assert_eq(a.data_size, sizes[i][1]);
		for (unsigned j = sizes[i][1]; j < sizeof(buf); j++)
			loom_assert_eq(buf[j], 0x5a);
	}
	close(fd);
}

/* ---- hwmon and sysfs ------------------------------------------------------------ */

static void test_hwmon(void)
{
	static const char * const labels[4] = { "die\n", "mme\n", "hbm\n", "board\n" };
	struct drm_loom_info_energy e1, e2;
	struct drm_loom_info_power p;
	struct drm_loom_info_temperature t;
	char dir[256], path[600], buf[64], name[32];
	long long e, v;
	int fd = loom_open();

	hwmon_dir(dir, sizeof(dir));
	for (unsigned i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/temp%u_label", dir, i + 1);
		loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
		loom_assert(!strcmp(buf, labels[i]));
		snprintf(name, sizeof(name), "temp%u_input", i + 1);
		v = hwmon_ll(dir, name);
		loom_assert(v >= AMBIENT_MC && v <= TEMP_LIMIT_MC + 5000);
	}
	loom_assert_eq(hwmon_ll(dir, "temp1_max"), TEMP_LIMIT_MC);
	info(fd, DRM_LOOM_INFO_TEMPERATURE, &t, sizeof(t));
	loom_assert(hwmon_ll(dir, "temp1_highest") >= t.peak_mc);

	/* Energy in uJ, between two INFO readings taken around it. */
	info(fd, DRM_LOOM_INFO_ENERGY, &e1, sizeof(e1));
	e = hwmon_ll(dir, "energy1_input");
	info(fd, DRM_LOOM_INFO_ENERGY, &e2, sizeof(e2));
	loom_assert(e >= (long long)e1.energy_mj * 1000 && e <= (long long)e2.energy_mj * 1000);
	loom_assert_eq(e % 1000, 0);

	info(fd, DRM_LOOM_INFO_POWER, &p, sizeof(p));
	loom_assert_eq(hwmon_ll(dir, "power1_cap"), (long long)p.limit_mw * 1000);
	loom_assert_eq(hwmon_ll(dir, "power1_cap_min"), (long long)MIN_LIMIT_MW * 1000);
	loom_assert_eq(hwmon_ll(dir, "power1_cap_max"), (long long)MAX_LIMIT_MW * 1000);
	v = hwmon_ll(dir, "power1_input");
	loom_assert(v >= IDLE_MW * 1000LL && v <= 480000 * 1000LL);
	v = hwmon_ll(dir, "power1_average");
	loom_assert(v >= (IDLE_MW - 1000) * 1000LL && v <= 480000 * 1000LL);
	loom_assert(hwmon_ll(dir, "power1_input_highest") >= (long long)p.peak_mw * 1000);
	close(fd);
}

static void test_hwmon_power_cap(void)
{
	static const char * const bad[] = {
		"149999999", "450001000", "0", "-1", "abc", "4294967296000",
	};
	struct drm_loom_info_power p;
	char dir[256], path[600];
	int fd = loom_open(), r;

	hwmon_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/power1_cap", dir);
	loom_assert_eq(loom_write_file(path, "200000000"), 0);
	loom_assert_eq(read_ll(path), 200000000LL);
	info(fd, DRM_LOOM_INFO_POWER, &p, sizeof(p));
	loom_assert_eq(p.limit_mw, 200000);
	/* The bounds themselves are accepted. */
	loom_assert_eq(loom_write_file(path, "150000000"), 0);
	loom_assert_eq(read_ll(path), 150000000LL);
	loom_assert_eq(loom_write_file(path, "450000000"), 0);
	loom_assert_eq(read_ll(path), 450000000LL);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = loom_write_file(path, bad[i]);
		if (r != -EINVAL)
			loom_igt_fail(__FILE__, __LINE__, "power1_cap <- %s: %d, expected -EINVAL",
				      bad[i], r);
		loom_assert_eq(read_ll(path), 450000000LL);
	}
	loom_assert_eq(loom_write_file(path, "350000000"), 0);
	info(fd, DRM_LOOM_INFO_POWER, &p, sizeof(p));
	loom_assert_eq(p.limit_mw, DEFAULT_MW);
	close(fd);
}

static void test_sysfs(void)
{
	struct drm_loom_info_hw_ip ip;
	struct drm_loom_info_power p;
	struct drm_loom_info_reset_count rc;
	char dir[256], path[600], buf[64], want[32];
	int fd = loom_open();

	info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip));
	info(fd, DRM_LOOM_INFO_POWER, &p, sizeof(p));
	info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc, sizeof(rc));
	sysfs_dev_dir(fd, dir, sizeof(dir));

	snprintf(path, sizeof(path), "%s/fw_version", dir);
	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%u.%u\n", ip.fw_version >> 16, ip.fw_version & 0xffff);
	loom_assert(!strcmp(buf, want));
	snprintf(path, sizeof(path), "%s/hw_revision", dir);
	loom_assert_eq(read_ll(path), ip.revision);
	snprintf(path, sizeof(path), "%s/max_power", dir);
	loom_assert_eq(read_ll(path), p.max_limit_mw);
	snprintf(path, sizeof(path), "%s/reset_count", dir);
	loom_assert_eq(read_ll(path), rc.device_resets);
	snprintf(path, sizeof(path), "%s/device_status", dir);
	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	loom_assert(!strcmp(buf, "operational\n"));
	/* Read-only. */
	loom_assert(loom_write_file(path, "gone") < 0);
	close(fd);
}

/* ---- events ------------------------------------------------------------------ */

static void test_eventfd_device_event(void)
{
	struct drm_loom_info_hw_events h, h2;
	struct drm_loom_info_hw_ip ip;
	struct drm_loom_event e;
	int fd = loom_open(), fd2 = loom_open();
	int efd = eventfd(0, EFD_CLOEXEC), efd2 = eventfd(0, EFD_CLOEXEC);

	loom_assert(efd >= 0 && efd2 >= 0);
	info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip));
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	loom_assert_eq(__eventfd_register(fd2, efd2), 0);
	events_drain(fd);
	events_drain(fd2);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));

	/* A device-wide event reaches every file. */
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(eventfd_wait(efd2, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_ECC_CORRECTABLE, ~0ULL, &e));
	loom_assert_eq(e.flags, DRM_LOOM_EVENT_F_DEVICE);
	loom_assert_eq(e.queue, DRM_LOOM_EVENT_QUEUE_NONE);
	loom_assert(e.addr < ip.dram_size);
	loom_assert(e.timestamp_ns > 0);
	loom_assert(events_find(fd2, DRM_LOOM_EVENT_ECC_CORRECTABLE, e.addr, &e));

	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h2, sizeof(h2));
	loom_assert_eq(h2.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE],
		       h.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE] + 1);

	/* Unregistered: the event is still listed, nobody is signalled. */
	loom_assert_eq(__eventfd_unregister(fd), 0);
	inject_ecc(fd, LOOM_EVENT_ECC_UNCORRECTABLE, 0);
	loom_assert(eventfd_wait(efd2, 5000) >= 1);
	loom_assert_eq(eventfd_wait(efd, 200), 0);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_ECC_UNCORRECTABLE, ~0ULL, &e));
	close(efd);
	close(efd2);
	close(fd2);
	close(fd);
}

/* This file's ASID, from debugfs "contexts" (pid=PID in the owner column). */
static unsigned own_asid(int fd, pid_t pid)
{
	char dir[256], path[600], buf[8192], key[32];
	char *line, *save;

	debugfs_dir(fd, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/contexts", dir);
	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	snprintf(key, sizeof(key), "pid=%d(", pid);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned asid, enabled;

		if (!strstr(line, key) || sscanf(line, "%u %u", &asid, &enabled) != 2)
			continue;
		if (!enabled)
			loom_skip("the file's context (ASID %u) is not enabled on the device", asid);
		return asid;
	}
	loom_skip("no ASID of pid %d in %s", pid, path);
}

static void test_eventfd_context_event(void)
{
	struct drm_loom_event e;
	pid_t pid;
	int fd, efd = eventfd(0, EFD_CLOEXEC), efd2 = eventfd(0, EFD_CLOEXEC);
	int up[2], down[2];
	char c = 0;
	unsigned asid;

	loom_assert(efd >= 0 && efd2 >= 0);
	/* The other file belongs to another process, so ASIDs tell them apart. */
	loom_assert_eq(pipe(up), 0);
	loom_assert_eq(pipe(down), 0);
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0) {
		int cfd = loom_open();

		alarm(20);
		loom_assert_eq(__eventfd_register(cfd, efd2), 0);
		events_drain(cfd);
		loom_assert_eq(write(up[1], "r", 1), 1);
		/* Wait until the parent got its event, then report what reached us. */
		loom_assert_eq(read(down[0], &c, 1), 1);
		_exit(events_find(cfd, DRM_LOOM_EVENT_ECC_UNCORRECTABLE, ~0ULL, &e) ? 3 : 0);
	}
	fd = loom_open();
	loom_assert_eq(read(up[0], &c, 1), 1);
	asid = own_asid(fd, getpid());
	loom_assert(asid >= 1 && asid < LOOM_NUM_ASIDS);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	inject_ecc(fd, LOOM_EVENT_ECC_UNCORRECTABLE, asid);
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_ECC_UNCORRECTABLE, ~0ULL, &e));
	loom_assert_eq(e.flags, 0);
	/* The child's file (another context) must not have got it. */
	loom_assert_eq(write(down[1], "g", 1), 1);
	{
		int status;

		loom_assert_eq(waitpid(pid, &status, 0), pid);
		loom_assert(WIFEXITED(status));
		loom_assert_eq(WEXITSTATUS(status), 0);
	}
	close(fd);
	close(efd);
	close(efd2);
}

static void test_eventfd_page_fault(void)
{
	/* A DMA fill of 4 KiB at a VA nothing is bound to. */
	const uint64_t va = 0x40000000ULL;
	struct loom_pkt_lin_dma pkt = {
		.header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, sizeof(struct loom_pkt_lin_dma) / 4),
		.flags = LOOM_DMA_F_MEMSET,
		.src = 0xdeadbeef,
		.dst = va,
		.size = 4096,
	};
	struct drm_loom_queue_create qc = {};
	struct drm_loom_submit s = {};
	struct drm_loom_wait w = {};
	struct drm_loom_info_hw_events h;
	struct drm_loom_info_reset_count rc, rc2;
	struct drm_loom_event e;
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC), r;

	loom_assert(efd >= 0);
	info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc, sizeof(rc));
	r = __loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &qc);
	if (r == -EINVAL || r == -ENOTTY || r == -EOPNOTSUPP)
		loom_skip("no submission in this driver (QUEUE_CREATE: %s): cannot provoke a page fault",
			  strerror(-r));
	loom_assert_eq(r, 0);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	s.queue_id = qc.queue_id;
	s.cb_ptr = (uintptr_t)&pkt;
	s.cb_size = sizeof(pkt);
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), 0);
	w.queue_id = qc.queue_id;
	w.seq = s.seq;
	w.timeout_ns = 10000000000ULL;
	r = __loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w);
	loom_assert(r == 0 || r == -EIO);
	loom_assert_eq(w.status, LOOM_ERR_PAGE_FAULT);

	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_PAGE_FAULT, va, &e));
	loom_assert_eq(e.info, DRM_LOOM_FAULT_NOT_PRESENT);
	loom_assert_eq(e.flags, 0);
	loom_assert(e.queue < LOOM_NUM_QUEUES);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));
	loom_assert_eq(h.pf_count, 1);
	loom_assert_eq(h.pf_va, va);
	loom_assert_eq(h.pf_cause, DRM_LOOM_FAULT_NOT_PRESENT);
	loom_assert_eq(h.pf_queue, e.queue);
	loom_assert_eq(h.pf_timestamp_ns, e.timestamp_ns);
	/* The driver resets the halted queue (its own work item: give it time). */
	for (int i = 0; i < 50; i++) {
		info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc2, sizeof(rc2));
		if (rc2.queue_resets > rc.queue_resets)
			break;
		sleep_ms(100);
	}
	loom_assert(rc2.queue_resets > rc.queue_resets);
	loom_assert_eq(rc2.device_resets, rc.device_resets);
	close(efd);
	close(fd);
}

static void test_eventfd_read(void)
{
	struct drm_loom_event ev[4];
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_READ };
	uint32_t lost;
	int fd = loom_open();

	events_drain(fd);
	/* count 0: only reports what is pending. */
	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert_eq(a.count, 0);
	loom_assert_eq(a.pending, 0);
	/* Three device-wide events, read one at a time, oldest first. */
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	inject_ecc(fd, LOOM_EVENT_ECC_UNCORRECTABLE, 0);
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	for (int i = 0; i < 50; i++) {
		a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ };
		loom_assert_eq(eventfd_args(fd, &a), 0);
		if (a.pending >= 3)
			break;
		sleep_ms(100);
	}
	loom_assert(a.pending >= 3);
	loom_assert_eq(events_read(fd, ev, 1, &lost), 1);
	loom_assert_eq(lost, 0);
	loom_assert_eq(ev[0].type, DRM_LOOM_EVENT_ECC_CORRECTABLE);
	loom_assert_eq(events_read(fd, ev + 1, 1, NULL), 1);
	loom_assert_eq(ev[1].type, DRM_LOOM_EVENT_ECC_UNCORRECTABLE);
	loom_assert(ev[1].timestamp_ns >= ev[0].timestamp_ns);

	/* A bad pointer keeps the records in the list. */
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ, .count = 4, .events_ptr = 8 };
	loom_assert_err(eventfd_args(fd, &a), EFAULT);
	loom_assert_eq(events_read(fd, ev + 2, 1, NULL), 1);
	loom_assert_eq(ev[2].type, DRM_LOOM_EVENT_ECC_CORRECTABLE);
	close(fd);
}

static void test_eventfd_overflow(void)
{
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_READ };
	struct drm_loom_event ev[DRM_LOOM_EVENT_QUEUE_DEPTH];
	unsigned n = DRM_LOOM_EVENT_QUEUE_DEPTH + 5, lost = 0;
	int fd = loom_open();

	events_drain(fd);
	for (unsigned i = 0; i < n; i++)
		inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	/* Each OP_READ reports the drops since the previous one: add them up. */
	for (int i = 0; i < 50; i++) {
		loom_assert_eq(eventfd_args(fd, &a), 0);
		lost += a.lost;
		if (a.pending == DRM_LOOM_EVENT_QUEUE_DEPTH && lost >= 5)
			break;
		sleep_ms(100);
		a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ };
	}
	/* The list keeps the oldest DEPTH records and counts the rest as lost. */
	loom_assert_eq(a.pending, DRM_LOOM_EVENT_QUEUE_DEPTH);
	loom_assert(lost >= 5);
	a = (struct drm_loom_eventfd){
		.op = DRM_LOOM_EVENTFD_OP_READ, .count = DRM_LOOM_EVENT_QUEUE_DEPTH,
		.events_ptr = (uintptr_t)ev,
	};
	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert_eq(a.count, DRM_LOOM_EVENT_QUEUE_DEPTH);
	for (unsigned i = 1; i < a.count; i++)
		loom_assert(ev[i].timestamp_ns >= ev[i - 1].timestamp_ns);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ };
	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert_eq(a.lost, 0);
	close(fd);
}

/*
 * The driver's own event queue (256 records) overflows when it is not read
 * (debugfs eq_hold): the overwritten records are counted as lost, the
 * newest 256 are read.
 */
static void test_eq_overflow(void)
{
	const unsigned n = 300;
	struct drm_loom_info_hw_events h, h2;
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_READ };
	char dir[256], hold[320], inject[320];
	unsigned failed = 0;
	uint64_t got, lost;
	int fd = loom_open(), r;

	debugfs_dir(fd, dir, sizeof(dir));
	snprintf(hold, sizeof(hold), "%s/eq_hold", dir);
	snprintf(inject, sizeof(inject), "%s/inject_event", dir);
	events_drain(fd);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));
	loom_assert_eq(loom_write_file(hold, "1"), 0);
	/* No assertion until the queue is released again. */
	for (unsigned i = 0; i < n; i++)
		failed += loom_write_file(inject, "4 0") != 0;
	r = loom_write_file(hold, "0");
	loom_assert_eq(r, 0);
	loom_assert_eq(failed, 0);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h2, sizeof(h2));
	got = h2.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE] - h.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE];
	lost = h2.lost - h.lost;
	/* Heartbeats came in meanwhile too: at least n - 256 records were lost. */
	loom_assert(lost >= n - 256);
	loom_assert(got <= 256);
	loom_assert(got + lost >= n);
	loom_assert(h2.total - h.total >= 256 && h2.total - h.total <= 258);
	/* The file's list took what it could and counted the rest. */
	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert_eq(a.pending, DRM_LOOM_EVENT_QUEUE_DEPTH);
	loom_assert(a.lost >= got - DRM_LOOM_EVENT_QUEUE_DEPTH);
	close(fd);
}

static void test_eventfd_close_registered(void)
{
	int fd = loom_open(), fd2 = loom_open(), efd = eventfd(0, EFD_CLOEXEC);

	loom_assert(efd >= 0);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	/* The file goes first: it drops its reference; the eventfd stays usable. */
	close(fd);
	inject_ecc(fd2, LOOM_EVENT_ECC_CORRECTABLE, 0);
	loom_assert_eq(eventfd_wait(efd, 300), 0);
	close(efd);
	close(fd2);
	/* Now the eventfd goes first, the registration holds it. */
	fd = loom_open();
	efd = eventfd(0, EFD_CLOEXEC);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	close(efd);
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	sleep_ms(200);
	loom_assert_eq(__eventfd_unregister(fd), 0);
	close(fd);
}

/*
 * A device reset (debugfs reset_device, the submission code's recovery):
 * the counters, sysfs and a device-wide RESET event follow; the file's
 * context keeps getting its own events afterwards.
 */
static void test_reset_event(void)
{
	struct drm_loom_info_reset_count rc, rc2;
	struct drm_loom_info_hw_events h, h2;
	struct drm_loom_info_device_status ds;
	struct drm_loom_event e;
	char dir[256], path[320], sdir[256], spath[320];
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC), r;
	unsigned asid;

	loom_assert(efd >= 0);
	debugfs_dir(fd, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/reset_device", dir);
	if (access(path, F_OK))
		loom_skip("no debugfs reset_device in this driver");
	sysfs_dev_dir(fd, sdir, sizeof(sdir));
	snprintf(spath, sizeof(spath), "%s/reset_count", sdir);
	asid = own_asid(fd, getpid());
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc, sizeof(rc));
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));

	r = loom_write_file(path, "1");
	loom_assert_eq(r, 0);
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_RESET, ~0ULL, &e));
	loom_assert_eq(e.flags, DRM_LOOM_EVENT_F_DEVICE);
	info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc2, sizeof(rc2));
	loom_assert_eq(rc2.device_resets, rc.device_resets + 1);
	loom_assert_eq(rc2.hw_resets, rc.hw_resets + 1);
	loom_assert_eq(read_ll(spath), rc2.device_resets);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h2, sizeof(h2));
	loom_assert_eq(h2.counts[DRM_LOOM_EVENT_RESET], h.counts[DRM_LOOM_EVENT_RESET] + 1);
	info(fd, DRM_LOOM_INFO_DEVICE_STATUS, &ds, sizeof(ds));
	loom_assert_eq(ds.status, DRM_LOOM_DEVICE_STATUS_OPERATIONAL);

	/* The context came back with its ASID: its events still reach this file. */
	loom_assert_eq(own_asid(fd, getpid()), asid);
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, asid);
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_ECC_CORRECTABLE, ~0ULL, &e));
	loom_assert_eq(e.flags, 0);
	close(efd);
	close(fd);
}

/*
 * Several processes at once: queries, hwmon reads, event reads,
 * eventfd register/unregister, files opening and closing, while events
 * are injected. Nothing may fail, hang or leave a trace in the kernel log.
 */
static void stress_worker(unsigned id, uint64_t until)
{
	char dir[256], path[320];
	struct drm_loom_event ev[8];
	uint8_t buf[512];
	int fd = loom_open();

	hwmon_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/energy1_input", dir);
	for (unsigned i = 0; now_ns(CLOCK_MONOTONIC) < until; i++) {
		int efd = eventfd(0, EFD_CLOEXEC), tmp;

		loom_assert(efd >= 0);
		/* Queries 1..11 in turn. */
		loom_assert_eq(__loom_info(fd, 1 + (i + id) % DRM_LOOM_INFO_OPEN_STATS, buf,
					   sizeof(buf)), 0);
		loom_assert(read_ll(path) > 0);
		loom_assert_eq(__eventfd_register(fd, efd), 0);
		events_read(fd, ev, 8, NULL);
		loom_assert_eq(__eventfd_unregister(fd), 0);
		close(efd);
		tmp = loom_open();
		if (id == 0 && i % 4 == 0)
			inject_ecc(tmp, LOOM_EVENT_ECC_CORRECTABLE, 0);
		close(tmp);
	}
	close(fd);
	exit(0);
}

static void test_stress_concurrent(void)
{
	const unsigned n = 4;
	uint64_t until = now_ns(CLOCK_MONOTONIC) + 3000000000ULL;
	struct drm_loom_info_device_status ds;
	pid_t pids[4];
	int fd = loom_open();

	for (unsigned i = 0; i < n; i++) {
		pids[i] = fork();
		loom_assert(pids[i] >= 0);
		if (pids[i] == 0)
			stress_worker(i, until);
	}
	for (unsigned i = 0; i < n; i++) {
		int status;

		loom_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		loom_assert(WIFEXITED(status));
		loom_assert_eq(WEXITSTATUS(status), 0);
	}
	info(fd, DRM_LOOM_INFO_DEVICE_STATUS, &ds, sizeof(ds));
	loom_assert_eq(ds.status, DRM_LOOM_DEVICE_STATUS_OPERATIONAL);
	close(fd);
}

/* ---- bad arguments ------------------------------------------------------------- */

static const uint32_t new_queries[] = {
	DRM_LOOM_INFO_DRAM_USAGE, DRM_LOOM_INFO_DEVICE_STATUS, DRM_LOOM_INFO_UTILIZATION,
	DRM_LOOM_INFO_CLOCKS, DRM_LOOM_INFO_POWER, DRM_LOOM_INFO_ENERGY,
	DRM_LOOM_INFO_TEMPERATURE, DRM_LOOM_INFO_THROTTLE, DRM_LOOM_INFO_RESET_COUNT,
	DRM_LOOM_INFO_HW_EVENTS, DRM_LOOM_INFO_OPEN_STATS,
};

static const uint32_t new_sizes[] = {
	sizeof(struct drm_loom_info_dram_usage), sizeof(struct drm_loom_info_device_status),
	sizeof(struct drm_loom_info_utilization), sizeof(struct drm_loom_info_clocks),
	sizeof(struct drm_loom_info_power), sizeof(struct drm_loom_info_energy),
	sizeof(struct drm_loom_info_temperature), sizeof(struct drm_loom_info_throttle),
	sizeof(struct drm_loom_info_reset_count), sizeof(struct drm_loom_info_hw_events),
	sizeof(struct drm_loom_info_open_stats),
};

#define NQ (sizeof(new_queries) / sizeof(new_queries[0]))

static void test_bad_info_size(void)
{
	uint8_t buf[512];
	int fd = loom_open();

	for (unsigned i = 0; i < NQ; i++) {
		memset(buf, 0x5a, sizeof(buf));
		loom_assert_err(__loom_info(fd, new_queries[i], buf, new_sizes[i] - 1), EINVAL);
		loom_assert_err(__loom_info(fd, new_queries[i], buf, 0), EINVAL);
		loom_assert_err(__loom_info(fd, new_queries[i], buf, 8), EINVAL);
		/* Nothing was written. */
		for (unsigned j = 0; j < sizeof(buf); j++)
			loom_assert_eq(buf[j], 0x5a);
	}
	close(fd);
}

static void test_bad_info_ptr(void)
{
	int fd = loom_open();

	for (unsigned i = 0; i < NQ; i++) {
		int r = __loom_info(fd, new_queries[i], NULL, new_sizes[i]);

		if (new_queries[i] == DRM_LOOM_INFO_DRAM_USAGE && r == -EOPNOTSUPP)
			continue;
		if (r != -EFAULT)
			loom_igt_fail(__FILE__, __LINE__, "query %u with NULL: %d", new_queries[i], r);
		loom_assert_err(__loom_info(fd, new_queries[i], (void *)8, new_sizes[i]), EFAULT);
		loom_assert_err(__loom_info(fd, new_queries[i], (void *)0xffff800000000000ULL,
					    new_sizes[i]), EFAULT);
	}
	close(fd);
}

static void test_bad_info_flags_reserved(void)
{
	uint8_t buf[512];
	int fd = loom_open();

	for (unsigned i = 0; i < NQ; i++) {
		struct drm_loom_info a = {
			.query = new_queries[i],
			.data_ptr = (uintptr_t)buf,
			.data_size = sizeof(buf),
		};

		a.flags = 1;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &a), EINVAL);
		a.flags = 0x80000000U;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &a), EINVAL);
		a.flags = 0;
		a.pad = 1;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &a), EINVAL);
		a.pad = 0;
		a.reserved[1] = 1;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &a), EINVAL);
	}
	/* The next query number is not one yet. */
	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_OPEN_STATS + 1, buf, sizeof(buf)), EINVAL);
	close(fd);
}

static void test_bad_eventfd_fd(void)
{
	int fd = loom_open(), unused = open("/dev/null", O_RDONLY | O_CLOEXEC);

	loom_assert(unused >= 0);
	close(unused);
	loom_assert_err(__eventfd_register(fd, -1), EBADF);
	loom_assert_err(__eventfd_register(fd, unused), EBADF);
	loom_assert_err(__eventfd_register(fd, 0x7fffffff), EBADF);
	/* An open file that is not an eventfd. */
	loom_assert_err(__eventfd_register(fd, fd), EINVAL);
	/* Nothing was registered by those. */
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	close(fd);
}

static void test_bad_eventfd_double(void)
{
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC), efd2 = eventfd(0, EFD_CLOEXEC);

	loom_assert(efd >= 0 && efd2 >= 0);
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	loom_assert_err(__eventfd_register(fd, efd), EBUSY);
	loom_assert_err(__eventfd_register(fd, efd2), EBUSY);
	loom_assert_eq(__eventfd_unregister(fd), 0);
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	/* Registering again after unregistering works. */
	loom_assert_eq(__eventfd_register(fd, efd2), 0);
	loom_assert_eq(__eventfd_unregister(fd), 0);
	close(efd);
	close(efd2);
	close(fd);
}

static void test_bad_eventfd_flags(void)
{
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC);

	for (unsigned bit = 0; bit < 32; bit++) {
		struct drm_loom_eventfd a = {
			.op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd, .flags = 1U << bit,
		};

		if (a.flags & DRM_LOOM_EVENTFD_FLAGS_MASK)
			continue;
		loom_assert_err(eventfd_args(fd, &a), EINVAL);
		a.op = DRM_LOOM_EVENTFD_OP_READ;
		a.fd = 0;
		loom_assert_err(eventfd_args(fd, &a), EINVAL);
	}
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	close(efd);
	close(fd);
}

static void test_bad_eventfd_reserved(void)
{
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC);
	struct drm_loom_eventfd a;
	struct drm_loom_event ev;

	for (unsigned i = 0; i < 2; i++) {
		a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd };
		a.reserved[i] = 1;
		loom_assert_err(eventfd_args(fd, &a), EINVAL);
		a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ };
		a.reserved[i] = 1ULL << 63;
		loom_assert_err(eventfd_args(fd, &a), EINVAL);
	}
	/* Fields an op does not use must be 0. */
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd,
				       .count = 1 };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd,
				       .events_ptr = (uintptr_t)&ev };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_UNREGISTER, .fd = 1 };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_UNREGISTER, .count = 1 };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ, .fd = (uint32_t)efd };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	/* Unknown ops. */
	a = (struct drm_loom_eventfd){ .op = 3 };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = 0xffffffffU };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	/* None of it registered anything. */
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	close(efd);
	close(fd);
}

/* ---- debugfs ----------------------------------------------------------------- */

static void test_debugfs(void)
{
	static const struct { const char *file, *needle; } files[] = {
		{ "engines", "device: operational" },
		{ "queues", "queue 31:" },
		{ "mmu", "faults " },
		{ "contexts", "asid enabled" },
		{ "events", "heartbeat " },
		{ "fw", "energy_mj " },
		{ "name", "loom" },
	};
	static char buf[65536];
	char dir[256], path[600];
	int fd = loom_open();

	debugfs_dir(fd, dir, sizeof(dir));
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i].file);
		r = loom_read_file(path, buf, sizeof(buf));
		if (r)
			loom_igt_fail(__FILE__, __LINE__, "read %s: %s", path, strerror(-r));
		if (!strstr(buf, files[i].needle))
			loom_igt_fail(__FILE__, __LINE__, "%s lacks '%s'", path, files[i].needle);
	}
	/* The events file lists this open file with its pid. */
	snprintf(path, sizeof(path), "%s/events", dir);
	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	{
		char key[32];

		snprintf(key, sizeof(key), "file pid %d ", getpid());
		loom_assert(strstr(buf, key));
	}
	/* inject_event refuses what is not an ECC type or not an ASID. */
	snprintf(path, sizeof(path), "%s/inject_event", dir);
	loom_assert_err(loom_write_file(path, "1 0"), EINVAL);
	loom_assert_err(loom_write_file(path, "4 64"), EINVAL);
	loom_assert_err(loom_write_file(path, "4"), EINVAL);
	loom_assert_err(loom_write_file(path, "x y"), EINVAL);
	loom_assert_err(loom_write_file(path, "44444444444444444444444444444444444444"), EINVAL);
	snprintf(path, sizeof(path), "%s/eq_hold", dir);
	loom_assert_err(loom_write_file(path, "maybe"), EINVAL);
	loom_assert_eq(loom_write_file(path, "0"), 0);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "info-dram-usage", "DRAM size, use and free agree; a DRAM object adds to the use",
	  test_info_dram_usage },
	{ "info-device-status", "operational, all queues idle, heartbeat and clock advance",
	  test_info_device_status },
	{ "info-utilization", "4 engine classes, 0..100 %, busy time monotonic and bounded",
	  test_info_utilization },
	{ "info-utilization-work", "DMA work shows in busy time and energy; MME stays idle",
	  test_info_utilization_work, 60 },
	{ "throttle-power", "at a 150 W limit a busy MME throttles: query, clocks, status, events",
	  test_throttle_power, 120 },
	{ "info-clocks", "max clocks of the model, current within [30 %, 100 %]", test_info_clocks },
	{ "info-power", "idle, limits and default of the model; now, average and peak plausible",
	  test_info_power },
	{ "info-energy", "energy grows with time at a mean power between idle and the peak",
	  test_info_energy },
	{ "info-temperature", "4 sensors between ambient and the limit; peak >= die >= board",
	  test_info_temperature },
	{ "info-throttle", "reasons and their start/end/total times are consistent",
	  test_info_throttle },
	{ "info-reset-count", "hardware resets >= 1, driver resets agree with sysfs",
	  test_info_reset_count },
	{ "info-hw-events", "counters add up; heartbeat events arrive every second",
	  test_info_hw_events },
	{ "info-open-stats", "open files, total opens and last open/close times follow opens",
	  test_info_open_stats },
	{ "info-sizes", "every answer has its structure's size and leaves the rest of the buffer",
	  test_info_sizes },
	{ "hwmon", "hwmon files exist, parse, and agree with the INFO queries", test_hwmon },
	{ "hwmon-power-cap", "power1_cap write + read back + INFO; bad values -> EINVAL",
	  test_hwmon_power_cap },
	{ "sysfs", "fw_version, hw_revision, max_power, device_status, reset_count", test_sysfs },
	{ "eventfd-device-event", "a device-wide event signals every file's eventfd",
	  test_eventfd_device_event },
	{ "eventfd-context-event", "an event in a context reaches its file, not another's",
	  test_eventfd_context_event },
	{ "eventfd-page-fault", "a DMA to an unmapped VA: the fault's VA reaches the eventfd's file",
	  test_eventfd_page_fault },
	{ "eventfd-read", "records in order, count 0 peeks, EFAULT keeps the records",
	  test_eventfd_read },
	{ "eventfd-overflow", "a full list keeps the oldest records and counts the lost ones",
	  test_eventfd_overflow, 60 },
	{ "eq-overflow", "an unread event queue overflows: overwritten records count as lost",
	  test_eq_overflow, 120 },
	{ "eventfd-close-registered", "closing the file or the eventfd first is clean",
	  test_eventfd_close_registered },
	{ "reset-event", "a device reset: counters, sysfs, a RESET event; context events go on",
	  test_reset_event, 60 },
	{ "stress-concurrent", "queries, hwmon, eventfds, opens and events from 4 processes at once",
	  test_stress_concurrent, 60 },
	{ "bad-info-size", "each new query: a buffer smaller than its structure -> EINVAL",
	  test_bad_info_size },
	{ "bad-info-ptr", "each new query: an unwritable buffer -> EFAULT", test_bad_info_ptr },
	{ "bad-info-flags-reserved", "each new query: flags, pad, reserved -> EINVAL",
	  test_bad_info_flags_reserved },
	{ "bad-eventfd-fd", "not a file -> EBADF, not an eventfd -> EINVAL", test_bad_eventfd_fd },
	{ "bad-eventfd-double", "second register -> EBUSY, unregister of none -> ENOENT",
	  test_bad_eventfd_double },
	{ "bad-eventfd-flags", "every undefined flag -> EINVAL", test_bad_eventfd_flags },
	{ "bad-eventfd-reserved", "reserved, unused fields, unknown ops -> EINVAL",
	  test_bad_eventfd_reserved },
	{ "debugfs", "every debugfs file is readable and says what it should", test_debugfs },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
