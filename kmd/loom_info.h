/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: DRM_IOCTL_LOOM_INFO (loom_info.c).
 */
#ifndef __LOOM_INFO_H__
#define __LOOM_INFO_H__

struct drm_device;
struct drm_file;

int loom_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __LOOM_INFO_H__ */
