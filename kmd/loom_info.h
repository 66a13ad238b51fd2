/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: DRM_IOCTL_LOOM_INFO and the device's telemetry (loom_info.c),
 * and the files that show it: hwmon (loom_hwmon.c), sysfs attributes of
 * the PCI device (loom_sysfs.c), debugfs (loom_debugfs.c).
 */
#ifndef __LOOM_INFO_H__
#define __LOOM_INFO_H__

#include <linux/mutex.h>
#include <linux/types.h>

#include "hw/loom_fw.h"

struct drm_device;
struct drm_file;
struct loom_device;

/* The driver's view of the firmware's limits and its power average. */
struct loom_info {
	struct loom_fw_info fw;		/* GET_INFO at probe: limits, clocks */

	/* Protects the averaging window below. */
	struct mutex avg_lock;
	bool avg_valid;			/* avg_mw holds a computed average */
	u64 avg_start_ns;		/* device time the current window began */
	u64 avg_start_mj;		/* energy then */
	u32 avg_mw;			/* average over the last complete window */
};

/* Length of the power averaging window (DRM_LOOM_INFO_POWER, power1_average). */
#define LOOM_INFO_AVG_WINDOW_NS		(1000ULL * NSEC_PER_MSEC)

/*
 * Probe: ask the firmware for its limits, register hwmon and the sysfs
 * attributes. After loom_fw_init().
 */
int loom_info_init(struct loom_device *ldev);

int loom_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

/*
 * The firmware's telemetry (GET_TELEMETRY); -ENODEV when the device is
 * gone or unplugged, else the mailbox's result. Also advances the power
 * averaging window. Sleeps.
 */
int loom_info_telemetry(struct loom_device *ldev, struct loom_fw_telemetry *t);
/* Average power (mW) for telemetry t, as DRM_LOOM_INFO_POWER reports it. */
u32 loom_info_power_average(struct loom_device *ldev, const struct loom_fw_telemetry *t);
/* DRM_LOOM_DEVICE_STATUS_* from the registers and the heartbeat. */
u32 loom_info_device_status(struct loom_device *ldev);
/* "operational", "in reset", "gone". */
const char *loom_info_device_status_name(u32 status);
/* Set the power limit in mW (the firmware checks its bounds too). */
int loom_info_set_power_limit(struct loom_device *ldev, u32 mw);

/* loom_hwmon.c: power1, energy1, temp1..4, freq1..3 under /sys/class/hwmon. */
int loom_hwmon_init(struct loom_device *ldev);
/* loom_sysfs.c: fw_version, hw_revision, max_power, device_status, reset_count. */
int loom_sysfs_init(struct loom_device *ldev);
/* loom_debugfs.c: files under the DRM device's debugfs directory. */
void loom_debugfs_init(struct loom_device *ldev);

#endif /* __LOOM_INFO_H__ */
