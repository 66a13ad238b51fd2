// SPDX-License-Identifier: MIT
/*
 * loom.ko: DRM_IOCTL_LOOM_INFO, the device's queries, and the telemetry
 * the hwmon, sysfs and debugfs files share.
 *
 * The arguments are checked before anything else (flags, padding and
 * reserved words must be zero, the query must be known, the buffer at
 * least as large as the first version of the query's structure); the
 * answer is built on the stack and copied out, at most data_size bytes.
 * Queries that read the device run inside drm_dev_enter()/exit(), so an
 * unplugged device answers -ENODEV instead of touching unmapped BARs.
 *
 * Identity and status come from registers; power, energy, temperatures,
 * clocks, utilisation and throttling from the firmware's GET_TELEMETRY
 * (hw/loom_fw.h), one mailbox command per query; the limits from the
 * GET_INFO the driver sends once at probe. A device whose heartbeat has
 * stopped (loomd gone) answers telemetry queries with -ENODEV at once
 * instead of waiting for the mailbox to time out.
 */
#include <linux/capability.h>
#include <linux/math64.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#include "loom/uapi/loom_accel.h"

#include "loom_cs.h"
#include "loom_events.h"
#include "loom_fw.h"
#include "loom_gem.h"
#include "loom_hw.h"
#include "loom_info.h"
#include "loom_queue.h"

/* Size of the first version of each query's structure. */
static const u32 loom_info_min_size[] = {
	[DRM_LOOM_INFO_HW_IP] = sizeof(struct drm_loom_info_hw_ip),
	[DRM_LOOM_INFO_DRAM_USAGE] = sizeof(struct drm_loom_info_dram_usage),
	[DRM_LOOM_INFO_DEVICE_STATUS] = sizeof(struct drm_loom_info_device_status),
	[DRM_LOOM_INFO_UTILIZATION] = sizeof(struct drm_loom_info_utilization),
	[DRM_LOOM_INFO_CLOCKS] = sizeof(struct drm_loom_info_clocks),
	[DRM_LOOM_INFO_POWER] = sizeof(struct drm_loom_info_power),
	[DRM_LOOM_INFO_ENERGY] = sizeof(struct drm_loom_info_energy),
	[DRM_LOOM_INFO_TEMPERATURE] = sizeof(struct drm_loom_info_temperature),
	[DRM_LOOM_INFO_THROTTLE] = sizeof(struct drm_loom_info_throttle),
	[DRM_LOOM_INFO_RESET_COUNT] = sizeof(struct drm_loom_info_reset_count),
	[DRM_LOOM_INFO_HW_EVENTS] = sizeof(struct drm_loom_info_hw_events),
	[DRM_LOOM_INFO_OPEN_STATS] = sizeof(struct drm_loom_info_open_stats),
};

/*
 * The firmware's signed millidegrees Celsius as the uAPI's millikelvin
 * (below absolute zero, which no sensor reads, clamps to 0).
 */
static u32 loom_info_mc_to_mk(s32 mc)
{
	s64 mk = (s64)mc + DRM_LOOM_MK_0C;

	return mk < 0 ? 0 : (u32)mk;
}

/* ---- Telemetry shared with hwmon, sysfs and debugfs ------------------------ */

/*
 * Gone: the submission code gave the device up (mailbox or heartbeat
 * timeouts, loom_reset.c), or the heartbeat has not moved for
 * LOOM_EVENTS_GONE_MS.
 */
static bool loom_info_gone(struct loom_device *ldev)
{
	return (READ_ONCE(ldev->cs) && loom_cs_device_gone(ldev)) ||
	       loom_events_device_gone(ldev);
}

/*
 * The submission code holds its reset semaphore for writing while it
 * resets the device (loom_reset.c); a failed try for reading means that
 * reset is running or waiting to run.
 */
static bool loom_info_driver_resetting(struct loom_device *ldev)
{
	struct loom_cs_dev *cs = READ_ONCE(ldev->cs);

	if (!cs)
		return false;
	if (!down_read_trylock(&cs->reset_sem))
		return true;
	up_read(&cs->reset_sem);
	return false;
}

u32 loom_info_device_status(struct loom_device *ldev)
{
	u32 st = loom_rd32(ldev, LOOM_REG_DEV_STATUS);

	if (loom_info_gone(ldev))
		return DRM_LOOM_DEVICE_STATUS_GONE;
	if ((st & LOOM_DEV_STATUS_RESETTING) || !(st & LOOM_DEV_STATUS_READY) ||
	    loom_info_driver_resetting(ldev))
		return DRM_LOOM_DEVICE_STATUS_IN_RESET;
	return DRM_LOOM_DEVICE_STATUS_OPERATIONAL;
}

const char *loom_info_device_status_name(u32 status)
{
	switch (status) {
	case DRM_LOOM_DEVICE_STATUS_OPERATIONAL:
		return "operational";
	case DRM_LOOM_DEVICE_STATUS_IN_RESET:
		return "in reset";
	case DRM_LOOM_DEVICE_STATUS_GONE:
		return "gone";
	default:
		return "unknown";
	}
}

/* Advance the averaging window with a new sample. */
static void loom_info_power_sample(struct loom_info *info, const struct loom_fw_telemetry *t)
{
	u64 dt;

	mutex_lock(&info->avg_lock);
	if (!info->avg_start_ns || t->timestamp_ns < info->avg_start_ns ||
	    t->energy_mj < info->avg_start_mj) {
		info->avg_start_ns = t->timestamp_ns;
		info->avg_start_mj = t->energy_mj;
	} else {
		dt = t->timestamp_ns - info->avg_start_ns;
		if (dt >= LOOM_INFO_AVG_WINDOW_NS) {
			/* mJ * 1e9 / ns = mW */
			info->avg_mw = div64_u64((t->energy_mj - info->avg_start_mj) * NSEC_PER_SEC,
						 dt);
			info->avg_valid = true;
			info->avg_start_ns = t->timestamp_ns;
			info->avg_start_mj = t->energy_mj;
		}
	}
	mutex_unlock(&info->avg_lock);
}

u32 loom_info_power_average(struct loom_device *ldev, const struct loom_fw_telemetry *t)
{
	struct loom_info *info = ldev->info;
	u32 mw;

	if (!info)
		return t->power_mw;
	mutex_lock(&info->avg_lock);
	mw = info->avg_valid ? info->avg_mw : t->power_mw;
	mutex_unlock(&info->avg_lock);
	return mw;
}

int loom_info_telemetry(struct loom_device *ldev, struct loom_fw_telemetry *t)
{
	int ret;

	BUILD_BUG_ON(sizeof(*t) > LOOM_MBOX_DATA_SIZE);
	if (loom_info_gone(ldev))
		return -ENODEV;
	memset(t, 0, sizeof(*t));
	ret = loom_fw_command(ldev, LOOM_FW_CMD_GET_TELEMETRY, NULL, t, sizeof(*t));
	if (ret)
		return ret;
	if (ldev->info)
		loom_info_power_sample(ldev->info, t);
	return 0;
}

int loom_info_set_power_limit(struct loom_device *ldev, u32 mw)
{
	struct loom_info *info = ldev->info;
	u64 args[4] = { mw };

	if (!info)
		return -ENODEV;
	if (mw < info->fw.power_min_mw || mw > info->fw.power_max_mw)
		return -EINVAL;
	if (loom_info_gone(ldev))
		return -ENODEV;
	return loom_fw_command(ldev, LOOM_FW_CMD_SET_POWER_LIMIT, args, NULL, 0);
}

int loom_info_init(struct loom_device *ldev)
{
	struct loom_info *info;
	int ret;

	info = drmm_kzalloc(&ldev->drm, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	ret = drmm_mutex_init(&ldev->drm, &info->avg_lock);
	if (ret)
		return ret;
	ret = loom_fw_command(ldev, LOOM_FW_CMD_GET_INFO, NULL, &info->fw, sizeof(info->fw));
	if (ret) {
		drm_err(&ldev->drm, "firmware GET_INFO failed: %d\n", ret);
		return ret;
	}
	info->fw.build[sizeof(info->fw.build) - 1] = '\0';
	if (!info->fw.power_min_mw || info->fw.power_min_mw > info->fw.power_max_mw) {
		drm_err(&ldev->drm, "firmware reports power limits %u..%u mW\n",
			info->fw.power_min_mw, info->fw.power_max_mw);
		return -ENODEV;
	}
	ldev->info = info;

	ret = loom_hwmon_init(ldev);
	if (ret)
		return ret;
	return loom_sysfs_init(ldev);
}

/* ---- The queries ------------------------------------------------------------ */

static int loom_info_copy(struct drm_loom_info *args, const void *src, u32 size)
{
	u32 n = min(args->data_size, size);

	if (copy_to_user(u64_to_user_ptr(args->data_ptr), src, n))
		return -EFAULT;
	args->data_size = n;
	return 0;
}

static u64 loom_info_caps(u32 hw_caps)
{
	u64 caps = 0;

	if (hw_caps & LOOM_CAP_MME_BF16)
		caps |= DRM_LOOM_CAP_MME_BF16;
	if (hw_caps & LOOM_CAP_PAGE_2M)
		caps |= DRM_LOOM_CAP_PAGE_2M;
	if (hw_caps & LOOM_CAP_TPC)
		caps |= DRM_LOOM_CAP_TPC;
	if (hw_caps & LOOM_CAP_TELEMETRY)
		caps |= DRM_LOOM_CAP_TELEMETRY;
	return caps;
}

static int loom_info_hw_ip(struct loom_device *ldev, struct drm_loom_info *args)
{
	struct drm_loom_info_hw_ip ip = {};

	ip.vendor_id = loom_rd32(ldev, LOOM_REG_VENDOR_ID);
	ip.device_id = loom_rd32(ldev, LOOM_REG_DEVICE_ID);
	ip.revision = loom_rd32(ldev, LOOM_REG_REVISION);
	ip.fw_version = ldev->fw_version;
	ip.dram_size = loom_rd64(ldev, LOOM_REG_DRAM_SIZE_LO);
	ip.caps = loom_info_caps(loom_rd32(ldev, LOOM_REG_CAPS));
	ip.num_queues = loom_rd32(ldev, LOOM_REG_NUM_QUEUES);
	ip.num_dma = loom_rd32(ldev, LOOM_REG_NUM_DMA);
	ip.num_mme = loom_rd32(ldev, LOOM_REG_NUM_MME);
	ip.num_tpc = loom_rd32(ldev, LOOM_REG_NUM_TPC);
	ip.num_sobs = loom_rd32(ldev, LOOM_REG_NUM_SOBS);
	ip.num_monitors = loom_rd32(ldev, LOOM_REG_NUM_MONITORS);
	ip.num_asids = loom_rd32(ldev, LOOM_REG_NUM_ASIDS);
	ip.va_bits = loom_rd32(ldev, LOOM_REG_VA_BITS);
	return loom_info_copy(args, &ip, sizeof(ip));
}

static int loom_info_dram_usage(struct loom_device *ldev, struct drm_file *file,
				struct drm_loom_info *args)
{
	struct drm_loom_info_dram_usage du = {};
	u64 used, total;

	loom_gem_dram_usage(ldev, &used, &total);
	du.dram_size = total;
	du.dram_used = min(used, total);
	du.dram_free = total - du.dram_used;
	return loom_info_copy(args, &du, sizeof(du));
}

static int loom_info_device_status_query(struct loom_device *ldev, struct drm_loom_info *args)
{
	struct drm_loom_info_device_status ds = {};
	u32 q, nq = min_t(u32, loom_rd32(ldev, LOOM_REG_NUM_QUEUES), 64);

	ds.status = loom_info_device_status(ldev);
	if (loom_rd32(ldev, LOOM_REG_DEV_STATUS) & LOOM_DEV_STATUS_THROTTLED)
		ds.status_flags |= DRM_LOOM_DEVICE_FLAG_THROTTLED;
	for (q = 0; q < nq; q++) {
		u32 st = loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_STATUS));
		u32 ctrl = loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_CTRL));
		u32 pi = loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_PI));
		u32 ci = loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_CI));

		if (LOOM_QSTATUS_STATE(st) != LOOM_QSTATUS_BUSY &&
		    (pi == ci || !(ctrl & LOOM_QCTRL_ENABLE) ||
		     LOOM_QSTATUS_STATE(st) == LOOM_QSTATUS_HALTED))
			ds.idle_mask |= BIT_ULL(q);
		if (LOOM_QSTATUS_STATE(st) == LOOM_QSTATUS_HALTED)
			ds.halted_mask |= BIT_ULL(q);
		if (ctrl & LOOM_QCTRL_ENABLE)
			ds.enabled_mask |= BIT_ULL(q);
	}
	ds.heartbeat = loom_rd32(ldev, LOOM_REG_HEARTBEAT);
	ds.timestamp_ns = loom_rd64(ldev, LOOM_REG_TIMESTAMP_LO);
	return loom_info_copy(args, &ds, sizeof(ds));
}

static int loom_info_telemetry_query(struct loom_device *ldev, u32 query,
				     struct drm_loom_info *args)
{
	struct loom_info *info = ldev->info;
	struct loom_fw_telemetry t;
	union {
		struct drm_loom_info_utilization util;
		struct drm_loom_info_clocks clk;
		struct drm_loom_info_power pwr;
		struct drm_loom_info_energy energy;
		struct drm_loom_info_temperature temp;
		struct drm_loom_info_throttle thr;
	} a;
	unsigned int i;
	u32 size;
	int ret;

	BUILD_BUG_ON(LOOM_FW_NUM_ENGINES > DRM_LOOM_MAX_ENGINES);
	BUILD_BUG_ON(LOOM_FW_NUM_CLOCKS > DRM_LOOM_MAX_CLOCKS);
	BUILD_BUG_ON(LOOM_FW_NUM_SENSORS > DRM_LOOM_MAX_SENSORS);
	BUILD_BUG_ON(LOOM_FW_NUM_THROTTLE > DRM_LOOM_MAX_THROTTLE);

	if (!info)
		return -ENODEV;
	ret = loom_info_telemetry(ldev, &t);
	if (ret)
		return ret;
	memset(&a, 0, sizeof(a));
	switch (query) {
	case DRM_LOOM_INFO_UTILIZATION:
		a.util.num_engines = LOOM_FW_NUM_ENGINES;
		a.util.timestamp_ns = t.timestamp_ns;
		for (i = 0; i < LOOM_FW_NUM_ENGINES; i++) {
			a.util.util_pct[i] = min_t(u32, t.util_pct[i], 100);
			a.util.busy_ns[i] = t.busy_ns[i];
		}
		size = sizeof(a.util);
		break;
	case DRM_LOOM_INFO_CLOCKS:
		a.clk.num_clocks = LOOM_FW_NUM_CLOCKS;
		for (i = 0; i < LOOM_FW_NUM_CLOCKS; i++) {
			a.clk.cur_mhz[i] = t.clock_mhz[i];
			a.clk.max_mhz[i] = info->fw.clock_max_mhz[i];
		}
		size = sizeof(a.clk);
		break;
	case DRM_LOOM_INFO_POWER:
		a.pwr.power_mw = t.power_mw;
		a.pwr.average_mw = loom_info_power_average(ldev, &t);
		a.pwr.peak_mw = t.power_peak_mw;
		a.pwr.limit_mw = t.power_limit_mw;
		a.pwr.default_limit_mw = info->fw.power_default_mw;
		a.pwr.min_limit_mw = info->fw.power_min_mw;
		a.pwr.max_limit_mw = info->fw.power_max_mw;
		a.pwr.idle_mw = info->fw.power_idle_mw;
		a.pwr.timestamp_ns = t.timestamp_ns;
		size = sizeof(a.pwr);
		break;
	case DRM_LOOM_INFO_ENERGY:
		a.energy.energy_mj = t.energy_mj;
		a.energy.timestamp_ns = t.timestamp_ns;
		size = sizeof(a.energy);
		break;
	case DRM_LOOM_INFO_TEMPERATURE:
		a.temp.num_sensors = LOOM_FW_NUM_SENSORS;
		for (i = 0; i < LOOM_FW_NUM_SENSORS; i++)
			a.temp.temp_mk[i] = loom_info_mc_to_mk(t.temp_mc[i]);
		a.temp.peak_mk = loom_info_mc_to_mk(t.temp_peak_mc);
		a.temp.limit_mk = loom_info_mc_to_mk(READ_ONCE(info->fw.temp_limit_mc));
		a.temp.ambient_mk = loom_info_mc_to_mk(info->fw.temp_ambient_mc);
		a.temp.timestamp_ns = t.timestamp_ns;
		size = sizeof(a.temp);
		break;
	case DRM_LOOM_INFO_THROTTLE:
		a.thr.reasons = 0;
		if (t.throttle_reasons & LOOM_THROTTLE_POWER)
			a.thr.reasons |= DRM_LOOM_THROTTLE_POWER;
		if (t.throttle_reasons & LOOM_THROTTLE_THERMAL)
			a.thr.reasons |= DRM_LOOM_THROTTLE_THERMAL;
		a.thr.num_reasons = LOOM_FW_NUM_THROTTLE;
		for (i = 0; i < LOOM_FW_NUM_THROTTLE; i++) {
			a.thr.start_ns[i] = t.throttle_start_ns[i];
			a.thr.end_ns[i] = t.throttle_end_ns[i];
			a.thr.total_ns[i] = t.throttle_total_ns[i];
		}
		a.thr.timestamp_ns = t.timestamp_ns;
		size = sizeof(a.thr);
		break;
	default:
		return -EINVAL;
	}
	return loom_info_copy(args, &a, size);
}

static int loom_info_reset_count(struct loom_device *ldev, struct drm_loom_info *args)
{
	struct drm_loom_info_reset_count rc = {};

	rc.device_resets = atomic_read(&ldev->reset_count);
	rc.queue_resets = atomic_read(&ldev->queue_reset_count);
	rc.hw_resets = loom_rd32(ldev, LOOM_REG_RESET_COUNT);
	return loom_info_copy(args, &rc, sizeof(rc));
}

static int loom_info_hw_events(struct loom_device *ldev, struct drm_file *file,
			       struct drm_loom_info *args)
{
	struct drm_loom_info_hw_events he = {};

	loom_events_hw_events(ldev, file, &he);
	return loom_info_copy(args, &he, sizeof(he));
}

static int loom_info_open_stats(struct loom_device *ldev, struct drm_loom_info *args)
{
	struct drm_loom_info_open_stats os = {};

	loom_events_open_stats(ldev, &os);
	/* When other users opened and closed the device is theirs to know. */
	if (!perfmon_capable()) {
		os.last_open_ns = 0;
		os.last_close_ns = 0;
	}
	return loom_info_copy(args, &os, sizeof(os));
}

int loom_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct drm_loom_info *args = data;
	u32 query;
	int ret, idx;

	if (args->flags & ~DRM_LOOM_INFO_FLAGS_MASK || args->pad ||
	    args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (args->query >= ARRAY_SIZE(loom_info_min_size))
		return -EINVAL;
	query = array_index_nospec(args->query, ARRAY_SIZE(loom_info_min_size));
	if (args->data_size < loom_info_min_size[query])
		return -EINVAL;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	switch (query) {
	case DRM_LOOM_INFO_HW_IP:
		ret = loom_info_hw_ip(ldev, args);
		break;
	case DRM_LOOM_INFO_DRAM_USAGE:
		ret = loom_info_dram_usage(ldev, file, args);
		break;
	case DRM_LOOM_INFO_DEVICE_STATUS:
		ret = loom_info_device_status_query(ldev, args);
		break;
	case DRM_LOOM_INFO_UTILIZATION:
	case DRM_LOOM_INFO_CLOCKS:
	case DRM_LOOM_INFO_POWER:
	case DRM_LOOM_INFO_ENERGY:
	case DRM_LOOM_INFO_TEMPERATURE:
	case DRM_LOOM_INFO_THROTTLE:
		ret = loom_info_telemetry_query(ldev, query, args);
		break;
	case DRM_LOOM_INFO_RESET_COUNT:
		ret = loom_info_reset_count(ldev, args);
		break;
	case DRM_LOOM_INFO_HW_EVENTS:
		ret = loom_info_hw_events(ldev, file, args);
		break;
	case DRM_LOOM_INFO_OPEN_STATS:
		ret = loom_info_open_stats(ldev, args);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	drm_dev_exit(idx);
	loom_dbg(ldev, IOCTL, "INFO query %u: %d\n", query, ret);
	return ret;
}
