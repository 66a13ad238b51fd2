// SPDX-License-Identifier: MIT
/*
 * loom.ko: submission — DRM_IOCTL_LOOM_QUEUE_CREATE/DESTROY, SUBMIT and
 * WAIT, the jobs' fences and the completion interrupt.
 *
 * User CBs never run in place. SUBMIT copies the CB from user memory and
 * checks every packet: a known opcode, no header flags, exactly the
 * opcode's length, nothing past the end; no WREG32 and no SIGNAL (-EPERM:
 * the sync manager is shared by every context and monitors write physical
 * addresses); WAIT only on the SOB of one of the file's own queues
 * (-EPERM). The fields inside a packet are the device's to check (a bad
 * one fails the job with LOOM_ERR_BAD_PACKET or _BAD_ARG). The checked
 * copy goes to the queue's CB area, mapped read-only in the context, with
 * the driver's SIGNAL (SOB := sequence number) after it.
 *
 * Each job is a drm_sched job of its queue's entity: its finished fence
 * (one fence context per queue, seqno = the job's sequence number) is the
 * job's fence for userspace, signalled in order after its hardware fence
 * (loom_queue.c) from the completion interrupt; a failed job's fence
 * carries -EIO, a cancelled one -EIO (reset), -ECANCELED (queue destroyed;
 * drm_sched's -ESRCH for a job it had not started) or -ENODEV (device
 * gone). In-syncobjs are the job's drm_sched dependencies; a job one of
 * whose in-fences signalled with an error does not run: it fails
 * (LOOM_ERR_ABORTED) with that error, in its turn. The out-syncobj gets
 * the job's fence.
 */
#include <linux/dma-fence-chain.h>
#include <linux/nospec.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>
#include <drm/drm_syncobj.h>
#include <drm/gpu_scheduler.h>

#include "loom_cs.h"
#include "loom_ctx.h"
#include "loom_queue.h"
#include "loom_reset.h"

/* ---- jobs ------------------------------------------------------------ */

/* Jobs allocated and not yet freed, every device together. */
static atomic_t loom_cs_fences = ATOMIC_INIT(0);

int loom_cs_live_fences(void)
{
	return atomic_read(&loom_cs_fences);
}

static const char *loom_fence_driver_name(struct dma_fence *f)
{
	return DRIVER_NAME;
}

static const char *loom_fence_timeline_name(struct dma_fence *f)
{
	return "loom-queue-hw";
}

/* The hardware fence's last reference: the job's memory goes. */
static void loom_fence_release(struct dma_fence *f)
{
	struct loom_job *job = container_of(f, struct loom_job, hw_fence);

	kfree(job->cb);
	dma_fence_free(f);
	atomic_dec(&loom_cs_fences);
}

static const struct dma_fence_ops loom_fence_ops = {
	.get_driver_name = loom_fence_driver_name,
	.get_timeline_name = loom_fence_timeline_name,
	.release = loom_fence_release,
};

/* A job that was never armed (an error in SUBMIT before its turn was taken). */
static void loom_job_free_unarmed(struct loom_job *job, bool sched_init)
{
	if (sched_init)
		drm_sched_job_cleanup(&job->base);
	kfree(job->cb);
	kfree(job);
	atomic_dec(&loom_cs_fences);
}

void loom_cs_job_free(struct drm_sched_job *sj)
{
	struct loom_job *job = to_loom_job(sj);
	struct loom_queue *q = job->q;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	list_del(&job->link);
	if (job->seq > q->retired_seq) {
		/* drm_sched failed it without running it (its queue went). */
		q->njobs--;
		loom_obj_dec(q->ldev, LOOM_OBJ_JOB);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	drm_sched_job_cleanup(sj);
	dma_fence_put(&job->hw_fence);	/* the job's own reference */
	loom_queue_put(q);
}

/* ---- the CB checker ----------------------------------------------------- */

static const u8 loom_cs_pkt_dwords[] = {
	[LOOM_PKT_NOP]		= sizeof(struct loom_pkt_nop) / 4,
	[LOOM_PKT_WREG32]	= sizeof(struct loom_pkt_wreg32) / 4,
	[LOOM_PKT_SIGNAL]	= sizeof(struct loom_pkt_signal) / 4,
	[LOOM_PKT_WAIT]		= sizeof(struct loom_pkt_wait) / 4,
	[LOOM_PKT_LIN_DMA]	= sizeof(struct loom_pkt_lin_dma) / 4,
	[LOOM_PKT_MME]		= sizeof(struct loom_pkt_mme) / 4,
	[LOOM_PKT_TPC_LAUNCH]	= sizeof(struct loom_pkt_tpc_launch) / 4,
	[LOOM_PKT_WRITE64]	= sizeof(struct loom_pkt_write64) / 4,
	[LOOM_PKT_TIMESTAMP]	= sizeof(struct loom_pkt_timestamp) / 4,
	[LOOM_PKT_STOP]		= sizeof(struct loom_pkt_stop) / 4,
};

/* 0, -EINVAL (malformed) or -EPERM (a packet userspace may not send). */
static int loom_cs_check_cb(const u32 *cb, u32 size, u32 sob_mask, u32 *bad_off)
{
	u32 n = size / 4, i = 0;

	while (i < n) {
		u32 h = cb[i], op = LOOM_PKT_OPCODE(h), dw;

		*bad_off = i * 4;
		if (op >= ARRAY_SIZE(loom_cs_pkt_dwords) || !loom_cs_pkt_dwords[op])
			return -EINVAL;
		dw = loom_cs_pkt_dwords[array_index_nospec(op, ARRAY_SIZE(loom_cs_pkt_dwords))];
		if (LOOM_PKT_FLAGS(h) || LOOM_PKT_DWORDS(h) != dw || dw > n - i)
			return -EINVAL;
		switch (op) {
		case LOOM_PKT_WREG32:
		case LOOM_PKT_SIGNAL:
			return -EPERM;
		case LOOM_PKT_WAIT: {
			const struct loom_pkt_wait *w = (const void *)&cb[i];

			if (w->sob >= LOOM_NUM_QUEUES || !(sob_mask & BIT(w->sob)))
				return -EPERM;
			break;
		}
		default:
			break;
		}
		i += dw;
	}
	return 0;
}

/* ---- per file ------------------------------------------------------------ */

static struct loom_cs_file *loom_cs_file(struct drm_file *file)
{
	struct loom_file *lfile = file->driver_priv;

	return lfile->cs;
}

static struct loom_queue *loom_cs_queue_get(struct loom_cs_file *cf, u32 id)
{
	struct loom_queue *q;

	mutex_lock(&cf->lock);
	q = xa_load(&cf->queues, id);
	if (q)
		kref_get(&q->ref);
	mutex_unlock(&cf->lock);
	return q;
}

int loom_cs_file_open(struct drm_device *drm, struct drm_file *file)
{
	struct loom_file *lfile = file->driver_priv;
	struct loom_cs_file *cf;

	cf = kzalloc(sizeof(*cf), GFP_KERNEL);
	if (!cf)
		return -ENOMEM;
	mutex_init(&cf->lock);
	xa_init_flags(&cf->queues, XA_FLAGS_ALLOC1);
	lfile->cs = cf;
	return 0;
}

void loom_cs_file_close(struct drm_device *drm, struct drm_file *file)
{
	struct loom_file *lfile = file->driver_priv;
	struct loom_cs_file *cf = lfile->cs;
	struct loom_queue *q;
	unsigned long id;

	if (!cf)
		return;
	/* Nobody else uses the file any more: no lock needed for the table. */
	xa_for_each(&cf->queues, id, q) {
		xa_erase(&cf->queues, id);
		loom_queue_destroy(q, -ECANCELED);
	}
	xa_destroy(&cf->queues);
	mutex_destroy(&cf->lock);
	kfree(cf);
	lfile->cs = NULL;
}

/* ---- ioctls ----------------------------------------------------------------- */

bool loom_cs_device_gone(struct loom_device *ldev)
{
	struct loom_cs_dev *cs = READ_ONCE(ldev->cs);

	return !cs || READ_ONCE(cs->gone);
}

int loom_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct loom_file *lfile = file->driver_priv;
	struct loom_cs_file *cf = lfile->cs;
	struct drm_loom_queue_create *args = data;
	struct loom_queue *q;
	int ret, idx;
	u32 id;

	if (args->flags & ~DRM_LOOM_QUEUE_CREATE_FLAGS_MASK || args->pad ||
	    args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (loom_cs_device_gone(ldev))
		return -ENODEV;
	/* Unbind waits for it before it frees the queues' DMA memory. */
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	mutex_lock(&cf->lock);
	if (cf->nqueues >= DRM_LOOM_QUEUES_PER_FILE) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	ret = loom_queue_create(ldev->cs, lfile->ctx, &q);
	if (ret)
		goto out_unlock;
	ret = xa_alloc(&cf->queues, &id, q, xa_limit_32b, GFP_KERNEL);
	if (ret) {
		loom_queue_destroy(q, -ECANCELED);
		goto out_unlock;
	}
	cf->nqueues++;
	cf->sob_mask |= BIT(q->sob);
	args->queue_id = id;
	args->sob = q->sob;
out_unlock:
	mutex_unlock(&cf->lock);
	drm_dev_exit(idx);
	loom_dbg(ldev, IOCTL, "QUEUE_CREATE: %d\n", ret);
	return ret;
}

int loom_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_cs_file *cf = loom_cs_file(file);
	struct drm_loom_queue_destroy *args = data;
	struct loom_queue *q;

	if (args->flags & ~DRM_LOOM_QUEUE_DESTROY_FLAGS_MASK ||
	    args->reserved[0] || args->reserved[1])
		return -EINVAL;
	mutex_lock(&cf->lock);
	q = xa_erase(&cf->queues, args->queue_id);
	if (q) {
		cf->nqueues--;
		cf->sob_mask &= ~BIT(q->sob);
	}
	mutex_unlock(&cf->lock);
	if (!q)
		return -ENOENT;
	loom_queue_destroy(q, -ECANCELED);
	return 0;
}

/* Copy the CB and check it. */
static int loom_submit_copy_cb(struct loom_device *ldev, struct loom_cs_file *cf,
			       struct drm_loom_submit *args, struct loom_job *job)
{
	u32 sob_mask, bad_off = 0;
	int ret;

	job->cb = kmalloc(args->cb_size, GFP_KERNEL | __GFP_NOWARN);
	if (!job->cb)
		return -ENOMEM;
	if (copy_from_user(job->cb, u64_to_user_ptr(args->cb_ptr), args->cb_size))
		return -EFAULT;
	job->cb_size = args->cb_size;
	job->cb_bytes = ALIGN(args->cb_size + sizeof(struct loom_pkt_signal), 8);
	mutex_lock(&cf->lock);
	sob_mask = cf->sob_mask;
	mutex_unlock(&cf->lock);
	ret = loom_cs_check_cb(job->cb, args->cb_size, sob_mask, &bad_off);
	if (ret)
		loom_dbg(ldev, IOCTL, "SUBMIT: CB refused at offset %u (header %#x): %d\n",
			 bad_off, job->cb[bad_off / 4], ret);
	return ret;
}

/* The in-syncobjs become the job's dependencies; look up the out-syncobj. */
static int loom_submit_syncobjs(struct drm_file *file, struct drm_loom_submit *args,
				struct loom_job *job, struct drm_syncobj **out_syncobj,
				struct dma_fence_chain **out_chain)
{
	bool timeline = args->flags & DRM_LOOM_SUBMIT_TIMELINE;
	u32 *handles = NULL;
	u64 *points = NULL;
	unsigned int i;
	int ret = 0;

	if (args->in_syncobj_count) {
		handles = memdup_array_user(u64_to_user_ptr(args->in_syncobjs),
					    args->in_syncobj_count, sizeof(*handles));
		if (IS_ERR(handles))
			return PTR_ERR(handles);
		if (timeline) {
			points = memdup_array_user(u64_to_user_ptr(args->in_points),
						   args->in_syncobj_count, sizeof(*points));
			if (IS_ERR(points)) {
				ret = PTR_ERR(points);
				points = NULL;
				goto out;
			}
		}
		for (i = 0; i < args->in_syncobj_count; i++) {
			struct dma_fence *f;

			/* A point with no fence yet: -EINVAL (no wait for submission). */
			ret = drm_syncobj_find_fence(file, handles[i], points ? points[i] : 0, 0,
						     &f);
			if (ret)
				goto out;
			/*
			 * One that failed stays: the job fails in its turn
			 * (loom_queue.c); a timeline point's error is its
			 * chain node's contained fence's.
			 */
			if (dma_fence_get_status(f) == 1 && !dma_fence_chain_contained(f)->error) {
				dma_fence_put(f);
				continue;
			}
			ret = drm_sched_job_add_dependency(&job->base, f);	/* takes f */
			if (ret)
				goto out;
		}
	}
	if (args->out_syncobj) {
		*out_syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!*out_syncobj) {
			ret = -ENOENT;
			goto out;
		}
		/* Allocated here: adding the point later must not fail. */
		if (args->out_point) {
			*out_chain = dma_fence_chain_alloc();
			if (!*out_chain)
				ret = -ENOMEM;
		}
	}
out:
	kfree(points);
	kfree(handles);
	return ret;
}

int loom_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct loom_cs_file *cf = loom_cs_file(file);
	struct drm_loom_submit *args = data;
	struct drm_syncobj *out_syncobj = NULL;
	struct dma_fence_chain *out_chain = NULL;
	struct dma_fence *fence;
	bool sched_init = false;
	struct loom_queue *q;
	struct loom_job *job;
	int ret;

	if (args->flags & ~DRM_LOOM_SUBMIT_FLAGS_MASK || args->pad ||
	    (!(args->flags & DRM_LOOM_SUBMIT_TIMELINE) && (args->in_points || args->out_point)))
		return -EINVAL;
	if (!args->cb_size || args->cb_size % 4 || args->cb_size > DRM_LOOM_CB_MAX_SIZE ||
	    args->in_syncobj_count > DRM_LOOM_MAX_IN_SYNCOBJS)
		return -EINVAL;
	if (loom_cs_device_gone(ldev))
		return -ENODEV;
	q = loom_cs_queue_get(cf, args->queue_id);
	if (!q)
		return -ENOENT;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		ret = -ENOMEM;
		goto out_put;
	}
	atomic_inc(&loom_cs_fences);
	spin_lock_init(&job->fence_lock);
	INIT_LIST_HEAD(&job->node);
	job->q = q;
	job->status = LOOM_ERR_ABORTED;
	ret = loom_submit_copy_cb(ldev, cf, args, job);
	if (ret)
		goto err_job;
	ret = drm_sched_job_init(&job->base, &q->entity,
				 DIV_ROUND_UP(job->cb_bytes, LOOM_QUEUE_CREDIT), NULL,
				 file->client_id);
	if (ret)
		goto err_job;
	sched_init = true;
	ret = loom_submit_syncobjs(file, args, job, &out_syncobj, &out_chain);
	if (ret)
		goto err_job;

	/* Armed and pushed in the order of the sequence numbers. */
	mutex_lock(&q->arm_lock);
	spin_lock_irq(&q->lock);
	if (q->dying)
		ret = -ENOENT;
	else if (q->stopped || READ_ONCE(q->cs->gone))
		ret = -ENODEV;
	else if (q->njobs >= DRM_LOOM_QUEUE_MAX_JOBS)
		ret = -EBUSY;
	else
		q->njobs++;
	spin_unlock_irq(&q->lock);
	if (ret) {
		mutex_unlock(&q->arm_lock);
		goto err_job;
	}
	loom_obj_inc(ldev, LOOM_OBJ_JOB);
	kref_get(&q->ref);		/* the job's, until free_job */
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	job->seq = fence->seqno;
	dma_fence_init(&job->hw_fence, &loom_fence_ops, &job->fence_lock, q->hw_fence_ctx,
		       job->seq);
	spin_lock_irq(&q->lock);
	q->last_seq = job->seq;
	list_add_tail(&job->link, &q->jobs);
	spin_unlock_irq(&q->lock);

	/*
	 * Memory the context unbinds from now on outlives the job. This locks
	 * reservation objects (other drivers' too, through exported DRAM)
	 * and allocates: under arm_lock, which no fence-signalling path takes.
	 * A failure cannot take the job back (its number, and its fence in
	 * reservation objects, stand): it fails in its turn.
	 */
	ret = loom_ctx_add_fence(q->ctx, fence);
	if (ret) {
		job->abort_err = ret;
	} else if (out_chain) {
		drm_syncobj_add_point(out_syncobj, out_chain, fence, args->out_point);
		out_chain = NULL;
	} else if (out_syncobj) {
		drm_syncobj_replace_fence(out_syncobj, fence);
	}
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&q->arm_lock);
	if (!ret)
		args->seq = job->seq;
	loom_dbg(ldev, IOCTL, "SUBMIT queue %u seq %llu, %u bytes: %d\n",
		 q->hw, job->seq, job->cb_size, ret);
	dma_fence_put(fence);
	goto out_put;

err_job:
	loom_job_free_unarmed(job, sched_init);
out_put:
	dma_fence_chain_free(out_chain);
	if (out_syncobj)
		drm_syncobj_put(out_syncobj);
	loom_queue_put(q);
	return ret;
}

/* The uAPI's job status codes are the device's error codes. */
static_assert(DRM_LOOM_JOB_OK == LOOM_ERR_NONE);
static_assert(DRM_LOOM_JOB_BAD_PACKET == LOOM_ERR_BAD_PACKET);
static_assert(DRM_LOOM_JOB_PAGE_FAULT == LOOM_ERR_PAGE_FAULT);
static_assert(DRM_LOOM_JOB_PERMISSION == LOOM_ERR_PERMISSION);
static_assert(DRM_LOOM_JOB_PRIV == LOOM_ERR_PRIV);
static_assert(DRM_LOOM_JOB_BAD_ARG == LOOM_ERR_BAD_ARG);
static_assert(DRM_LOOM_JOB_TIMEOUT == LOOM_ERR_TIMEOUT);
static_assert(DRM_LOOM_JOB_UNSUPPORTED == LOOM_ERR_UNSUPPORTED);
static_assert(DRM_LOOM_JOB_ABORTED == LOOM_ERR_ABORTED);
static_assert(DRM_LOOM_JOB_BAD_CB == LOOM_ERR_BAD_CB);
static_assert(DRM_LOOM_JOB_BAD_ASID == LOOM_ERR_BAD_ASID);
static_assert(DRM_LOOM_JOB_STOPPED == LOOM_ERR_STOPPED);
static_assert(DRM_LOOM_JOB_TPC_ILLEGAL == LOOM_ERR_TPC_ILLEGAL);
static_assert(DRM_LOOM_JOB_TPC_OOB == LOOM_ERR_TPC_OOB);
static_assert(DRM_LOOM_JOB_TPC_TIMEOUT == LOOM_ERR_TPC_TIMEOUT);

static long loom_wait_jiffies(u64 timeout_ns)
{
	u64 j = nsecs_to_jiffies64(timeout_ns) + 1;

	return j >= MAX_SCHEDULE_TIMEOUT ? MAX_SCHEDULE_TIMEOUT - 1 : (long)j;
}

int loom_wait_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct loom_cs_file *cf = loom_cs_file(file);
	struct drm_loom_wait *args = data;
	struct dma_fence *fence = NULL;
	struct loom_job *job = NULL, *j;
	struct loom_queue *q;
	u32 status = 0;
	long t;
	int ret = 0;

	if (args->flags & ~DRM_LOOM_WAIT_FLAGS_MASK || args->pad ||
	    args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (loom_cs_device_gone(ldev))
		return -ENODEV;
	q = loom_cs_queue_get(cf, args->queue_id);
	if (!q)
		return -ENOENT;

	spin_lock_irq(&q->lock);
	if (!args->seq || args->seq > q->last_seq) {
		ret = -EINVAL;
	} else if (args->seq <= q->retired_seq) {
		status = q->retired_seq - args->seq < DRM_LOOM_QUEUE_STATUS_HISTORY ?
			 q->status_hist[args->seq % DRM_LOOM_QUEUE_STATUS_HISTORY] :
			 DRM_LOOM_WAIT_STATUS_UNKNOWN;
	} else {
		list_for_each_entry(j, &q->jobs, link) {
			if (j->seq == args->seq) {
				job = j;
				break;
			}
		}
		if (job) {
			/* The hardware fence's reference keeps the job's memory. */
			dma_fence_get(&job->hw_fence);
			fence = dma_fence_get(&job->base.s_fence->finished);
		} else {
			ret = -EINVAL;	/* cannot happen: jobs above retired_seq are listed */
		}
	}
	spin_unlock_irq(&q->lock);

	if (job) {
		u64 timeout = args->timeout_ns;

		/* An absolute deadline: what is left of it (none: poll). */
		if (args->flags & DRM_LOOM_WAIT_ABSOLUTE) {
			u64 now = ktime_get_ns();

			timeout = timeout > now ? timeout - now : 0;
		}
		if (!timeout)
			t = dma_fence_is_signaled(fence) ? 1 : 0;
		else
			t = dma_fence_wait_timeout(fence, true, loom_wait_jiffies(timeout));
		if (t == 0) {
			ret = -ETIME;
		} else if (t < 0) {
			ret = t;
		} else {
			smp_rmb();	/* the status was written before the fence signalled */
			status = READ_ONCE(job->status);
			if (fence->error == -ENODEV)
				ret = -ENODEV;
		}
		dma_fence_put(fence);
		dma_fence_put(&job->hw_fence);
	}
	if (!ret)
		args->status = status;
	loom_queue_put(q);
	return ret;
}

/* ---- the device ------------------------------------------------------------ */

void loom_cs_irq(struct loom_device *ldev)
{
	struct loom_cs_dev *cs = READ_ONCE(ldev->cs);
	unsigned int i;

	if (!cs)
		return;
	spin_lock_irq(&cs->irq_lock);
	for (i = 0; i < LOOM_NUM_QUEUES; i++) {
		struct loom_queue *q = cs->queues[i];

		if (!q)
			continue;
		spin_lock(&q->lock);
		loom_queue_process_cq_locked(q);
		spin_unlock(&q->lock);
	}
	spin_unlock_irq(&cs->irq_lock);
}

static void loom_cs_devm_fini(void *arg)
{
	loom_cs_fini(arg);
}

/* The DRM device's release: no file, queue or job is left. */
static void loom_cs_release(struct drm_device *drm, void *arg)
{
	struct loom_cs_dev *cs = arg;

	loom_queue_sched_fini_dev(cs);
	destroy_workqueue(cs->sched_wq);
	destroy_workqueue(cs->wq);
}

int loom_cs_init(struct loom_device *ldev)
{
	struct loom_cs_dev *cs;
	int ret;

	cs = drmm_kzalloc(&ldev->drm, sizeof(*cs), GFP_KERNEL);
	if (!cs)
		return -ENOMEM;
	cs->ldev = ldev;
	init_rwsem(&cs->reset_sem);
	ret = drmm_mutex_init(&ldev->drm, &cs->table_lock);
	if (ret)
		return ret;
	spin_lock_init(&cs->irq_lock);
	cs->wq = alloc_ordered_workqueue("loom-cs", 0);
	if (!cs->wq)
		return -ENOMEM;
	/* The schedulers' run_job and free_job: in the reclaim path. */
	cs->sched_wq = alloc_workqueue("loom-sched", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!cs->sched_wq) {
		destroy_workqueue(cs->wq);
		return -ENOMEM;
	}
	ret = drmm_add_action_or_reset(&ldev->drm, loom_cs_release, cs);
	if (ret)
		return ret;
	ret = loom_queue_sched_init_dev(cs);
	if (ret)
		return ret;
	loom_reset_init(cs);
	WRITE_ONCE(ldev->cs, cs);
	/* A probe that fails later stops the watchdog before the BARs go. */
	return devm_add_action_or_reset(&ldev->pdev->dev, loom_cs_devm_fini, ldev);
}

void loom_cs_fini(struct loom_device *ldev)
{
	struct loom_cs_dev *cs = ldev->cs;

	if (cs && !cs->stopped_all) {
		cs->stopped_all = true;
		loom_reset_fini(cs);
	}
}
