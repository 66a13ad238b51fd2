/* SPDX-License-Identifier: MIT */
/*
 * libloom streams and events. A stream owns one hardware queue: a ring of
 * CB pointers and a completion queue in the host pool, a CB area it fills
 * as a ring buffer, and one sync object (SOB) that every submission
 * increments as its last packet. The SOB's value therefore counts the
 * stream's finished submissions: an event is a (stream, count) pair, a
 * host wait compares the SOB with it, and a stream waits for another
 * stream's event with a WAIT packet on that SOB. A queue that halts on an
 * error makes its stream fail for good (sticky error).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_internal.h"

#define RING_BYTES	(LOOM_RING_ENTRIES * sizeof(struct loom_ring_entry))
#define CQ_BYTES	(LOOM_RING_ENTRIES * sizeof(struct loom_cq_entry))
#define STREAM_POOL	(RING_BYTES + CQ_BYTES + LOOM_CB_AREA)
#define DESTROY_TIMEOUT	60000000000LL

int loom_queue_error_to_errno(uint32_t err)
{
	switch (err) {
	case LOOM_ERR_PAGE_FAULT: return -EFAULT;
	case LOOM_ERR_PERMISSION: return -EACCES;
	case LOOM_ERR_BAD_PACKET:
	case LOOM_ERR_BAD_ARG:
	case LOOM_ERR_BAD_CB:
	case LOOM_ERR_PRIV: return -EINVAL;
	case LOOM_ERR_TIMEOUT: return -ETIME;
	case LOOM_ERR_UNSUPPORTED: return -EOPNOTSUPP;
	default: return -EIO;
	}
}

static uint32_t stream_done(loom_stream *s)
{
	return loom_bar_read(s->dev, LOOM_REG_SOB(s->sob)) - s->sob_base;
}

/* 0: reached; 1: not yet; < 0: the stream failed. */
static int stream_reached(loom_stream *s, uint32_t target)
{
	uint32_t st;

	if (s->destroyed)
		return s->error;
	if ((int32_t)(stream_done(s) - target) >= 0)
		return 0;
	if (s->error)
		return s->error;
	st = loom_bar_read(s->dev, LOOM_REG_QUEUE(s->queue, LOOM_QREG_STATUS));
	if (LOOM_QSTATUS_STATE(st) == LOOM_QSTATUS_HALTED) {
		/* The SOB may have moved just before the halt: look again. */
		if ((int32_t)(stream_done(s) - target) >= 0)
			return 0;
		s->error = loom_queue_error_to_errno(LOOM_QSTATUS_ERROR(st));
		loom_dbg(LOOM_DBG_SUBMIT, "queue %u halted: device error %u at CB offset %u",
			 s->queue, LOOM_QSTATUS_ERROR(st),
			 loom_bar_read(s->dev, LOOM_REG_QUEUE(s->queue, LOOM_QREG_ERR_INFO)));
		return s->error;
	}
	return 1;
}

struct reach_wait { loom_stream *s; uint32_t target; };

static int reach_cond(void *arg)
{
	struct reach_wait *w = arg;

	return stream_reached(w->s, w->target);
}

static int stream_wait(loom_stream *s, uint32_t target, int64_t timeout_ns)
{
	struct reach_wait w = { s, target };
	int ret;

	pthread_mutex_lock(&s->dev->lock);
	ret = loom_wait_locked(s->dev, reach_cond, &w, timeout_ns);
	pthread_mutex_unlock(&s->dev->lock);
	return ret;
}

/* Forget finished submissions and free their staging memory. */
static void stream_reclaim(loom_stream *s)
{
	uint32_t done = stream_done(s);
	bool locked = false;

	while (s->if_count) {
		struct loom_submit *sub = &s->inflight[s->if_head];

		if ((int32_t)(done - sub->seq) < 0)
			break;
		if (sub->staging_size) {
			if (!locked) {
				pthread_mutex_lock(&s->dev->lock);
				locked = true;
			}
			loom_pool_free_locked(s->dev, sub->staging_off, sub->staging_size);
		}
		s->if_head = (s->if_head + 1) % LOOM_INFLIGHT;
		s->if_count--;
	}
	if (locked)
		pthread_mutex_unlock(&s->dev->lock);
}

int loom_stream_usable(loom_stream *s)
{
	if (!s || s->destroyed)
		return -EINVAL;
	if (!s->error)
		stream_reached(s, s->seq);
	if (s->error)
		return s->error;
	if (s->dev->link_dead)
		return -ECONNRESET;
	return 0;
}

/* ---- command buffers --------------------------------------------------------- */

void loom_cb_reset(loom_stream *s)
{
	s->cb_len = 0;
}

void *loom_cb_add(loom_stream *s, uint32_t bytes)
{
	void *p;

	if (s->cb_len + bytes > s->cb_cap) {
		uint32_t cap = s->cb_cap ? s->cb_cap : 1024;
		uint8_t *n;

		while (cap < s->cb_len + bytes)
			cap *= 2;
		n = realloc(s->cb_buf, cap);
		if (!n)
			return NULL;
		s->cb_buf = n;
		s->cb_cap = cap;
	}
	p = s->cb_buf + s->cb_len;
	memset(p, 0, bytes);
	s->cb_len += bytes;
	return p;
}

/* Find room for len bytes in the CB area; 0 = found at *start. */
static bool cb_room(loom_stream *s, uint32_t len, uint32_t *start)
{
	uint32_t oldest, head = s->cb_head;

	if (!s->if_count) {
		*start = 0;
		return len <= LOOM_CB_AREA;
	}
	oldest = s->inflight[s->if_head].cb_start;
	if (head == oldest)
		return false;
	if (head > oldest) {
		if (LOOM_CB_AREA - head >= len) {
			*start = head;
			return true;
		}
		if (oldest >= len) {
			*start = 0;
			return true;
		}
		return false;
	}
	if (oldest - head >= len) {
		*start = head;
		return true;
	}
	return false;
}

int loom_cb_submit(loom_stream *s, uint64_t staging_off, uint64_t staging_size)
{
	loom_device *dev = s->dev;
	struct loom_pkt_signal *sig;
	struct loom_ring_entry *re;
	uint32_t start, len, slot;
	int ret = loom_stream_usable(s);

	if (ret)
		goto fail;
	sig = loom_cb_add(s, sizeof(*sig));
	if (!sig) {
		ret = -ENOMEM;
		goto fail;
	}
	sig->header = LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0, sizeof(*sig) / 4);
	sig->sob = s->sob;
	sig->op = LOOM_SIGNAL_OP_ADD;
	sig->value = 1;
	len = (s->cb_len + 7) & ~7u;
	if (len > LOOM_CB_AREA) {
		ret = -E2BIG;
		goto fail;
	}
	for (;;) {
		stream_reclaim(s);
		if (s->if_count < LOOM_INFLIGHT && cb_room(s, len, &start))
			break;
		/* Full: wait for the oldest submission to finish. */
		ret = stream_wait(s, s->inflight[s->if_head].seq, -1);
		if (ret)
			goto fail;
	}
	memcpy(dev->pool + s->cb_off + start, s->cb_buf, s->cb_len);
	slot = s->pi % LOOM_RING_ENTRIES;
	re = (struct loom_ring_entry *)(dev->pool + s->ring_off) + slot;
	re->cb_addr = loom_pool_va(s->cb_off + start);
	re->cb_size = s->cb_len;
	re->flags = LOOM_RING_F_COMPLETION;
	re->tag = s->seq + 1;
	re->reserved = 0;
	s->seq++;
	slot = (s->if_head + s->if_count) % LOOM_INFLIGHT;
	s->inflight[slot] = (struct loom_submit){
		.seq = s->seq, .cb_start = start,
		.staging_off = staging_off, .staging_size = staging_size,
	};
	s->if_count++;
	s->cb_head = start + len;
	s->pi++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	loom_bar_write(dev, LOOM_REG_QUEUE(s->queue, LOOM_QREG_RING_PI), s->pi);
	loom_ring_doorbell(s->doorbell);
	loom_cb_reset(s);
	return 0;
fail:
	loom_cb_reset(s);
	if (staging_size) {
		pthread_mutex_lock(&dev->lock);
		loom_pool_free_locked(dev, staging_off, staging_size);
		pthread_mutex_unlock(&dev->lock);
	}
	return ret;
}

/* ---- streams ------------------------------------------------------------------- */

static void stream_put_locked(loom_stream *s)
{
	if (--s->refs)
		return;
	free(s->cb_buf);
	free(s);
}

LOOM_API loom_stream *loom_stream_create(loom_device *dev)
{
	loom_stream *s;
	uint64_t q, pa;
	int fd = -1, ret, sob = -1;

	if (!dev) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->dev = dev;
	s->refs = 1;
	pthread_mutex_lock(&dev->lock);
	for (int i = 0; i < LOOM_LINK_SOBS_PER_CH; i++)
		if (!dev->sob_used[i]) {
			sob = i;
			break;
		}
	if (sob < 0) {
		ret = -EBUSY;
		goto err_unlock;
	}
	if (dev->nstreams == dev->cap_streams) {
		unsigned cap = dev->cap_streams ? 2 * dev->cap_streams : 8;
		loom_stream **n = realloc(dev->streams, cap * sizeof(*n));

		if (!n) {
			ret = -ENOMEM;
			goto err_unlock;
		}
		dev->streams = n;
		dev->cap_streams = cap;
	}
	ret = loom_pool_alloc_locked(dev, STREAM_POOL, LOOM_PAGE_SIZE, &s->ring_off);
	if (ret)
		goto err_unlock;
	ret = loom_link_rpc(dev, LOOM_LINK_QUEUE_ALLOC, 0, 0, &q, NULL, -1, &fd);
	if (ret)
		goto err_pool;
	dev->sob_used[sob] = 1;
	dev->streams[dev->nstreams++] = s;
	pthread_mutex_unlock(&dev->lock);

	s->queue = (uint32_t)q;
	s->doorbell = fd;
	s->sob = dev->channel * LOOM_LINK_SOBS_PER_CH + (uint32_t)sob;
	s->sob_base = loom_bar_read(dev, LOOM_REG_SOB(s->sob));
	s->cq_off = s->ring_off + RING_BYTES;
	s->cb_off = s->cq_off + CQ_BYTES;
	memset(dev->pool + s->ring_off, 0, RING_BYTES + CQ_BYTES);
	pa = loom_pool_pa(dev, s->ring_off);
	loom_bar_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_BASE_LO), (uint32_t)pa);
	loom_bar_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_BASE_HI), pa >> 32);
	loom_bar_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_SIZE), LOOM_RING_ENTRIES);
	pa = loom_pool_pa(dev, s->cq_off);
	loom_bar_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_BASE_LO), (uint32_t)pa);
	loom_bar_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_BASE_HI), pa >> 32);
	loom_bar_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_SIZE), LOOM_RING_ENTRIES);
	s->pi = loom_bar_read(dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_CI));
	loom_bar_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_PI), s->pi);
	loom_bar_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CTRL), LOOM_QCTRL_ENABLE);
	loom_ring_doorbell(s->doorbell);
	loom_dbg(LOOM_DBG_SUBMIT, "stream on queue %u, sob %u", s->queue, s->sob);
	return s;

err_pool:
	loom_pool_free_locked(dev, s->ring_off, STREAM_POOL);
err_unlock:
	pthread_mutex_unlock(&dev->lock);
	free(s);
	errno = -ret;
	return NULL;
}

static void stream_release(loom_stream *s)
{
	loom_device *dev = s->dev;
	int ret = 0;

	if (!s->error && !dev->link_dead) {
		ret = stream_wait(s, s->seq, DESTROY_TIMEOUT);
		if (ret)
			loom_warn("queue %u: work still pending at destroy (%s)", s->queue,
				  loom_strerror(ret));
	}
	stream_reclaim(s);
	pthread_mutex_lock(&dev->lock);
	s->destroyed = true;
	if (!s->error && ret)
		s->error = ret;
	/* The device resets the queue; afterwards nothing touches our memory. */
	loom_link_rpc(dev, LOOM_LINK_QUEUE_FREE, s->queue, 0, NULL, NULL, -1, NULL);
	close(s->doorbell);
	for (unsigned i = 0; i < s->if_count; i++) {
		struct loom_submit *sub = &s->inflight[(s->if_head + i) % LOOM_INFLIGHT];

		if (sub->staging_size)
			loom_pool_free_locked(dev, sub->staging_off, sub->staging_size);
	}
	s->if_count = 0;
	loom_pool_free_locked(dev, s->ring_off, STREAM_POOL);
	dev->sob_used[s->sob - dev->channel * LOOM_LINK_SOBS_PER_CH] = 0;
	for (unsigned i = 0; i < dev->nstreams; i++)
		if (dev->streams[i] == s) {
			dev->streams[i] = dev->streams[--dev->nstreams];
			break;
		}
	stream_put_locked(s);
	pthread_mutex_unlock(&dev->lock);
}

LOOM_API void loom_stream_destroy(loom_stream *s)
{
	if (s && !s->destroyed)
		stream_release(s);
}

void loom_streams_fini(loom_device *dev)
{
	while (dev->nstreams)
		stream_release(dev->streams[dev->nstreams - 1]);
	free(dev->streams);
	dev->streams = NULL;
	dev->cap_streams = 0;
}

LOOM_API int loom_stream_sync(loom_stream *s, int64_t timeout_ns)
{
	int ret;

	if (!s || s->destroyed)
		return -EINVAL;
	ret = stream_wait(s, s->seq, timeout_ns);
	stream_reclaim(s);
	return ret;
}

LOOM_API int loom_stream_query(loom_stream *s)
{
	int r;

	if (!s || s->destroyed)
		return -EINVAL;
	r = stream_reached(s, s->seq);
	return r == 1 ? -EBUSY : r;
}

LOOM_API int loom_stream_queue(loom_stream *s)
{
	if (!s || s->destroyed)
		return -EINVAL;
	return (int)s->queue;
}

/* ---- events ----------------------------------------------------------------------- */

LOOM_API loom_event *loom_event_create(loom_device *dev)
{
	loom_event *e;
	int ret;

	if (!dev) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		errno = ENOMEM;
		return NULL;
	}
	e->dev = dev;
	pthread_mutex_lock(&dev->lock);
	ret = loom_pool_alloc_locked(dev, 64, 64, &e->ts_off);
	pthread_mutex_unlock(&dev->lock);
	if (ret) {
		free(e);
		errno = -ret;
		return NULL;
	}
	*(uint64_t *)(dev->pool + e->ts_off) = 0;
	return e;
}

static void event_unbind(loom_event *e)
{
	if (!e->stream)
		return;
	pthread_mutex_lock(&e->dev->lock);
	stream_put_locked(e->stream);
	pthread_mutex_unlock(&e->dev->lock);
	e->stream = NULL;
}

LOOM_API void loom_event_destroy(loom_event *e)
{
	if (!e)
		return;
	event_unbind(e);
	pthread_mutex_lock(&e->dev->lock);
	loom_pool_free_locked(e->dev, e->ts_off, 64);
	pthread_mutex_unlock(&e->dev->lock);
	free(e);
}

LOOM_API int loom_event_record(loom_event *e, loom_stream *s)
{
	struct loom_pkt_timestamp *ts;
	int ret;

	if (!e || !s || s->dev != e->dev)
		return -EINVAL;
	ret = loom_stream_usable(s);
	if (ret)
		return ret;
	ts = loom_cb_add(s, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	ts->header = LOOM_PKT_HDR(LOOM_PKT_TIMESTAMP, 0, sizeof(*ts) / 4);
	ts->addr = loom_pool_va(e->ts_off);
	ret = loom_cb_submit(s, 0, 0);
	if (ret)
		return ret;
	event_unbind(e);
	pthread_mutex_lock(&e->dev->lock);
	s->refs++;
	pthread_mutex_unlock(&e->dev->lock);
	e->stream = s;
	e->target = s->seq;
	e->recorded = true;
	return 0;
}

LOOM_API int loom_event_wait(loom_event *e, int64_t timeout_ns)
{
	if (!e)
		return -EINVAL;
	if (!e->recorded)
		return 0;
	return stream_wait(e->stream, e->target, timeout_ns);
}

LOOM_API int loom_event_query(loom_event *e)
{
	int r;

	if (!e)
		return -EINVAL;
	if (!e->recorded)
		return 0;
	r = stream_reached(e->stream, e->target);
	return r == 1 ? -EBUSY : r;
}

LOOM_API int loom_stream_wait_event(loom_stream *s, loom_event *e)
{
	struct loom_pkt_wait *w;
	int ret;

	if (!s || !e || s->dev != e->dev)
		return -EINVAL;
	ret = loom_stream_usable(s);
	if (ret)
		return ret;
	if (!e->recorded || e->stream == s)
		return 0;	/* in-order within a stream */
	ret = stream_reached(e->stream, e->target);
	if (ret <= 0)
		return ret;	/* already reached, or its stream failed */
	w = loom_cb_add(s, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->header = LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, sizeof(*w) / 4);
	w->sob = e->stream->sob;
	w->target = e->stream->sob_base + e->target;
	w->timeout_ms = 0;
	return loom_cb_submit(s, 0, 0);
}

LOOM_API int loom_event_elapsed_ns(loom_event *start, loom_event *end, uint64_t *ns)
{
	uint64_t t0, t1;
	int ret;

	if (!start || !end || !ns || !start->recorded || !end->recorded)
		return -EINVAL;
	ret = loom_event_query(start);
	if (!ret)
		ret = loom_event_query(end);
	if (ret)
		return ret;
	t0 = __atomic_load_n((uint64_t *)(start->dev->pool + start->ts_off), __ATOMIC_ACQUIRE);
	t1 = __atomic_load_n((uint64_t *)(end->dev->pool + end->ts_off), __ATOMIC_ACQUIRE);
	*ns = t1 >= t0 ? t1 - t0 : 0;
	return 0;
}
