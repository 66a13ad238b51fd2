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
 * Each job is a dma_fence (one fence context per queue, seqno = the job's
 * sequence number), signalled in order from the completion interrupt;
 * a failed job's fence carries -EIO, a cancelled one -EIO (reset),
 * -ECANCELED (queue destroyed) or -ENODEV (device gone). In-syncobjs hold
 * the job back until their fences signal (a callback per fence, then the
 * queue's push work); a job one of whose in-fences signalled with an
 * error does not run: it fails (LOOM_ERR_ABORTED) with that error, in its
 * turn. The out-syncobj gets the job's fence.
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

#include "loom_cs.h"
#include "loom_ctx.h"
#include "loom_queue.h"
#include "loom_reset.h"

/* ---- fences ------------------------------------------------------------ */

/* Jobs allocated and not yet freed (their fences), every device together. */
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
	return "loom-queue";
}

static void loom_fence_release(struct dma_fence *f)
{
	struct loom_job *job = container_of(f, struct loom_job, base);

	/* In-fences were dropped when the job left the waiting list. */
	kfree(job->cb);
	kfree(job->deps);
	dma_fence_free(f);
	atomic_dec(&loom_cs_fences);
}

static const struct dma_fence_ops loom_fence_ops = {
	.get_driver_name = loom_fence_driver_name,
	.get_timeline_name = loom_fence_timeline_name,
	.release = loom_fence_release,
};

static void loom_job_dep_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct loom_dep *d = container_of(cb, struct loom_dep, cb);
	struct loom_job *job = d->job;
	struct loom_cs_dev *cs = job->cs;
	unsigned long flags;

	if (atomic_dec_and_test(&job->deps_left)) {
		spin_lock_irqsave(&cs->dep_lock, flags);
		if (job->dep_q)
			queue_work(cs->wq, &job->dep_q->push_work);
		spin_unlock_irqrestore(&cs->dep_lock, flags);
	}
	dma_fence_put(&job->base);	/* taken when the callback was added */
}

/* A job that never got a fence (an error before it was queued). */
static void loom_job_free_unqueued(struct loom_job *job)
{
	unsigned int i;

	for (i = 0; i < job->ndeps; i++)
		dma_fence_put(job->deps[i].fence);
	kfree(job->deps);
	kfree(job->cb);
	kfree(job);
	atomic_dec(&loom_cs_fences);
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

/* Copy the CB, check it, and look up the in- and out-syncobjs. */
static int loom_submit_prepare(struct drm_file *file, struct loom_cs_file *cf,
			       struct drm_loom_submit *args, struct loom_job *job,
			       struct drm_syncobj **out_syncobj,
			       struct dma_fence_chain **out_chain)
{
	struct loom_device *ldev = to_loom_device(file->minor->dev);
	bool timeline = args->flags & DRM_LOOM_SUBMIT_TIMELINE;
	u32 *handles = NULL, sob_mask, bad_off = 0;
	u64 *points = NULL;
	unsigned int i;
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
	if (ret) {
		loom_dbg(ldev, IOCTL, "SUBMIT: CB refused at offset %u (header %#x): %d\n",
			 bad_off, job->cb[bad_off / 4], ret);
		return ret;
	}

	if (args->in_syncobj_count) {
		handles = kmalloc_array(args->in_syncobj_count, sizeof(*handles), GFP_KERNEL);
		job->deps = kcalloc(args->in_syncobj_count, sizeof(*job->deps), GFP_KERNEL);
		if (!handles || !job->deps) {
			ret = -ENOMEM;
			goto out;
		}
		if (copy_from_user(handles, u64_to_user_ptr(args->in_syncobjs),
				   args->in_syncobj_count * sizeof(*handles))) {
			ret = -EFAULT;
			goto out;
		}
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
			job->deps[job->ndeps].fence = f;
			job->deps[job->ndeps].job = job;
			INIT_LIST_HEAD(&job->deps[job->ndeps].cb.node);
			job->ndeps++;
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
	struct loom_cs_dev *cs = ldev->cs;
	struct loom_queue *q;
	struct loom_job *job;
	struct loom_ctx *ctx;
	unsigned int i;
	bool cookie;
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
	job->cs = cs;
	spin_lock_init(&job->fence_lock);
	ret = loom_submit_prepare(file, cf, args, job, &out_syncobj, &out_chain);
	if (ret)
		goto err_job;

	down_read(&cs->reset_sem);
	mutex_lock(&q->submit_lock);
	spin_lock_irq(&q->lock);
	if (q->dying)
		ret = -ENOENT;
	else if (q->stopped)
		ret = -ENODEV;
	else if (q->njobs >= DRM_LOOM_QUEUE_MAX_JOBS)
		ret = -EBUSY;
	if (ret) {
		spin_unlock_irq(&q->lock);
		mutex_unlock(&q->submit_lock);
		up_read(&cs->reset_sem);
		goto err_job;
	}
	job->seq = ++q->last_seq;
	q->njobs++;
	loom_obj_inc(ldev, LOOM_OBJ_JOB);
	dma_fence_init(&job->base, &loom_fence_ops, &job->fence_lock, q->fence_ctx, job->seq);
	job->dep_q = q;
	/* + 1: held back until its callbacks are in and it joined its context's fences. */
	atomic_set(&job->deps_left, job->ndeps + 1);
	list_add_tail(&job->node, &q->waiting);
	dma_fence_get(&job->base);	/* the ioctl's own: a cancel may retire it any time */
	spin_unlock_irq(&q->lock);
	ctx = loom_ctx_get(q->ctx);

	/* Cancelling the job takes submit_lock: the callbacks go in undisturbed. */
	for (i = 0; i < job->ndeps; i++) {
		struct loom_dep *d = &job->deps[i];

		dma_fence_get(&job->base);
		if (dma_fence_add_callback(d->fence, &d->cb, loom_job_dep_cb)) {
			atomic_dec(&job->deps_left);	/* signalled meanwhile */
			dma_fence_put(&job->base);
		}
	}
	mutex_unlock(&q->submit_lock);
	up_read(&cs->reset_sem);

	/*
	 * Memory the context unbinds from now on outlives the job. Outside
	 * submit_lock: this locks reservation objects (other drivers' too,
	 * through exported DRAM) and allocates, while the queue's fences
	 * signal only through work that takes submit_lock.
	 */
	ret = loom_ctx_add_fence(ctx, &job->base);
	loom_ctx_put(ctx);
	if (!ret && out_chain) {
		drm_syncobj_add_point(out_syncobj, out_chain, &job->base, args->out_point);
		out_chain = NULL;
	} else if (!ret && out_syncobj) {
		drm_syncobj_replace_fence(out_syncobj, &job->base);
	}

	/* From here on the queue's fences signal: no allocation, no resv. */
	cookie = dma_fence_begin_signalling();
	down_read(&cs->reset_sem);
	mutex_lock(&q->submit_lock);
	if (ret) {
		/*
		 * Its number is taken: it fails in its turn, once the jobs
		 * before it have finished (its fence may already stand in
		 * for theirs in a reservation object), and no waiter is left
		 * behind. A cancel may have retired it meanwhile.
		 */
		spin_lock_irq(&q->lock);
		if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &job->base.flags))
			loom_queue_abort_job_locked(q, job, ret);
		spin_unlock_irq(&q->lock);
	} else {
		atomic_dec(&job->deps_left);
		args->seq = job->seq;
	}
	/* Its turn, or (aborted) that of the jobs submitted behind it meanwhile. */
	loom_queue_push_locked(q);
	mutex_unlock(&q->submit_lock);
	up_read(&cs->reset_sem);
	dma_fence_end_signalling(cookie);
	loom_dbg(ldev, IOCTL, "SUBMIT queue %u seq %llu, %u bytes, %u in-fences: %d\n",
		 q->hw, job->seq, job->cb_size, job->ndeps, ret);
	dma_fence_put(&job->base);
	goto out_put;

err_job:
	loom_job_free_unqueued(job);
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
		list_for_each_entry(j, &q->inflight, node)
			if (j->seq == args->seq)
				job = j;
		if (!job)
			list_for_each_entry(j, &q->waiting, node)
				if (j->seq == args->seq)
					job = j;
		if (job)
			dma_fence_get(&job->base);
		else
			ret = -EINVAL;	/* cannot happen: jobs above retired_seq are on the lists */
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
			t = dma_fence_is_signaled(&job->base) ? 1 : 0;
		else
			t = dma_fence_wait_timeout(&job->base, true, loom_wait_jiffies(timeout));
		if (t == 0) {
			ret = -ETIME;
		} else if (t < 0) {
			ret = t;
		} else {
			smp_rmb();	/* the status was written before the fence signalled */
			status = READ_ONCE(job->status);
			if (job->base.error == -ENODEV)
				ret = -ENODEV;
		}
		dma_fence_put(&job->base);
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

static void loom_cs_release(struct drm_device *drm, void *arg)
{
	struct loom_cs_dev *cs = arg;

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
	spin_lock_init(&cs->dep_lock);
	cs->wq = alloc_ordered_workqueue("loom-cs", 0);
	if (!cs->wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(&ldev->drm, loom_cs_release, cs);
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
