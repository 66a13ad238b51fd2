// SPDX-License-Identifier: MIT
/*
 * loom.ko: the hardware queues — their memory, their registers, the ring
 * the driver fills and the completion queue (CQ) it drains.
 *
 * Every job asks for a CQ entry (LOOM_RING_F_COMPLETION) and carries its
 * sequence number as tag; the CP runs entries in order, so a CQ entry for
 * tag N finishes every job up to N. The driver's own entries (setting the
 * queue's SOB after creation and after resets) carry
 * LOOM_QUEUE_TAG_INTERNAL and write a CQ entry only if they fail.
 *
 * A CQ entry with an error means the CP halted: the queue asks for a reset
 * (loom_reset.c). Jobs submitted before the failure was reported are
 * cancelled; those submitted after it run normally: any that drm_sched
 * put on the halted ring meanwhile go on it again after the reset.
 *
 * run_job (drm_sched's) copies the checked CB into the CB area, behind
 * the jobs still on the ring, with the driver's SIGNAL after it. The
 * scheduler's credits are the area's bytes, and their limit leaves room
 * for one more job of the largest size (loom_queue.h), so room is always
 * there: the bytes lost at the area's end when a job wraps to its start
 * are fewer than the largest job's.
 */
#include <linux/delay.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-mapping.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>

#include "loom_ctx.h"
#include "loom_hw.h"
#include "loom_cs.h"
#include "loom_queue.h"
#include "loom_reset.h"

#define LOOM_QUEUE_RING_BYTES	(2 * LOOM_QUEUE_RING_ENTRIES * sizeof(struct loom_ring_entry))

static_assert(sizeof(struct loom_ring_entry) == sizeof(struct loom_cq_entry));
/*
 * A queue's unretired jobs (so those on the ring), plus the driver's own
 * entries, never fill the ring, nor the CQ (one entry per job).
 */
static_assert(DRM_LOOM_QUEUE_MAX_JOBS + 8 <= LOOM_QUEUE_RING_ENTRIES);
static_assert(sizeof(struct loom_pkt_signal) <= LOOM_QUEUE_CB_RESERVED);

static unsigned int loom_queue_reset_timeout_ms = LOOM_QUEUE_RESET_TIMEOUT_MS;
module_param_named(queue_reset_timeout_ms, loom_queue_reset_timeout_ms, uint, 0644);
MODULE_PARM_DESC(queue_reset_timeout_ms,
		 "a queue reset taking longer resets the whole device (ms, 0 = at once; default 2000)");

static u32 loom_q_reg(struct loom_queue *q, u32 r)
{
	return LOOM_REG_QUEUE(q->hw, r);
}

static void loom_queue_free_work(struct work_struct *work)
{
	struct loom_queue *q = container_of(work, struct loom_queue, free_work);
	struct drm_device *drm = &q->ldev->drm;

	kfree(q);
	drm_dev_put(drm);
}

static void loom_queue_release(struct kref *ref)
{
	struct loom_queue *q = container_of(ref, struct loom_queue, ref);

	loom_obj_dec(q->ldev, LOOM_OBJ_QUEUE);
	/*
	 * A job's free_job may drop the last reference, from the scheduler's
	 * free work: the device's last reference, which takes the schedulers
	 * down, must not go there. Anywhere else it goes now, so that the
	 * device is released with its last file.
	 */
	if (q->sched && current_work() == &q->sched->work_free_job)
		queue_work(system_wq, &q->free_work);
	else
		loom_queue_free_work(&q->free_work);
}

/* Jobs of q that finished and that the scheduler has not freed yet. */
static bool loom_queue_jobs_to_free(struct loom_queue *q)
{
	struct loom_job *job;
	bool any = false;

	spin_lock_irq(&q->lock);
	list_for_each_entry(job, &q->jobs, link)
		any |= job->seq <= q->retired_seq;
	spin_unlock_irq(&q->lock);
	return any;
}

void loom_queue_put(struct loom_queue *q)
{
	kref_put(&q->ref, loom_queue_release);
}

void loom_queue_hw_program(struct loom_queue *q)
{
	struct loom_device *ldev = q->ldev;
	u64 ring_pa = LOOM_PA_HOST(LOOM_KMD_CHANNEL, q->ring_dma);
	u64 cq_pa = ring_pa + LOOM_QUEUE_RING_ENTRIES * sizeof(struct loom_ring_entry);

	lockdep_assert_held(&q->submit_lock);
	loom_wr32(ldev, loom_q_reg(q, LOOM_QREG_CTRL), 0);
	loom_wr64(ldev, loom_q_reg(q, LOOM_QREG_RING_BASE_LO), ring_pa);
	loom_wr32(ldev, loom_q_reg(q, LOOM_QREG_RING_SIZE), LOOM_QUEUE_RING_ENTRIES);
	loom_wr64(ldev, loom_q_reg(q, LOOM_QREG_CQ_BASE_LO), cq_pa);
	loom_wr32(ldev, loom_q_reg(q, LOOM_QREG_CQ_SIZE), LOOM_QUEUE_RING_ENTRIES);
	loom_wr32(ldev, loom_q_reg(q, LOOM_QREG_ASID), q->ctx->asid);
	loom_wr32(ldev, loom_q_reg(q, LOOM_QREG_CHANNEL), LOOM_KMD_CHANNEL);
	/* The indices are free-running; start from where the device is. */
	q->ring_pi = loom_rd32(ldev, loom_q_reg(q, LOOM_QREG_RING_CI));
	loom_wr32(ldev, loom_q_reg(q, LOOM_QREG_RING_PI), q->ring_pi);
	spin_lock_irq(&q->lock);
	q->cq_ci = loom_rd32(ldev, loom_q_reg(q, LOOM_QREG_CQ_PI));
	q->head_since = jiffies;
	spin_unlock_irq(&q->lock);
	q->cb_head = LOOM_QUEUE_CB_RESERVED;
	loom_wr32(ldev, loom_q_reg(q, LOOM_QREG_CTRL), LOOM_QCTRL_ENABLE);
}

void loom_queue_hw_disable(struct loom_queue *q)
{
	struct loom_device *ldev = q->ldev;
	static const u32 regs[] = {
		LOOM_QREG_CTRL, LOOM_QREG_RING_BASE_LO, LOOM_QREG_RING_BASE_HI,
		LOOM_QREG_RING_SIZE, LOOM_QREG_CQ_BASE_LO, LOOM_QREG_CQ_BASE_HI,
		LOOM_QREG_CQ_SIZE, LOOM_QREG_ASID, LOOM_QREG_CHANNEL,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(regs); i++)
		loom_wr32(ldev, loom_q_reg(q, regs[i]), 0);
	loom_hw_doorbell(ldev, q->hw);
}

int loom_queue_hw_reset(struct loom_queue *q)
{
	struct loom_device *ldev = q->ldev;
	unsigned int timeout_ms = READ_ONCE(loom_queue_reset_timeout_ms);
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);

	lockdep_assert_held(&q->submit_lock);
	loom_wr32(ldev, loom_q_reg(q, LOOM_QREG_CTRL), LOOM_QCTRL_ENABLE | LOOM_QCTRL_RESET);
	loom_hw_doorbell(ldev, q->hw);
	while (loom_rd32(ldev, loom_q_reg(q, LOOM_QREG_CTRL)) & LOOM_QCTRL_RESET) {
		if (!timeout_ms || time_after(jiffies, deadline)) {
			drm_err(&ldev->drm, "queue %u did not reset within %u ms\n", q->hw,
				timeout_ms);
			return -ETIMEDOUT;
		}
		usleep_range(200, 1000);
	}
	return 0;
}

static void loom_queue_write_entry(struct loom_queue *q, u32 off, u32 size, u32 flags, u64 tag)
{
	struct loom_ring_entry *e = &q->ring[q->ring_pi & (LOOM_QUEUE_RING_ENTRIES - 1)];

	e->cb_addr = q->cb_va + off;
	e->cb_size = size;
	e->flags = flags;
	e->tag = tag;
	e->reserved = 0;
	q->ring_pi++;
}

static void loom_queue_kick(struct loom_queue *q)
{
	dma_wmb();
	loom_wr32(q->ldev, loom_q_reg(q, LOOM_QREG_RING_PI), q->ring_pi);
	loom_hw_doorbell(q->ldev, q->hw);
}

void loom_queue_set_sob(struct loom_queue *q, u32 value)
{
	struct loom_pkt_signal *p = q->cb;

	lockdep_assert_held(&q->submit_lock);
	p->header = LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0, sizeof(*p) / 4);
	p->sob = q->sob;
	p->op = LOOM_SIGNAL_OP_SET;
	p->value = value;
	loom_queue_write_entry(q, 0, sizeof(*p), 0, LOOM_QUEUE_TAG_INTERNAL | value);
	loom_queue_kick(q);
}

/* Room for len bytes in the CB area after the jobs still on the ring. q->lock held. */
static bool loom_queue_cb_room(struct loom_queue *q, u32 len, u32 *off)
{
	struct loom_job *oldest = list_first_entry_or_null(&q->inflight, struct loom_job, node);
	u32 head = q->cb_head, tail;

	if (!oldest) {
		*off = LOOM_QUEUE_CB_RESERVED;
		return len <= LOOM_QUEUE_CB_AREA - LOOM_QUEUE_CB_RESERVED;
	}
	tail = oldest->cb_off;
	if (head > tail) {
		if (LOOM_QUEUE_CB_AREA - head >= len) {
			*off = head;
			return true;
		}
		if (tail - LOOM_QUEUE_CB_RESERVED >= len) {
			*off = LOOM_QUEUE_CB_RESERVED;
			return true;
		}
		return false;
	}
	if (head < tail && tail - head >= len) {
		*off = head;
		return true;
	}
	return false;		/* head == tail: full */
}

/*
 * The error of a failed in-fence of a job whose in-fences have all
 * signalled, or 0: such a job fails without running, as it would have
 * had the in-fence's work been part of it.
 */
static int loom_job_deps_error(struct loom_job *job)
{
	struct dma_fence *f;
	unsigned long i;
	int err;

	xa_for_each(&job->base.dependencies, i, f) {
		/* A timeline point's chain node does not carry its fence's error. */
		err = READ_ONCE(dma_fence_chain_contained(f)->error);
		if (err)
			return err;
	}
	return 0;
}

/* Write job's ring entry (its CB is in the CB area at cb_off). submit_lock held. */
static void loom_queue_write_job(struct loom_queue *q, struct loom_job *job)
{
	loom_queue_write_entry(q, job->cb_off, job->cb_size + sizeof(struct loom_pkt_signal),
			       LOOM_RING_F_COMPLETION, job->seq);
}

/* drm_sched's run_job: the job's in-fences have signalled; its turn on the ring. */
static struct dma_fence *loom_queue_run_job(struct drm_sched_job *sj)
{
	struct loom_job *job = to_loom_job(sj);
	struct loom_queue *q = job->q;
	struct loom_cs_dev *cs = q->cs;
	struct loom_pkt_signal *sig;
	u32 off;

	down_read(&cs->reset_sem);
	mutex_lock(&q->submit_lock);
	spin_lock_irq(&q->lock);
	if (!job->abort_err)
		job->abort_err = loom_job_deps_error(job);
	if (!job->abort_err && job->seq <= q->cancel_last)
		job->abort_err = q->cancel_err;
	if (q->stopped) {
		/* Every older job was retired when the queue stopped. */
		loom_queue_retire_locked(q, job, LOOM_ERR_ABORTED, -ECANCELED);
		spin_unlock_irq(&q->lock);
		goto out;
	}
	if (job->abort_err) {
		/* Its turn all the same: an entry that only sets the SOB. */
		job->cb_size = 0;
		job->cb_bytes = ALIGN(sizeof(*sig), 8);
	}
	if (WARN_ON_ONCE(!loom_queue_cb_room(q, job->cb_bytes, &off))) {
		/* The credits make this impossible (loom_queue.h). */
		loom_queue_retire_locked(q, job, LOOM_ERR_ABORTED, -EIO);
		spin_unlock_irq(&q->lock);
		goto out;
	}
	job->cb_off = off;
	q->cb_head = off + job->cb_bytes;
	if (list_empty(&q->inflight))
		q->head_since = jiffies;
	list_add_tail(&job->node, &q->inflight);
	spin_unlock_irq(&q->lock);

	/* On the ring only through submit_lock, which resets take first. */
	if (job->cb_size)
		memcpy(q->cb + off, job->cb, job->cb_size);
	sig = q->cb + off + job->cb_size;
	sig->header = LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0, sizeof(*sig) / 4);
	sig->sob = q->sob;
	sig->op = LOOM_SIGNAL_OP_SET;
	sig->value = lower_32_bits(job->seq);
	loom_queue_write_job(q, job);
	loom_queue_kick(q);
	kfree(job->cb);
	job->cb = NULL;
out:
	mutex_unlock(&q->submit_lock);
	up_read(&cs->reset_sem);
	/* drm_sched's reference (s_fence->parent). */
	return dma_fence_get(&job->hw_fence);
}

static const struct drm_sched_backend_ops loom_sched_ops = {
	.run_job = loom_queue_run_job,
	.timedout_job = loom_reset_timedout_job,
	.free_job = loom_cs_job_free,
};

void loom_queue_repush_locked(struct loom_queue *q)
{
	struct loom_job *job;
	bool any = false;

	lockdep_assert_held(&q->submit_lock);
	spin_lock_irq(&q->lock);
	list_for_each_entry(job, &q->inflight, node) {
		loom_queue_write_job(q, job);
		any = true;
	}
	if (any)
		q->head_since = jiffies;
	spin_unlock_irq(&q->lock);
	if (any)
		loom_queue_kick(q);
}

void loom_queue_retire_locked(struct loom_queue *q, struct loom_job *job, u32 status, int err)
{
	lockdep_assert_held(&q->lock);
	/* In sequence order only: see loom_queue.h. */
	WARN_ON_ONCE(job->seq != q->retired_seq + 1);
	if (job->abort_err) {
		status = LOOM_ERR_ABORTED;
		err = job->abort_err;
	}
	list_del_init(&job->node);	/* off the ring, if it was on it */
	job->status = status;
	q->head_since = jiffies;
	q->retired_seq = job->seq;
	q->njobs--;
	loom_obj_dec(q->ldev, LOOM_OBJ_JOB);
	q->status_hist[job->seq % DRM_LOOM_QUEUE_STATUS_HISTORY] = status;
	if (status)
		dma_fence_set_error(&job->hw_fence, err);
	/* drm_sched signals the finished fence from here, with the same error. */
	dma_fence_signal(&job->hw_fence);
}

void loom_queue_cancel_locked(struct loom_queue *q, u64 last, u32 status, int err)
{
	struct loom_job *job, *tmp;

	lockdep_assert_held(&q->lock);
	list_for_each_entry_safe(job, tmp, &q->inflight, node) {
		if (job->seq > last)
			break;
		loom_queue_retire_locked(q, job, job->hung ? LOOM_ERR_TIMEOUT : status, err);
	}
	/* The others fail when drm_sched runs them. */
	loom_queue_fail_upto_locked(q, last, err);
}

void loom_queue_fail_upto_locked(struct loom_queue *q, u64 last, int err)
{
	lockdep_assert_held(&q->lock);
	if (last > q->cancel_last)
		q->cancel_last = last;
	q->cancel_err = err;
}

void loom_queue_request_reset_locked(struct loom_queue *q)
{
	lockdep_assert_held(&q->lock);
	if (q->needs_reset || q->stopped || q->dying)
		return;
	q->needs_reset = true;
	loom_queue_fail_upto_locked(q, q->last_seq, -EIO);
	queue_work(q->cs->wq, &q->reset_work);
}

void loom_queue_process_cq_locked(struct loom_queue *q)
{
	struct loom_job *job;
	u32 pi, status;
	u64 tag;

	lockdep_assert_held(&q->lock);
	if (q->stopped)
		return;
	pi = loom_rd32(q->ldev, loom_q_reg(q, LOOM_QREG_CQ_PI));
	while (q->cq_ci != pi) {
		struct loom_cq_entry *e;

		if (pi - q->cq_ci > LOOM_QUEUE_RING_ENTRIES) {
			drm_err(&q->ldev->drm, "queue %u: CQ index %u is %u ahead of %u: resetting the queue\n",
				q->hw, pi, pi - q->cq_ci, q->cq_ci);
			q->cq_ci = pi;
			loom_queue_request_reset_locked(q);
			break;
		}
		e = &q->cq[q->cq_ci & (LOOM_QUEUE_RING_ENTRIES - 1)];
		dma_rmb();
		tag = READ_ONCE(e->tag);
		status = READ_ONCE(e->status);
		q->cq_ci++;
		/* An error halted the CP: nothing more runs on the ring before a reset. */
		if (status && status != LOOM_ERR_ABORTED) {
			loom_dbg(q->ldev, IRQ, "queue %u: entry %#llx failed with error %u at CB offset %u\n",
				 q->hw, tag, status, READ_ONCE(e->err_offset));
			loom_queue_request_reset_locked(q);
		}
		if (tag & LOOM_QUEUE_TAG_INTERNAL)
			continue;
		while ((job = list_first_entry_or_null(&q->inflight, struct loom_job, node)) &&
		       job->seq <= tag) {
			u32 st = job->seq == tag ? status : LOOM_ERR_NONE;

			if (job->hung && st)
				st = LOOM_ERR_TIMEOUT;
			loom_queue_retire_locked(q, job, st, -EIO);
		}
	}
}

/* Wait until the CP has consumed every ring entry; 0, -EIO if it halted, -ETIMEDOUT. */
static int loom_queue_wait_idle(struct loom_queue *q)
{
	struct loom_device *ldev = q->ldev;
	unsigned long deadline = jiffies + msecs_to_jiffies(LOOM_QUEUE_RESET_TIMEOUT_MS);

	while (loom_rd32(ldev, loom_q_reg(q, LOOM_QREG_RING_CI)) != q->ring_pi) {
		if (LOOM_QSTATUS_STATE(loom_rd32(ldev, loom_q_reg(q, LOOM_QREG_STATUS))) ==
		    LOOM_QSTATUS_HALTED)
			return -EIO;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(100, 500);
	}
	if (LOOM_QSTATUS_STATE(loom_rd32(ldev, loom_q_reg(q, LOOM_QREG_STATUS))) ==
	    LOOM_QSTATUS_HALTED)
		return -EIO;
	return 0;
}

int loom_queue_sched_init_dev(struct loom_cs_dev *cs)
{
	unsigned int timeout_ms = READ_ONCE(loom_job_timeout_ms);
	struct drm_sched_init_args args = {
		.ops = &loom_sched_ops,
		.submit_wq = cs->sched_wq,
		/* With queue and device resets: one recovery at a time. */
		.timeout_wq = cs->wq,
		.num_rqs = 1,
		.credit_limit = LOOM_QUEUE_CREDITS,
		.timeout = timeout_ms ? msecs_to_jiffies(timeout_ms) : MAX_SCHEDULE_TIMEOUT,
		.dev = cs->ldev->drm.dev,
	};
	int ret;

	for (cs->nsched = 0; cs->nsched < LOOM_NUM_QUEUES; cs->nsched++) {
		snprintf(cs->sched_name[cs->nsched], sizeof(cs->sched_name[0]), "loom-q%u",
			 cs->nsched);
		args.name = cs->sched_name[cs->nsched];
		ret = drm_sched_init(&cs->sched[cs->nsched], &args);
		if (ret)
			return ret;
	}
	return 0;
}

void loom_queue_sched_fini_dev(struct loom_cs_dev *cs)
{
	while (cs->nsched)
		drm_sched_fini(&cs->sched[--cs->nsched]);
}

/* The queue: its hardware queue's scheduler's one entity. */
static int loom_queue_entity_init(struct loom_queue *q)
{
	int ret;

	q->sched = &q->cs->sched[q->hw];
	/* Run queue 0, the only one. */
	ret = drm_sched_entity_init(&q->entity, 0, &q->sched, 1, NULL);
	if (!ret)
		q->entity_ready = true;
	return ret;
}

/*
 * Jobs the scheduler has not run yet fail (drm_sched's -ESRCH, once their
 * in-fences signal); those it ran are the scheduler's to free.
 */
static void loom_queue_entity_fini(struct loom_queue *q)
{
	if (!q->entity_ready)
		return;
	/*
	 * No run work while the entity goes: 6.12's drm_sched_entity_pop_job()
	 * puts the entity back into its run queue's FIFO tree (to order its
	 * next job) without looking at entity->stopped, so a pop racing with
	 * drm_sched_entity_kill() left the freed entity in the tree, which the
	 * next removal from it tripped over (the uAPI fuzzer found it). The
	 * scheduler is this hardware queue's alone: nothing else waits.
	 */
	drm_sched_wqueue_stop(q->sched);
	drm_sched_entity_fini(&q->entity);
	drm_sched_wqueue_start(q->sched);
	q->entity_ready = false;
}

int loom_queue_create(struct loom_cs_dev *cs, struct loom_ctx *ctx, struct loom_queue **out)
{
	struct loom_device *ldev = cs->ldev;
	struct device *dev = ldev->drm.dev;
	struct loom_queue *q;
	int ret, idx;
	u32 hw;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return -ENOMEM;
	q->cs = cs;
	q->ldev = ldev;
	kref_init(&q->ref);
	INIT_WORK(&q->free_work, loom_queue_free_work);
	drm_dev_get(&ldev->drm);	/* for its jobs, which may outlive the files */
	loom_obj_inc(ldev, LOOM_OBJ_QUEUE);
	mutex_init(&q->arm_lock);
	mutex_init(&q->submit_lock);
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->jobs);
	INIT_LIST_HEAD(&q->inflight);
	INIT_WORK(&q->reset_work, loom_reset_queue_work);
	q->hw_fence_ctx = dma_fence_context_alloc(1);
	q->ctx = loom_ctx_get(ctx);
	ret = loom_ctx_queue_charge(ctx);
	if (ret) {
		loom_ctx_put(q->ctx);
		loom_obj_dec(ldev, LOOM_OBJ_QUEUE);
		kfree(q);
		drm_dev_put(&ldev->drm);
		return ret;
	}

	ret = -ENOMEM;
	q->ring = dma_alloc_coherent(dev, LOOM_QUEUE_RING_BYTES, &q->ring_dma, GFP_KERNEL);
	if (!q->ring)
		goto err_free;
	q->cq = (struct loom_cq_entry *)(q->ring + LOOM_QUEUE_RING_ENTRIES);
	q->cb = dma_alloc_coherent(dev, LOOM_QUEUE_CB_AREA, &q->cb_dma, GFP_KERNEL);
	if (!q->cb)
		goto err_free;
	/* Inside the host window, as the DMA mask promises. */
	ret = -EIO;
	if (!loom_hw_dma_ok(q->ring_dma, LOOM_QUEUE_RING_BYTES) ||
	    !loom_hw_dma_ok(q->cb_dma, LOOM_QUEUE_CB_AREA))
		goto err_free;
	ret = loom_ctx_kva_alloc(ctx, LOOM_QUEUE_CB_AREA, &q->cb_va);
	if (ret)
		goto err_free;
	/* Read-only: nothing the context runs can change a checked CB. */
	ret = loom_mmu_map(ctx, q->cb_va, LOOM_PA_HOST(LOOM_KMD_CHANNEL, q->cb_dma),
			   LOOM_QUEUE_CB_AREA, 0);
	if (ret) {
		loom_ctx_kva_free(ctx, q->cb_va);
		goto err_free;
	}
	q->cb_mapped = true;

	down_read(&cs->reset_sem);
	mutex_lock(&cs->table_lock);
	if (cs->gone) {
		ret = -ENODEV;
	} else if (cs->hw_used == GENMASK(LOOM_NUM_QUEUES - 1, 0)) {
		ret = -EBUSY;
	} else {
		hw = ffz(cs->hw_used);
		cs->hw_used |= BIT(hw);
		q->hw = hw;
		q->sob = hw;	/* channel 0's SOBs: one per hardware queue */
		spin_lock_irq(&cs->irq_lock);
		cs->queues[hw] = q;
		spin_unlock_irq(&cs->irq_lock);
		ret = 0;
	}
	mutex_unlock(&cs->table_lock);
	if (ret) {
		up_read(&cs->reset_sem);
		goto err_unmap;
	}

	/* Program it and check that it runs: its first entry zeroes the SOB. */
	mutex_lock(&q->submit_lock);
	if (drm_dev_enter(&ldev->drm, &idx)) {
		loom_queue_hw_program(q);
		loom_queue_set_sob(q, 0);
		ret = loom_queue_wait_idle(q);
		drm_dev_exit(idx);
	} else {
		ret = -ENODEV;
	}
	mutex_unlock(&q->submit_lock);
	up_read(&cs->reset_sem);
	if (ret) {
		drm_err(&ldev->drm, "queue %u does not run (%d)\n", q->hw, ret);
		loom_queue_destroy(q, -EIO);
		return ret == -ENODEV ? ret : -EIO;
	}
	ret = loom_queue_entity_init(q);
	if (ret) {
		loom_queue_destroy(q, -ECANCELED);
		return ret;
	}
	loom_dbg(ldev, IOCTL, "queue %u created for ASID %u\n", q->hw, ctx->asid);
	*out = q;
	return 0;

err_unmap:
	loom_mmu_unmap(ctx, q->cb_va, LOOM_QUEUE_CB_AREA);
	loom_ctx_kva_free(ctx, q->cb_va);
err_free:
	if (q->cb)
		dma_free_coherent(dev, LOOM_QUEUE_CB_AREA, q->cb, q->cb_dma);
	if (q->ring)
		dma_free_coherent(dev, LOOM_QUEUE_RING_BYTES, q->ring, q->ring_dma);
	loom_ctx_queue_uncharge(q->ctx);
	loom_ctx_put(q->ctx);
	loom_obj_dec(ldev, LOOM_OBJ_QUEUE);
	kfree(q);
	drm_dev_put(&ldev->drm);
	return ret;
}

/* Free the ring and the CB area, once. submit_lock held. */
static void loom_queue_free_mem_locked(struct loom_queue *q)
{
	struct device *dev = q->ldev->drm.dev;

	lockdep_assert_held(&q->submit_lock);
	if (q->mem_freed)
		return;
	q->mem_freed = true;
	dma_free_coherent(dev, LOOM_QUEUE_CB_AREA, q->cb, q->cb_dma);
	dma_free_coherent(dev, LOOM_QUEUE_RING_BYTES, q->ring, q->ring_dma);
}

void loom_queue_dev_unplug(struct loom_cs_dev *cs)
{
	unsigned int i;

	mutex_lock(&cs->table_lock);
	for (i = 0; i < LOOM_NUM_QUEUES; i++) {
		struct loom_queue *q = cs->queues[i];

		if (!q)
			continue;
		mutex_lock(&q->submit_lock);
		if (!q->hw_stuck && !READ_ONCE(q->ldev->dma_unsafe))
			loom_queue_free_mem_locked(q);
		mutex_unlock(&q->submit_lock);
	}
	mutex_unlock(&cs->table_lock);
}

void loom_queue_destroy(struct loom_queue *q, int err)
{
	struct loom_cs_dev *cs = q->cs;
	struct loom_device *ldev = q->ldev;
	bool quiet = false, cookie;
	unsigned int i;
	int idx;

	/* Out of the tables: no interrupt, watchdog or device reset sees it now. */
	mutex_lock(&cs->table_lock);
	spin_lock_irq(&cs->irq_lock);
	cs->queues[q->hw] = NULL;
	spin_unlock_irq(&cs->irq_lock);
	mutex_unlock(&cs->table_lock);
	cancel_work_sync(&q->reset_work);
	/* No job is armed from now on (SUBMIT answers -ENOENT). */
	mutex_lock(&q->arm_lock);
	spin_lock_irq(&q->lock);
	q->dying = true;
	spin_unlock_irq(&q->lock);
	mutex_unlock(&q->arm_lock);

	/* It fails every job of the queue: a fence-signalling path. */
	cookie = dma_fence_begin_signalling();
	down_read(&cs->reset_sem);
	mutex_lock(&q->submit_lock);
	if (q->hw_stuck) {
		quiet = false;
	} else if (READ_ONCE(cs->gone) || q->stopped) {
		/* Disabled at removal, or bus mastering off: unless stalled mid-access. */
		quiet = !READ_ONCE(ldev->dma_unsafe);
	} else if (drm_dev_enter(&ldev->drm, &idx)) {
		if (!loom_queue_hw_reset(q)) {
			spin_lock_irq(&q->lock);
			loom_queue_process_cq_locked(q);
			spin_unlock_irq(&q->lock);
			loom_queue_hw_disable(q);
			quiet = true;
		}
		drm_dev_exit(idx);
	} else {
		quiet = true;
	}
	spin_lock_irq(&q->lock);
	q->stopped = true;
	loom_queue_cancel_locked(q, U64_MAX, LOOM_ERR_ABORTED, err);
	spin_unlock_irq(&q->lock);
	mutex_unlock(&q->submit_lock);
	up_read(&cs->reset_sem);
	dma_fence_end_signalling(cookie);
	/* What drm_sched had not run yet fails now; it ran the rest. */
	loom_queue_entity_fini(q);
	/*
	 * Those it ran have finished: have it free them now (a bounded
	 * wait), so that they hold the queue, and so the device, no longer.
	 */
	for (i = 0; i < 100 && loom_queue_jobs_to_free(q); i++)
		flush_workqueue(cs->sched_wq);

	if (!quiet && !q->hw_stuck && !READ_ONCE(cs->gone)) {
		/* The queue does not stop: reset the device, which stops every queue. */
		loom_reset_schedule_device(cs);
		flush_work(&cs->dev_reset_work);
		quiet = !READ_ONCE(cs->gone);
	}

	if (q->cb_mapped) {
		loom_mmu_unmap(q->ctx, q->cb_va, LOOM_QUEUE_CB_AREA);
		loom_ctx_kva_free(q->ctx, q->cb_va);
	}
	if (quiet) {
		mutex_lock(&q->submit_lock);
		loom_queue_free_mem_locked(q);
		mutex_unlock(&q->submit_lock);
		mutex_lock(&cs->table_lock);
		cs->hw_used &= ~BIT(q->hw);
		mutex_unlock(&cs->table_lock);
	} else {
		/* The device may still write there: better lost than reused. */
		drm_err(&ldev->drm, "queue %u did not stop: keeping its memory and the hardware queue\n",
			q->hw);
	}
	loom_dbg(ldev, IOCTL, "queue %u destroyed\n", q->hw);
	loom_ctx_queue_uncharge(q->ctx);
	loom_ctx_put(q->ctx);
	q->ctx = NULL;
	loom_queue_put(q);
}
