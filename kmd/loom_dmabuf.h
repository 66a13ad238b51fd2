/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: device DRAM as dma-bufs, and dma-bufs taken in (loom_dmabuf.c).
 *
 * DRM_IOCTL_LOOM_EXPORT_DMABUF and PRIME export of DRAM objects go through
 * one dynamic exporter whose importers get the bus addresses of the DRAM
 * pages in PCI BAR2 (peer-to-peer importers only), revoked at unbind. PRIME import takes the
 * device's own DRAM dma-bufs back as DRAM slices, and other exporters'
 * dma-bufs as imported objects the device reaches by DMA.
 */
#ifndef __LOOM_DMABUF_H__
#define __LOOM_DMABUF_H__

#include <linux/types.h>

struct dma_buf;
struct dma_buf_attachment;
struct drm_device;
struct drm_file;
struct drm_gem_object;
struct sg_table;

int loom_dmabuf_export_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

/* drm_gem_object_funcs.export of DRAM objects (PRIME_HANDLE_TO_FD): the whole object. */
struct dma_buf *loom_dmabuf_gem_export(struct drm_gem_object *obj, int flags);

/*
 * drm_driver.gem_prime_import_sg_table: a dma-buf of another exporter,
 * attached to the Loom PCI device and mapped (LOOM_BO_IMPORT).
 */
struct drm_gem_object *loom_dmabuf_import_sg_table(struct drm_device *drm,
						   struct dma_buf_attachment *attach,
						   struct sg_table *sgt);

/*
 * Unbind, after drm_dev_unplug(): tell every importer of the device's
 * dma-bufs (dma_buf_move_notify()); mapping them fails from then on.
 */
struct loom_device;
void loom_dmabuf_revoke_all(struct loom_device *ldev);

/* drm_driver.gem_prime_import. */
struct drm_gem_object *loom_dmabuf_prime_import(struct drm_device *drm, struct dma_buf *dma_buf);

#endif /* __LOOM_DMABUF_H__ */
