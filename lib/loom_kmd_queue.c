/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend's queues. A stream is one kernel queue
 * (KQ_IOCTL_QUEUE_CREATE), which the driver gives a sync object
 * (SOB) that its own SIGNAL at the end of every submission increments.
 * Each command buffer the generic layer built is sent with
 * KQ_IOCTL_SUBMIT (the driver copies and checks it) after a WRITE64
 * of the submission's number into the queue's fence slot in pinned
 * memory: the slot counts finished submissions, read without a system
 * call. Another stream of this file waits for one with a WAIT packet on
 * the queue's SOB, which the driver allows for the file's own queues.
 *
 * Waiting: the generic wait loop sleeps on dev->cond. Each queue has a
 * thread that, while somebody polls the queue without seeing it done
 * (the status op says so), sleeps in KQ_IOCTL_WAIT for the oldest
 * unfinished submission and then wakes the waiters; the same call tells
 * it the device error of a submission that failed, which becomes the
 * queue's (sticky) status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_kmd.h"

/*
 * SUBMIT's ioctls (0x05-0x08) as the driver's design describes them, until
 * include/loom/uapi/loom_accel.h declares them; an older loom.ko answers
 * them with EINVAL (no such ioctl), and streams are then -EOPNOTSUPP.
 */
struct kq_create { __u32 flags, queue_id, sob, pad; __u64 reserved[2]; };
struct kq_destroy { __u32 queue_id, pad; __u64 reserved[2]; };
struct kq_submit {
	__u32 queue_id, flags;
	__u64 cb_ptr;
	__u32 cb_size, num_in_syncobjs;
	__u64 in_syncobjs_ptr;
	__u32 out_syncobj, pad;
	__u64 seq;
	__u64 reserved[2];
};
struct kq_wait {
	__u32 queue_id, flags;
	__u64 seq;
	__s64 timeout_ns;
	__u32 status, pad;
	__u64 reserved[2];
};
#define KQ_IOCTL_QUEUE_CREATE	DRM_IOWR(DRM_COMMAND_BASE + 0x05, struct kq_create)
#define KQ_IOCTL_QUEUE_DESTROY	DRM_IOWR(DRM_COMMAND_BASE + 0x06, struct kq_destroy)
#define KQ_IOCTL_SUBMIT		DRM_IOWR(DRM_COMMAND_BASE + 0x07, struct kq_submit)
#define KQ_IOCTL_WAIT		DRM_IOWR(DRM_COMMAND_BASE + 0x08, struct kq_wait)

/* How long the queue thread sleeps in the kernel at a time. */
#define WAIT_SLICE_NS	(100 * 1000000LL)

struct loom_kmd_queue {
	loom_device *dev;
	uint32_t id;			/* the driver's queue id */
	uint32_t sob;			/* the driver's SOB counting finished submissions */
	uint32_t slot;			/* fence slot */
	volatile uint64_t *fence;
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

static void queue_wait_once(struct loom_kmd_queue *q)
{
	loom_device *dev = q->dev;
	uint32_t done = (uint32_t)__atomic_load_n(q->fence, __ATOMIC_ACQUIRE);
	uint32_t sub = __atomic_load_n(&q->submitted, __ATOMIC_ACQUIRE);
	struct kq_wait w = { 0 };
	int ret;

	if (done == sub || __atomic_load_n(&q->error, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&dev->dead, __ATOMIC_ACQUIRE) || !q->kseq_known)
		return;
	w.queue_id = q->id;
	w.seq = q->kseq_base + done + 1;
	w.timeout_ns = WAIT_SLICE_NS;
	ret = loom_kmd_ioctl(loom_kmd(dev)->fd, KQ_IOCTL_WAIT, &w);
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

int loom_kmd_queue_init(loom_device *dev)
{
	struct loom_kmd *k = loom_kmd(dev);

	k->fences = loom_kmd_host_alloc(dev, LOOM_KMD_MAX_QUEUES * sizeof(uint64_t),
					&k->fences_va);
	return k->fences ? 0 : -errno;
}

void loom_kmd_queue_fini(loom_device *dev)
{
	struct loom_kmd *k = loom_kmd(dev);

	if (k->fences)
		loom_kmd_host_free(dev, (void *)k->fences);
	k->fences = NULL;
}

static void queue_free(loom_device *dev, struct loom_kmd_queue *q)
{
	struct loom_kmd *k = loom_kmd(dev);

	pthread_mutex_lock(&k->slot_lock);
	k->slot_used[q->slot] = false;
	pthread_mutex_unlock(&k->slot_lock);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q);
}

int loom_kmd_queue_create(loom_stream *s)
{
	loom_device *dev = s->dev;
	struct loom_kmd *k = loom_kmd(dev);
	struct loom_kmd_queue *q = calloc(1, sizeof(*q));
	struct kq_create c = { 0 };
	struct kq_destroy d = { 0 };
	int ret = -EBUSY;

	if (!q)
		return -ENOMEM;
	if (__atomic_load_n(&dev->dead, __ATOMIC_ACQUIRE)) {
		free(q);
		return -ECONNRESET;
	}
	q->dev = dev;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	pthread_mutex_lock(&k->slot_lock);
	for (unsigned i = 0; i < LOOM_KMD_MAX_QUEUES; i++)
		if (!k->slot_used[i]) {
			k->slot_used[i] = true;
			q->slot = i;
			ret = 0;
			break;
		}
	pthread_mutex_unlock(&k->slot_lock);
	if (ret) {
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->cond);
		free(q);
		return ret;
	}
	q->fence = k->fences + q->slot;
	__atomic_store_n(q->fence, 0, __ATOMIC_RELEASE);
	ret = loom_kmd_ioctl(k->fd, KQ_IOCTL_QUEUE_CREATE, &c);
	if (ret == -ENOSPC)
		ret = -EBUSY;
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
		loom_kmd_ioctl(k->fd, KQ_IOCTL_QUEUE_DESTROY, &d);
		queue_free(dev, q);
		return ret;
	}
	q->thread_on = true;
	s->q = q;
	s->hw_queue = q->id;
	loom_dbg(LOOM_DBG_SUBMIT, "stream on kernel queue %u, sob %u, fence slot %u", q->id,
		 q->sob, q->slot);
	return 0;
}

void loom_kmd_queue_destroy(loom_stream *s)
{
	struct loom_kmd_queue *q = s->q;
	struct kq_destroy d = { .queue_id = q->id };

	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	if (q->thread_on)
		pthread_join(q->thread, NULL);
	/* The driver waits for (or resets) the queue's work. */
	loom_kmd_ioctl(loom_kmd(s->dev)->fd, KQ_IOCTL_QUEUE_DESTROY, &d);
	queue_free(s->dev, q);
	s->q = NULL;
}

/* ---- submission and completion ----------------------------------------------------- */

uint32_t loom_kmd_done(loom_stream *s)
{
	struct loom_kmd_queue *q = s->q;

	return (uint32_t)__atomic_load_n(q->fence, __ATOMIC_ACQUIRE);
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

int loom_kmd_cb_wait(loom_stream *s, loom_stream *other, uint32_t target)
{
	struct loom_kmd_queue *oq = other->q;
	struct loom_pkt_wait *w = loom_cb_add(s, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->header = LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, sizeof(*w) / 4);
	w->sob = oq->sob;
	/* The SOB counts the other queue's finished submissions from 0. */
	w->target = target;
	w->timeout_ms = 0;	/* the device's watchdog */
	return 0;
}

int loom_kmd_submit(loom_stream *s, const uint32_t *oldest, uint32_t *cookie)
{
	struct loom_kmd_queue *q = s->q;
	struct loom_kmd *k = loom_kmd(s->dev);
	struct loom_pkt_write64 *f;
	struct kq_submit sub = { 0 };
	uint32_t seq = s->seq + 1;
	int ret;

	(void)oldest;	/* the driver copies the CB: no CB space to manage here */
	f = loom_cb_add(s, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->header = LOOM_PKT_HDR(LOOM_PKT_WRITE64, 0, sizeof(*f) / 4);
	f->addr = k->fences_va + q->slot * sizeof(uint64_t);
	f->value = seq;
	sub.queue_id = q->id;
	sub.cb_ptr = (uintptr_t)s->cb_buf;
	sub.cb_size = s->cb_len;
	ret = loom_kmd_ioctl(k->fd, KQ_IOCTL_SUBMIT, &sub);
	if (ret) {
		s->cb_len -= sizeof(*f);	/* the caller may try again */
		if (ret == -EBUSY || ret == -ENOSPC)
			return -EAGAIN;
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
