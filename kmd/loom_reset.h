/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: hang detection and recovery (loom_reset.c) — the watchdog,
 * queue resets, device resets, and a device that stopped answering.
 */
#ifndef __LOOM_RESET_H__
#define __LOOM_RESET_H__

#include <drm/gpu_scheduler.h>

struct loom_cs_dev;
struct work_struct;

/* Module parameter loom.job_timeout_ms: a job running longer is hung. */
extern unsigned int loom_job_timeout_ms;
/* The firmware's heartbeat standing still this long: the device is gone. */
#define LOOM_RESET_GONE_MS	3000

/* Start / stop the watchdog (fini: it does not run again afterwards). */
void loom_reset_init(struct loom_cs_dev *cs);
void loom_reset_fini(struct loom_cs_dev *cs);

/* loom_queue.reset_work: reset a queue whose CP halted on an error. */
void loom_reset_queue_work(struct work_struct *work);
/*
 * drm_sched's timedout_job: the queue's oldest job on the ring ran past
 * loom.job_timeout_ms. It fails (LOOM_ERR_TIMEOUT), the queue is reset.
 */
enum drm_gpu_sched_stat loom_reset_timedout_job(struct drm_sched_job *sj);
/*
 * Reset the whole device and bring every queue back (their unfinished
 * jobs fail with LOOM_ERR_ABORTED, -EIO); if the device does not come
 * back, it is gone. Sleeps; takes reset_sem for writing.
 */
void loom_reset_device(struct loom_cs_dev *cs);
/* The same from the work queue. */
void loom_reset_schedule_device(struct loom_cs_dev *cs);
/* The device stopped answering: fail everything with -ENODEV, from now on. */
void loom_reset_device_gone(struct loom_cs_dev *cs, const char *why);

#endif /* __LOOM_RESET_H__ */
