/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: submission (loom_cs.c) — the per-device and per-file state,
 * DRM_IOCTL_LOOM_QUEUE_CREATE/DESTROY, SUBMIT and WAIT, the jobs' fences
 * and the completion interrupt. The structures are in loom_queue.h.
 */
#ifndef __LOOM_CS_H__
#define __LOOM_CS_H__

struct drm_device;
struct drm_file;
struct loom_device;

/* Probe: the submission state, its work queue and watchdog. */
int loom_cs_init(struct loom_device *ldev);
/*
 * Removal, before the DRM device is unplugged: stop the watchdog, stop
 * and disable every queue in the hardware, fail every job with -ENODEV.
 * The queues' memory goes when their files close.
 */
void loom_cs_fini(struct loom_device *ldev);

/*
 * Open/postclose of a file (called by loom_ctx_file_open() once the
 * file's struct loom_file and context exist, and by loom_ctx_file_close()
 * before it drops the context). Close destroys the file's queues: their
 * unfinished jobs are cancelled, the hardware queues reset and released.
 */
int loom_cs_file_open(struct drm_device *drm, struct drm_file *file);
void loom_cs_file_close(struct drm_device *drm, struct drm_file *file);

/* MSI-X vector LOOM_IRQ_COMPLETION: finish the jobs the CQs report. The interrupt thread. */
void loom_cs_irq(struct loom_device *ldev);

/* True once the device is dead or unbound (ioctls answer -ENODEV). */
bool loom_cs_device_gone(struct loom_device *ldev);

int loom_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int loom_wait_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __LOOM_CS_H__ */
