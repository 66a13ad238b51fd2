/* SPDX-License-Identifier: MIT */
/*
 * libloom streams and events, generic part. A stream is an in-order queue
 * of submissions, each a command buffer (CB) of packets built here and
 * handed to the backend's queue. The backend counts finished submissions;
 * an event is a (stream, count) pair, waited for on the host by comparing
 * the count and on another stream by a device-side wait. A stream whose
 * queue fails keeps that error for good (sticky). While a stream records
 * (loom_capture.c), its CBs go to the recording instead of the queue.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loom_internal.h"

#define DESTROY_TIMEOUT	60000000000LL

/* 0: reached; 1: not yet; < 0: the stream failed. */
int loom_stream_reached(loom_stream *s, uint32_t target)
{
	int st;

	if (s->destroyed)
		return s->error;
	if ((int32_t)(s->dev->be->done(s) - target) >= 0)
		return 0;
	if (s->error)
		return s->error;
	st = s->dev->be->status(s);
	if (st) {
		/* The count may have moved just before the failure: look again. */
		if ((int32_t)(s->dev->be->done(s) - target) >= 0)
			return 0;
		s->error = st;
		return st;
	}
	return 1;
}

struct reach_wait { loom_stream *s; uint32_t target; };

static int reach_cond(void *arg)
{
	struct reach_wait *w = arg;

	return loom_stream_reached(w->s, w->target);
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

int loom_stream_wait_seq(loom_stream *s, uint32_t seq, int64_t timeout_ns)
{
	return stream_wait(s, seq, timeout_ns);
}

/* Forget finished submissions and free their staging memory. */
static void stream_reclaim(loom_stream *s)
{
	uint32_t done = s->dev->be->done(s);

	while (s->if_count) {
		struct loom_submit *sub = &s->inflight[s->if_head];

		if ((int32_t)(done - sub->seq) < 0)
			break;
		if (sub->staging)
			s->dev->be->host_free(s->dev, sub->staging);
		s->if_head = (s->if_head + 1) % LOOM_INFLIGHT;
		s->if_count--;
	}
}

int loom_stream_usable(loom_stream *s)
{
	if (!s || s->destroyed)
		return -EINVAL;
	if (!s->error)
		loom_stream_reached(s, s->seq);
	if (s->error)
		return s->error;
	if (__atomic_load_n(&s->dev->dead, __ATOMIC_ACQUIRE))
		return -ECONNRESET;
	return 0;
}

/* ---- command buffers ---------------------------------------------------------- */

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

int loom_cb_submit(loom_stream *s, void *staging)
{
	uint32_t cookie, slot;
	int ret;

	if (s->capture)
		return loom_capture_add(s, staging);
	ret = loom_stream_usable(s);

	while (!ret) {
		stream_reclaim(s);
		if (s->if_count < LOOM_INFLIGHT) {
			ret = s->dev->be->submit(s, s->if_count ? &s->inflight[s->if_head].be_cookie :
						 NULL, &cookie);
			if (ret != -EAGAIN)
				break;
		}
		/* Full: wait for the oldest submission to finish. */
		ret = stream_wait(s, s->inflight[s->if_head].seq, -1);
	}
	loom_cb_reset(s);
	if (ret) {
		if (staging)
			s->dev->be->host_free(s->dev, staging);
		return ret;
	}
	s->seq++;
	slot = (s->if_head + s->if_count) % LOOM_INFLIGHT;
	s->inflight[slot] = (struct loom_submit){
		.seq = s->seq, .be_cookie = cookie, .staging = staging,
	};
	s->if_count++;
	return 0;
}

/* ---- streams ---------------------------------------------------------------------- */

void loom_stream_get_locked(loom_stream *s)
{
	s->refs++;
}

void loom_stream_put_locked(loom_stream *s)
{
	if (--s->refs)
		return;
	free(s->cb_buf);
	free(s);
}

LOOM_API loom_stream *loom_stream_create(loom_device *dev)
{
	loom_stream *s;
	int ret;

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
	ret = dev->be->queue_create(s);
	if (ret) {
		free(s);
		errno = -ret;
		return NULL;
	}
	pthread_mutex_lock(&dev->lock);
	if (dev->nstreams == dev->cap_streams) {
		unsigned cap = dev->cap_streams ? 2 * dev->cap_streams : 8;
		loom_stream **n = realloc(dev->streams, cap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&dev->lock);
			dev->be->queue_destroy(s);
			free(s);
			errno = ENOMEM;
			return NULL;
		}
		dev->streams = n;
		dev->cap_streams = cap;
	}
	dev->streams[dev->nstreams++] = s;
	pthread_mutex_unlock(&dev->lock);
	return s;
}

static void stream_release(loom_stream *s)
{
	loom_device *dev = s->dev;
	int ret = 0;

	if (s->capture)
		loom_capture_abort(s);
	if (!s->error && !__atomic_load_n(&dev->dead, __ATOMIC_ACQUIRE)) {
		ret = stream_wait(s, s->seq, DESTROY_TIMEOUT);
		if (ret)
			loom_warn("%s: a stream still had work pending when destroyed (%s)", dev->uri,
				  loom_strerror(ret));
	}
	stream_reclaim(s);
	dev->be->queue_destroy(s);
	/* The queue is reset: staging memory of unfinished work is free too. */
	for (; s->if_count; s->if_count--, s->if_head = (s->if_head + 1) % LOOM_INFLIGHT)
		if (s->inflight[s->if_head].staging)
			dev->be->host_free(dev, s->inflight[s->if_head].staging);
	pthread_mutex_lock(&dev->lock);
	s->destroyed = true;
	if (!s->error && ret)
		s->error = ret;
	for (unsigned i = 0; i < dev->nstreams; i++)
		if (dev->streams[i] == s) {
			dev->streams[i] = dev->streams[--dev->nstreams];
			break;
		}
	loom_stream_put_locked(s);
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
}

LOOM_API int loom_stream_sync(loom_stream *s, int64_t timeout_ns)
{
	int ret;

	if (!s || s->destroyed || s->capture)
		return -EINVAL;	/* a recording cannot wait on the host */
	ret = stream_wait(s, s->seq, timeout_ns);
	stream_reclaim(s);
	return ret;
}

LOOM_API int loom_stream_query(loom_stream *s)
{
	int r;

	if (!s || s->destroyed)
		return -EINVAL;
	r = loom_stream_reached(s, s->seq);
	return r == 1 ? -EBUSY : r;
}

LOOM_API int loom_stream_queue(loom_stream *s)
{
	if (!s || s->destroyed || !s->q)
		return -EINVAL;
	return (int)s->hw_queue;
}

/* ---- events ------------------------------------------------------------------------ */

LOOM_API loom_event *loom_event_create(loom_device *dev)
{
	loom_event *e;

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
	e->ts = dev->be->host_alloc(dev, sizeof(*e->ts), NULL);
	if (!e->ts) {
		free(e);
		return NULL;
	}
	*e->ts = 0;
	pthread_mutex_lock(&dev->lock);
	if (dev->nevobjs == dev->cap_evobjs) {
		unsigned cap = dev->cap_evobjs ? 2 * dev->cap_evobjs : 16;
		loom_event **n = realloc(dev->evobjs, cap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&dev->lock);
			dev->be->host_free(dev, e->ts);
			free(e);
			errno = ENOMEM;
			return NULL;
		}
		dev->evobjs = n;
		dev->cap_evobjs = cap;
	}
	dev->evobjs[dev->nevobjs++] = e;
	pthread_mutex_unlock(&dev->lock);
	return e;
}

static void event_unbind(loom_event *e)
{
	if (!e->stream)
		return;
	pthread_mutex_lock(&e->dev->lock);
	loom_stream_put_locked(e->stream);
	pthread_mutex_unlock(&e->dev->lock);
	e->stream = NULL;
}

LOOM_API void loom_event_destroy(loom_event *e)
{
	loom_device *dev;

	if (!e)
		return;
	dev = e->dev;
	event_unbind(e);
	pthread_mutex_lock(&dev->lock);
	loom_cmdbufs_forget_event(e);
	for (unsigned i = 0; i < dev->nevobjs; i++)
		if (dev->evobjs[i] == e) {
			dev->evobjs[i] = dev->evobjs[--dev->nevobjs];
			break;
		}
	pthread_mutex_unlock(&dev->lock);
	dev->be->host_free(dev, e->ts);
	free(e);
}

/* Device close: events the application did not destroy go with it. */
void loom_events_fini(loom_device *dev)
{
	while (dev->nevobjs)
		loom_event_destroy(dev->evobjs[dev->nevobjs - 1]);
	free(dev->evobjs);
	dev->evobjs = NULL;
	dev->cap_evobjs = 0;
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
	if (s->capture)
		return loom_capture_record(e, s);
	ts = loom_cb_add(s, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	ts->header = LOOM_PKT_HDR(LOOM_PKT_TIMESTAMP, 0, sizeof(*ts) / 4);
	ts->addr = s->dev->be->host_va(s->dev, e->ts);
	ret = loom_cb_submit(s, NULL);
	if (ret)
		return ret;
	loom_event_bind(e, s);
	return 0;
}

void loom_event_bind(loom_event *e, loom_stream *s)
{
	event_unbind(e);
	pthread_mutex_lock(&e->dev->lock);
	s->refs++;
	pthread_mutex_unlock(&e->dev->lock);
	e->stream = s;
	e->target = s->seq;
	e->recorded = true;
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
	r = loom_stream_reached(e->stream, e->target);
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
	if (s->capture)
		return loom_capture_wait(s, e);	/* resolved at each launch */
	if (!e->recorded || e->stream == s)
		return 0;	/* in order within a stream */
	ret = loom_stream_reached(e->stream, e->target);
	if (ret <= 0)
		return ret;	/* already reached, or its stream failed */
	w = loom_cb_add(s, sizeof(*w));
	if (!w)
		return -ENOMEM;
	s->dev->be->wait_pkt(e->stream, e->target, w);
	return loom_cb_submit(s, NULL);
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
	t0 = __atomic_load_n(start->ts, __ATOMIC_ACQUIRE);
	t1 = __atomic_load_n(end->ts, __ATOMIC_ACQUIRE);
	*ns = t1 >= t0 ? t1 - t0 : 0;
	return 0;
}
