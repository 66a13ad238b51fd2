/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: buffer objects and VM_BIND (loom_gem.c).
 *
 * Three kinds of object: DRAM (a range of device DRAM from the device's
 * allocator, CPU-mapped through PCI BAR2), host (shmem pages, DMA-mapped,
 * device PA LOOM_PA_HOST(LOOM_KMD_CHANNEL, dma_addr)) and userptr (pinned
 * user pages, likewise). VM_BIND maps them into a file's context.
 */
#ifndef __LOOM_GEM_H__
#define __LOOM_GEM_H__

#include <linux/types.h>

struct drm_device;
struct drm_file;
struct loom_ctx;
struct loom_device;

/* Probe: the DRAM allocator and the BAR mapping of DRAM (drmm-managed). */
int loom_gem_dev_init(struct loom_device *ldev);
/* Context teardown: drop every VM_BIND mapping of ctx (no longer enabled). */
void loom_gem_ctx_fini(struct loom_ctx *ctx);

/* DRAM in buffer objects and the whole DRAM, in bytes (for INFO). */
void loom_gem_dram_usage(struct loom_device *ldev, u64 *used, u64 *total);


/* drm_driver.gem_create_object: allocates host (shmem) objects. */
struct drm_gem_object *loom_gem_create_object(struct drm_device *drm, size_t size);

int loom_gem_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_gem_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_gem_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_vm_bind_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __LOOM_GEM_H__ */
