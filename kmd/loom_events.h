/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: channel 0's event queue and the events of each open file
 * (loom_events.c), DRM_IOCTL_LOOM_EVENTFD.
 */
#ifndef __LOOM_EVENTS_H__
#define __LOOM_EVENTS_H__

#include <linux/types.h>

#include "loom/uapi/loom_accel.h"

struct drm_device;
struct drm_file;
struct loom_device;
struct seq_file;

/* Entries of channel 0's event queue (power of two). */
#define LOOM_EQ_ENTRIES		256

/*
 * Probe: allocate the event queue in DMA-coherent memory and give it to
 * the device (LOOM_CREG_EQ_*). After the device reset; the queue stays
 * programmed across later device resets (channel registers survive
 * them). Undone automatically (devm) when the device goes away: the
 * queue is switched off before its memory is freed.
 */
int loom_events_init(struct loom_device *ldev);

/* Switch the event queue off (shutdown); its memory stays until unbind. */
void loom_events_stop(struct loom_device *ldev);

/* MSI-X vector LOOM_IRQ_EVENT: read the new records. The interrupt thread. */
void loom_events_irq(struct loom_device *ldev);

/*
 * Open/postclose of a file (called by loom_ctx_file_open() once the
 * file's struct loom_file and context exist, and by loom_ctx_file_close()
 * before it drops the context). file_open records the file's ASID so
 * that the events of its context reach it.
 */
int loom_events_file_open(struct drm_device *drm, struct drm_file *file);
void loom_events_file_close(struct drm_device *drm, struct drm_file *file);

int loom_events_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

/*
 * The driver's own hang detection (loom_reset.c): a job of context asid
 * ran past loom.job_timeout_ms on hardware queue hw. Delivers a
 * DRM_LOOM_EVENT_HANG (info LOOM_ERR_TIMEOUT) to the file of that context
 * and counts it, as if the device had posted it. Any context that may
 * read registers; takes the events' lock with interrupts off.
 */
void loom_events_post_hang(struct loom_device *ldev, u32 asid, u32 hw);

/* For DRM_LOOM_INFO_HW_EVENTS and DRM_LOOM_INFO_OPEN_STATS. */
void loom_events_hw_events(struct loom_device *ldev, struct drm_file *file,
			   struct drm_loom_info_hw_events *out);
void loom_events_open_stats(struct loom_device *ldev, struct drm_loom_info_open_stats *out);

/*
 * The heartbeat: true if the firmware's HEARTBEAT register has not moved
 * for LOOM_EVENTS_GONE_MS (loomd stopped serving the device). Sleeps
 * for no time; safe from any context that may read registers.
 */
#define LOOM_EVENTS_GONE_MS	3000
bool loom_events_device_gone(struct loom_device *ldev);

/*
 * debugfs eq_hold: while held, the driver leaves the event queue unread
 * (so that a test can make it overflow); releasing reads it at once.
 */
void loom_events_set_hold(struct loom_device *ldev, bool hold);
/* debugfs: counters, the queue's indices, each file's list. */
void loom_events_debugfs_show(struct loom_device *ldev, struct seq_file *m);
/* debugfs: ASIDs the open files use, with their owners. */
void loom_events_debugfs_contexts(struct loom_device *ldev, struct seq_file *m);

#endif /* __LOOM_EVENTS_H__ */
