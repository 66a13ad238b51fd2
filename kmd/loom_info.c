// SPDX-License-Identifier: MIT
/*
 * loom.ko: DRM_IOCTL_LOOM_INFO, the device's queries.
 *
 * The arguments are checked before anything else (flags, padding and
 * reserved words must be zero, the query must be known, the buffer at
 * least as large as the first version of the query's structure); the
 * answer is built on the stack and copied out, at most data_size bytes.
 * Queries that read the device run inside drm_dev_enter()/exit(), so an
 * unplugged device answers -ENODEV instead of touching unmapped BARs.
 */
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>

#include "loom/uapi/loom_accel.h"

#include "loom_hw.h"
#include "loom_info.h"

/* Size of the first version of each query's structure. */
static const u32 loom_info_min_size[] = {
	[DRM_LOOM_INFO_HW_IP] = sizeof(struct drm_loom_info_hw_ip),
};

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
	default:
		ret = -EINVAL;
		break;
	}
	drm_dev_exit(idx);
	loom_dbg(ldev, IOCTL, "INFO query %u: %d\n", query, ret);
	return ret;
}
