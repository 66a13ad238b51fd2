/* SPDX-License-Identifier: MIT */
/*
 * libloom command-buffer capture. Between loom_capture_begin() and
 * loom_capture_end() a stream's CBs (built as usual by loom_ops.c,
 * loom_kernel.c and loom_stream.c) are appended to a recording instead of
 * being submitted; loom_cmdbuf_launch() then hands the whole recording to
 * the backend's submit path as one CB, which the backend completes as it
 * completes every submission (its own SIGNAL or fence after it).
 *
 * A recording is a CB buffer plus relocations: the packets that depend on
 * events and are rewritten at each launch.
 *   - WAIT (loom_stream_wait_event): the device waits for an absolute count
 *     of the other queue's SOB, so the target is only known at launch: it
 *     is taken from the event's record at that moment, exactly as the eager
 *     call would take it. When there is nothing to wait for (not recorded,
 *     the launching stream's own, already reached) the packet becomes two
 *     NOPs.
 *   - TIMESTAMP (loom_event_record): the event's timestamp slot; after the
 *     launch's submission the event is bound to the launching stream at
 *     that submission's count. A destroyed event's packets become NOPs.
 * TPC descriptor blocks (pinned) of launches recorded belong to the
 * recording and are freed with it, once its launches have finished.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loom_internal.h"

#define DESTROY_TIMEOUT	60000000000LL

enum loom_reloc_kind { LOOM_RELOC_WAIT, LOOM_RELOC_RECORD };

struct loom_reloc {
	uint32_t off;			/* byte offset of the packet in the CB */
	enum loom_reloc_kind kind;
	loom_event *e;			/* NULL once the event is destroyed */
};

/* A stream that launched the recording, and the count of its last launch. */
struct loom_cmdbuf_use {
	loom_stream *s;			/* holds a stream reference */
	uint32_t seq;
};

struct loom_cmdbuf {
	loom_device *dev;
	loom_stream *owner;		/* the stream recording into it, or NULL */
	uint8_t *buf;			/* the CB */
	uint32_t len, cap;
	/* Protected by dev->lock (event destruction clears e): */
	struct loom_reloc *relocs;
	unsigned nrelocs, cap_relocs;
	void **staging;			/* pinned blocks its packets point into */
	unsigned nstaging, cap_staging;
	struct loom_cmdbuf_use *uses;
	unsigned nuses, cap_uses;
};

/* Grow an array of n elements of size sz to hold one more. */
static int grow(void **arr, unsigned n, unsigned *cap, size_t sz)
{
	unsigned c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 8;
	p = realloc(*arr, c * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

/* Is cb a live recording of dev? (dev->lock held; cb is not dereferenced) */
static bool cmdbuf_live_locked(loom_device *dev, const loom_cmdbuf *cb)
{
	for (unsigned i = 0; i < dev->ncmdbufs; i++)
		if (dev->cmdbufs[i] == cb)
			return true;
	return false;
}

static void cmdbuf_free(loom_cmdbuf *cb)
{
	loom_device *dev = cb->dev;

	for (unsigned i = 0; i < cb->nuses; i++) {
		loom_stream *s = cb->uses[i].s;

		if (!s->destroyed)
			loom_stream_wait_seq(s, cb->uses[i].seq, DESTROY_TIMEOUT);
	}
	pthread_mutex_lock(&dev->lock);
	for (unsigned i = 0; i < cb->nuses; i++)
		loom_stream_put_locked(cb->uses[i].s);
	for (unsigned i = 0; i < dev->ncmdbufs; i++)
		if (dev->cmdbufs[i] == cb) {
			dev->cmdbufs[i] = dev->cmdbufs[--dev->ncmdbufs];
			break;
		}
	pthread_mutex_unlock(&dev->lock);
	/* The launches finished, or their queues were reset or failed. */
	for (unsigned i = 0; i < cb->nstaging; i++)
		dev->be->host_free(dev, cb->staging[i]);
	free(cb->staging);
	free(cb->relocs);
	free(cb->uses);
	free(cb->buf);
	free(cb);
}

/* ---- recording ------------------------------------------------------------------ */

LOOM_API int loom_capture_begin(loom_stream *s)
{
	loom_cmdbuf *cb;
	int ret = loom_stream_usable(s);

	if (ret)
		return ret;
	if (s->capture)
		return -EBUSY;
	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	cb->dev = s->dev;
	cb->owner = s;
	pthread_mutex_lock(&s->dev->lock);
	ret = grow((void **)&s->dev->cmdbufs, s->dev->ncmdbufs, &s->dev->cap_cmdbufs,
		   sizeof(*s->dev->cmdbufs));
	if (!ret)
		s->dev->cmdbufs[s->dev->ncmdbufs++] = cb;
	pthread_mutex_unlock(&s->dev->lock);
	if (ret) {
		free(cb);
		return ret;
	}
	s->capture = cb;
	return 0;
}

LOOM_API int loom_capture_end(loom_stream *s, loom_cmdbuf **out)
{
	if (!s || s->destroyed || !s->capture || !out)
		return -EINVAL;
	s->capture->owner = NULL;
	*out = s->capture;
	s->capture = NULL;
	return 0;
}

void loom_capture_abort(loom_stream *s)
{
	loom_cmdbuf *cb = s->capture;

	s->capture = NULL;
	cb->owner = NULL;
	cmdbuf_free(cb);
}

int loom_capture_add(loom_stream *s, void *staging)
{
	loom_cmdbuf *cb = s->capture;
	int ret = 0;

	if (cb->len + (uint64_t)s->cb_len > s->dev->be->cb_max) {
		ret = -E2BIG;
	} else if (cb->len + s->cb_len > cb->cap) {
		uint32_t cap = cb->cap ? cb->cap : 4096;
		uint8_t *n;

		while (cap < cb->len + s->cb_len)
			cap *= 2;
		n = realloc(cb->buf, cap);
		if (!n)
			ret = -ENOMEM;
		else {
			cb->buf = n;
			cb->cap = cap;
		}
	}
	if (!ret && staging) {
		pthread_mutex_lock(&s->dev->lock);
		ret = grow((void **)&cb->staging, cb->nstaging, &cb->cap_staging,
			   sizeof(*cb->staging));
		if (!ret)
			cb->staging[cb->nstaging++] = staging;
		pthread_mutex_unlock(&s->dev->lock);
	}
	if (ret) {
		if (staging)
			s->dev->be->host_free(s->dev, staging);
	} else {
		memcpy(cb->buf + cb->len, s->cb_buf, s->cb_len);
		cb->len += s->cb_len;
	}
	loom_cb_reset(s);
	return ret;
}

/* Two NOPs in the place of a 16-byte packet (WAIT or TIMESTAMP). */
static void pkt_nop16(void *p)
{
	struct loom_pkt_nop *n = p;

	_Static_assert(sizeof(struct loom_pkt_wait) == 2 * sizeof(*n), "WAIT is two NOPs");
	_Static_assert(sizeof(struct loom_pkt_timestamp) == 2 * sizeof(*n),
		       "TIMESTAMP is two NOPs");
	memset(n, 0, 2 * sizeof(*n));
	n[0].header = n[1].header = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, sizeof(*n) / 4);
}

/* Append one 16-byte packet with a relocation of kind for e. */
static int capture_reloc(loom_stream *s, loom_event *e, enum loom_reloc_kind kind)
{
	loom_cmdbuf *cb = s->capture;
	uint32_t off = cb->len;
	void *p = loom_cb_add(s, 16);
	int ret;

	if (!p)
		return -ENOMEM;
	pkt_nop16(p);	/* until a launch fills it in */
	pthread_mutex_lock(&s->dev->lock);
	ret = grow((void **)&cb->relocs, cb->nrelocs, &cb->cap_relocs, sizeof(*cb->relocs));
	pthread_mutex_unlock(&s->dev->lock);
	if (ret) {
		loom_cb_reset(s);
		return ret;
	}
	ret = loom_capture_add(s, NULL);
	if (ret)
		return ret;
	pthread_mutex_lock(&s->dev->lock);
	cb->relocs[cb->nrelocs++] = (struct loom_reloc){ .off = off, .kind = kind, .e = e };
	pthread_mutex_unlock(&s->dev->lock);
	return 0;
}

int loom_capture_record(loom_event *e, loom_stream *s)
{
	return capture_reloc(s, e, LOOM_RELOC_RECORD);
}

int loom_capture_wait(loom_stream *s, loom_event *e)
{
	loom_cmdbuf *cb = s->capture;

	/* Recorded earlier in this recording: in order on the launching stream. */
	for (unsigned i = 0; i < cb->nrelocs; i++)
		if (cb->relocs[i].kind == LOOM_RELOC_RECORD && cb->relocs[i].e == e)
			return 0;
	return capture_reloc(s, e, LOOM_RELOC_WAIT);
}

void loom_cmdbufs_forget_event(loom_event *e)
{
	loom_device *dev = e->dev;

	for (unsigned i = 0; i < dev->ncmdbufs; i++) {
		loom_cmdbuf *cb = dev->cmdbufs[i];

		for (unsigned j = 0; j < cb->nrelocs; j++)
			if (cb->relocs[j].e == e)
				cb->relocs[j].e = NULL;
	}
}

/* ---- launching ---------------------------------------------------------------------- */

/* Rewrite a relocated packet for a launch on s. 0 or the error of a waited stream. */
static int reloc_apply(loom_stream *s, loom_cmdbuf *cb, const struct loom_reloc *r)
{
	void *p = cb->buf + r->off;
	loom_event *e = r->e;
	int ret;

	if (r->kind == LOOM_RELOC_RECORD) {
		struct loom_pkt_timestamp *ts = p;

		if (!e) {
			pkt_nop16(p);
			return 0;
		}
		ts->header = LOOM_PKT_HDR(LOOM_PKT_TIMESTAMP, 0, sizeof(*ts) / 4);
		ts->reserved = 0;
		ts->addr = s->dev->be->host_va(s->dev, e->ts);
		return 0;
	}
	if (!e || !e->recorded || e->stream == s) {
		pkt_nop16(p);	/* nothing recorded, or in order on s */
		return 0;
	}
	ret = loom_stream_reached(e->stream, e->target);
	if (ret < 0)
		return ret;	/* as loom_stream_wait_event() */
	if (!ret) {
		pkt_nop16(p);
		return 0;
	}
	s->dev->be->wait_pkt(e->stream, e->target, p);
	return 0;
}

/* Remember that s ran cb up to its submission seq (a reference on s). */
static int cmdbuf_use(loom_cmdbuf *cb, loom_stream *s)
{
	int ret = 0;
	unsigned i;

	pthread_mutex_lock(&s->dev->lock);
	for (i = 0; i < cb->nuses && cb->uses[i].s != s; i++)
		;
	if (i == cb->nuses) {
		ret = grow((void **)&cb->uses, cb->nuses, &cb->cap_uses, sizeof(*cb->uses));
		if (!ret) {
			cb->uses[cb->nuses++].s = s;
			loom_stream_get_locked(s);
		}
	}
	if (!ret)
		cb->uses[i].seq = s->seq;
	pthread_mutex_unlock(&s->dev->lock);
	return ret;
}

LOOM_API int loom_cmdbuf_launch(loom_stream *s, loom_cmdbuf *cb)
{
	bool live;
	void *p;
	int ret = loom_stream_usable(s);

	if (ret)
		return ret;
	if (!cb || s->capture)
		return -EINVAL;
	pthread_mutex_lock(&s->dev->lock);
	live = cmdbuf_live_locked(s->dev, cb);
	pthread_mutex_unlock(&s->dev->lock);
	if (!live || cb->owner || !cb->len)
		return -EINVAL;
	/* Reserve the use first: once submitted, the launch must be waited for. */
	ret = cmdbuf_use(cb, s);
	for (unsigned i = 0; i < cb->nrelocs && !ret; i++)
		ret = reloc_apply(s, cb, &cb->relocs[i]);
	if (ret)
		return ret;
	p = loom_cb_add(s, cb->len);
	if (!p)
		return -ENOMEM;
	memcpy(p, cb->buf, cb->len);
	ret = loom_cb_submit(s, NULL);
	if (ret)
		return ret;
	cmdbuf_use(cb, s);	/* the entry exists: cannot fail */
	for (unsigned i = 0; i < cb->nrelocs; i++)
		if (cb->relocs[i].kind == LOOM_RELOC_RECORD && cb->relocs[i].e)
			loom_event_bind(cb->relocs[i].e, s);
	return 0;
}

LOOM_API uint32_t loom_cmdbuf_size(const loom_cmdbuf *cb)
{
	return cb ? cb->len : 0;
}

LOOM_API void loom_cmdbuf_destroy(loom_cmdbuf *cb)
{
	if (cb && !cb->owner)	/* one being recorded goes with capture end or its stream */
		cmdbuf_free(cb);
}

void loom_cmdbufs_fini(loom_device *dev)
{
	while (dev->ncmdbufs)
		cmdbuf_free(dev->cmdbufs[dev->ncmdbufs - 1]);
}
