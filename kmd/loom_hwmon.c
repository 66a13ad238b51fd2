// SPDX-License-Identifier: MIT
/*
 * loom.ko: the device's hwmon interface (/sys/class/hwmon/hwmonN, name
 * "loom", parent the PCI device), in hwmon's units:
 *   power1_input     power over the firmware's last tick, uW
 *   power1_average   the driver's average (DRM_LOOM_INFO_POWER), uW
 *   power1_input_highest  highest tick power since power-on, uW
 *   power1_cap       power limit in force, uW; writable (root) within
 *                    [power1_cap_min, power1_cap_max], else -EINVAL
 *   energy1_input    energy since power-on, uJ
 *   tempN_input      N = 1..4: die, mme, hbm, board (tempN_label), m°C
 *   temp1_max        die throttling temperature; temp1_highest its peak
 *   freqN_input      N = 1..3: core, dma, hbm clocks (freqN_label), Hz
 *   freqN_max        that clock's highest frequency, Hz
 * hwmon's core has no frequency channel type: the freqN files are extra
 * attributes, named as in the hwmon sysfs interface (as amdgpu does).
 * Every read asks the firmware for its telemetry (one mailbox command),
 * as DRM_LOOM_INFO_* does, so both report the same numbers.
 */
#include <linux/hwmon.h>
#include <linux/hwmon-sysfs.h>
#include <drm/drm_drv.h>

#include "loom_hw.h"
#include "loom_info.h"

static const char * const loom_hwmon_temp_labels[LOOM_FW_NUM_SENSORS] = {
	[LOOM_SENSOR_DIE]	= "die",
	[LOOM_SENSOR_MME]	= "mme",
	[LOOM_SENSOR_HBM]	= "hbm",
	[LOOM_SENSOR_BOARD]	= "board",
};

static umode_t loom_hwmon_is_visible(const void *data, enum hwmon_sensor_types type,
				     u32 attr, int channel)
{
	switch (type) {
	case hwmon_temp:
		if (channel >= LOOM_FW_NUM_SENSORS)
			return 0;
		if ((attr == hwmon_temp_max || attr == hwmon_temp_highest) &&
		    channel != LOOM_SENSOR_DIE)
			return 0;
		return 0444;
	case hwmon_power:
		return attr == hwmon_power_cap ? 0644 : 0444;
	case hwmon_energy:
		return 0444;
	default:
		return 0;
	}
}

static int loom_hwmon_read_locked(struct loom_device *ldev, enum hwmon_sensor_types type,
				  u32 attr, int channel, long *val)
{
	struct loom_info *info = ldev->info;
	struct loom_fw_telemetry t;
	int ret;

	/* Limits known since probe need no mailbox command. */
	if (type == hwmon_power && attr == hwmon_power_cap_min) {
		*val = (long)info->fw.power_min_mw * 1000;
		return 0;
	}
	if (type == hwmon_power && attr == hwmon_power_cap_max) {
		*val = (long)info->fw.power_max_mw * 1000;
		return 0;
	}
	if (type == hwmon_temp && attr == hwmon_temp_max) {
		*val = info->fw.temp_limit_mc;
		return 0;
	}

	ret = loom_info_telemetry(ldev, &t);
	if (ret)
		return ret;
	switch (type) {
	case hwmon_temp:
		if (attr == hwmon_temp_input)
			*val = t.temp_mc[channel];
		else if (attr == hwmon_temp_highest)
			*val = t.temp_peak_mc;
		else
			return -EOPNOTSUPP;
		return 0;
	case hwmon_power:
		switch (attr) {
		case hwmon_power_input:
			*val = (long)t.power_mw * 1000;
			return 0;
		case hwmon_power_average:
			*val = (long)loom_info_power_average(ldev, &t) * 1000;
			return 0;
		case hwmon_power_input_highest:
			*val = (long)t.power_peak_mw * 1000;
			return 0;
		case hwmon_power_cap:
			*val = (long)t.power_limit_mw * 1000;
			return 0;
		default:
			return -EOPNOTSUPP;
		}
	case hwmon_energy:
		if (attr != hwmon_energy_input)
			return -EOPNOTSUPP;
		*val = (long)min_t(u64, t.energy_mj, LONG_MAX / 1000) * 1000;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int loom_hwmon_read(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			   int channel, long *val)
{
	struct loom_device *ldev = dev_get_drvdata(dev);
	int ret, idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	ret = loom_hwmon_read_locked(ldev, type, attr, channel, val);
	drm_dev_exit(idx);
	return ret;
}

static int loom_hwmon_write(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			    int channel, long val)
{
	struct loom_device *ldev = dev_get_drvdata(dev);
	int ret, idx;

	if (type != hwmon_power || attr != hwmon_power_cap)
		return -EOPNOTSUPP;
	/* uW to mW: the firmware's unit; out of its range is refused, not clamped. */
	if (val < 0 || val / 1000 > U32_MAX)
		return -EINVAL;
	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	ret = loom_info_set_power_limit(ldev, (u32)(val / 1000));
	drm_dev_exit(idx);
	return ret;
}

static int loom_hwmon_read_string(struct device *dev, enum hwmon_sensor_types type,
				  u32 attr, int channel, const char **str)
{
	if (type != hwmon_temp || attr != hwmon_temp_label || channel >= LOOM_FW_NUM_SENSORS)
		return -EOPNOTSUPP;
	*str = loom_hwmon_temp_labels[channel];
	return 0;
}

/* ---- clocks: freqN_input, freqN_label, freqN_max ---------------------------- */

enum loom_hwmon_freq_attr { LOOM_FREQ_INPUT, LOOM_FREQ_LABEL, LOOM_FREQ_MAX };

static const char * const loom_hwmon_freq_labels[LOOM_FW_NUM_CLOCKS] = {
	[LOOM_CLOCK_CORE]	= "core",
	[LOOM_CLOCK_DMA]	= "dma",
	[LOOM_CLOCK_HBM]	= "hbm",
};

static ssize_t loom_hwmon_freq_show(struct device *dev, struct device_attribute *da, char *buf)
{
	struct sensor_device_attribute_2 *sa = to_sensor_dev_attr_2(da);
	struct loom_device *ldev = dev_get_drvdata(dev);
	struct loom_fw_telemetry t;
	unsigned int clk = sa->index;
	int ret, idx;

	if (clk >= LOOM_FW_NUM_CLOCKS)
		return -EINVAL;
	if (sa->nr == LOOM_FREQ_LABEL)
		return sysfs_emit(buf, "%s\n", loom_hwmon_freq_labels[clk]);
	/* The highest clock is known since probe: no mailbox command. */
	if (sa->nr == LOOM_FREQ_MAX)
		return sysfs_emit(buf, "%llu\n", (u64)ldev->info->fw.clock_max_mhz[clk] * 1000000);
	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	ret = loom_info_telemetry(ldev, &t);
	drm_dev_exit(idx);
	if (ret)
		return ret;
	return sysfs_emit(buf, "%llu\n", (u64)t.clock_mhz[clk] * 1000000);
}

/*
 * Three attribute definitions per clock. checkpatch asks for a do-while
 * around them and warns that clk is used thrice: neither applies to
 * definitions of static objects (false positives).
 */
#define LOOM_HWMON_FREQ(n, clk)								\
	static SENSOR_DEVICE_ATTR_2(freq##n##_input, 0444, loom_hwmon_freq_show, NULL,	\
				    LOOM_FREQ_INPUT, clk);					\
	static SENSOR_DEVICE_ATTR_2(freq##n##_label, 0444, loom_hwmon_freq_show, NULL,	\
				    LOOM_FREQ_LABEL, clk);					\
	static SENSOR_DEVICE_ATTR_2(freq##n##_max, 0444, loom_hwmon_freq_show, NULL,	\
				    LOOM_FREQ_MAX, clk)

LOOM_HWMON_FREQ(1, LOOM_CLOCK_CORE);
LOOM_HWMON_FREQ(2, LOOM_CLOCK_DMA);
LOOM_HWMON_FREQ(3, LOOM_CLOCK_HBM);

static struct attribute *loom_hwmon_freq_attrs[] = {
	&sensor_dev_attr_freq1_input.dev_attr.attr,
	&sensor_dev_attr_freq1_label.dev_attr.attr,
	&sensor_dev_attr_freq1_max.dev_attr.attr,
	&sensor_dev_attr_freq2_input.dev_attr.attr,
	&sensor_dev_attr_freq2_label.dev_attr.attr,
	&sensor_dev_attr_freq2_max.dev_attr.attr,
	&sensor_dev_attr_freq3_input.dev_attr.attr,
	&sensor_dev_attr_freq3_label.dev_attr.attr,
	&sensor_dev_attr_freq3_max.dev_attr.attr,
	NULL
};
ATTRIBUTE_GROUPS(loom_hwmon_freq);

static const struct hwmon_ops loom_hwmon_ops = {
	.is_visible = loom_hwmon_is_visible,
	.read = loom_hwmon_read,
	.write = loom_hwmon_write,
	.read_string = loom_hwmon_read_string,
};

static const struct hwmon_channel_info * const loom_hwmon_channels[] = {
	HWMON_CHANNEL_INFO(temp,
			   HWMON_T_INPUT | HWMON_T_LABEL | HWMON_T_MAX | HWMON_T_HIGHEST,
			   HWMON_T_INPUT | HWMON_T_LABEL,
			   HWMON_T_INPUT | HWMON_T_LABEL,
			   HWMON_T_INPUT | HWMON_T_LABEL),
	HWMON_CHANNEL_INFO(power,
			   HWMON_P_INPUT | HWMON_P_AVERAGE | HWMON_P_INPUT_HIGHEST |
			   HWMON_P_CAP | HWMON_P_CAP_MIN | HWMON_P_CAP_MAX),
	HWMON_CHANNEL_INFO(energy, HWMON_E_INPUT),
	NULL
};

static const struct hwmon_chip_info loom_hwmon_chip = {
	.ops = &loom_hwmon_ops,
	.info = loom_hwmon_channels,
};

int loom_hwmon_init(struct loom_device *ldev)
{
	struct device *hwmon;

	BUILD_BUG_ON(LOOM_FW_NUM_SENSORS != 4);
	BUILD_BUG_ON(LOOM_FW_NUM_CLOCKS != 3);
	hwmon = devm_hwmon_device_register_with_info(&ldev->pdev->dev, DRIVER_NAME, ldev,
						     &loom_hwmon_chip, loom_hwmon_freq_groups);
	if (IS_ERR(hwmon)) {
		drm_err(&ldev->drm, "cannot register hwmon: %ld\n", PTR_ERR(hwmon));
		return PTR_ERR(hwmon);
	}
	return 0;
}
