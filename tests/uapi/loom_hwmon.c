// SPDX-License-Identifier: MIT
/*
 * loom_hwmon: the hwmon files (temperatures, energy, power and its cap),
 * the device's sysfs files, power throttling of a busy MME and the
 * debugfs files, run in the QEMU guest against loom.ko and a loomd
 * serving the device (vm/run.sh). Each file is checked against the INFO
 * queries and the power model's figures (docs/power-model.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hw/loom_packets.h"

#include "loom_gem_common.h"
#include "loom_info_common.h"

/* ---- helpers --------------------------------------------------------------- */

static long long hwmon_ll(const char *dir, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return read_ll(path);
}

/* ---- hwmon and sysfs ------------------------------------------------------------ */

static void test_hwmon(void)
{
	static const char * const labels[4] = { "die\n", "mme\n", "hbm\n", "board\n" };
	static const char * const clock_labels[3] = { "core\n", "dma\n", "hbm\n" };
	struct drm_loom_info_clocks c1, c2;
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
	loom_assert(hwmon_ll(dir, "temp1_highest") >= (long long)t.peak_mk - DRM_LOOM_MK_0C);

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

	/* Clocks in Hz, one freqN per DRM_LOOM_INFO_CLOCKS domain. */
	info(fd, DRM_LOOM_INFO_CLOCKS, &c1, sizeof(c1));
	loom_assert_eq(c1.num_clocks, 3);
	for (unsigned i = 0; i < c1.num_clocks; i++) {
		long long lo, hi;

		snprintf(path, sizeof(path), "%s/freq%u_label", dir, i + 1);
		loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
		loom_assert(!strcmp(buf, clock_labels[i]));
		snprintf(name, sizeof(name), "freq%u_max", i + 1);
		loom_assert_eq(hwmon_ll(dir, name), (long long)c1.max_mhz[i] * 1000000);
		info(fd, DRM_LOOM_INFO_CLOCKS, &c1, sizeof(c1));
		snprintf(name, sizeof(name), "freq%u_input", i + 1);
		v = hwmon_ll(dir, name);
		info(fd, DRM_LOOM_INFO_CLOCKS, &c2, sizeof(c2));
		/* Between two INFO readings around it (a core clock may be climbing back). */
		lo = c1.cur_mhz[i] < c2.cur_mhz[i] ? c1.cur_mhz[i] : c2.cur_mhz[i];
		hi = c1.cur_mhz[i] < c2.cur_mhz[i] ? c2.cur_mhz[i] : c1.cur_mhz[i];
		loom_assert(v >= lo * 1000000 && v <= hi * 1000000);
		loom_assert(v > 0 && v <= (long long)c1.max_mhz[i] * 1000000);
	}
	snprintf(path, sizeof(path), "%s/freq4_input", dir);
	loom_assert(access(path, F_OK) != 0);
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

/* ---- throttling ------------------------------------------------------------- */

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
/*
 * The start of a throttling case: MME work on fd (SKIP without
 * submission), an eventfd registered and drained, the throttle state
 * before (in *t0) without the reason that is about to come.
 */
static int throttle_start(int fd, struct mme_work *w, struct drm_loom_info_throttle *t0,
			  uint32_t reason)
{
	int efd = eventfd(0, EFD_CLOEXEC), r;

	loom_assert(efd >= 0);
	r = mme_setup(fd, w);
	if (r)
		loom_skip("no submission in this driver (QUEUE_CREATE: %s)", strerror(-r));
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	info(fd, DRM_LOOM_INFO_THROTTLE, t0, sizeof(*t0));
	loom_assert_eq(t0->reasons & reason, 0);
	return efd;
}

static void throttle_power_body(const char *cap)
{
	struct drm_loom_info_throttle t0, t;
	struct drm_loom_info_clocks c;
	struct drm_loom_info_device_status ds;
	struct drm_loom_info_utilization u;
	struct drm_loom_event e;
	struct mme_work w;
	bool seen = false, core_low = false, flag = false;
	int fd = loom_open(), efd = throttle_start(fd, &w, &t0, DRM_LOOM_THROTTLE_POWER);
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

/* Take the pending records; true if a THROTTLE one has (info & mask) == want. */
static bool throttle_event(int fd, uint32_t mask, uint32_t want)
{
	struct drm_loom_event ev[DRM_LOOM_EVENT_QUEUE_DEPTH];
	bool found = false;
	unsigned n;

	while ((n = events_read(fd, ev, DRM_LOOM_EVENT_QUEUE_DEPTH, NULL)))
		for (unsigned i = 0; i < n; i++)
			if (ev[i].type == DRM_LOOM_EVENT_THROTTLE && (ev[i].info & mask) == want) {
				loom_assert_eq(ev[i].flags, DRM_LOOM_EVENT_F_DEVICE);
				found = true;
			}
	return found;
}

/*
 * With the die's throttling temperature lowered to 50 °C (debugfs
 * temp_limit_mc), a busy MME heats the die past it: the throttle query
 * gives the thermal reason, hwmon temp1_max and INFO TEMPERATURE the new
 * limit, and a device-wide THROTTLE event with the thermal bit arrives;
 * with the limit back, it ends, with an event. Runs in a child.
 */
static void throttle_thermal_body(const char *limit, const char *hwmon)
{
	struct drm_loom_info_throttle t0, t;
	struct drm_loom_info_temperature temp;
	struct mme_work w;
	bool seen = false, ev_on = false, ev_off = false;
	int fd = loom_open(), efd = throttle_start(fd, &w, &t0, DRM_LOOM_THROTTLE_THERMAL);
	loom_assert_eq(loom_write_file(limit, "50000"), 0);
	loom_assert_eq(hwmon_ll(hwmon, "temp1_max"), 50000);
	info(fd, DRM_LOOM_INFO_TEMPERATURE, &temp, sizeof(temp));
	loom_assert_eq(temp.limit_mk, 50000 + DRM_LOOM_MK_0C);
	for (unsigned round = 0; round < 20 && !(seen && ev_on); round++) {
		mme_run(fd, &w, 3);
		info(fd, DRM_LOOM_INFO_THROTTLE, &t, sizeof(t));
		if (t.reasons & DRM_LOOM_THROTTLE_THERMAL) {
			seen = true;
			loom_assert(t.start_ns[1] > t0.timestamp_ns);
			loom_assert(t.start_ns[1] <= t.timestamp_ns);
			loom_assert_eq(t.end_ns[1], 0);
		}
		ev_on |= throttle_event(fd, DRM_LOOM_THROTTLE_THERMAL, DRM_LOOM_THROTTLE_THERMAL);
	}
	loom_assert(seen);
	info(fd, DRM_LOOM_INFO_TEMPERATURE, &temp, sizeof(temp));
	loom_assert(temp.peak_mk > 50000 + DRM_LOOM_MK_0C);
	for (int i = 0; i < 50 && !ev_on; i++) {
		sleep_ms(100);
		ev_on = throttle_event(fd, DRM_LOOM_THROTTLE_THERMAL, DRM_LOOM_THROTTLE_THERMAL);
	}
	loom_assert(ev_on);

	/* Idle, with the limit back: the reason clears, with an event. */
	loom_assert_eq(loom_write_file(limit, "95000"), 0);
	for (int i = 0; i < 100; i++) {
		info(fd, DRM_LOOM_INFO_THROTTLE, &t, sizeof(t));
		ev_off |= throttle_event(fd, DRM_LOOM_THROTTLE_THERMAL, 0);
		if (!(t.reasons & DRM_LOOM_THROTTLE_THERMAL) && ev_off)
			break;
		sleep_ms(100);
	}
	loom_assert_eq(t.reasons & DRM_LOOM_THROTTLE_THERMAL, 0);
	loom_assert(t.end_ns[1] >= t.start_ns[1] && t.start_ns[1] != 0);
	loom_assert(t.total_ns[1] > t0.total_ns[1]);
	loom_assert(ev_off);
	close(efd);
	close(fd);
	exit(0);
}

static void test_throttle_thermal(void)
{
	char dir[256], hwmon[256], limit[320], old[32];
	int status, fd = loom_open();
	pid_t pid;

	debugfs_dir(fd, dir, sizeof(dir));
	close(fd);
	hwmon_dir(hwmon, sizeof(hwmon));
	snprintf(limit, sizeof(limit), "%s/temp_limit_mc", dir);
	if (loom_read_file(limit, old, sizeof(old)))
		loom_skip("no %s: the die's limit cannot be lowered", limit);
	/* Outside the firmware's 50-105 °C, or not a number: EINVAL, nothing changes. */
	{
		static const char * const bad[] = { "0", "49999", "105001", "-1", "abc", "4294967296" };

		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int r = loom_write_file(limit, bad[i]);

			if (r != -EINVAL)
				loom_igt_fail(__FILE__, __LINE__, "temp_limit_mc <- %s: %d, expected -EINVAL",
					      bad[i], r);
		}
		loom_assert_eq(hwmon_ll(hwmon, "temp1_max"), atoll(old));
	}
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0)
		throttle_thermal_body(limit, hwmon);
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	loom_assert_eq(loom_write_file(limit, old), 0);
	loom_assert(WIFEXITED(status));
	if (WEXITSTATUS(status))
		exit(WEXITSTATUS(status));	/* the child's verdict (failure or skip) */
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
	/* engines: busy time and utilisation per engine class, numbers. */
	snprintf(path, sizeof(path), "%s/engines", dir);
	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	{
		static const char *const classes[] = { "DMA", "MME", "TPC", "CP" };
		unsigned long long ts, mj;
		const char *l = strstr(buf, "timestamp_ns ");

		if (!l || sscanf(l, "timestamp_ns %llu energy_mj %llu", &ts, &mj) != 2)
			loom_igt_fail(__FILE__, __LINE__, "engines lacks 'timestamp_ns N energy_mj N':\n%s",
				      buf);
		loom_assert(ts > 0);
		for (unsigned i = 0; i < 4; i++) {
			unsigned long long busy;
			unsigned util;
			char key[32];

			snprintf(key, sizeof(key), "engine %-3s busy_ns ", classes[i]);
			l = strstr(buf, key);
			if (!l || sscanf(l + strlen(key), "%llu util_pct %u", &busy, &util) != 2)
				loom_igt_fail(__FILE__, __LINE__, "engines lacks '%sN util_pct N':\n%s",
					      key, buf);
			loom_assert(util <= 100);
			loom_assert(busy <= ts);
		}
	}
	/* mmu: the mapping this file bound, at its VA, with its page-table entries. */
	{
		const uint64_t va = 0x6b6b00000000ULL;
		uint64_t got = va;
		uint32_t h = gem_create(fd, 2 * PAGE, DRM_LOOM_BO_HOST);
		char key[96];

		loom_assert_eq(__vm_map(fd, h, 0, 2 * PAGE, DRM_LOOM_VM_BIND_FIXED, &got), 0);
		loom_assert(got == va);
		snprintf(path, sizeof(path), "%s/mmu", dir);
		loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
		snprintf(key, sizeof(key), "  user   %#014llx-%#014llx\n", (unsigned long long)va,
			 (unsigned long long)(va + 2 * PAGE));
		if (!strstr(buf, key))
			loom_igt_fail(__FILE__, __LINE__, "mmu lacks '%s'", key);
		snprintf(key, sizeof(key), "  pte %#014llx-", (unsigned long long)va);
		if (!strstr(buf, key))
			loom_igt_fail(__FILE__, __LINE__, "mmu lacks '%s'", key);
		loom_assert_eq(__vm_unmap(fd, va, 0), 0);
		loom_assert_eq(__gem_close(fd, h), 0);
	}
	/* contexts: this file's context, owned by this process. */
	snprintf(path, sizeof(path), "%s/contexts", dir);
	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	{
		char key[32];

		snprintf(key, sizeof(key), "pid=%d(", getpid());
		if (!strstr(buf, key))
			loom_igt_fail(__FILE__, __LINE__, "contexts lacks '%s':\n%s", key, buf);
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
	{ "throttle-power", "at a 150 W limit a busy MME throttles: query, clocks, status, events",
	  test_throttle_power, 120 },
	{ "throttle-thermal", "at a 50 °C die limit (debugfs) a busy MME throttles: query, limits, events",
	  test_throttle_thermal, 120 },
	{ "hwmon", "hwmon files (temperatures, power, energy, clocks) exist, parse, and agree with the INFO queries",
	  test_hwmon },
	{ "hwmon-power-cap", "power1_cap write + read back + INFO; bad values -> EINVAL",
	  test_hwmon_power_cap },
	{ "sysfs", "fw_version, hw_revision, max_power, device_status, reset_count", test_sysfs },
	{ "debugfs", "every debugfs file is readable and says what it should: engine classes' busy time and utilisation, this file's mapping and pid",
	  test_debugfs },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
