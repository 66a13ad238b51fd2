// SPDX-License-Identifier: MIT
/*
 * loom.ko: read-only sysfs attributes of the PCI device
 * (/sys/bus/pci/devices/ADDR/, also /sys/class/accel/accelN/device/):
 *   fw_version     firmware version "major.minor"
 *   hw_revision    hardware revision
 *   max_power      highest power limit the device accepts, mW
 *   device_status  "operational", "in reset" or "gone"
 *   reset_count    device resets the driver made to recover
 * They go away with the device (devm); a read racing with unbind answers
 * -ENODEV.
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include <drm/drm_drv.h>

#include "loom_hw.h"
#include "loom_info.h"

static struct loom_device *loom_sysfs_ldev(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

static ssize_t fw_version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct loom_device *ldev = loom_sysfs_ldev(dev);

	return sysfs_emit(buf, "%u.%u\n", ldev->fw_version >> 16, ldev->fw_version & 0xffff);
}
static DEVICE_ATTR_RO(fw_version);

static ssize_t hw_revision_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", loom_sysfs_ldev(dev)->revision);
}
static DEVICE_ATTR_RO(hw_revision);

static ssize_t max_power_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct loom_device *ldev = loom_sysfs_ldev(dev);

	if (!ldev->info)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", ldev->info->fw.power_max_mw);
}
static DEVICE_ATTR_RO(max_power);

static ssize_t device_status_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct loom_device *ldev = loom_sysfs_ldev(dev);
	ssize_t ret;
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	ret = sysfs_emit(buf, "%s\n", loom_info_device_status_name(loom_info_device_status(ldev)));
	drm_dev_exit(idx);
	return ret;
}
static DEVICE_ATTR_RO(device_status);

static ssize_t reset_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&loom_sysfs_ldev(dev)->reset_count));
}
static DEVICE_ATTR_RO(reset_count);

static struct attribute *loom_sysfs_attrs[] = {
	&dev_attr_fw_version.attr,
	&dev_attr_hw_revision.attr,
	&dev_attr_max_power.attr,
	&dev_attr_device_status.attr,
	&dev_attr_reset_count.attr,
	NULL
};

static const struct attribute_group loom_sysfs_group = {
	.attrs = loom_sysfs_attrs,
};

int loom_sysfs_init(struct loom_device *ldev)
{
	int ret = devm_device_add_group(&ldev->pdev->dev, &loom_sysfs_group);

	if (ret)
		drm_err(&ldev->drm, "cannot add the sysfs attributes: %d\n", ret);
	return ret;
}
