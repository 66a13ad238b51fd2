/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend's queues. A stream is one kernel queue
 * (DRM_IOCTL_LOOM_QUEUE_CREATE), which the driver gives a sync object
 * (SOB) that its own SIGNAL at the end of every submission increments.
 * Each command buffer the generic layer built is sent with
 * DRM_IOCTL_LOOM_SUBMIT (the driver copies and checks it) after a WRITE64
 * of the submission's number N into slot N % FENCE_SLOTS of the queue's
 * fence ring in pinned memory. The stream's count of finished submissions
 * is the last N whose slot and every earlier one hold their numbers: read
 * without a system call, and never past a submission that failed (the
 * driver resets the queue after a failure and runs what was submitted
 * later, whose slots then fill in; the failed one's never does). Another
 * stream of this file waits for one with a WAIT packet on the queue's
 * SOB, which reads the number of the queue's last finished job.
 *
 * Waiting: the generic wait loop sleeps on dev->cond. Each queue has a
 * thread that, while somebody polls the queue without seeing it done
 * (the status op says so), sleeps in DRM_IOCTL_LOOM_WAIT for the oldest
 * unfinished submission and then wakes the waiters; the same call tells
 * it the device error of a submission that failed, which becomes the
 * queue's (sticky) status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_kmd.h"


/* How long the queue thread sleeps in the kernel at a time. */
#define WAIT_SLICE_NS	(100 * 1000000ULL)
/* Fence ring slots: more than the submissions a stream has in flight. */
#define FENCE_SLOTS	512
_Static_assert(FENCE_SLOTS >= 2 * LOOM_INFLIGHT, "the fence ring is too small");

struct loom_kmd_queue {
	loom_device *dev;
	uint32_t id;			/* the driver's queue id */
	uint32_t sob;			/* the driver's SOB counting finished submissions */
	uint64_t *fence;		/* the fence ring (pinned), written by the device */
	uint64_t fence_va;
	uint32_t done;			/* finished submissions seen so far (atomic) */
	uint64_t kseq_base;		/* driver seq = kseq_base + our submission number */
	bool kseq_known;
	uint32_t submitted;		/* submissions handed to the driver (atomic) */
	int error;			/* sticky: negative errno (atomic) */
	bool want;			/* someone polls without seeing progress (atomic) */

	/* Protects stop, and pairs with cond for want. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	pthread_t thread;
	bool thread_on;
};

static int queue_error_to_errno(uint32_t err)
{
	switch (err) {
	case LOOM_ERR_PAGE_FAULT: return -EFAULT;
	case LOOM_ERR_PERMISSION: return -EACCES;
	case LOOM_ERR_BAD_PACKET:
	case LOOM_ERR_BAD_ARG:
	case LOOM_ERR_BAD_CB:
	case LOOM_ERR_PRIV: return -EINVAL;
	case LOOM_ERR_TIMEOUT:
	case LOOM_ERR_TPC_TIMEOUT: return -ETIME;
	case LOOM_ERR_UNSUPPORTED: return -EOPNOTSUPP;
	default: return -EIO;
	}
}

/* ---- the queue thread ------------------------------------------------------------ */

/* Finished submissions: advance over the slots that hold their numbers. */
static uint32_t queue_done(struct loom_kmd_queue *q)
{
	uint32_t seen = __atomic_load_n(&q->done, __ATOMIC_ACQUIRE), c = seen;

	while ((uint32_t)__atomic_load_n(&q->fence[(c + 1) % FENCE_SLOTS], __ATOMIC_ACQUIRE) ==
	       c + 1)
		c++;
	/* Several pollers: keep the largest. */
	while (c != seen && (int32_t)(c - seen) > 0 &&
	       !__atomic_compare_exchange_n(&q->done, &seen, c, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE))
		;
	return (int32_t)(c - seen) > 0 ? c : seen;
}

static void queue_wait_once(struct loom_kmd_queue *q)
{
	loom_device *dev = q->dev;
	uint32_t done = queue_done(q);
	uint32_t sub = __atomic_load_n(&q->submitted, __ATOMIC_ACQUIRE);
	struct drm_loom_wait w = { 0 };
	int ret;

	if (done == sub || __atomic_load_n(&q->error, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&dev->dead, __ATOMIC_ACQUIRE) || !q->kseq_known)
		return;
	w.queue_id = q->id;
	w.seq = q->kseq_base + done + 1;
	w.timeout_ns = WAIT_SLICE_NS;
	ret = loom_kmd_ioctl(loom_kmd(dev)->fd, DRM_IOCTL_LOOM_WAIT, &w);
	if (ret == -ETIME || ret == -ETIMEDOUT)
		return;
	if (ret == -ENODEV) {
		loom_kmd_err(dev, ret);
		return;
	}
	if ((!ret || ret == -EIO) && w.status) {
		loom_dbg(LOOM_DBG_SUBMIT, "queue %u: submission %u failed: device error %u",
			 q->id, done + 1, w.status);
		__atomic_store_n(&q->error, queue_error_to_errno(w.status), __ATOMIC_RELEASE);
	} else if (ret == -EIO) {
		__atomic_store_n(&q->error, -EIO, __ATOMIC_RELEASE);
	} else if (ret) {
		loom_dbg(LOOM_DBG_SUBMIT, "queue %u: WAIT for %llu: %s", q->id,
			 (unsigned long long)w.seq, loom_strerror(ret));
		usleep(1000);	/* not a reason to spin */
	}
}

static void *queue_thread_fn(void *arg)
{
	struct loom_kmd_queue *q = arg;
	loom_device *dev = q->dev;

	pthread_mutex_lock(&q->lock);
	while (!q->stop) {
		if (!__atomic_load_n(&q->want, __ATOMIC_ACQUIRE)) {
			pthread_cond_wait(&q->cond, &q->lock);
			continue;
		}
		pthread_mutex_unlock(&q->lock);
		__atomic_store_n(&q->want, false, __ATOMIC_RELEASE);
		queue_wait_once(q);
		pthread_mutex_lock(&dev->lock);
		pthread_cond_broadcast(&dev->cond);
		pthread_mutex_unlock(&dev->lock);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* ---- queues ---------------------------------------------------------------------- */

static void queue_free(loom_device *dev, struct loom_kmd_queue *q)
{
	if (q->fence)
		loom_kmd_host_free(dev, q->fence);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q);
}

int loom_kmd_queue_create(loom_stream *s)
{
	loom_device *dev = s->dev;
	struct loom_kmd *k = loom_kmd(dev);
	struct loom_kmd_queue *q = calloc(1, sizeof(*q));
	struct drm_loom_queue_create c = { 0 };
	struct drm_loom_queue_destroy d = { 0 };
	int ret;

	if (!q)
		return -ENOMEM;
	if (__atomic_load_n(&dev->dead, __ATOMIC_ACQUIRE)) {
		free(q);
		return -ECONNRESET;
	}
	q->dev = dev;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->fence = loom_kmd_host_alloc(dev, FENCE_SLOTS * sizeof(uint64_t), &q->fence_va);
	if (!q->fence) {
		ret = -errno;
		queue_free(dev, q);
		return ret;
	}
	memset(q->fence, 0, FENCE_SLOTS * sizeof(uint64_t));
	ret = loom_kmd_ioctl(k->fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &c);
	if (ret == -ENOSPC)
		ret = -EBUSY;	/* DRM_LOOM_QUEUES_PER_FILE reached, or no queue free */
	if (ret == -EINVAL || ret == -ENOTTY) {
		loom_dbg(LOOM_DBG_SUBMIT, "%s: the driver has no queues", dev->uri);
		ret = -EOPNOTSUPP;
	}
	if (ret) {
		queue_free(dev, q);
		return loom_kmd_err(dev, ret);
	}
	q->id = c.queue_id;
	q->sob = c.sob;
	ret = -pthread_create(&q->thread, NULL, queue_thread_fn, q);
	if (ret) {
		d.queue_id = q->id;
		loom_kmd_ioctl(k->fd, DRM_IOCTL_LOOM_QUEUE_DESTROY, &d);
		queue_free(dev, q);
		return ret;
	}
	q->thread_on = true;
	s->q = q;
	s->hw_queue = q->id;
	loom_dbg(LOOM_DBG_SUBMIT, "stream on kernel queue %u, sob %u, fences at 0x%llx", q->id,
		 q->sob, (unsigned long long)q->fence_va);
	return 0;
}

void loom_kmd_queue_destroy(loom_stream *s)
{
	struct loom_kmd_queue *q = s->q;
	struct drm_loom_queue_destroy d = { .queue_id = q->id };

	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	if (q->thread_on)
		pthread_join(q->thread, NULL);
	/* The driver waits for (or resets) the queue's work. */
	loom_kmd_ioctl(loom_kmd(s->dev)->fd, DRM_IOCTL_LOOM_QUEUE_DESTROY, &d);
	queue_free(s->dev, q);
	s->q = NULL;
}

/* ---- submission and completion ----------------------------------------------------- */

uint32_t loom_kmd_done(loom_stream *s)
{
	return queue_done(s->q);
}

int loom_kmd_status(loom_stream *s)
{
	struct loom_kmd_queue *q = s->q;
	int err = __atomic_load_n(&q->error, __ATOMIC_ACQUIRE);

	if (err)
		return err;
	/* The caller did not see the count it wants: let the queue's thread
	 * sleep in the driver for the next completion and wake it. */
	if (!__atomic_exchange_n(&q->want, true, __ATOMIC_ACQ_REL)) {
		pthread_mutex_lock(&q->lock);
		pthread_cond_signal(&q->cond);
		pthread_mutex_unlock(&q->lock);
	}
	return 0;
}

void loom_kmd_wait_pkt(loom_stream *other, uint32_t target, struct loom_pkt_wait *w)
{
	struct loom_kmd_queue *oq = other->q;

	w->header = LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, sizeof(*w) / 4);
	w->sob = oq->sob;
	/* The SOB reads the driver's number of the queue's last finished job. */
	w->target = (uint32_t)(oq->kseq_base + target);
	w->timeout_ms = 0;	/* the device's watchdog */
}

int loom_kmd_submit(loom_stream *s, const uint32_t *oldest, uint32_t *cookie)
{
	struct loom_kmd_queue *q = s->q;
	struct loom_kmd *k = loom_kmd(s->dev);
	struct loom_pkt_write64 *f;
	struct drm_loom_submit sub = { 0 };
	uint32_t seq = s->seq + 1;
	int ret;

	(void)oldest;	/* the driver copies the CB: no CB space to manage here */
	f = loom_cb_add(s, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->header = LOOM_PKT_HDR(LOOM_PKT_WRITE64, 0, sizeof(*f) / 4);
	f->addr = q->fence_va + (seq % FENCE_SLOTS) * sizeof(uint64_t);
	f->value = seq;
	sub.queue_id = q->id;
	sub.cb_ptr = (uintptr_t)s->cb_buf;
	sub.cb_size = s->cb_len;
	ret = loom_kmd_ioctl(k->fd, DRM_IOCTL_LOOM_SUBMIT, &sub);
	if (ret) {
		s->cb_len -= sizeof(*f);	/* the caller may try again */
		if (ret == -EBUSY || ret == -EAGAIN)
			return -EAGAIN;	/* DRM_LOOM_QUEUE_MAX_JOBS unfinished */
		loom_dbg(LOOM_DBG_SUBMIT, "queue %u: SUBMIT of %u bytes: %s", q->id,
			 s->cb_len, loom_strerror(ret));
		return loom_kmd_err(s->dev, ret);
	}
	if (!q->kseq_known) {
		q->kseq_base = sub.seq - seq;
		q->kseq_known = true;
	}
	__atomic_store_n(&q->submitted, seq, __ATOMIC_RELEASE);
	*cookie = 0;
	return 0;
}
