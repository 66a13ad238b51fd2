// SPDX-License-Identifier: MIT
/*
 * loom.ko: buffer objects and VM_BIND (first version: DRAM accounting only).
 */
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>

#include "loom_ctx.h"
#include "loom_drv.h"
#include "loom_gem.h"

int loom_gem_dev_init(struct loom_device *ldev)
{
	int ret;

	ret = drmm_mutex_init(&ldev->drm, &ldev->dram_lock);
	if (ret)
		return ret;
	drm_mm_init(&ldev->dram_mm, 0, ldev->dram_size);
	return 0;
}

void loom_gem_ctx_fini(struct loom_ctx *ctx)
{
}

void loom_gem_dram_usage(struct loom_device *ldev, u64 *used, u64 *total)
{
	mutex_lock(&ldev->dram_lock);
	*used = ldev->dram_used;
	mutex_unlock(&ldev->dram_lock);
	*total = ldev->dram_size;
}

int loom_gem_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int loom_gem_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int loom_gem_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int loom_vm_bind_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	return -EOPNOTSUPP;
}
