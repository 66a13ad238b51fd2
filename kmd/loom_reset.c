// SPDX-License-Identifier: MIT
/*
 * loom.ko: hangs, resets, and a device that stopped answering.
 *
 * Hangs: drm_sched's timeout handler (TDR, loom.job_timeout_ms, on the
 * driver's ordered work queue) finds a queue whose oldest job on the ring
 * has not finished. A watchdog runs every quarter of loom.job_timeout_ms
 * (between 50 and 500 ms): it drains the CQs (an interrupt lost costs
 * time, not jobs), starts the TDR at once for a job that has been running
 * longer than the timeout although drm_sched kept re-arming its timer
 * (each new job does), and checks the firmware's heartbeat.
 *
 * Queue reset (a job failed, the CP halted; or a job hung): QCTRL_RESET
 * drops the ring and ends a WAIT in progress. The hung job fails with
 * LOOM_ERR_TIMEOUT, the jobs the queue held when the failure was seen
 * with LOOM_ERR_ABORTED (fences: -EIO; those drm_sched has not run yet
 * fail in their turn). A hang is posted to the context's file as
 * DRM_LOOM_EVENT_HANG (the device posts its own for a WAIT that timed
 * out). The driver's own entry then sets the queue's SOB to the last job
 * retired, so that waiters elsewhere are not left behind, and the jobs
 * submitted after the failure go on the ring again. No context is banned:
 * a queue's hang costs only that queue.
 *
 * Device reset (a queue that does not reset within
 * loom.queue_reset_timeout_ms, default 2000): DEV_CTRL_RESET, then the contexts
 * (loom_ctx_dev_restore()) and every queue are programmed again; every
 * unfinished job of every queue fails with LOOM_ERR_ABORTED (-EIO).
 *
 * Device gone: the heartbeat (+1 per firmware tick, every 50 ms) standing
 * still for LOOM_RESET_GONE_MS and the firmware then not answering a
 * mailbox command (GET_INFO, within the mailbox's own 5 s), or a device
 * reset that does not finish, means loomd no longer serves the device
 * (killed, or its ivshmem peer gone: the shared memory stays mapped but
 * nothing moves in it). The mailbox check keeps a loomd that was only
 * starved of CPU for a few seconds from being given up for good. Every job
 * fails with -ENODEV, the ioctls of this file answer -ENODEV from then on,
 * and the queues' memory is freed when their files close. Before that the
 * driver turns bus mastering off (loom_hw_dma_stop()), so that a device
 * that was merely stuck and resumes writes nothing into memory given back
 * meanwhile; if it stalled in the middle of an access (DMA_ACTIVE stays
 * non-zero), the memory it may still write is kept for good
 * (ldev->dma_unsafe). A device that comes back is not used again before
 * the driver is bound anew.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <drm/drm_drv.h>

#include "loom_ctx.h"
#include "loom_events.h"
#include "loom_fw.h"
#include "loom_hw.h"
#include "loom_queue.h"
#include "loom_reset.h"

unsigned int loom_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, loom_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "a job running longer is hung and its queue reset (ms, 0 = never; default 10000)");

static unsigned long loom_reset_period(void)
{
	return msecs_to_jiffies(clamp(READ_ONCE(loom_job_timeout_ms) / 4, 50U, 500U));
}

/*
 * Stop every queue: optionally reset and disable it in the hardware, then
 * fail its jobs with err. Callers exclude device resets.
 */
static void loom_reset_stop_all(struct loom_cs_dev *cs, bool hw, int err)
{
	struct loom_device *ldev = cs->ldev;
	bool stuck = false, cookie;
	unsigned int i;
	int idx;

	/* It fails every job: a fence-signalling path. */
	cookie = dma_fence_begin_signalling();
	mutex_lock(&cs->table_lock);
	for (i = 0; i < LOOM_NUM_QUEUES; i++) {
		struct loom_queue *q = cs->queues[i];

		if (!q)
			continue;
		mutex_lock(&q->submit_lock);
		if (hw && drm_dev_enter(&ldev->drm, &idx)) {
			/* One queue that does not reset: the device does not answer. */
			if (stuck || loom_queue_hw_reset(q)) {
				stuck = true;
				q->hw_stuck = true;
			}
			loom_queue_hw_disable(q);
			drm_dev_exit(idx);
		}
		spin_lock_irq(&q->lock);
		q->stopped = true;
		loom_queue_cancel_locked(q, U64_MAX, LOOM_ERR_ABORTED, err);
		spin_unlock_irq(&q->lock);
		mutex_unlock(&q->submit_lock);
	}
	mutex_unlock(&cs->table_lock);
	dma_fence_end_signalling(cookie);
}

void loom_reset_device_gone(struct loom_cs_dev *cs, const char *why)
{
	struct loom_device *ldev = cs->ldev;
	int idx;

	mutex_lock(&cs->table_lock);
	if (cs->gone) {
		mutex_unlock(&cs->table_lock);
		return;
	}
	WRITE_ONCE(cs->gone, true);
	mutex_unlock(&cs->table_lock);
	drm_err(&ldev->drm, "the device stopped answering (%s): its work fails, its files get ENODEV\n",
		why);
	/*
	 * A device that only stalled may resume: it must not then write the
	 * memory that the files give back as they close.
	 */
	if (drm_dev_enter(&ldev->drm, &idx)) {
		if (loom_hw_dma_stop(ldev)) {
			WRITE_ONCE(ldev->dma_unsafe, true);
			drm_err(&ldev->drm, "keeping the memory the device may still write: it is lost until reboot\n");
		}
		drm_dev_exit(idx);
	}
	loom_reset_stop_all(cs, false, -ENODEV);
}

void loom_reset_device(struct loom_cs_dev *cs)
{
	struct loom_device *ldev = cs->ldev;
	unsigned int i;
	bool cookie;
	int ret, idx;

	/*
	 * It fails every job and lets the next ones run: a fence-signalling
	 * path, which (as push and SUBMIT do) takes reset_sem inside.
	 */
	cookie = dma_fence_begin_signalling();
	down_write(&cs->reset_sem);
	if (READ_ONCE(cs->gone) || !drm_dev_enter(&ldev->drm, &idx)) {
		up_write(&cs->reset_sem);
		dma_fence_end_signalling(cookie);
		return;
	}
	mutex_lock(&cs->table_lock);
	for (i = 0; i < LOOM_NUM_QUEUES; i++) {
		struct loom_queue *q = cs->queues[i];

		if (q) {
			spin_lock_irq(&q->lock);
			q->stopped = true;
			spin_unlock_irq(&q->lock);
		}
	}
	drm_err(&ldev->drm, "resetting the device\n");
	ret = loom_hw_reset(ldev);
	if (ret) {
		mutex_unlock(&cs->table_lock);
		drm_dev_exit(idx);
		loom_reset_device_gone(cs, "device reset failed");
		up_write(&cs->reset_sem);
		dma_fence_end_signalling(cookie);
		return;
	}
	atomic_inc(&ldev->reset_count);
	loom_ctx_dev_restore(ldev);
	for (i = 0; i < LOOM_NUM_QUEUES; i++) {
		struct loom_queue *q = cs->queues[i];

		if (!q)
			continue;
		mutex_lock(&q->submit_lock);
		spin_lock_irq(&q->lock);
		loom_queue_cancel_locked(q, q->last_seq, LOOM_ERR_ABORTED, -EIO);
		q->needs_reset = false;
		q->hw_stuck = false;
		spin_unlock_irq(&q->lock);
		loom_queue_hw_program(q);
		loom_queue_set_sob(q, lower_32_bits(q->retired_seq));
		spin_lock_irq(&q->lock);
		q->stopped = false;
		spin_unlock_irq(&q->lock);
		mutex_unlock(&q->submit_lock);
	}
	mutex_unlock(&cs->table_lock);
	drm_dev_exit(idx);
	up_write(&cs->reset_sem);
	dma_fence_end_signalling(cookie);
	drm_info(&ldev->drm, "device reset done, its queues run again\n");
}

static void loom_reset_device_work(struct work_struct *work)
{
	loom_reset_device(container_of(work, struct loom_cs_dev, dev_reset_work));
}

void loom_reset_schedule_device(struct loom_cs_dev *cs)
{
	queue_work(cs->wq, &cs->dev_reset_work);
}

/*
 * Reset hardware queue q: its jobs up to cancel_last fail, the others go
 * on the ring again. submit_lock held, inside drm_dev_enter(). 0, or
 * -ETIMEDOUT: the queue did not reset (the device must be).
 */
static int loom_reset_queue_locked(struct loom_queue *q)
{
	struct loom_device *ldev = q->ldev;
	u64 last;

	lockdep_assert_held(&q->submit_lock);
	if (loom_queue_hw_reset(q))
		return -ETIMEDOUT;
	spin_lock_irq(&q->lock);
	loom_queue_process_cq_locked(q);
	last = q->cancel_last;
	loom_queue_cancel_locked(q, last, LOOM_ERR_ABORTED, -EIO);
	q->cq_ci = loom_rd32(ldev, LOOM_REG_QUEUE(q->hw, LOOM_QREG_CQ_PI));
	q->needs_reset = false;
	spin_unlock_irq(&q->lock);
	atomic_inc(&ldev->queue_reset_count);
	loom_dbg(ldev, IRQ, "queue %u reset; jobs up to %llu cancelled\n", q->hw, last);
	loom_queue_set_sob(q, lower_32_bits(q->retired_seq));
	loom_queue_repush_locked(q);
	return 0;
}

void loom_reset_queue_work(struct work_struct *work)
{
	struct loom_queue *q = container_of(work, struct loom_queue, reset_work);
	struct loom_cs_dev *cs = q->cs;
	struct loom_device *ldev = q->ldev;
	bool escalate = false, go;
	bool cookie;
	int idx;

	/* It cancels jobs and lets the next ones run: a fence-signalling path. */
	cookie = dma_fence_begin_signalling();
	down_read(&cs->reset_sem);
	mutex_lock(&q->submit_lock);
	spin_lock_irq(&q->lock);
	go = q->needs_reset && !q->stopped && !q->dying;
	spin_unlock_irq(&q->lock);
	if (go && drm_dev_enter(&ldev->drm, &idx)) {
		escalate = loom_reset_queue_locked(q);
		drm_dev_exit(idx);
	}
	mutex_unlock(&q->submit_lock);
	up_read(&cs->reset_sem);
	dma_fence_end_signalling(cookie);
	if (escalate)
		loom_reset_schedule_device(cs);
}

enum drm_gpu_sched_stat loom_reset_timedout_job(struct drm_sched_job *sj)
{
	struct loom_job *bad = to_loom_job(sj);
	struct drm_gpu_scheduler *sched = sj->sched;
	struct loom_queue *q = bad->q;
	struct loom_cs_dev *cs = q->cs;
	struct loom_device *ldev = q->ldev;
	bool escalate = false, hang;
	struct loom_job *job;
	bool cookie;
	int idx;

	/* drm_sched took it off its list to call us: back at the head, as Xe does. */
	spin_lock(&sched->job_list_lock);
	list_add(&sj->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	if (READ_ONCE(cs->gone))
		return DRM_GPU_SCHED_STAT_ENODEV;

	/* It cancels jobs and lets the next ones run: a fence-signalling path. */
	cookie = dma_fence_begin_signalling();
	down_read(&cs->reset_sem);
	mutex_lock(&q->submit_lock);
	spin_lock_irq(&q->lock);
	/* A lost interrupt is not a hang. */
	loom_queue_process_cq_locked(q);
	job = list_first_entry_or_null(&q->inflight, struct loom_job, node);
	hang = job && !q->stopped && !q->dying && !q->needs_reset &&
	       !dma_fence_is_signaled(&bad->hw_fence);
	if (hang) {
		drm_err(&ldev->drm, "queue %u (ASID %u): job %llu still running after %u ms: resetting the queue\n",
			q->hw, q->ctx->asid, job->seq, jiffies_to_msecs(jiffies - q->head_since));
		job->hung = true;
		q->needs_reset = true;
		loom_queue_fail_upto_locked(q, q->last_seq, -EIO);
		/* Before the reset ends the job: its waiters find the event. */
		loom_events_post_hang(ldev, q->ctx->asid, q->hw);
	}
	spin_unlock_irq(&q->lock);
	if (hang && drm_dev_enter(&ldev->drm, &idx)) {
		escalate = loom_reset_queue_locked(q);
		drm_dev_exit(idx);
	}
	mutex_unlock(&q->submit_lock);
	up_read(&cs->reset_sem);
	dma_fence_end_signalling(cookie);
	if (escalate)
		loom_reset_schedule_device(cs);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void loom_reset_watchdog(struct work_struct *work)
{
	struct loom_cs_dev *cs = container_of(to_delayed_work(work), struct loom_cs_dev, watchdog);
	struct loom_device *ldev = cs->ldev;
	unsigned int timeout_ms = READ_ONCE(loom_job_timeout_ms);
	unsigned long now = jiffies;
	unsigned int i;
	u32 hb;
	int idx;

	if (READ_ONCE(cs->gone) || !drm_dev_enter(&ldev->drm, &idx))
		return;
	hb = loom_rd32(ldev, LOOM_REG_HEARTBEAT);
	if (hb != cs->heartbeat) {
		cs->heartbeat = hb;
		cs->heartbeat_jiffies = now;
	} else if (time_after(now, cs->heartbeat_jiffies + msecs_to_jiffies(LOOM_RESET_GONE_MS))) {
		bool dead = loom_fw_command(ldev, LOOM_FW_CMD_GET_INFO, NULL, NULL, 0) ==
			    -ETIMEDOUT;

		drm_dev_exit(idx);
		if (dead) {
			loom_reset_device_gone(cs, "firmware heartbeat and mailbox stopped");
			return;
		}
		/* Slow, not dead. */
		cs->heartbeat_jiffies = jiffies;
		queue_delayed_work(system_long_wq, &cs->watchdog, loom_reset_period());
		return;
	}

	spin_lock_irq(&cs->irq_lock);
	for (i = 0; i < LOOM_NUM_QUEUES; i++) {
		struct loom_queue *q = cs->queues[i];
		struct loom_job *job;

		if (!q)
			continue;
		spin_lock(&q->lock);
		loom_queue_process_cq_locked(q);
		job = list_first_entry_or_null(&q->inflight, struct loom_job, node);
		/* The TDR decides (drm_sched_fault(): at once). */
		if (job && timeout_ms && q->entity_ready && !q->needs_reset && !q->stopped &&
		    time_after(now, q->head_since + msecs_to_jiffies(timeout_ms)))
			drm_sched_fault(q->sched);
		spin_unlock(&q->lock);
	}
	spin_unlock_irq(&cs->irq_lock);
	drm_dev_exit(idx);
	queue_delayed_work(system_long_wq, &cs->watchdog, loom_reset_period());
}

/* debugfs reset_device: writing anything resets the device (as a hung queue would). */
static ssize_t loom_reset_debugfs_write(struct file *f, const char __user *buf, size_t len,
					loff_t *pos)
{
	struct loom_cs_dev *cs = f->private_data;

	loom_reset_schedule_device(cs);
	flush_work(&cs->dev_reset_work);
	return READ_ONCE(cs->gone) ? -ENODEV : len;
}

static const struct file_operations loom_reset_debugfs_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = loom_reset_debugfs_write,
	.llseek = noop_llseek,
};

void loom_reset_init(struct loom_cs_dev *cs)
{
	INIT_DELAYED_WORK(&cs->watchdog, loom_reset_watchdog);
	INIT_WORK(&cs->dev_reset_work, loom_reset_device_work);
	cs->heartbeat = loom_rd32(cs->ldev, LOOM_REG_HEARTBEAT);
	cs->heartbeat_jiffies = jiffies;
	/* Not on cs->wq: a reset waiting for a dead device must not hold it up. */
	queue_delayed_work(system_long_wq, &cs->watchdog, loom_reset_period());
	if (cs->ldev->drm.debugfs_root)
		debugfs_create_file("reset_device", 0200, cs->ldev->drm.debugfs_root, cs,
				    &loom_reset_debugfs_fops);
}

void loom_reset_fini(struct loom_cs_dev *cs)
{
	bool was_gone;

	mutex_lock(&cs->table_lock);
	was_gone = cs->gone;
	WRITE_ONCE(cs->gone, true);
	mutex_unlock(&cs->table_lock);
	cancel_delayed_work_sync(&cs->watchdog);
	cancel_work_sync(&cs->dev_reset_work);
	/*
	 * Nothing may write guest memory once the files free it: stop the
	 * queues in the hardware, unless nobody serves the device any more.
	 */
	loom_reset_stop_all(cs, !was_gone, -ENODEV);
}
