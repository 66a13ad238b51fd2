// SPDX-License-Identifier: MIT
/*
 * loom_info: the INFO queries after HW_IP and their bad arguments, run in
 * the QEMU guest against loom.ko and a loomd serving the device
 * (vm/run.sh). The hwmon, sysfs and debugfs files and throttling are
 * loom_hwmon's; DRM_IOCTL_LOOM_EVENTFD and device events are loom_events'.
 *
 * What the device reports is checked against what is known independently:
 * the power model's constants (docs/power-model.md: idle 60 W, limits
 * 150..450 W, default 350 W, ambient 30 °C, limit 95 °C, clocks 1800 /
 * 1600 / 1000 MHz), the hardware constants of hw/, and the physics the
 * model promises (energy is the integral of power and never decreases;
 * an idle device draws its idle power).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hw/loom_packets.h"
#include "hw/loom_regs.h"

#include "loom_info_common.h"

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
	/* Millikelvin: the power model's m°C + 273150. */
	loom_assert_eq(t.ambient_mk, AMBIENT_MC + DRM_LOOM_MK_0C);
	loom_assert_eq(t.limit_mk, TEMP_LIMIT_MC + DRM_LOOM_MK_0C);
	/* Each sensor sits between ambient and the throttling limit (+ overshoot). */
	for (unsigned i = 0; i < t.num_sensors; i++)
		loom_assert(t.temp_mk[i] >= AMBIENT_MC + DRM_LOOM_MK_0C &&
			    t.temp_mk[i] <= TEMP_LIMIT_MC + 5000 + DRM_LOOM_MK_0C);
	for (unsigned i = t.num_sensors; i < DRM_LOOM_MAX_SENSORS; i++)
		loom_assert_eq(t.temp_mk[i], 0);
	loom_assert(t.peak_mk >= t.temp_mk[DRM_LOOM_SENSOR_DIE]);
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

/* Without CAP_PERFMON and CAP_SYS_ADMIN, other users' open and close times read 0. */
static void test_info_open_stats_unprivileged(void)
{
	struct drm_loom_info_open_stats o;
	int fd = loom_open(), fd2 = loom_open();

	close(fd2);
	info(fd, DRM_LOOM_INFO_OPEN_STATS, &o, sizeof(o));
	loom_assert(o.last_open_ns && o.last_close_ns);
	/* From root to nobody: every capability goes. */
	if (setgid(65534) || setuid(65534))
		loom_skip("cannot become nobody: %s", strerror(errno));
	info(fd, DRM_LOOM_INFO_OPEN_STATS, &o, sizeof(o));
	loom_assert(o.open_files >= 1);
	loom_assert(o.total_opens >= 2);
	loom_assert_eq(o.last_open_ns, 0);
	loom_assert_eq(o.last_close_ns, 0);
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

static const struct loom_subtest tests[] = {
	{ "info-dram-usage", "DRAM size, use and free agree; a DRAM object adds to the use",
	  test_info_dram_usage },
	{ "info-device-status", "operational, all queues idle, heartbeat and clock advance",
	  test_info_device_status },
	{ "info-utilization", "4 engine classes, 0..100 %, busy time monotonic and bounded",
	  test_info_utilization },
	{ "info-utilization-work", "DMA work shows in busy time and energy; MME stays idle",
	  test_info_utilization_work, 60 },
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
	{ "info-open-stats-unprivileged", "OPEN_STATS without CAP_PERFMON or CAP_SYS_ADMIN: the times read 0",
	  test_info_open_stats_unprivileged },
	{ "info-sizes", "every answer has its structure's size and leaves the rest of the buffer",
	  test_info_sizes },
	{ "bad-info-size", "each new query: a buffer smaller than its structure -> EINVAL",
	  test_bad_info_size },
	{ "bad-info-ptr", "each new query: an unwritable buffer -> EFAULT", test_bad_info_ptr },
	{ "bad-info-flags-reserved", "each new query: flags, pad, reserved -> EINVAL",
	  test_bad_info_flags_reserved },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
