/* SPDX-License-Identifier: MIT */
/*
 * The direct backend's queues. A stream owns one hardware queue: a ring of
 * CB pointers and a completion queue in the host pool, a CB area it fills
 * as a ring buffer, and one sync object (SOB, from this channel's share)
 * that every submission increments as its last packet. The SOB's value
 * counts the stream's finished submissions; another stream waits for it
 * with a WAIT packet. A queue that halts on an error reports it through
 * its STATUS register.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_direct.h"

#define RING_BYTES	(LOOM_RING_ENTRIES * sizeof(struct loom_ring_entry))
#define CQ_BYTES	(LOOM_RING_ENTRIES * sizeof(struct loom_cq_entry))
#define QUEUE_POOL	(RING_BYTES + CQ_BYTES + LOOM_CB_AREA)

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

int loom_direct_queue_create(loom_stream *s)
{
	loom_device *dev = s->dev;
	struct loom_direct *d = loom_drv(dev);
	struct loom_direct_queue *q = calloc(1, sizeof(*q));
	uint64_t idx, pa;
	int fd = -1, ret, sob = -1;

	if (!q)
		return -ENOMEM;
	pthread_mutex_lock(&dev->lock);
	for (int i = 0; i < LOOM_LINK_SOBS_PER_CH; i++)
		if (!d->sob_used[i]) {
			sob = i;
			break;
		}
	ret = sob < 0 ? -EBUSY : loom_pool_alloc_locked(dev, QUEUE_POOL, LOOM_PAGE_SIZE,
							 &q->mem_off);
	if (ret)
		goto err_unlock;
	ret = loom_link_rpc(dev, LOOM_LINK_QUEUE_ALLOC, 0, 0, &idx, NULL, -1, &fd);
	if (ret) {
		loom_pool_free_locked(dev, q->mem_off, QUEUE_POOL);
		goto err_unlock;
	}
	d->sob_used[sob] = 1;
	pthread_mutex_unlock(&dev->lock);

	q->index = (uint32_t)idx;
	q->doorbell = fd;
	q->sob = d->channel * LOOM_LINK_SOBS_PER_CH + (uint32_t)sob;
	q->sob_base = loom_bar_read(d, LOOM_REG_SOB(q->sob));
	memset(d->pool + q->mem_off, 0, RING_BYTES + CQ_BYTES);
	pa = loom_pool_pa(d, q->mem_off);
	loom_bar_write(d, LOOM_REG_QUEUE(idx, LOOM_QREG_RING_BASE_LO), (uint32_t)pa);
	loom_bar_write(d, LOOM_REG_QUEUE(idx, LOOM_QREG_RING_BASE_HI), pa >> 32);
	loom_bar_write(d, LOOM_REG_QUEUE(idx, LOOM_QREG_RING_SIZE), LOOM_RING_ENTRIES);
	pa += RING_BYTES;
	loom_bar_write(d, LOOM_REG_QUEUE(idx, LOOM_QREG_CQ_BASE_LO), (uint32_t)pa);
	loom_bar_write(d, LOOM_REG_QUEUE(idx, LOOM_QREG_CQ_BASE_HI), pa >> 32);
	loom_bar_write(d, LOOM_REG_QUEUE(idx, LOOM_QREG_CQ_SIZE), LOOM_RING_ENTRIES);
	q->pi = loom_bar_read(d, LOOM_REG_QUEUE(idx, LOOM_QREG_RING_CI));
	loom_bar_write(d, LOOM_REG_QUEUE(idx, LOOM_QREG_RING_PI), q->pi);
	loom_bar_write(d, LOOM_REG_QUEUE(idx, LOOM_QREG_CTRL), LOOM_QCTRL_ENABLE);
	loom_ring_doorbell(q->doorbell);
	s->q = q;
	s->hw_queue = q->index;
	loom_dbg(LOOM_DBG_SUBMIT, "stream on queue %u, sob %u", q->index, q->sob);
	return 0;

err_unlock:
	pthread_mutex_unlock(&dev->lock);
	free(q);
	return ret;
}

void loom_direct_queue_destroy(loom_stream *s)
{
	loom_device *dev = s->dev;
	struct loom_direct *d = loom_drv(dev);
	struct loom_direct_queue *q = s->q;

	/* The device resets the queue; afterwards nothing touches its memory. */
	loom_link_rpc(dev, LOOM_LINK_QUEUE_FREE, q->index, 0, NULL, NULL, -1, NULL);
	close(q->doorbell);
	pthread_mutex_lock(&dev->lock);
	loom_pool_free_locked(dev, q->mem_off, QUEUE_POOL);
	d->sob_used[q->sob - d->channel * LOOM_LINK_SOBS_PER_CH] = 0;
	pthread_mutex_unlock(&dev->lock);
	free(q);
	s->q = NULL;
}

uint32_t loom_direct_done(loom_stream *s)
{
	struct loom_direct_queue *q = s->q;

	return loom_bar_read(loom_drv(s->dev), LOOM_REG_SOB(q->sob)) - q->sob_base;
}

int loom_direct_status(loom_stream *s)
{
	struct loom_direct *d = loom_drv(s->dev);
	struct loom_direct_queue *q = s->q;
	uint32_t st = loom_bar_read(d, LOOM_REG_QUEUE(q->index, LOOM_QREG_STATUS));

	if (LOOM_QSTATUS_STATE(st) != LOOM_QSTATUS_HALTED)
		return 0;
	loom_dbg(LOOM_DBG_SUBMIT, "queue %u halted: device error %u at CB offset %u", q->index,
		 LOOM_QSTATUS_ERROR(st),
		 loom_bar_read(d, LOOM_REG_QUEUE(q->index, LOOM_QREG_ERR_INFO)));
	return queue_error_to_errno(LOOM_QSTATUS_ERROR(st));
}

void loom_direct_wait_pkt(loom_stream *other, uint32_t target, struct loom_pkt_wait *w)
{
	struct loom_direct_queue *oq = other->q;

	w->header = LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, sizeof(*w) / 4);
	w->sob = oq->sob;
	w->target = oq->sob_base + target;
	w->timeout_ms = 0;	/* the device's watchdog */
}

/* Room for len bytes in the CB area, given the oldest CB still in flight. */
static bool cb_room(struct loom_direct_queue *q, const uint32_t *oldest, uint32_t len,
		    uint32_t *start)
{
	uint32_t head = q->cb_head;

	if (!oldest) {
		*start = 0;
		return len <= LOOM_CB_AREA;
	}
	if (head == *oldest)
		return false;	/* full */
	if (head > *oldest) {
		if (LOOM_CB_AREA - head >= len) {
			*start = head;
			return true;
		}
		if (*oldest >= len) {
			*start = 0;
			return true;
		}
		return false;
	}
	if (*oldest - head >= len) {
		*start = head;
		return true;
	}
	return false;
}

int loom_direct_submit(loom_stream *s, const uint32_t *oldest, uint32_t *cookie)
{
	struct loom_direct *d = loom_drv(s->dev);
	struct loom_direct_queue *q = s->q;
	struct loom_pkt_signal *sig;
	struct loom_ring_entry *re;
	uint32_t start, len = (s->cb_len + sizeof(*sig) + 7) & ~7u;

	if (len > LOOM_CB_AREA)
		return -E2BIG;
	if (!cb_room(q, oldest, len, &start))
		return -EAGAIN;
	sig = loom_cb_add(s, sizeof(*sig));
	if (!sig)
		return -ENOMEM;
	sig->header = LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0, sizeof(*sig) / 4);
	sig->sob = q->sob;
	sig->op = LOOM_SIGNAL_OP_ADD;
	sig->value = 1;
	memcpy(d->pool + q->mem_off + RING_BYTES + CQ_BYTES + start, s->cb_buf, s->cb_len);
	re = (struct loom_ring_entry *)(d->pool + q->mem_off) + q->pi % LOOM_RING_ENTRIES;
	re->cb_addr = loom_pool_va(q->mem_off + RING_BYTES + CQ_BYTES + start);
	re->cb_size = s->cb_len;
	re->flags = LOOM_RING_F_COMPLETION;
	re->tag = s->seq + 1;
	re->reserved = 0;
	q->cb_head = start + len;
	q->pi++;
	*cookie = start;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	loom_bar_write(d, LOOM_REG_QUEUE(q->index, LOOM_QREG_RING_PI), q->pi);
	loom_ring_doorbell(q->doorbell);
	return 0;
}
